package main

// Remote clusters over plain OIDC (plan.json `kubernetes`; kubeConfig `provider: generic`): the remote
// API server trusts this cluster's issuer with a jwt authenticator of its AuthenticationConfiguration,
// and RBAC there authorizes the user name it maps the token to. Flux's GetRESTConfig builds the REST
// config from the rendered ConfigMap; the judge sends one request through it, so Flux's own round
// tripper mints the token and sets it, to a fake remote API server that authenticates it with
// kube-apiserver's own JWT authenticator (tests/authn-config: k8s.io/apiserver's oidc authenticator
// built from the rendered jwt entry, with the judge's signing key as the issuer's key set). The user it
// yields must then be allowed, by the remote group of remoteClusterRbacYaml and Kubernetes' default
// ClusterRoles, the requests Flux makes there: applying, reading and pruning objects in the namespaces the
// plan gives it, and Helm's release Secrets for HelmRelease.

import (
	"bytes"
	"context"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

type KubernetesPlan struct {
	UsernamePrefix string `json:"usernamePrefix"`
	Identities     []struct {
		Key      string `json:"key"`
		Subject  string `json:"subject"`
		UserName string `json:"userName"`
	} `json:"identities"`
	RemoteClusters                  []KubernetesRemoteCluster `json:"remoteClusters"`
	AuthenticationConfigurationYAML string                    `json:"authenticationConfigurationYaml"`
	RemoteClusterRBACYAML           string                    `json:"remoteClusterRbacYaml"`
}

type KubernetesRemoteCluster struct {
	Name      string   `json:"name"`
	Address   string   `json:"address"`
	Audiences []string `json:"audiences"`
	Users     []string `json:"users"`
	// What each user must be able to do there: a ClusterRole, cluster-wide or in namespaces.
	Access []struct {
		User        string   `json:"user"`
		ClusterRole string   `json:"clusterRole"`
		Namespaces  []string `json:"namespaces"`
		Kinds       []string `json:"kinds"`
	} `json:"access"`
}

// RemoteUser is who a remote API server authenticated during a run.
type RemoteUser struct {
	Cluster string
	User    User
}

// authnConfigBinary is tests/authn-config (--authn-config).
var authnConfigBinary string

//go:embed bootstrap-cluster-roles.yaml
var bootstrapClusterRoles []byte

// RemoteAPIServers are the fake API servers of the plan's remote clusters.
type RemoteAPIServers struct {
	j         *ClusterJudge
	publicKey string
	// Per remote cluster (by name): its AuthenticationConfiguration file and its RBAC.
	authnFiles map[string]string
	rbac       map[string]*Objects
	byHost     map[string]*KubernetesRemoteCluster
}

func newRemoteAPIServers(j *ClusterJudge) (*RemoteAPIServers, error) {
	k := &RemoteAPIServers{j: j, authnFiles: map[string]string{}, rbac: map[string]*Objects{}, byHost: map[string]*KubernetesRemoteCluster{}}
	der, err := x509.MarshalPKIXPublicKey(&j.minter.key.PublicKey)
	if err != nil {
		return nil, err
	}
	k.publicKey = filepath.Join(j.tmp, "issuer-key.pem")
	if err := os.WriteFile(k.publicKey, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	authn := byRemoteCluster(j.plan.Kubernetes.AuthenticationConfigurationYAML)
	rbac := byRemoteCluster(j.plan.Kubernetes.RemoteClusterRBACYAML)
	for i := range j.plan.Kubernetes.RemoteClusters {
		rc := &j.plan.Kubernetes.RemoteClusters[i]
		file := filepath.Join(j.tmp, "authn-"+rc.Name+".yaml")
		if err := os.WriteFile(file, []byte(authn[rc.Name]), 0o600); err != nil {
			return nil, err
		}
		k.authnFiles[rc.Name] = file
		objs := &Objects{}
		if err := objs.decodeManifests(bootstrapClusterRoles, "bootstrap-cluster-roles.yaml"); err != nil {
			return nil, err
		}
		if err := objs.decodeManifests([]byte(rbac[rc.Name]), "remoteClusterRbacYaml "+rc.Name); err != nil {
			return nil, err
		}
		k.rbac[rc.Name] = objs
		u, err := url.Parse(rc.Address)
		if err != nil || u.Hostname() == "" {
			return nil, fmt.Errorf("remote cluster %s: address %q is not a URL", rc.Name, rc.Address)
		}
		k.byHost[u.Hostname()] = rc
		j.net.handle(regexp.QuoteMeta(u.Hostname()), k.serve)
	}
	return k, nil
}

func (k *RemoteAPIServers) cluster(name string) *KubernetesRemoteCluster {
	for i := range k.j.plan.Kubernetes.RemoteClusters {
		if rc := &k.j.plan.Kubernetes.RemoteClusters[i]; rc.Name == name {
			return rc
		}
	}
	return nil
}

// serve is a remote API server: it authenticates the request's bearer token and records the user.
func (k *RemoteAPIServers) serve(w http.ResponseWriter, r *http.Request, _ url.Values) {
	host := r.Host
	if u, err := url.Parse("https://" + host); err == nil {
		host = u.Hostname()
	}
	rc := k.byHost[host]
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		k.j.net.record(Exchange{Service: "remote API server " + rc.Name, Detail: r.Method + " " + r.URL.Path, Reason: "no bearer token"})
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	res, err := k.authenticate(rc.Name, token)
	if err != nil {
		k.j.net.record(Exchange{Service: "remote API server " + rc.Name, Detail: r.Method + " " + r.URL.Path, Reason: err.Error()})
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	claims, _ := parseToken(token)
	detail := fmt.Sprintf("%s %s with a token of %s for %v", r.Method, r.URL.Path, claims.Subject, claims.Audiences)
	if !res.Authenticated {
		k.j.net.record(Exchange{Service: "remote API server " + rc.Name, Detail: detail, Reason: "kube-apiserver's JWT authenticator: " + res.Error})
		http.Error(w, "Unauthorized: "+res.Error, http.StatusUnauthorized)
		return
	}
	k.j.net.record(Exchange{Service: "remote API server " + rc.Name, Detail: detail, Allowed: true})
	if run := k.j.current; run != nil {
		run.remoteUsers = append(run.remoteUsers, RemoteUser{Cluster: rc.Name, User: User{Name: res.User, Groups: res.Groups}})
	}
	writeJSON(w, http.StatusOK, map[string]string{"kind": "APIVersions"})
}

type authnResult struct {
	Authenticated bool     `json:"authenticated"`
	User          string   `json:"user"`
	Groups        []string `json:"groups"`
	Error         string   `json:"error"`
}

// authenticate asks kube-apiserver's JWT authenticator (tests/authn-config) about one token.
func (k *RemoteAPIServers) authenticate(cluster, token string) (authnResult, error) {
	var res authnResult
	if authnConfigBinary == "" {
		return res, fmt.Errorf("the judge was started without --authn-config")
	}
	err := runJSONTool(authnConfigBinary, []string{"authenticate", "--public-key", k.publicKey, k.authnFiles[cluster]}, []byte(token+"\n"), &res,
		"the remote cluster's AuthenticationConfiguration does not start an API server")
	return res, err
}

// runJSONTool runs one of the judge's helpers on stdin and decodes its JSON answer; failing, the error
// is what (the input is unusable there) with the helper's own words.
func runJSONTool(binary string, args []string, stdin []byte, answer any, what string) error {
	cmd := exec.Command(binary, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %s", what, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(out, answer); err != nil {
		return fmt.Errorf("%s: %q: %v", filepath.Base(binary), out, err)
	}
	return nil
}

// requestRemote sends one request through the REST config Flux built, as the controller's client would:
// Flux's round tripper gets the token and sets it.
func requestRemote(ctx context.Context, conf *rest.Config) error {
	rt := http.DefaultTransport
	if conf.WrapTransport != nil {
		rt = conf.WrapTransport(rt)
	}
	return sendToRemote(ctx, rt, conf.Host, "")
}

// presentToken is an impostor calling the remote API server with a token of its own.
func presentToken(ctx context.Context, address, token string) error {
	host, err := url.Parse(address)
	if err != nil {
		return err
	}
	return sendToRemote(ctx, http.DefaultTransport, host.Scheme+"://"+host.Host, token)
}

func sendToRemote(ctx context.Context, rt http.RoundTripper, host, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(host, "/")+"/api", nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		return fmt.Errorf("the remote API server %s answered %s: %s", host, resp.Status, strings.TrimSpace(body.String()))
	}
	return nil
}

// What Flux does on a remote cluster, per kind: kustomize-controller applies (server-side apply: get
// and patch, create when missing), reads for health checks and prunes; helm-controller installs charts the
// same way and keeps each release in a Secret of the release namespace.
func remoteRequests(kind, namespace string) []Request {
	var out []Request
	add := func(group, resource string, verbs ...string) {
		for _, v := range verbs {
			out = append(out, Request{Verb: v, APIGroup: group, Resource: resource, Namespace: namespace})
		}
	}
	add("", "configmaps", "get", "list", "create", "patch", "delete")
	add("apps", "deployments", "get", "list", "create", "patch", "delete")
	if kind == "HelmRelease" {
		add("", "secrets", "get", "list", "create", "update", "delete")
	}
	return out
}

func (k *RemoteAPIServers) check(r *Run, kind, resource string) []string {
	rc := k.cluster(resource)
	if rc == nil {
		return []string{fmt.Sprintf("plan.json has no remote cluster %q", resource)}
	}
	var seen *RemoteUser
	for i := range r.remoteUsers {
		if r.remoteUsers[i].Cluster == rc.Name {
			seen = &r.remoteUsers[i]
		}
	}
	if seen == nil {
		return []string{fmt.Sprintf("no request of Flux reached remote cluster %s", rc.Name)}
	}
	if r.presented != r.subject {
		// An impostor's token must be refused by the authenticator itself: RBAC is not the trust.
		r.note("kube-apiserver's JWT authenticator let the impostor in as %q", seen.User.Name)
		return nil
	}
	want := ""
	var namespaces []string
	found := false
	for _, a := range rc.Access {
		if a.User == seen.User.Name && (len(a.Kinds) == 0 || slices.Contains(a.Kinds, kind)) {
			found, want, namespaces = true, a.ClusterRole, a.Namespaces
		}
	}
	if !found {
		return []string{fmt.Sprintf("remote cluster %s authenticated user %q, whom the plan gives no access for %s", rc.Name, seen.User.Name, kind)}
	}
	if len(namespaces) == 0 {
		namespaces = []string{"judge-probe"} // cluster-wide: any namespace
	}
	var problems []string
	for _, ns := range namespaces {
		for _, req := range remoteRequests(kind, ns) {
			if !k.rbac[rc.Name].allowed(seen.User, req) {
				problems = append(problems, fmt.Sprintf("remote cluster %s's RBAC does not let %q %s", rc.Name, seen.User.Name, req))
			}
		}
	}
	if len(problems) == 0 {
		r.note("remote cluster %s: kube-apiserver's JWT authenticator maps the token to %s; its RBAC allows what %s does in %s (ClusterRole %s)", rc.Name, seen.User.Name, kind, strings.Join(namespaces, ", "), want)
	}
	return problems
}

func init() {
	register(&Integration{
		Cloud: "kubernetes", ID: "remoteClusters",
		Kinds: map[string]string{"Kustomization": entryKubeConfig, "HelmRelease": entryKubeConfig},
		// The kubeConfig ConfigMap exactly as the render's objectSettings say to write it.
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			cm := j.plan.kubeConfigData("kubernetes", kind, resource)
			return FluxCall{Entry: entryKubeConfig, Provider: cm["provider"], ConfigMap: cm}, nil
		},
		// GetRESTConfig, then a request through the config it returns.
		Drive: func(ctx context.Context, r *Run, call FluxCall, c client.Client, t AuthTarget) error {
			conf, err := fluxRESTConfig(ctx, c, t)
			if err != nil {
				return err
			}
			return requestRemote(ctx, conf)
		},
		// A token for the audiences Flux would ask for, from another ServiceAccount, namespace or issuer.
		Impostor: func(ctx context.Context, r *Run, call FluxCall, presented Subject, mutate func(*Claims)) error {
			audiences, err := fluxClusterAudiences(call)
			if err != nil {
				return setupError{err}
			}
			claims := Claims{Namespace: presented.Namespace, Name: presented.Name, Audiences: audiences}
			mutate(&claims)
			return presentToken(ctx, call.ConfigMap["address"], r.j.minter.mint(claims))
		},
		Check: func(r *Run, kind, resource string) []string {
			if r.j.remotes == nil {
				return []string{"plan.json has no kubernetes section"}
			}
			return r.j.remotes.check(r, kind, resource)
		},
	})
}

// splitAudiences reads a kubeConfig ConfigMap's audiences as auth/utils does: one per line, trimmed.
func splitAudiences(value string) []string {
	var out []string
	for _, a := range strings.Split(value, "\n") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
