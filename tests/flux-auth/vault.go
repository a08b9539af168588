package main

// Vault / OpenBao SOPS decryption (plan.json `vault`). kustomize-controller v1.9 (internal/decryptor,
// --sops-vault-configmap) reads the Vault address of the SOPS metadata, finds its loginPath in the
// ConfigMap the flag names (which is also the allowlist of Vault servers), asks pkg/auth for a
// ServiceAccount token with the generic provider and audience = the address (the decryption
// ServiceAccount's, else the controller's own), derives the role "<namespace>_<name>" from the token's
// sub, and writes {role, jwt} to <address>/v1/<loginPath>. The judge does the same, the token coming from
// Flux's own code; the fake Vault answers the login with Vault's own JWT auth method
// (tests/vault-eval: github.com/hashicorp/vault-plugin-auth-jwt in-process), configured from the plan's
// auth backend, roles and policies, with the judge's signing key as the issuer's key (the plan's
// oidc_discovery_url would fetch the cluster's JWKS). The token's policies must then allow update on
// exactly the transit decrypt paths the subject's Kustomizations use, and nothing else.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

type VaultPlan struct {
	Address    string `json:"address"`
	Namespace  string `json:"namespace"`
	LoginPath  string `json:"loginPath"`
	Identities []struct {
		Key          string   `json:"key"`
		RoleName     string   `json:"roleName"`
		Subject      string   `json:"subject"`
		PolicyName   string   `json:"policyName"`
		DecryptPaths []string `json:"decryptPaths"`
	} `json:"identities"`
	Resources []Resource `json:"resources"`
}

// VaultLogin is a login the fake Vault granted during a run.
type VaultLogin struct {
	Role, JWT string
	Policies  []string
}

// vaultEvalBinary is tests/vault-eval (--vault-eval).
var vaultEvalBinary string

// VaultServer is the fake Vault of the plan's address.
type VaultServer struct {
	j         *ClusterJudge
	host      string
	publicKey string
}

func newVaultServer(j *ClusterJudge) (*VaultServer, error) {
	u, err := url.Parse(j.plan.Vault.Address)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("vault.address %q is not a URL", j.plan.Vault.Address)
	}
	der, err := x509.MarshalPKIXPublicKey(&j.minter.key.PublicKey)
	if err != nil {
		return nil, err
	}
	v := &VaultServer{j: j, host: u.Hostname(), publicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
	j.net.handle(regexp.QuoteMeta(v.host), v.serve)
	return v, nil
}

// snake turns a Pulumi (Terraform) argument name into Vault's API field name: boundAudiences → bound_audiences.
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// vaultInput is what tests/vault-eval needs to answer a login: the auth method's config, its roles and
// the policies, from the plan's resources.
func (v *VaultServer) vaultInput() (map[string]any, error) {
	plan := v.j.plan.Vault
	config := map[string]any{"jwt_validation_pubkeys": []string{v.publicKey}}
	roles := map[string]any{}
	policies := map[string]string{}
	backends := 0
	for _, r := range plan.Resources {
		switch r.Type {
		case "vault:jwt/authBackend:AuthBackend":
			backends++
			// oidcDiscoveryUrl / jwksUrl / jwtValidationPubkeys name where the issuer's keys come from:
			// here they are the judge's. The rest of the config is Vault's.
			for _, k := range []string{"boundIssuer", "jwtSupportedAlgs", "defaultRole"} {
				if val, ok := r.Properties[k]; ok {
					config[snake(k)] = val
				}
			}
		case "vault:jwt/authBackendRole:AuthBackendRole":
			fields := map[string]any{}
			for k, val := range r.Properties {
				if k != "backend" && k != "roleName" && k != "namespace" {
					fields[snake(k)] = val
				}
			}
			roles[r.str("roleName")] = fields
		case "vault:index/policy:Policy":
			policies[r.str("name")] = r.str("policy")
		}
	}
	if backends != 1 {
		return nil, fmt.Errorf("plan.json's vault resources hold %d JWT auth backends, expected 1", backends)
	}
	return map[string]any{"config": config, "roles": roles, "policies": policies}, nil
}

type vaultDecision struct {
	Allowed  bool     `json:"allowed"`
	Error    string   `json:"error"`
	Policies []string `json:"policies"`
	Problems []string `json:"problems"`
}

func (v *VaultServer) decide(role, jwt string, need []string) (vaultDecision, error) {
	var d vaultDecision
	if vaultEvalBinary == "" {
		return d, fmt.Errorf("the judge was started without --vault-eval")
	}
	in, err := v.vaultInput()
	if err != nil {
		return d, err
	}
	in["login"] = map[string]string{"role": role, "jwt": jwt}
	in["need"] = need
	data, _ := json.Marshal(in)
	err = runJSONTool(vaultEvalBinary, nil, data, &d, "Vault does not take the plan's JWT auth configuration")
	return d, err
}

// serve answers <address>/v1/<loginPath> as Vault would.
func (v *VaultServer) serve(w http.ResponseWriter, r *http.Request, _ url.Values) {
	path := strings.TrimPrefix(r.URL.Path, "/v1/")
	if path != v.j.plan.Vault.LoginPath || (r.Method != http.MethodPut && r.Method != http.MethodPost) {
		v.j.net.record(Exchange{Service: "vault", Detail: r.Method + " " + r.URL.Path, Reason: "no such path: the JWT auth method is mounted at " + v.j.plan.Vault.LoginPath})
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{"no handler for route '" + path + "'"}})
		return
	}
	var body struct{ Role, JWT string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{err.Error()}})
		return
	}
	claims, _ := parseToken(body.JWT)
	detail := fmt.Sprintf("login at %s as role %s with a token of %s for %v", path, body.Role, claims.Subject, claims.Audiences)
	d, err := v.decide(body.Role, body.JWT, nil)
	if err != nil {
		v.j.net.record(Exchange{Service: "vault", Detail: detail, Reason: err.Error()})
		writeJSON(w, http.StatusInternalServerError, map[string]any{"errors": []string{err.Error()}})
		return
	}
	if !d.Allowed {
		v.j.net.record(Exchange{Service: "vault", Detail: detail, Reason: "Vault's JWT auth method: " + d.Error})
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{d.Error}})
		return
	}
	v.j.net.record(Exchange{Service: "vault", Detail: detail, Allowed: true})
	if run := v.j.current; run != nil {
		run.vaultLogins = append(run.vaultLogins, VaultLogin{Role: body.Role, JWT: body.JWT, Policies: d.Policies})
	}
	writeJSON(w, http.StatusOK, map[string]any{"auth": map[string]any{"client_token": "judge-vault-token", "policies": d.Policies}})
}

// vaultLogin is kustomize-controller's vaultLogin: the Vault API client's Logical().Write of {role, jwt}
// to loginPath, which PUTs /v1/<loginPath> (with X-Vault-Namespace for a Vault Enterprise namespace).
func vaultLogin(ctx context.Context, address, namespace, loginPath, role, jwt string) error {
	body, _ := json.Marshal(map[string]string{"role": role, "jwt": jwt})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimSuffix(address, "/")+"/v1/"+loginPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Vault-Request", "true")
	if namespace != "" {
		req.Header.Set("X-Vault-Namespace", namespace)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Errors []string `json:"errors"`
		Auth   *struct {
			ClientToken string `json:"client_token"`
		} `json:"auth"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	if resp.StatusCode != http.StatusOK || answer.Auth == nil || answer.Auth.ClientToken == "" {
		return fmt.Errorf("failed to authenticate with Vault '%s' at login path '%s' as role '%s': Code: %d. Errors: %s", address, loginPath, role, resp.StatusCode, strings.Join(answer.Errors, "; "))
	}
	return nil
}

// vaultConfig is kustomize-controller's VaultConfig (api/v1): the --sops-vault-configmap config.yaml.
type vaultConfig struct {
	Instances []struct {
		Address   string `json:"address"`
		LoginPath string `json:"loginPath"`
	} `json:"instances"`
}

// driveVault is the decryptor's vaultK8sAuth for the plan's Vault address.
func driveVault(ctx context.Context, r *Run, c client.Client, t AuthTarget) error {
	plan := r.j.plan.Vault
	name := flagValue(r.pod.Args, "--sops-vault-configmap")
	if name == "" {
		return fmt.Errorf("kustomize-controller runs without --sops-vault-configmap: Vault ServiceAccount-token authentication is disabled")
	}
	key := client.ObjectKey{Namespace: r.j.plan.Flux.Namespace, Name: name}
	var cm corev1.ConfigMap
	if err := c.Get(ctx, key, &cm); err != nil {
		return fmt.Errorf("failed to get Vault ConfigMap '%s': %w", key, err)
	}
	data, ok := cm.Data["config.yaml"]
	if !ok {
		return fmt.Errorf("Vault ConfigMap '%s' is missing the 'config.yaml' key", key)
	}
	var config vaultConfig
	if err := yaml.Unmarshal([]byte(data), &config); err != nil {
		return fmt.Errorf("failed to parse 'config.yaml' in Vault ConfigMap '%s': %w", key, err)
	}
	loginPath := ""
	for _, i := range config.Instances {
		if i.Address == plan.Address {
			loginPath = i.LoginPath
		}
	}
	if loginPath == "" {
		return fmt.Errorf("no Vault login path configured for address '%s' in ConfigMap '%s'", plan.Address, key)
	}
	token, err := fluxServiceAccountToken(ctx, c, t, plan.Address)
	if err != nil {
		return err
	}
	claims, err := parseToken(token)
	if err != nil {
		return err
	}
	rest, ok := strings.CutPrefix(claims.Subject, "system:serviceaccount:")
	ns, sa, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || ns == "" || sa == "" {
		return fmt.Errorf("failed to derive Vault role for authentication: unexpected token subject '%s'", claims.Subject)
	}
	return vaultLogin(ctx, plan.Address, plan.Namespace, loginPath, ns+"_"+sa, token)
}

// vaultNeeds is every transit path the subject's Kustomizations decrypt with.
func (j *ClusterJudge) vaultNeeds(s Subject) []string {
	set := map[string]bool{}
	for _, o := range j.plan.Flux.ObjectSettings {
		if o.Cloud != "vault" {
			continue
		}
		tenant := o.Level == "object"
		if tenant != s.Tenant || (tenant && (o.Namespace != s.Namespace || o.ServiceAccountName != s.Name)) {
			continue
		}
		for _, p := range o.settingResources() {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func init() {
	register(&Integration{
		Cloud: "vault", ID: "transit",
		Kinds: map[string]string{"Kustomization": entrySOPS},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entrySOPS, Provider: "generic"}, nil
		},
		Drive: func(ctx context.Context, r *Run, call FluxCall, c client.Client, t AuthTarget) error {
			return driveVault(ctx, r, c, t)
		},
		// An impostor's token for the Vault audience, logging in at the victim's role directly (as
		// anyone holding such a token can): the role's bound claims must refuse it.
		Impostor: func(ctx context.Context, r *Run, call FluxCall, presented Subject, mutate func(*Claims)) error {
			plan := r.j.plan.Vault
			claims := Claims{Namespace: presented.Namespace, Name: presented.Name, Audiences: []string{plan.Address}}
			mutate(&claims)
			return vaultLogin(ctx, plan.Address, plan.Namespace, plan.LoginPath, r.subject.Namespace+"_"+r.subject.Name, r.j.minter.mint(claims))
		},
		Check: func(r *Run, kind, resource string) []string {
			if len(r.vaultLogins) == 0 {
				return []string{"no Vault login succeeded"}
			}
			login := r.vaultLogins[len(r.vaultLogins)-1]
			need := r.j.vaultNeeds(r.subject)
			d, err := r.j.vault.decide(login.Role, login.JWT, need)
			if err != nil {
				return []string{err.Error()}
			}
			if len(d.Problems) > 0 {
				return d.Problems
			}
			r.note("Vault login as role %s; its policies %v allow update on %s and nothing else", login.Role, d.Policies, strings.Join(need, ", "))
			return nil
		},
	})
}
