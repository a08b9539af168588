package main

// Microsoft Entra ID and Azure RBAC as plan.json describes them. A client-assertion token request must
// come to the authority host of the plan's cloud, for the plan's tenant, with a client ID that names a
// planned identity; one federated credential of that identity must match the assertion byte for byte
// (issuer == iss, trailing "/" included; subject == sub; audience among its audiences). The token's
// principal must then hold, on a scope that contains the resource, a role with the data actions Flux
// uses (the Flux docs' roles, or broader built-in roles that include them).

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type AzureCloud struct {
	j        *ClusterJudge
	plan     *AzurePlan
	sessions map[string]*AzureSession
}

// AzureSession is an access token the fake Entra ID issued.
type AzureSession struct {
	IdentityName string
	// The identity's logical name in plan.json (role assignments name its principalId output).
	Logical  string
	ClientID string
	Scope    string
	Brought  bool
}

// Built-in role IDs (Azure built-in roles reference) that carry each data action Flux needs.
var azureRolesFor = map[string]map[string]string{
	"acr": {
		"7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
		"8311e382-0749-4cb8-b61a-304f252e45ec": "AcrPush",
	},
	"blob": {
		"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
		"ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
		"b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
	},
	"keyVault": {
		"12338af0-0e69-4776-bea7-57ae8d297424": "Key Vault Crypto User",
		"14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
		"00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
	},
	"eventHubs": {
		"2b629674-e913-4c01-ae53-ef4638d8f975": "Azure Event Hubs Data Sender",
		"f526a384-b230-433a-b45c-95f59c4a2dec": "Azure Event Hubs Data Owner",
	},
	// ARM: managedClusters/read and listClusterUserCredential/action, for Flux to find the cluster.
	"aksUser": {
		"4abbcc35-e782-43d8-92c5-2d3f1bd2253f": "Azure Kubernetes Service Cluster User Role",
		"0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8": "Azure Kubernetes Service Cluster Admin Role",
	},
	// Azure RBAC for Kubernetes Authorization: what the remote cluster lets the principal do.
	"aksRBAC": {
		"7f6c6a51-bcf8-42ba-9220-52d62157d7db": "Azure Kubernetes Service RBAC Reader",
		"a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb": "Azure Kubernetes Service RBAC Writer",
		"3498e952-d568-435e-9b2c-8d77e338d7f7": "Azure Kubernetes Service RBAC Admin",
		"b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b": "Azure Kubernetes Service RBAC Cluster Admin",
	},
}

// The Entra ID authority host of each Azure cloud.
var azureAuthorityHosts = map[string]string{
	"public":       "login.microsoftonline.com",
	"china":        "login.chinacloudapi.cn",
	"usGovernment": "login.microsoftonline.us",
}

var placeholderClientID = regexp.MustCompile(`^<client ID of (.+)>$`)

func newAzureCloud(j *ClusterJudge) *AzureCloud {
	z := &AzureCloud{j: j, plan: j.plan.Azure, sessions: map[string]*AzureSession{}}
	j.net.handle(`login\.microsoftonline\.com|login\.chinacloudapi\.cn|login\.microsoftonline\.us`, z.entra)
	j.net.handle(`[a-z0-9]+\.azurecr\.(io|cn|us)`, z.acr)
	j.net.handle(`management\.azure\.com|management\.chinacloudapi\.cn|management\.usgovcloudapi\.net`, z.arm)
	j.net.handle(`169\.254\.169\.254`, func(w http.ResponseWriter, r *http.Request, _ url.Values) {
		j.net.record(Exchange{Service: "azure imds", Detail: r.URL.Path, Reason: "no managed identity on the node is planned"})
		writeJSON(w, 400, map[string]string{"error": "invalid_request", "error_description": "Identity not found"})
	})
	return z
}

func (z *AzureCloud) entraError(w http.ResponseWriter, code, msg string) {
	z.j.net.record(Exchange{Service: "azure entra id", Detail: "token", Reason: code + ": " + msg})
	writeJSON(w, 400, map[string]any{"error": "invalid_client", "error_description": code + ": " + msg, "error_codes": []int{70021}})
}

func (z *AzureCloud) entra(w http.ResponseWriter, r *http.Request, form url.Values) {
	host := r.Host
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case strings.HasSuffix(r.URL.Path, "/discovery/instance"):
		writeJSON(w, 200, map[string]any{
			"tenant_discovery_endpoint": "https://" + host + "/" + parts[0] + "/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []any{map[string]any{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
		})
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		tenant := parts[0]
		writeJSON(w, 200, map[string]any{
			"token_endpoint":                        "https://" + host + "/" + tenant + "/oauth2/v2.0/token",
			"authorization_endpoint":                "https://" + host + "/" + tenant + "/oauth2/v2.0/authorize",
			"issuer":                                "https://" + host + "/" + tenant + "/v2.0",
			"jwks_uri":                              "https://" + host + "/" + tenant + "/discovery/v2.0/keys",
			"response_types_supported":              []string{"code", "id_token", "token"},
			"subject_types_supported":               []string{"pairwise"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
		z.token(w, r, parts[0], form)
	default:
		writeJSON(w, 404, map[string]string{"error": "not_found", "error_description": "the judge's Entra ID has no " + r.URL.Path})
	}
}

// identityFor maps a client ID to a planned identity: created ones are named by the render's
// placeholder, brought ones by their client ID.
func (z *AzureCloud) identityFor(clientID string) (*AzureIdentity, string) {
	for i := range z.plan.Identities {
		id := &z.plan.Identities[i]
		if !id.Created && id.ClientID == clientID {
			return id, ""
		}
		if m := placeholderClientID.FindStringSubmatch(clientID); m != nil && id.Created && id.Name == m[1] {
			for _, r := range resourcesOfType(z.plan.Resources, "azure-native:managedidentity:UserAssignedIdentity") {
				if r.str("resourceName") == id.Name {
					return id, r.Name
				}
			}
		}
	}
	return nil, ""
}

// federatedCredential is the triple Entra ID matches an assertion against.
type federatedCredential struct {
	Issuer    string   `json:"issuer"`
	Subject   string   `json:"subject"`
	Audiences []string `json:"audiences"`
}

// federatedCredentials are an identity's: the plan's resources for one it creates, broughtIdentities'
// requirements for one it does not own (configured exactly as its owner is told to).
func (z *AzureCloud) federatedCredentials(id *AzureIdentity) []federatedCredential {
	var out []federatedCredential
	if id.Created {
		for _, r := range resourcesOfType(z.plan.Resources, "azure-native:managedidentity:FederatedIdentityCredential") {
			if r.str("resourceName") == id.Name {
				out = append(out, federatedCredential{Issuer: r.str("issuer"), Subject: r.str("subject"), Audiences: r.strs("audiences")})
			}
		}
		return out
	}
	for _, b := range requirements(z.plan.BroughtIdentities, "federated-identity-credential", "") {
		var fic federatedCredential
		if b.IdentityKey == id.Key && b.decode(&fic) == nil {
			out = append(out, fic)
		}
	}
	return out
}

func (z *AzureCloud) token(w http.ResponseWriter, r *http.Request, tenant string, form url.Values) {
	clientID, assertion, scope := form.Get("client_id"), form.Get("client_assertion"), resourceScope(form.Get("scope"))
	detail := fmt.Sprintf("client_credentials for %s in tenant %s, scope %s", clientID, tenant, scope)
	if want := azureAuthorityHosts[z.plan.Cloud]; want != "" && r.Host != want {
		z.entraError(w, "AADSTS900023", fmt.Sprintf("token requested at %s, but the identities live in the %s cloud (%s)", r.Host, z.plan.Cloud, want))
		return
	}
	if tenant != z.plan.TenantID {
		z.entraError(w, "AADSTS90002", fmt.Sprintf("tenant %q is not the plan's tenant %s", tenant, z.plan.TenantID))
		return
	}
	id, logical := z.identityFor(clientID)
	if id == nil {
		z.entraError(w, "AADSTS700016", fmt.Sprintf("application with identifier %q was not found in the directory: no planned identity has that client ID", clientID))
		return
	}
	claims, err := parseToken(assertion)
	if err != nil {
		z.entraError(w, "AADSTS50027", "invalid client assertion: "+err.Error())
		return
	}
	s := &AzureSession{IdentityName: id.Name, Logical: logical, ClientID: clientID, Scope: scope, Brought: !id.Created}
	matched := false
	for _, fic := range z.federatedCredentials(id) {
		if fic.Issuer == claims.Issuer && fic.Subject == claims.Subject {
			for _, a := range fic.Audiences {
				if claims.hasAudience(a) {
					matched = true
				}
			}
		}
	}
	if !matched {
		z.entraError(w, "AADSTS70021", fmt.Sprintf("No matching federated identity record found for presented assertion on identity %s. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.", orBrought(id.Name), claims.Issuer, claims.Subject, strings.Join(claims.Audiences, ",")))
		return
	}
	n := z.j.net.next()
	access := fmt.Sprintf("azure-judge-%d", n)
	z.sessions[access] = s
	if cur := z.j.current; cur != nil {
		cur.azureSessions = append(cur.azureSessions, s)
		cur.note("Entra ID token for %s (%s) as %s, scope %s", orBrought(id.Name), clientID, claims.Subject, scope)
	}
	z.j.net.record(Exchange{Service: "azure entra id", Detail: detail, Allowed: true})
	writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access})
}

func (z *AzureCloud) bearer(r *http.Request) *AzureSession {
	return z.sessions[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
}

// acr answers the registry's token exchange (an Entra ID token for a refresh token).
func (z *AzureCloud) acr(w http.ResponseWriter, r *http.Request, form url.Values) {
	s := z.sessions[form.Get("access_token")]
	if s == nil || s.Scope != "https://containerregistry.azure.net/.default" {
		z.j.net.record(Exchange{Service: "azure acr", Detail: "oauth2/exchange " + r.Host, Reason: "the access token is not an Entra ID token for the registry audience"})
		writeJSON(w, 401, map[string]string{"error": "unauthorized"})
		return
	}
	refresh := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": time.Now().Add(3 * time.Hour).Unix(), "sub": s.ClientID})
	signed, _ := refresh.SignedString([]byte("judge"))
	z.j.net.record(Exchange{Service: "azure acr", Detail: "oauth2/exchange " + r.Host, Allowed: true})
	writeJSON(w, 200, map[string]string{"refresh_token": signed})
}

// arm answers the two AKS calls Flux makes for a remote cluster without address and CA: the cluster
// (managedClusters/read) and its user kubeconfig (listClusterUserCredential/action).
func (z *AzureCloud) arm(w http.ResponseWriter, r *http.Request, _ url.Values) {
	s := z.bearer(r)
	path := strings.ToLower(r.URL.Path)
	cluster := strings.TrimSuffix(r.URL.Path, "/listClusterUserCredential")
	if s == nil {
		writeJSON(w, 401, map[string]any{"error": map[string]string{"code": "InvalidAuthenticationToken", "message": "not a token the judge's Entra ID issued"}})
		return
	}
	if role, ok := z.holds(s, "aksUser", cluster); !ok {
		msg := fmt.Sprintf("identity %s has no role with managedClusters/read and listClusterUserCredential/action on %s", s.IdentityName, cluster)
		z.j.net.record(Exchange{Service: "azure arm", Detail: r.Method + " " + r.URL.Path, Reason: msg})
		writeJSON(w, 403, map[string]any{"error": map[string]string{"code": "AuthorizationFailed", "message": msg}})
		return
	} else if cur := z.j.current; cur != nil {
		cur.note("%s on %s", role, cluster)
	}
	z.j.net.record(Exchange{Service: "azure arm", Detail: r.Method + " " + r.URL.Path, Allowed: true})
	name := cluster[strings.LastIndex(cluster, "/")+1:]
	if strings.HasSuffix(path, "/listclusterusercredential") {
		// One kubeconfig per endpoint of the cluster: its public FQDN and, for a private cluster, the
		// address the plan's kubeConfig names (Flux picks the kubeconfig whose server is that address).
		servers := []string{"https://" + name + ".hcp.judge.azmk8s.io:443"}
		for _, kind := range []string{"Kustomization", "HelmRelease"} {
			if a := z.j.plan.kubeConfigData("azure", kind, cluster)["address"]; a != "" && !slices.Contains(servers, a) {
				servers = append(servers, a)
			}
		}
		var kubeconfigs []any
		for i, server := range servers {
			kubeconfig := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n- name: %s\n  cluster:\n    server: %s\n    certificate-authority-data: %s\ncontexts:\n- name: %s\n  context:\n    cluster: %s\n    user: judge\ncurrent-context: %s\nusers:\n- name: judge\n  user:\n    token: judge\n", name, server, b64(judgeCA), name, name, name)
			kubeconfigs = append(kubeconfigs, map[string]string{"name": fmt.Sprintf("clusterUser%d", i), "value": b64(kubeconfig)})
		}
		writeJSON(w, 200, map[string]any{"kubeconfigs": kubeconfigs})
		return
	}
	writeJSON(w, 200, map[string]any{"id": cluster, "name": name, "location": "westeurope", "properties": map[string]any{"aadProfile": map[string]any{"managed": true, "enableAzureRBAC": true}}})
}

// covers: an Azure scope covers itself and every resource below it (ARM IDs are case-insensitive).
func scopeCovers(scope, resource string) bool {
	s, r := strings.ToLower(strings.TrimSuffix(scope, "/")), strings.ToLower(strings.TrimSuffix(resource, "/"))
	if strings.HasPrefix(s, "/providers/microsoft.management/managementgroups/") {
		return true // management groups contain subscriptions the plan cannot see: trusted to contain it
	}
	return r == s || strings.HasPrefix(r, s+"/")
}

// holds finds a role assignment for the session's principal, with a role of the group, on a scope
// covering resource.
func (z *AzureCloud) holds(s *AzureSession, group, resource string) (string, bool) {
	if s.Brought {
		return "brought identity: its role assignments are managed outside the plan", true
	}
	for _, ra := range resourcesOfType(z.plan.Resources, "azure-native:authorization:RoleAssignment") {
		if ra.ref("principalId") != s.Logical+".principalId" {
			continue
		}
		def := ra.str("roleDefinitionId")
		id := strings.ToLower(def[strings.LastIndex(def, "/")+1:])
		if name, ok := azureRolesFor[group][id]; ok && scopeCovers(ra.str("scope"), resource) {
			return fmt.Sprintf("%s on %s", name, ra.str("scope")), true
		}
	}
	return "", false
}

func azureCheck(r *Run, group, resource, wantScope string) []string {
	if len(r.azureSessions) == 0 {
		return []string{"no Entra ID token was issued"}
	}
	s := r.azureSessions[len(r.azureSessions)-1]
	var problems []string
	if wantScope != "" && s.Scope != wantScope {
		problems = append(problems, fmt.Sprintf("Flux asked for scope %s, the service needs %s", s.Scope, wantScope))
	}
	how, ok := r.j.azure.holds(s, group, resource)
	if !ok {
		return append(problems, fmt.Sprintf("identity %s holds no %s role covering %s", s.IdentityName, group, resource))
	}
	r.note("%s", how)
	return problems
}

func init() {
	register(&Integration{
		// Identities no Flux object is planned for (brought ones without usedBy): a bare token request.
		Cloud: "azure", ID: "token",
		Kinds: map[string]string{"": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "azure", Scopes: []string{"https://management.azure.com/.default"}}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return nil },
	})
	register(&Integration{
		Cloud: "azure", ID: "acr",
		Kinds: map[string]string{"OCIRepository": entryRegistry, "HelmRepository": entryRegistry, "ImageRepository": entryRegistry},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			name := resource[strings.LastIndex(resource, "/")+1:]
			if !strings.Contains(strings.ToLower(resource), "/microsoft.containerregistry/registries/") {
				name = "judgeprobe" // a resource group or subscription scope: any registry in it
			}
			return FluxCall{Entry: entryRegistry, Provider: "azure", URL: strings.ToLower(name) + "." + acrSuffix(j.plan.Azure.Cloud) + "/judge/probe"}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			return azureCheck(r, "acr", resource, "https://containerregistry.azure.net/.default")
		},
	})
	register(&Integration{
		Cloud: "azure", ID: "blob",
		Kinds: map[string]string{"Bucket": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "azure", Scopes: []string{"https://storage.azure.com/.default"}}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return azureCheck(r, "blob", resource, "") },
	})
	register(&Integration{
		Cloud: "azure", ID: "keyVault",
		Kinds: map[string]string{"Kustomization": entrySOPS},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entrySOPS, Provider: "azure", Scopes: []string{"https://vault.azure.net/.default"}}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return azureCheck(r, "keyVault", resource, "") },
	})
	register(&Integration{
		Cloud: "azure", ID: "eventHubs",
		Kinds: map[string]string{"Provider": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "azure", Scopes: []string{"https://eventhubs.azure.net/.default"}}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return azureCheck(r, "eventHubs", resource, "") },
	})
	register(&Integration{
		Cloud: "azure", ID: "aks",
		Kinds: map[string]string{"Kustomization": entryKubeConfig, "HelmRelease": entryKubeConfig},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryKubeConfig, Provider: "azure", ConfigMap: j.plan.kubeConfigData("azure", kind, resource)}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			if len(r.azureSessions) == 0 {
				return []string{"no Entra ID token was issued"}
			}
			s := r.azureSessions[0]
			if s.Scope != "6dae42f8-4368-4678-94ff-3960e28e3630/.default" {
				return []string{"the remote cluster's token is for scope " + s.Scope + ", not the AKS server application"}
			}
			// Azure RBAC for Kubernetes: a role on the cluster, or on one of its namespaces.
			for _, ra := range resourcesOfType(r.j.azure.plan.Resources, "azure-native:authorization:RoleAssignment") {
				def := ra.str("roleDefinitionId")
				id := strings.ToLower(def[strings.LastIndex(def, "/")+1:])
				if name, ok := azureRolesFor["aksRBAC"][id]; ok && ra.ref("principalId") == s.Logical+".principalId" && (scopeCovers(ra.str("scope"), resource) || scopeCovers(resource, ra.str("scope"))) {
					r.note("%s on %s", name, ra.str("scope"))
					return nil
				}
			}
			if s.Brought {
				r.note("brought identity: its Kubernetes roles are managed outside the plan")
				return nil
			}
			return []string{fmt.Sprintf("identity %s holds no Azure Kubernetes Service RBAC role on %s or its namespaces", s.IdentityName, resource)}
		},
	})
	register(&Integration{
		Cloud: "azure", ID: "azureDevOps",
		Kinds: map[string]string{"GitRepository": entryGit, "ImageUpdateAutomation": entryGit, "Provider": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			if kind == "Provider" {
				return FluxCall{Entry: entryToken, Provider: "azure", Scopes: []string{"499b84ac-1321-427f-aa17-267ca6975798/.default"}}, nil
			}
			// resource: https://dev.azure.com/<organization>/<project>
			return FluxCall{Entry: entryGit, Provider: "azure", URL: strings.TrimSuffix(resource, "/") + "/_git/judge-probe"}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			if len(r.azureSessions) == 0 {
				return []string{"no Entra ID token was issued"}
			}
			s := r.azureSessions[len(r.azureSessions)-1]
			if s.Scope != "499b84ac-1321-427f-aa17-267ca6975798/.default" {
				return []string{"the token is for scope " + s.Scope + ", not Azure DevOps"}
			}
			// Azure DevOps has its own access control: the plan can only list the onboarding to do.
			for _, o := range r.j.azure.plan.DevOps {
				if o.ClientID == s.ClientID && "https://dev.azure.com/"+o.Organization+"/"+o.Project == strings.TrimSuffix(resource, "/") {
					r.note("Azure DevOps onboarding listed for %s: %s/%s, group %s", s.IdentityName, o.Organization, o.Project, o.Group)
					return nil
				}
			}
			return []string{fmt.Sprintf("plan.json lists no Azure DevOps onboarding for %s on %s", s.IdentityName, resource)}
		},
	})
}

// resourceScope drops the OpenID scopes MSAL adds to every request, leaving the resource's.
func resourceScope(scope string) string {
	var out []string
	for _, s := range strings.Fields(scope) {
		if s != "openid" && s != "offline_access" && s != "profile" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

func acrSuffix(cloud string) string {
	switch cloud {
	case "china":
		return "azurecr.cn"
	case "usGovernment":
		return "azurecr.us"
	}
	return "azurecr.io"
}

func orBrought(name string) string {
	if name == "" {
		return "a brought identity"
	}
	return name
}
