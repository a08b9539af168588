package main

// The cluster's API server as Flux's controllers see it: a controller-runtime fake client holding the
// rendered objects, with interceptors that (1) authorize every request with the cluster's RBAC as the
// controller's ServiceAccount and (2) answer TokenRequests with a JWT as the API server would mint it
// (iss = the cluster's issuer, sub = system:serviceaccount:<ns>:<name>, aud = what Flux asked for).

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// The audiences a Kubernetes API server accepts for its own tokens; Flux v2.10 refuses to mint tenant
// tokens for them.
var apiServerAudiences = []string{"https://kubernetes.default.svc.cluster.local", "https://kubernetes.default.svc"}

// Minter signs ServiceAccount tokens for one cluster issuer.
type Minter struct {
	issuer string
	key    *rsa.PrivateKey
	mu     sync.Mutex
	minted []Claims
}

// Claims of a ServiceAccount token, as the API server sets them.
type Claims struct {
	Issuer    string
	Namespace string
	Name      string
	Audiences []string
	TTL       time.Duration
}

func (c Claims) Subject() string {
	return fmt.Sprintf("system:serviceaccount:%s:%s", c.Namespace, c.Name)
}

func newMinter(issuer string) *Minter {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return &Minter{issuer: issuer, key: key}
}

func (m *Minter) mint(c Claims) string {
	if c.Issuer == "" {
		c.Issuer = m.issuer
	}
	if c.TTL == 0 {
		c.TTL = time.Hour
	}
	now := time.Now()
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": c.Issuer,
		"sub": c.Subject(),
		"aud": c.Audiences,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(c.TTL).Unix(),
		"kubernetes.io": map[string]any{
			"namespace":      c.Namespace,
			"serviceaccount": map[string]any{"name": c.Name, "uid": "00000000-0000-0000-0000-000000000000"},
		},
	})
	token.Header["kid"] = "flux-auth-judge"
	signed, err := token.SignedString(m.key)
	if err != nil {
		panic(err)
	}
	m.mu.Lock()
	m.minted = append(m.minted, c)
	m.mu.Unlock()
	return signed
}

// TokenClaims are the claims of a JWT the judge's fake clouds receive, read without verification (the
// clouds verify the signature with the issuer's JWKS; here every token was minted by the judge).
type TokenClaims struct {
	Issuer    string
	Subject   string
	Audiences []string
}

func parseToken(raw string) (TokenClaims, error) {
	var claims jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(raw, &claims); err != nil {
		return TokenClaims{}, fmt.Errorf("not a JWT: %w", err)
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	aud, _ := claims.GetAudience()
	return TokenClaims{Issuer: iss, Subject: sub, Audiences: aud}, nil
}

func (t TokenClaims) hasAudience(a string) bool {
	for _, x := range t.Audiences {
		if x == a {
			return true
		}
	}
	return false
}

// APIServer is the fake API server of one judge run, as seen by one controller.
type APIServer struct {
	objects *Objects
	minter  *Minter
	as      User
	// Requests Flux made, for the report.
	requests []string
}

var serviceAccountsResource = schema.GroupResource{Resource: "serviceaccounts"}

// client returns a controller-runtime client acting as user `as`.
func (s *APIServer) client(extra ...client.Object) client.Client {
	var objs []client.Object
	for _, sa := range s.objects.ServiceAccounts {
		objs = append(objs, sa.DeepCopy())
	}
	for _, cm := range s.objects.ConfigMaps {
		objs = append(objs, cm.DeepCopy())
	}
	objs = append(objs, extra...)
	return fake.NewClientBuilder().
		WithScheme(scheme).
		WithObjects(objs...).
		WithInterceptorFuncs(interceptor.Funcs{Get: s.get, SubResourceCreate: s.subResourceCreate}).
		Build()
}

func (s *APIServer) forbidden(r Request, gr schema.GroupResource, why string) error {
	return apierrors.NewForbidden(gr, r.Name, fmt.Errorf("RBAC: user %q cannot %s%s", s.as.Name, r, why))
}

func (s *APIServer) get(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	switch obj.(type) {
	case *corev1.ServiceAccount:
		// Flux's controllers read ServiceAccounts through their cached client: an informer that lists and
		// watches them cluster-wide, whatever the namespace of the object at hand.
		for _, verb := range []string{"list", "watch"} {
			r := Request{Verb: verb, Resource: "serviceaccounts"}
			s.requests = append(s.requests, r.String())
			if !s.objects.allowed(s.as, r) {
				return s.forbidden(r, serviceAccountsResource, " (Flux reads ServiceAccounts through its cached client)")
			}
		}
	case *corev1.ConfigMap:
		// ConfigMaps (kubeConfig references) are read uncached, one by one.
		r := Request{Verb: "get", Resource: "configmaps", Namespace: key.Namespace, Name: key.Name}
		s.requests = append(s.requests, r.String())
		if !s.objects.allowed(s.as, r) {
			return s.forbidden(r, schema.GroupResource{Resource: "configmaps"}, "")
		}
	}
	return c.Get(ctx, key, obj, opts...)
}

func (s *APIServer) subResourceCreate(ctx context.Context, c client.Client, sub string, obj client.Object, subResource client.Object, opts ...client.SubResourceCreateOption) error {
	req, ok := subResource.(*authnv1.TokenRequest)
	if sub != "token" || !ok {
		return c.SubResource(sub).Create(ctx, obj, subResource, opts...)
	}
	r := Request{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: obj.GetNamespace(), Name: obj.GetName()}
	s.requests = append(s.requests, r.String())
	if !s.objects.allowed(s.as, r) {
		return s.forbidden(r, serviceAccountsResource, "")
	}
	// The API server mints tokens only for ServiceAccounts that exist.
	var sa corev1.ServiceAccount
	if err := c.Get(ctx, client.ObjectKeyFromObject(obj), &sa); err != nil {
		return err
	}
	audiences := req.Spec.Audiences
	if len(audiences) == 0 {
		audiences = apiServerAudiences
	}
	ttl := time.Hour
	if req.Spec.ExpirationSeconds != nil {
		ttl = time.Duration(*req.Spec.ExpirationSeconds) * time.Second
	}
	req.Status.Token = s.minter.mint(Claims{Namespace: sa.Namespace, Name: sa.Name, Audiences: audiences, TTL: ttl})
	req.Status.ExpirationTimestamp = metav1.NewTime(time.Now().Add(ttl))
	return nil
}
