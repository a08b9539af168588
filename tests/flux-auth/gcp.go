package main

// Google Cloud as plan.json describes it. STS token exchange: the audience must be
// //iam.googleapis.com/<provider> of a planned Workload Identity pool provider whose issuer is the
// token's iss, and the token's aud must be one the provider accepts (its allowedAudiences, or its own
// name with or without https:); google.subject = assertion.sub must fit in 127 bytes; the federated
// principal is principal://iam.googleapis.com/<pool>/subject/<sub>. On GKE the audience is
// identitynamespace:<project>.svc.id.goog:<cluster issuer> and the principal
// serviceAccount:<project>.svc.id.goog[<ns>/<ksa>]; for controllers, the node's GKE metadata server
// hands out the pod's KSA token (or its annotated GSA's, if the KSA may impersonate it). Impersonation
// (generateAccessToken) needs roles/iam.workloadIdentityUser on the GSA. Then the principal must hold a
// role with the permissions Flux uses, on the resource or its project.

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

type GCPCloud struct {
	j        *ClusterJudge
	plan     *GCPPlan
	sessions map[string]*GCPSession
}

// GCPSession is an access token the fake Google issued.
type GCPSession struct {
	// Principals the token acts as (one member string, plus its alias form on GKE).
	Principals []string
	// The GSA, when impersonated.
	Email   string
	Brought bool
	Via     string
}

func (s *GCPSession) member() string {
	if s.Email != "" {
		return "serviceAccount:" + s.Email
	}
	return s.Principals[0]
}

var gkeIssuer = regexp.MustCompile(`^https://container\.googleapis\.com/v1/projects/([^/]+)/locations/([^/]+)/clusters/([^/]+)$`)

func newGCPCloud(j *ClusterJudge) *GCPCloud {
	g := &GCPCloud{j: j, plan: j.plan.GCP, sessions: map[string]*GCPSession{}}
	j.net.handle(`sts\.googleapis\.com`, g.sts)
	j.net.handle(`iamcredentials\.googleapis\.com`, g.iamcredentials)
	j.net.handle(`container\.googleapis\.com`, g.container)
	return g
}

func gcpError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": "invalid_grant", "error_description": msg})
}

func (g *GCPCloud) deny(w http.ResponseWriter, service string, status int, msg string) {
	g.j.net.record(Exchange{Service: service, Reason: msg})
	gcpError(w, status, msg)
}

func (g *GCPCloud) issue(s *GCPSession) string {
	token := fmt.Sprintf("gcp-judge-%d", g.j.net.next())
	g.sessions[token] = s
	if cur := g.j.current; cur != nil {
		cur.gcpSessions = append(cur.gcpSessions, s)
	}
	return token
}

// provider is the planned pool provider for an STS audience: its issuer and accepted audiences.
func (g *GCPCloud) provider(audience string) (issuer string, accepted []string, note string, ok bool) {
	name := strings.TrimPrefix(audience, "//iam.googleapis.com/")
	if name == audience || name != g.plan.WorkloadIdentityProvider || name == "" {
		return "", nil, "", false
	}
	for _, r := range resourcesOfType(g.plan.Resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider") {
		if strings.HasSuffix(name, "/workloadIdentityPools/"+r.str("workloadIdentityPoolId")+"/providers/"+r.str("workloadIdentityPoolProviderId")) {
			oidc := r.object("oidc")
			issuer, _ = oidc["issuerUri"].(string)
			if list, ok := oidc["allowedAudiences"].([]any); ok && len(list) > 0 {
				for _, a := range list {
					accepted = append(accepted, fmt.Sprint(a))
				}
			} else {
				accepted = []string{"//iam.googleapis.com/" + name, "https://iam.googleapis.com/" + name}
			}
			if m, _ := r.object("attributeMapping")["google.subject"].(string); m != "assertion.sub" {
				note = "attribute mapping google.subject = " + m
			}
			if c := r.str("attributeCondition"); c != "" {
				note = "attribute condition " + c + " (not evaluated)"
			}
			return issuer, accepted, note, true
		}
	}
	// An existing pool and provider (create: false): its settings are not in the plan.
	return g.j.plan.Cluster.IssuerURL, []string{"//iam.googleapis.com/" + name, "https://iam.googleapis.com/" + name}, "existing pool provider (not in the plan): issuer and audiences assumed to be the cluster's and the provider's own", true
}

func (g *GCPCloud) sts(w http.ResponseWriter, r *http.Request, form url.Values) {
	if r.URL.Path != "/v1/token" {
		g.deny(w, "gcp sts", 404, "the judge's STS answers /v1/token only")
		return
	}
	audience := form.Get("audience")
	claims, err := parseToken(form.Get("subject_token"))
	if err != nil {
		g.deny(w, "gcp sts", 400, "invalid subject token: "+err.Error())
		return
	}
	var principals []string
	if strings.HasPrefix(audience, "identitynamespace:") {
		// GKE: identitynamespace:<project>.svc.id.goog:<cluster issuer>.
		rest := strings.TrimPrefix(audience, "identitynamespace:")
		pool, issuer, _ := strings.Cut(rest, ":")
		m := gkeIssuer.FindStringSubmatch(g.j.plan.Cluster.IssuerURL)
		if g.j.plan.Cluster.Type != "gke" || m == nil || issuer != g.j.plan.Cluster.IssuerURL || pool != m[1]+".svc.id.goog" {
			g.deny(w, "gcp sts", 400, fmt.Sprintf("audience %s names no GKE cluster of the plan (cluster issuer %s)", audience, g.j.plan.Cluster.IssuerURL))
			return
		}
		if claims.Issuer != issuer {
			g.deny(w, "gcp sts", 400, fmt.Sprintf("token issuer %s is not the cluster's issuer %s", claims.Issuer, issuer))
			return
		}
		if !claims.hasAudience(pool) {
			g.deny(w, "gcp sts", 400, fmt.Sprintf("token audience %v is not the identity namespace %s", claims.Audiences, pool))
			return
		}
		ns, ksa, ok := splitSubject(claims.Subject)
		if !ok {
			g.deny(w, "gcp sts", 400, "token subject "+claims.Subject+" is not a ServiceAccount")
			return
		}
		principals = gkePrincipals(m[1], g.plan.ProjectNumber, ns, ksa)
	} else {
		issuer, accepted, note, ok := g.provider(audience)
		if !ok {
			g.deny(w, "gcp sts", 400, fmt.Sprintf("audience %s is not //iam.googleapis.com/ + the plan's pool provider %q", audience, g.plan.WorkloadIdentityProvider))
			return
		}
		if claims.Issuer != issuer {
			g.deny(w, "gcp sts", 400, fmt.Sprintf("token issuer %s is not the pool provider's issuer %s", claims.Issuer, issuer))
			return
		}
		okAud := false
		for _, a := range accepted {
			okAud = okAud || claims.hasAudience(a)
		}
		if !okAud {
			g.deny(w, "gcp sts", 400, fmt.Sprintf("token audience %v is not one the provider accepts %v", claims.Audiences, accepted))
			return
		}
		if len(claims.Subject) > 127 {
			g.deny(w, "gcp sts", 400, fmt.Sprintf("the mapped attribute google.subject (assertion.sub, %d bytes: %s) exceeds the 127 bytes limit", len(claims.Subject), claims.Subject))
			return
		}
		pool := strings.Split(g.plan.WorkloadIdentityProvider, "/providers/")[0]
		principals = []string{"principal://iam.googleapis.com/" + pool + "/subject/" + claims.Subject}
		if note != "" && g.j.current != nil {
			g.j.current.note("%s", note)
		}
	}
	s := &GCPSession{Principals: principals, Via: "STS"}
	token := g.issue(s)
	g.j.net.record(Exchange{Service: "gcp sts", Detail: "token exchange for " + principals[0], Allowed: true})
	if g.j.current != nil {
		g.j.current.note("STS federated token for %s", principals[0])
	}
	writeJSON(w, 200, map[string]any{"access_token": token, "issued_token_type": "urn:ietf:params:oauth:token-type:access_token", "token_type": "Bearer", "expires_in": 3600})
}

// gkePrincipals: the KSA's IAM principal on GKE, in its serviceAccount: form and its principal:// form.
func gkePrincipals(project, number, ns, ksa string) []string {
	return []string{
		fmt.Sprintf("serviceAccount:%s.svc.id.goog[%s/%s]", project, ns, ksa),
		fmt.Sprintf("principal://iam.googleapis.com/projects/%s/locations/global/workloadIdentityPools/%s.svc.id.goog/subject/ns/%s/sa/%s", number, project, ns, ksa),
	}
}

// impersonate: may the session's principal get tokens for the GSA? Who holds
// roles/iam.workloadIdentityUser on it is the plan's IAM members, and for a GSA the plan does not own,
// the members broughtIdentities says its owner must grant (configured exactly so).
func (g *GCPCloud) impersonate(s *GCPSession, email string) (string, bool) {
	if !g.ownsAccount(email) && !g.broughtAccount(email) {
		return fmt.Sprintf("service account %s is not in the plan", email), false
	}
	type member struct{ role, member, from string }
	var members []member
	for _, m := range resourcesOfType(g.plan.Resources, "gcp:serviceaccount/iAMMember:IAMMember") {
		if strings.HasSuffix(m.str("serviceAccountId"), "/serviceAccounts/"+email) {
			members = append(members, member{m.str("role"), m.str("member"), ""})
		}
	}
	for _, b := range requirements(g.plan.BroughtIdentities, "iam-member", "") {
		var doc struct{ Role, Member string }
		if strings.HasSuffix(b.Resource, "/serviceAccounts/"+email) && b.decode(&doc) == nil {
			members = append(members, member{doc.Role, doc.Member, " (as broughtIdentities requires it)"})
		}
	}
	for _, m := range members {
		if (m.role == "roles/iam.workloadIdentityUser" || m.role == "roles/iam.serviceAccountTokenCreator") && contains(s.Principals, m.member) {
			return fmt.Sprintf("%s holds %s on %s%s", m.member, m.role, email, m.from), true
		}
	}
	return fmt.Sprintf("%s holds no roles/iam.workloadIdentityUser on %s", s.Principals[0], email), false
}

// ownsAccount: the plan creates the GSA.
func (g *GCPCloud) ownsAccount(email string) bool {
	for _, a := range resourcesOfType(g.plan.Resources, "gcp:serviceaccount/account:Account") {
		if a.str("accountId")+"@"+a.str("project")+".iam.gserviceaccount.com" == email {
			return true
		}
	}
	return false
}

// broughtAccount: a GSA the plan's identities use but do not create; its roles are granted outside
// the plan.
func (g *GCPCloud) broughtAccount(email string) bool {
	for _, id := range g.plan.Identities {
		if id.ServiceAccountEmail == email && !g.ownsAccount(email) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (g *GCPCloud) iamcredentials(w http.ResponseWriter, r *http.Request, _ url.Values) {
	s := g.sessions[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	path := r.URL.Path
	if s == nil || !strings.HasSuffix(path, ":generateAccessToken") {
		g.deny(w, "gcp iamcredentials", 401, "not a token the judge's STS issued, or not generateAccessToken")
		return
	}
	email := strings.TrimSuffix(path[strings.LastIndex(path, "/")+1:], ":generateAccessToken")
	why, ok := g.impersonate(s, email)
	if !ok {
		msg := "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist): " + why
		g.j.net.record(Exchange{Service: "gcp iamcredentials", Detail: "generateAccessToken " + email, Reason: msg})
		writeJSON(w, 403, map[string]any{"error": map[string]any{"code": 403, "message": msg, "status": "PERMISSION_DENIED"}})
		return
	}
	gsa := &GCPSession{Principals: s.Principals, Email: email, Via: "impersonation", Brought: g.broughtAccount(email)}
	token := g.issue(gsa)
	g.j.net.record(Exchange{Service: "gcp iamcredentials", Detail: "generateAccessToken " + email, Allowed: true})
	if g.j.current != nil {
		g.j.current.note("impersonates %s (%s)", email, why)
	}
	writeJSON(w, 200, map[string]string{"accessToken": token, "expireTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
}

// metadata answers as the GKE metadata server for the calling pod's KSA.
func (g *GCPCloud) metadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Metadata-Flavor", "Google")
	m := gkeIssuer.FindStringSubmatch(g.j.plan.Cluster.IssuerURL)
	if g.j.plan.Cluster.Type != "gke" || m == nil {
		g.j.net.record(Exchange{Service: "gce metadata", Detail: r.URL.Path, Reason: "no GKE metadata server on a " + g.j.plan.Cluster.Type + " cluster"})
		http.Error(w, "no GKE metadata server on this cluster", 404)
		return
	}
	project, location, name := m[1], m[2], m[3]
	path := strings.TrimPrefix(r.URL.Path, "/computeMetadata/v1/")
	cur := g.j.current
	switch path {
	case "project/project-id":
		_, _ = w.Write([]byte(project))
	case "instance/attributes/cluster-location":
		_, _ = w.Write([]byte(location))
	case "instance/attributes/cluster-name":
		_, _ = w.Write([]byte(name))
	case "instance/service-accounts/default/token", "instance/service-accounts/default/email":
		if cur == nil || cur.pod == nil {
			http.Error(w, "no pod", 404)
			return
		}
		ns, ksa := cur.presented.Namespace, cur.presented.Name
		s := &GCPSession{Principals: gkePrincipals(project, g.plan.ProjectNumber, ns, ksa), Via: "GKE metadata server"}
		if email := cur.pod.ServiceAccount.Annotations["iam.gke.io/gcp-service-account"]; email != "" {
			why, ok := g.impersonate(s, email)
			if !ok {
				g.j.net.record(Exchange{Service: "gce metadata", Detail: "token for " + email, Reason: why})
				http.Error(w, "Unable to generate access token; IAM returned 403 Forbidden: "+why, 403)
				return
			}
			s = &GCPSession{Principals: s.Principals, Email: email, Via: "GKE metadata server", Brought: g.broughtAccount(email)}
			cur.note("GKE metadata server: %s", why)
		} else {
			cur.note("GKE metadata server: token for %s", s.Principals[0])
		}
		if strings.HasSuffix(path, "/email") {
			_, _ = w.Write([]byte(strings.TrimPrefix(s.member(), "serviceAccount:")))
			return
		}
		token := g.issue(s)
		g.j.net.record(Exchange{Service: "gce metadata", Detail: "token for " + s.member(), Allowed: true})
		writeJSON(w, 200, map[string]any{"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
	default:
		if path == "" {
			_, _ = w.Write([]byte("ok"))
			return
		}
		http.Error(w, "the judge's GKE metadata server has no "+path, 404)
	}
}

func (g *GCPCloud) container(w http.ResponseWriter, r *http.Request, _ url.Values) {
	s := g.sessions[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	cluster := strings.TrimPrefix(r.URL.Path, "/v1/")
	if s == nil {
		g.deny(w, "gcp container", 401, "not a token the judge's Google issued")
		return
	}
	if how, ok := g.holds(s, "container.clusters.get", cluster); !ok {
		msg := fmt.Sprintf("Permission 'container.clusters.get' denied on %s for %s", cluster, s.member())
		g.j.net.record(Exchange{Service: "gcp container", Detail: "get " + cluster, Reason: msg})
		writeJSON(w, 403, map[string]any{"error": map[string]any{"code": 403, "message": msg, "status": "PERMISSION_DENIED"}})
		return
	} else if g.j.current != nil {
		g.j.current.note("%s", how)
	}
	g.j.net.record(Exchange{Service: "gcp container", Detail: "get " + cluster, Allowed: true})
	writeJSON(w, 200, map[string]any{"name": cluster, "endpoint": "203.0.113.10", "masterAuth": map[string]string{"clusterCaCertificate": b64(judgeCA)}})
}

// The predefined roles that carry each permission Flux needs (Google Cloud IAM roles reference).
var gcpRolesWith = map[string][]string{
	"artifactregistry.repositories.downloadArtifacts": {"roles/artifactregistry.reader", "roles/artifactregistry.writer", "roles/artifactregistry.repoAdmin", "roles/artifactregistry.admin"},
	"storage.buckets.get":                             {"roles/storage.bucketViewer", "roles/storage.legacyBucketReader", "roles/storage.admin"},
	"storage.objects.get":                             {"roles/storage.objectViewer", "roles/storage.objectAdmin", "roles/storage.admin", "roles/storage.legacyObjectReader"},
	"storage.objects.list":                            {"roles/storage.objectViewer", "roles/storage.objectAdmin", "roles/storage.admin", "roles/storage.legacyBucketReader"},
	"cloudkms.cryptoKeyVersions.useToDecrypt":         {"roles/cloudkms.cryptoKeyDecrypter", "roles/cloudkms.cryptoKeyEncrypterDecrypter"},
	"pubsub.topics.publish":                           {"roles/pubsub.publisher", "roles/pubsub.editor", "roles/pubsub.admin"},
	"container.clusters.get":                          {"roles/container.clusterViewer", "roles/container.viewer", "roles/container.developer", "roles/container.admin"},
}

// roleHas: a predefined role from the table, or a custom role of the plan listing the permission.
func (g *GCPCloud) roleHas(role, permission string) bool {
	if contains(gcpRolesWith[permission], role) {
		return true
	}
	for _, c := range resourcesOfType(g.plan.Resources, "gcp:projects/iAMCustomRole:IAMCustomRole") {
		if role == "projects/"+c.str("project")+"/roles/"+c.str("roleId") && contains(c.strs("permissions"), permission) {
			return true
		}
	}
	return false
}

var garRepository = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/repositories/([^/]+)$`)
var kmsKey = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/keyRings/([^/]+)(?:/cryptoKeys/([^/]+))?$`)
var pubsubTopic = regexp.MustCompile(`^projects/([^/]+)/topics/([^/]+)$`)
var gkeCluster = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/clusters/([^/]+)$`)

// grantsOn: does an IAM member resource give role-holders access on resource (itself or its project)?
func (g *GCPCloud) grantsOn(m Resource, resource string) bool {
	switch m.Type {
	case "gcp:projects/iAMMember:IAMMember":
		return strings.HasPrefix(resource, "projects/"+m.str("project")+"/")
	case "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
		p := garRepository.FindStringSubmatch(resource)
		return p != nil && p[1] == m.str("project") && p[2] == m.str("location") && p[3] == m.str("repository")
	case "gcp:storage/bucketIAMMember:BucketIAMMember":
		return m.str("bucket") == resource
	case "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
		p := kmsKey.FindStringSubmatch(resource)
		return p != nil && p[4] != "" && m.str("cryptoKeyId") == strings.Join(p[1:5], "/")
	case "gcp:kms/keyRingIAMMember:KeyRingIAMMember":
		p := kmsKey.FindStringSubmatch(resource)
		return p != nil && m.str("keyRingId") == strings.Join(p[1:4], "/")
	case "gcp:pubsub/topicIAMMember:TopicIAMMember":
		p := pubsubTopic.FindStringSubmatch(resource)
		return p != nil && p[1] == m.str("project") && p[2] == m.str("topic")
	}
	return false
}

var gcpMemberTypes = []string{
	"gcp:projects/iAMMember:IAMMember", "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "gcp:storage/bucketIAMMember:BucketIAMMember",
	"gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/keyRingIAMMember:KeyRingIAMMember", "gcp:pubsub/topicIAMMember:TopicIAMMember",
}

func (g *GCPCloud) holds(s *GCPSession, permission, resource string) (string, bool) {
	if s.Brought {
		return "brought service account " + s.Email + ": its roles are managed outside the plan", true
	}
	members := []string{s.member()}
	if s.Email == "" {
		members = s.Principals
	}
	for _, typ := range gcpMemberTypes {
		for _, m := range resourcesOfType(g.plan.Resources, typ) {
			if contains(members, m.str("member")) && g.roleHas(m.str("role"), permission) && g.grantsOn(m, resource) {
				return fmt.Sprintf("%s holds %s (%s) on %s", m.str("member"), m.str("role"), permission, resource), true
			}
		}
	}
	return fmt.Sprintf("%s holds no role with %s on %s", members[0], permission, resource), false
}

func gcpChecks(r *Run, resource string, permissions ...string) []string {
	if len(r.gcpSessions) == 0 {
		return []string{"no Google access token was issued"}
	}
	s := r.gcpSessions[len(r.gcpSessions)-1]
	var problems []string
	for _, p := range permissions {
		how, ok := r.j.gcp.holds(s, p, resource)
		if !ok {
			problems = append(problems, how)
		} else {
			r.note("%s", how)
		}
	}
	return problems
}

func init() {
	register(&Integration{
		// Identities no Flux object is planned for (brought ones without usedBy): a bare token request.
		Cloud: "gcp", ID: "token",
		Kinds: map[string]string{"": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "gcp"}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return nil },
	})
	register(&Integration{
		Cloud: "gcp", ID: "gar",
		Kinds: map[string]string{"OCIRepository": entryRegistry, "HelmRepository": entryRegistry, "ImageRepository": entryRegistry},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			p := garRepository.FindStringSubmatch(resource)
			if p == nil {
				return FluxCall{Entry: entryRegistry, Provider: "gcp", URL: "europe-docker.pkg.dev/judge/probe/image"}, nil
			}
			return FluxCall{Entry: entryRegistry, Provider: "gcp", URL: fmt.Sprintf("%s-docker.pkg.dev/%s/%s/judge-probe", p[2], p[1], p[3])}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			if strings.Count(resource, "/") == 1 { // projectLevel: projects/<id>
				resource += "/locations/judge/repositories/judge-probe"
			}
			return gcpChecks(r, resource, "artifactregistry.repositories.downloadArtifacts")
		},
	})
	register(&Integration{
		Cloud: "gcp", ID: "gcs",
		Kinds: map[string]string{"Bucket": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "gcp"}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			return gcpChecks(r, resource, "storage.buckets.get", "storage.objects.get", "storage.objects.list")
		},
	})
	register(&Integration{
		Cloud: "gcp", ID: "kms",
		Kinds: map[string]string{"Kustomization": entrySOPS},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entrySOPS, Provider: "gcp"}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			return gcpChecks(r, resource, "cloudkms.cryptoKeyVersions.useToDecrypt")
		},
	})
	register(&Integration{
		Cloud: "gcp", ID: "pubsub",
		Kinds: map[string]string{"Provider": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "gcp"}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return gcpChecks(r, resource, "pubsub.topics.publish") },
	})
	register(&Integration{
		Cloud: "gcp", ID: "gke",
		Kinds: map[string]string{"Kustomization": entryKubeConfig, "HelmRelease": entryKubeConfig},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryKubeConfig, Provider: "gcp", ConfigMap: j.plan.kubeConfigData("gcp", kind, resource)}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			problems := gcpChecks(r, resource, "container.clusters.get")
			if len(r.gcpSessions) == 0 {
				return problems
			}
			return append(problems, r.j.gkeRBACCheck(r, r.gcpSessions[len(r.gcpSessions)-1], resource)...)
		},
	})
}
