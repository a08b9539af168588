package main

// AWS as plan.json describes it. STS AssumeRoleWithWebIdentity: the token's issuer must be an IAM OIDC
// provider of the role's account whose client IDs hold the token's audience, the session name must
// match [\w+=,.@-]{2,64}, and the role's trust policy (evaluated by tests/iam-eval on the token's
// <issuer>:sub and <issuer>:aud) must allow it. EKS Pod Identity: the agent exchanges a
// pods.eks.amazonaws.com token of the cluster for the role of the association naming exactly that
// namespace and ServiceAccount, if the role trusts pods.eks.amazonaws.com for sts:AssumeRole (and
// sts:TagSession while session tags are on); with a target role, EKS then assumes the target with the
// association role's credentials (role chaining, with the external ID and session tags EKS sends) and
// hands out the target's credentials. Afterwards the role's identity policies must allow the calls Flux
// makes; KMS authorizes against the key, with kms:RequestAlias set when the request names an alias.
// Roles flux-identity does not own (brought roles, Pod Identity target roles) hold exactly what
// broughtIdentities says their owners must apply: trust statements, IAM OIDC providers, associations
// and permissions.

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

type AWSCloud struct {
	j        *ClusterJudge
	plan     *AWSPlan
	sessions map[string]*AWSSession
}

// AWSSession is a set of credentials the fake STS issued.
type AWSSession struct {
	RoleArn     string
	SessionName string
	Via         string
}

// awsRole is a role as IAM holds it: its trust policy and identity policies, from the plan's resources
// (roles flux-identity creates) or from broughtIdentities (roles it does not own, configured exactly as
// their requirements say).
type awsRole struct {
	Arn  string
	Name string
	// Trust policy documents.
	Trust []any
	// Identity policy documents; PoliciesKnown is false for a brought role whose permissions the plan
	// does not list (its owner grants them).
	Policies      []any
	PoliciesKnown bool
	Brought       bool
	Notes         []string
}

var roleSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
var sigV4Credential = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

func newAWSCloud(j *ClusterJudge) *AWSCloud {
	a := &AWSCloud{j: j, plan: j.plan.AWS, sessions: map[string]*AWSSession{}}
	j.net.handle(`sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?`, a.sts)
	// The STS endpoint the render names (a VPC endpoint, FIPS) answers too; no other host does, so a
	// controller env or Bucket spec.sts naming another endpoint reaches nothing.
	if e := a.plan.STSEndpoint; e != "" {
		if u, err := url.Parse(e); err == nil && u.Hostname() != "" {
			j.net.handle(regexp.QuoteMeta(u.Hostname()), a.sts)
		}
	}
	j.net.handle(`api\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?`, a.ecr)
	j.net.handle(`api\.ecr-public\.us-east-1\.amazonaws\.com`, a.ecrPublic)
	j.net.handle(`eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?`, a.eks)
	return a
}

func (a *AWSCloud) roleArnOf(r Resource) string {
	path := r.str("path")
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", a.plan.Partition, a.plan.AccountID, path, r.str("name"))
}

func (a *AWSCloud) planRole(arn string) (Resource, bool) {
	for _, r := range resourcesOfType(a.plan.Resources, "aws:iam/role:Role") {
		if a.roleArnOf(r) == arn {
			return r, true
		}
	}
	return Resource{}, false
}

// brought reports whether a role is one the plan does not own: a brought identity, or a role
// broughtIdentities names (a Pod Identity target role).
func (a *AWSCloud) brought(arn string) bool {
	for _, id := range a.plan.Identities {
		if !id.Created && id.RoleArn == arn {
			return true
		}
	}
	for _, b := range a.plan.BroughtIdentities {
		if b.Resource == arn || b.Identity == arn {
			return true
		}
	}
	return false
}

// roleOf is the role IAM holds under an ARN, or an error saying why there is none.
func (a *AWSCloud) roleOf(arn string) (*awsRole, error) {
	if r, ok := a.planRole(arn); ok {
		docs, notes := a.identityPolicies(r.str("name"))
		return &awsRole{Arn: arn, Name: r.str("name"), Trust: []any{r.object("assumeRolePolicy")}, Policies: docs, PoliciesKnown: true, Notes: notes}, nil
	}
	if !a.brought(arn) {
		return nil, fmt.Errorf("role %s does not exist in the plan", arn)
	}
	role := &awsRole{Arn: arn, Name: arn[strings.LastIndex(arn, "/")+1:], Brought: true}
	var statements []any
	for _, b := range requirements(a.plan.BroughtIdentities, "iam-role-trust-statement", arn) {
		var list []any
		if err := b.decode(&list); err != nil {
			return nil, err
		}
		statements = append(statements, list...)
	}
	if len(statements) == 0 {
		return nil, fmt.Errorf("brought role %s: broughtIdentities holds no trust statement for it, so its owner is told nothing that lets Flux in", arn)
	}
	role.Trust = []any{map[string]any{"Version": "2012-10-17", "Statement": statements}}
	for _, b := range requirements(a.plan.BroughtIdentities, "iam-role-permissions", arn) {
		var doc map[string]any
		if err := b.decode(&doc); err != nil {
			return nil, err
		}
		role.Policies = append(role.Policies, doc)
		role.PoliciesKnown = true
	}
	if !role.PoliciesKnown {
		role.Notes = append(role.Notes, "brought role: its permissions are not in the plan")
	}
	return role, nil
}

// trusts evaluates a role's trust policy for one principal, action and request context.
func (a *AWSCloud) trusts(role *awsRole, principal map[string]string, action string, context map[string]any) (string, error) {
	return a.j.iam.decide(IAMCase{Policies: role.Trust, Request: IAMRequest{Principal: principal, Action: action, Resource: role.Arn, Context: context}, IgnoreResource: true})
}

// podIdentityAssoc is an EKS Pod Identity association: one the plan creates, or one broughtIdentities
// says the role's owner must create.
type podIdentityAssoc struct {
	ClusterName        string `json:"clusterName"`
	Namespace          string `json:"namespace"`
	ServiceAccount     string `json:"serviceAccount"`
	RoleArn            string `json:"roleArn"`
	TargetRoleArn      string `json:"targetRoleArn"`
	DisableSessionTags bool   `json:"disableSessionTags"`
	Region             string `json:"region"`
}

func (a *AWSCloud) podIdentityAssociation(namespace, sa string) *podIdentityAssoc {
	var all []podIdentityAssoc
	for _, r := range resourcesOfType(a.plan.Resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation") {
		disable, _ := r.Properties["disableSessionTags"].(bool)
		all = append(all, podIdentityAssoc{ClusterName: r.str("clusterName"), Namespace: r.str("namespace"), ServiceAccount: r.str("serviceAccount"), RoleArn: r.str("roleArn"), TargetRoleArn: r.str("targetRoleArn"), DisableSessionTags: disable, Region: r.str("region")})
	}
	for _, b := range requirements(a.plan.BroughtIdentities, "eks-pod-identity-association", "") {
		var p podIdentityAssoc
		if b.decode(&p) == nil {
			all = append(all, p)
		}
	}
	for _, p := range all {
		if p.Namespace == namespace && p.ServiceAccount == sa && (a.j.plan.Cluster.EKSClusterName == "" || p.ClusterName == a.j.plan.Cluster.EKSClusterName) {
			if p.Region == "" {
				p.Region = a.plan.Region
			}
			return &p
		}
	}
	return nil
}

// oidcProvider finds an IAM OIDC provider for an issuer in an account: one the plan creates, one
// broughtIdentities says the account's owner must create, or one a trust policy of the plan names (an
// existing provider, such as the one an EKS cluster already has).
func (a *AWSCloud) oidcProvider(issuer, account string) (arn string, clientIDs []string, note string, ok bool) {
	hostPath := strings.TrimPrefix(issuer, "https://")
	want := fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", a.plan.Partition, account, hostPath)
	if account == a.plan.AccountID {
		for _, r := range resourcesOfType(a.plan.Resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
			if strings.TrimPrefix(r.str("url"), "https://") == hostPath {
				return want, r.strs("clientIdLists"), "", true
			}
		}
	}
	for _, b := range requirements(a.plan.BroughtIdentities, "iam-oidc-provider", want) {
		var doc struct {
			URL          string   `json:"Url"`
			ClientIDList []string `json:"ClientIDList"`
		}
		if b.decode(&doc) == nil && strings.TrimPrefix(doc.URL, "https://") == hostPath {
			return want, doc.ClientIDList, "", true
		}
	}
	if account != a.plan.AccountID {
		return "", nil, "", false
	}
	for _, r := range resourcesOfType(a.plan.Resources, "aws:iam/role:Role") {
		for _, st := range statements(r.object("assumeRolePolicy")) {
			if p, _ := st["Principal"].(map[string]any); p != nil && p["Federated"] == want {
				return want, []string{"sts.amazonaws.com"}, "existing IAM OIDC provider (not in the plan; its client ID assumed to be sts.amazonaws.com)", true
			}
		}
	}
	return "", nil, "", false
}

func statements(doc map[string]any) []map[string]any {
	var out []map[string]any
	switch s := doc["Statement"].(type) {
	case []any:
		for _, x := range s {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, s)
	}
	return out
}

type stsError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func (a *AWSCloud) stsDeny(w http.ResponseWriter, status int, code, msg, detail string) {
	a.j.net.record(Exchange{Service: "aws sts", Detail: detail, Reason: msg})
	var e stsError
	e.Error.Type, e.Error.Code, e.Error.Message, e.RequestID = "Sender", code, msg, "judge"
	writeXML(w, status, e)
}

func (a *AWSCloud) issue(s *AWSSession) (string, string, string) {
	n := a.j.net.next()
	akid := fmt.Sprintf("ASIAJUDGE%011d", n)
	a.sessions[akid] = s
	if r := a.j.current; r != nil {
		r.awsSessions = append(r.awsSessions, s)
	}
	return akid, "judge-secret", fmt.Sprintf("judge-session-%d", n)
}

func (a *AWSCloud) sts(w http.ResponseWriter, r *http.Request, form url.Values) {
	if form.Get("Action") != "AssumeRoleWithWebIdentity" {
		a.stsDeny(w, 400, "InvalidAction", "the judge's STS answers AssumeRoleWithWebIdentity only, not "+form.Get("Action"), r.Host)
		return
	}
	roleArn, session, token := form.Get("RoleArn"), form.Get("RoleSessionName"), form.Get("WebIdentityToken")
	detail := fmt.Sprintf("AssumeRoleWithWebIdentity %s session %q at %s", roleArn, session, r.Host)
	if !roleSessionName.MatchString(session) {
		a.stsDeny(w, 400, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must match [\\w+=,.@-]{2,64} (%d characters)", session, len(session)), detail)
		return
	}
	claims, err := parseToken(token)
	if err != nil {
		a.stsDeny(w, 400, "InvalidIdentityToken", err.Error(), detail)
		return
	}
	// The provider must exist in the role's account (a role of another account trusts that account's).
	providerArn, clientIDs, providerNote, ok := a.oidcProvider(claims.Issuer, accountOf(roleArn))
	if !ok {
		a.stsDeny(w, 400, "InvalidIdentityToken", fmt.Sprintf("No OpenIDConnect provider found in your account (%s) for %s", accountOf(roleArn), claims.Issuer), detail)
		return
	}
	audience := ""
	for _, id := range clientIDs {
		if claims.hasAudience(id) {
			audience = id
		}
	}
	if audience == "" {
		a.stsDeny(w, 400, "InvalidIdentityToken", fmt.Sprintf("Incorrect token audience %v: the OIDC provider's client IDs are %v", claims.Audiences, clientIDs), detail)
		return
	}
	role, err := a.roleOf(roleArn)
	if err != nil {
		a.stsDeny(w, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity: "+err.Error(), detail)
		return
	}
	hostPath := strings.TrimPrefix(claims.Issuer, "https://")
	decision, err := a.trusts(role, map[string]string{"Federated": providerArn}, "sts:AssumeRoleWithWebIdentity", map[string]any{hostPath + ":sub": claims.Subject, hostPath + ":aud": audience})
	if err != nil {
		a.stsDeny(w, 500, "InternalFailure", err.Error(), detail)
		return
	}
	if decision != "Allow" {
		a.stsDeny(w, 403, "AccessDenied", fmt.Sprintf("Not authorized to perform sts:AssumeRoleWithWebIdentity: the trust policy of %s%s gives %s for sub %s, aud %s", roleArn, broughtFrom(role), decision, claims.Subject, audience), detail)
		return
	}
	s := &AWSSession{RoleArn: roleArn, SessionName: session, Via: "AssumeRoleWithWebIdentity"}
	if role.Brought {
		providerNote = strings.TrimPrefix(providerNote+"; trust of brought role "+roleArn+" as broughtIdentities requires it", "; ")
	}
	akid, secret, tok := a.issue(s)
	a.j.net.record(Exchange{Service: "aws sts", Detail: detail, Allowed: true, Reason: providerNote})
	if a.j.current != nil {
		at := ""
		if e := a.plan.STSEndpoint; e != "" && strings.Contains(e, "://"+r.Host) {
			at = " at " + r.Host
		}
		a.j.current.note("AssumeRoleWithWebIdentity %s as %s (session %s)%s", roleArn, claims.Subject, session, at)
		if providerNote != "" {
			a.j.current.note("%s", providerNote)
		}
	}
	type credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type result struct {
		Credentials     credentials `xml:"Credentials"`
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		SubjectFromWebIdentityToken string `xml:"SubjectFromWebIdentityToken"`
		Audience                    string `xml:"Audience"`
		Provider                    string `xml:"Provider"`
	}
	var resp struct {
		XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Result  result   `xml:"AssumeRoleWithWebIdentityResult"`
		Meta    struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}
	resp.Xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"
	resp.Result.Credentials = credentials{akid, secret, tok, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	resp.Result.AssumedRoleUser.Arn = strings.Replace(strings.Replace(roleArn, ":iam::", ":sts::", 1), ":role/", ":assumed-role/", 1) + "/" + session
	resp.Result.SubjectFromWebIdentityToken = claims.Subject
	resp.Result.Audience = audience
	resp.Result.Provider = providerArn
	resp.Meta.RequestID = "judge"
	writeXML(w, 200, resp)
}

// podIdentity answers as the EKS Pod Identity Agent (eks-auth:AssumeRoleForPodIdentity).
func (a *AWSCloud) podIdentity(w http.ResponseWriter, r *http.Request) {
	deny := func(msg string) {
		a.j.net.record(Exchange{Service: "eks pod identity", Detail: "AssumeRoleForPodIdentity", Reason: msg})
		writeJSON(w, 403, map[string]string{"code": "AccessDeniedException", "message": msg})
	}
	claims, err := parseToken(r.Header.Get("Authorization"))
	if err != nil {
		deny("the agent needs the pod's EKS Pod Identity token: " + err.Error())
		return
	}
	if claims.Issuer != a.j.plan.Cluster.IssuerURL {
		deny(fmt.Sprintf("token issuer %s is not the cluster's (%s)", claims.Issuer, a.j.plan.Cluster.IssuerURL))
		return
	}
	if !claims.hasAudience("pods.eks.amazonaws.com") {
		deny(fmt.Sprintf("token audience %v is not pods.eks.amazonaws.com", claims.Audiences))
		return
	}
	ns, name, ok := splitSubject(claims.Subject)
	if !ok {
		deny("token subject " + claims.Subject + " is not a ServiceAccount")
		return
	}
	assoc := a.podIdentityAssociation(ns, name)
	if assoc == nil {
		deny(fmt.Sprintf("no Pod Identity association for %s/%s on EKS cluster %q", ns, name, a.j.plan.Cluster.EKSClusterName))
		return
	}
	final, why := a.assumeForPodIdentity(assoc)
	if final == nil {
		deny(why)
		return
	}
	s := &AWSSession{RoleArn: final.Arn, Via: "EKS Pod Identity", SessionName: "eks-" + assoc.ClusterName + "-" + name}
	akid, secret, tok := a.issue(s)
	a.j.net.record(Exchange{Service: "eks pod identity", Detail: "AssumeRoleForPodIdentity " + final.Arn, Allowed: true})
	if a.j.current != nil {
		a.j.current.note("EKS Pod Identity: association %s/%s -> %s", ns, name, why)
	}
	writeJSON(w, 200, map[string]string{"AccessKeyId": akid, "SecretAccessKey": secret, "Token": tok, "Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
}

// assumeForPodIdentity is what EKS does for an association: assume its role as
// pods.eks.amazonaws.com, then, with a target role, assume the target with that role's credentials.
// It returns the role whose credentials the pod gets and the chain, or nil and why EKS was refused.
func (a *AWSCloud) assumeForPodIdentity(assoc *podIdentityAssoc) (*awsRole, string) {
	tags := !assoc.DisableSessionTags
	// EKS's session tags (the EKS user guide, "Enable or disable session tags"); transitive, so the
	// target role's trust sees them too.
	context := map[string]any{}
	if tags {
		for k, v := range map[string]string{
			"eks-cluster-arn":            fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", a.plan.Partition, assoc.Region, a.plan.AccountID, assoc.ClusterName),
			"eks-cluster-name":           assoc.ClusterName,
			"kubernetes-namespace":       assoc.Namespace,
			"kubernetes-service-account": assoc.ServiceAccount,
			"kubernetes-pod-name":        "judge-pod",
			"kubernetes-pod-uid":         "00000000-0000-4000-8000-00000000judge",
		} {
			context["aws:RequestTag/"+k] = v
		}
	}
	primary, err := a.roleOf(assoc.RoleArn)
	if err != nil {
		return nil, "the association's role: " + err.Error()
	}
	actions := []string{"sts:AssumeRole"}
	if tags {
		actions = append(actions, "sts:TagSession")
	}
	for _, action := range actions {
		d, err := a.trusts(primary, map[string]string{"Service": "pods.eks.amazonaws.com"}, action, context)
		if err != nil || d != "Allow" {
			return nil, fmt.Sprintf("the trust policy of %s%s gives %s for pods.eks.amazonaws.com to %s %v", primary.Arn, broughtFrom(primary), d, action, errText(err))
		}
	}
	if assoc.TargetRoleArn == "" {
		return primary, primary.Arn
	}
	// Role chaining: EKS calls sts:AssumeRole on the target with the association role's credentials,
	// passing the association's external ID, and sts:TagSession as the EKS user guide's target role
	// setup has both sides allow ("Access AWS Resources using EKS Pod Identity Target IAM Roles").
	target, err := a.roleOf(assoc.TargetRoleArn)
	if err != nil {
		return nil, "the association's target role: " + err.Error()
	}
	chain := map[string]any{"aws:PrincipalArn": primary.Arn, "sts:ExternalId": fmt.Sprintf("%s/%s/%s/%s/%s", assoc.Region, a.plan.AccountID, assoc.ClusterName, assoc.Namespace, assoc.ServiceAccount)}
	for k, v := range context {
		chain[k] = v
		chain["aws:PrincipalTag/"+strings.TrimPrefix(k, "aws:RequestTag/")] = v
	}
	for _, action := range []string{"sts:AssumeRole", "sts:TagSession"} {
		session := &AWSSession{RoleArn: primary.Arn}
		if ok, why := a.allowed(session, action, target.Arn); !ok {
			return nil, fmt.Sprintf("role chaining to target role %s: the association's role may not: %s", target.Arn, why)
		}
		d, err := a.trusts(target, map[string]string{"AWS": primary.Arn}, action, chain)
		if err != nil || d != "Allow" {
			return nil, fmt.Sprintf("role chaining: the trust policy of target role %s%s gives %s for %s to %s (sts:ExternalId %v) %v", target.Arn, broughtFrom(target), d, primary.Arn, action, chain["sts:ExternalId"], errText(err))
		}
	}
	return target, fmt.Sprintf("%s -> target role %s (external ID %v)", primary.Arn, target.Arn, chain["sts:ExternalId"])
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// broughtFrom names where a brought role's trust came from, for refusals.
func broughtFrom(r *awsRole) string {
	if r.Brought {
		return " (as broughtIdentities requires it)"
	}
	return ""
}

func splitSubject(sub string) (string, string, bool) {
	parts := strings.Split(sub, ":")
	if len(parts) != 4 || parts[0] != "system" || parts[1] != "serviceaccount" {
		return "", "", false
	}
	return parts[2], parts[3], true
}

func (a *AWSCloud) caller(r *http.Request) *AWSSession {
	m := sigV4Credential.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return nil
	}
	return a.sessions[m[1]]
}

// identityPolicies are the documents IAM evaluates for a role: its inline policies and the AWS managed
// policies attached to it.
func (a *AWSCloud) identityPolicies(roleName string) ([]any, []string) {
	var docs []any
	var notes []string
	for _, r := range resourcesOfType(a.plan.Resources, "aws:iam/rolePolicy:RolePolicy") {
		if r.str("role") == roleName {
			docs = append(docs, r.object("policy"))
		}
	}
	for _, r := range resourcesOfType(a.plan.Resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if r.str("role") != roleName {
			continue
		}
		arn := r.str("policyArn")
		name := arn[strings.LastIndex(arn, "/")+1:]
		if doc, ok := awsManagedPolicies[name]; ok {
			docs = append(docs, doc)
		} else {
			notes = append(notes, "attached policy "+arn+" is not in the plan (not evaluated)")
		}
	}
	for _, r := range resourcesOfType(a.plan.Resources, "aws:iam/role:Role") {
		if r.str("name") == roleName && r.str("permissionsBoundary") != "" {
			notes = append(notes, "permissions boundary "+r.str("permissionsBoundary")+" is not in the plan (not evaluated)")
		}
	}
	return docs, notes
}

// allowed evaluates the session's role for one action on one resource.
func (a *AWSCloud) allowed(s *AWSSession, action, resource string) (bool, string) {
	return a.allowedWith(s, action, resource, nil)
}

// allowedWith evaluates the session's role for one action on one resource, with the request's
// condition keys.
func (a *AWSCloud) allowedWith(s *AWSSession, action, resource string, context map[string]any) (bool, string) {
	role, err := a.roleOf(s.RoleArn)
	if err != nil {
		return false, err.Error()
	}
	if !role.PoliciesKnown {
		return true, strings.Join(role.Notes, "; ")
	}
	evaluated := resource
	if resource == "*" {
		// Actions without resource-level permissions are evaluated against "*"; the evaluator takes an ARN
		// no policy names, which only a "*" resource matches.
		evaluated = fmt.Sprintf("arn:%s:%s:%s:%s:judge-no-resource", a.plan.Partition, strings.Split(action, ":")[0], a.plan.Region, accountOf(s.RoleArn))
	}
	d, err := a.j.iam.decide(IAMCase{Policies: role.Policies, Request: IAMRequest{Principal: map[string]string{"AWS": s.RoleArn}, Action: action, Resource: evaluated, Context: context}})
	if err != nil {
		return false, err.Error()
	}
	if d != "Allow" {
		where := ""
		if role.Brought {
			where = " (the permissions broughtIdentities lists for it)"
		}
		return false, fmt.Sprintf("%s on %s: %s for role %s%s", action, resource, d, s.RoleArn, where)
	}
	notes := role.Notes
	if role.Brought {
		notes = append(notes, "permissions of brought role "+s.RoleArn+" as broughtIdentities lists them")
	}
	return true, strings.Join(notes, "; ")
}

func (a *AWSCloud) apiDeny(w http.ResponseWriter, service, msg string) {
	a.j.net.record(Exchange{Service: service, Reason: msg})
	writeJSON(w, 400, map[string]string{"__type": "AccessDeniedException", "message": msg})
}

func (a *AWSCloud) ecr(w http.ResponseWriter, r *http.Request, _ url.Values) {
	s := a.caller(r)
	if s == nil {
		a.apiDeny(w, "aws ecr", "request not signed with credentials the judge's STS issued")
		return
	}
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetAuthorizationToken") {
		a.apiDeny(w, "aws ecr", "the judge's ECR answers GetAuthorizationToken only")
		return
	}
	if ok, why := a.allowed(s, "ecr:GetAuthorizationToken", "*"); !ok {
		a.apiDeny(w, "aws ecr", "User is not authorized to perform: "+why)
		return
	}
	a.j.net.record(Exchange{Service: "aws ecr", Detail: "GetAuthorizationToken", Allowed: true})
	writeJSON(w, 200, map[string]any{"authorizationData": []map[string]any{{
		"authorizationToken": base64.StdEncoding.EncodeToString([]byte("AWS:judge-password")),
		"expiresAt":          time.Now().Add(12 * time.Hour).Unix(),
		"proxyEndpoint":      "https://" + strings.TrimPrefix(r.Host, "api."),
	}}})
}

func (a *AWSCloud) ecrPublic(w http.ResponseWriter, r *http.Request, _ url.Values) {
	s := a.caller(r)
	if s == nil {
		a.apiDeny(w, "aws ecr-public", "request not signed with credentials the judge's STS issued")
		return
	}
	for _, action := range []string{"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"} {
		if ok, why := a.allowed(s, action, "*"); !ok {
			a.apiDeny(w, "aws ecr-public", "User is not authorized to perform: "+why)
			return
		}
	}
	a.j.net.record(Exchange{Service: "aws ecr-public", Detail: "GetAuthorizationToken", Allowed: true})
	writeJSON(w, 200, map[string]any{"authorizationData": map[string]any{
		"authorizationToken": base64.StdEncoding.EncodeToString([]byte("AWS:judge-password")),
		"expiresAt":          time.Now().Add(12 * time.Hour).Unix(),
	}})
}

var eksHost = regexp.MustCompile(`^eks\.([a-z0-9-]+)\.amazonaws\.com`)

func (a *AWSCloud) eks(w http.ResponseWriter, r *http.Request, _ url.Values) {
	s := a.caller(r)
	if s == nil {
		a.apiDeny(w, "aws eks", "request not signed with credentials the judge's STS issued")
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/clusters/")
	region := ""
	if m := eksHost.FindStringSubmatch(r.Host); m != nil {
		region = m[1]
	}
	account := accountOf(s.RoleArn)
	arn := fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", a.plan.Partition, region, account, name)
	if ok, why := a.allowed(s, "eks:DescribeCluster", arn); !ok {
		a.apiDeny(w, "aws eks", "User is not authorized to perform: "+why)
		return
	}
	a.j.net.record(Exchange{Service: "aws eks", Detail: "DescribeCluster " + arn, Allowed: true})
	writeJSON(w, 200, map[string]any{"cluster": map[string]any{
		"name":                 name,
		"arn":                  arn,
		"endpoint":             "https://JUDGE." + region + ".eks.amazonaws.com",
		"certificateAuthority": map[string]string{"data": base64.StdEncoding.EncodeToString([]byte(judgeCA))},
	}})
}

const judgeCA = "-----BEGIN CERTIFICATE-----\nMIIBjudge\n-----END CERTIFICATE-----\n"

func accountOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 4 {
		return parts[4]
	}
	return ""
}

// AWS managed policies the plan may attach (singleTenantManagedPolicies), as AWS publishes them.
var awsManagedPolicies = map[string]any{
	"AmazonEC2ContainerRegistryReadOnly": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": []any{
		"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories", "ecr:ListImages",
		"ecr:DescribeImages", "ecr:BatchGetImage", "ecr:GetLifecyclePolicy", "ecr:GetLifecyclePolicyPreview", "ecr:ListTagsForResource", "ecr:DescribeImageScanFindings",
	}, "Resource": "*"}}},
	"AmazonElasticContainerRegistryPublicReadOnly": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": []any{
		"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken", "ecr-public:BatchCheckLayerAvailability", "ecr-public:GetRepositoryPolicy", "ecr-public:DescribeRepositories",
		"ecr-public:DescribeRegistries", "ecr-public:DescribeImages", "ecr-public:DescribeImageTags", "ecr-public:GetRepositoryCatalogData", "ecr-public:GetRegistryCatalogData",
	}, "Resource": "*"}}},
	"AmazonS3ReadOnlyAccess": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": []any{
		"s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*",
	}, "Resource": "*"}}},
}

// --- The AWS integrations -------------------------------------------------------------------------

// concrete turns a resource pattern into one resource it covers (wildcards become a probe name).
func concrete(resource string) string {
	return strings.NewReplacer("*", "judge-probe", "?", "x").Replace(resource)
}

type arnParts struct{ partition, service, region, account, resource string }

func parseARN(arn string) (arnParts, error) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" {
		return arnParts{}, fmt.Errorf("%q is not an ARN", arn)
	}
	return arnParts{p[1], p[2], p[3], p[4], p[5]}, nil
}

func awsDNSSuffix(partition string) string {
	if partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// awsChecks requires every action on the resource from the run's AWS credentials.
func awsChecks(r *Run, resource string, actions ...string) []string {
	if len(r.awsSessions) == 0 {
		return []string{"no AWS credentials were issued"}
	}
	s := r.awsSessions[len(r.awsSessions)-1]
	var problems []string
	for _, action := range actions {
		ok, why := r.j.aws.allowed(s, action, resource)
		if !ok {
			problems = append(problems, why)
		} else if why != "" {
			r.note("%s", why)
		}
	}
	if len(problems) == 0 {
		r.note("%s allowed on %s", strings.Join(actions, ", "), resource)
	}
	return problems
}

func init() {
	register(&Integration{
		// Identities no Flux object is planned for (brought ones without usedBy): a bare token request.
		Cloud: "aws", ID: "token",
		Kinds: map[string]string{"": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "aws", Region: j.plan.AWS.Region}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return nil },
	})
	register(&Integration{
		Cloud: "aws", ID: "ecr",
		Kinds: map[string]string{"OCIRepository": entryRegistry, "HelmRepository": entryRegistry, "ImageRepository": entryRegistry},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			a, err := parseARN(resource)
			if err != nil {
				return FluxCall{}, err
			}
			repo := concrete(strings.TrimPrefix(a.resource, "repository/"))
			return FluxCall{Entry: entryRegistry, Provider: "aws", URL: fmt.Sprintf("%s.dkr.ecr.%s.%s/%s", a.account, a.region, awsDNSSuffix(a.partition), repo)}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			if kind == "ImageRepository" {
				return awsChecks(r, concrete(resource), "ecr:ListImages", "ecr:BatchGetImage")
			}
			return awsChecks(r, concrete(resource), "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability")
		},
	})
	register(&Integration{
		Cloud: "aws", ID: "ecrPublic",
		Kinds: map[string]string{"OCIRepository": entryRegistry, "HelmRepository": entryRegistry, "ImageRepository": entryRegistry},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryRegistry, Provider: "aws", URL: "public.ecr.aws/judge/probe"}, nil
		},
		// The ECR Public endpoint itself required ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken.
		Check: func(r *Run, kind, resource string) []string {
			return awsChecks(r, "*", "ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken")
		},
	})
	register(&Integration{
		Cloud: "aws", ID: "s3",
		Kinds: map[string]string{"Bucket": entryToken},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryToken, Provider: "aws", Region: j.plan.AWS.Region}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			return append(awsChecks(r, resource, "s3:ListBucket"), awsChecks(r, resource+"/judge-probe", "s3:GetObject")...)
		},
	})
	register(&Integration{
		Cloud: "aws", ID: "kms",
		Kinds: map[string]string{"Kustomization": entrySOPS},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			a, err := parseARN(resource)
			if err != nil {
				return FluxCall{}, err
			}
			// SOPS takes the region from the key ARN.
			return FluxCall{Entry: entrySOPS, Provider: "aws", Region: a.region}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return r.j.aws.kmsDecryptCheck(r, resource) },
	})
	register(&Integration{
		Cloud: "aws", ID: "codecommit",
		Kinds: map[string]string{"GitRepository": entryGit, "ImageUpdateAutomation": entryGit},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			a, err := parseARN(resource)
			if err != nil {
				return FluxCall{}, err
			}
			return FluxCall{Entry: entryGit, Provider: "aws", URL: fmt.Sprintf("https://git-codecommit.%s.%s/v1/repos/%s", a.region, awsDNSSuffix(a.partition), concrete(a.resource))}, nil
		},
		Check: func(r *Run, kind, resource string) []string {
			if kind == "ImageUpdateAutomation" {
				return awsChecks(r, concrete(resource), "codecommit:GitPull", "codecommit:GitPush")
			}
			return awsChecks(r, concrete(resource), "codecommit:GitPull")
		},
	})
	register(&Integration{
		Cloud: "aws", ID: "eks",
		Kinds: map[string]string{"Kustomization": entryKubeConfig, "HelmRelease": entryKubeConfig},
		Call: func(j *ClusterJudge, kind, resource string) (FluxCall, error) {
			return FluxCall{Entry: entryKubeConfig, Provider: "aws", ConfigMap: j.plan.kubeConfigData("aws", kind, resource)}, nil
		},
		Check: func(r *Run, kind, resource string) []string { return r.j.aws.accessEntryCheck(r, kind, resource) },
	})
}

// kmsDecryptCheck: KMS authorizes kms:Decrypt against the key, never the alias. A SOPS file naming an
// alias ARN sends that alias as the KeyId, so IAM evaluates the key it points to, with kms:RequestAlias
// holding the alias name (the AWS KMS developer guide, "Use aliases to control access to KMS keys").
func (a *AWSCloud) kmsDecryptCheck(r *Run, resource string) []string {
	arn, err := parseARN(resource)
	if err != nil {
		return []string{err.Error()}
	}
	alias, ok := strings.CutPrefix(arn.resource, "alias/")
	if !ok {
		return awsChecks(r, resource, "kms:Decrypt")
	}
	if len(r.awsSessions) == 0 {
		return []string{"no AWS credentials were issued"}
	}
	key, how := a.aliasTarget(arn, alias)
	s := r.awsSessions[len(r.awsSessions)-1]
	allowed, why := a.allowedWith(s, "kms:Decrypt", key, map[string]any{"kms:RequestAlias": "alias/" + alias})
	if !allowed {
		return []string{fmt.Sprintf("kms:Decrypt through alias %s (%s): %s with kms:RequestAlias alias/%s", resource, how, why, alias)}
	}
	if why != "" {
		r.note("%s", why)
	}
	r.note("kms:Decrypt allowed on %s through alias %s (%s, kms:RequestAlias alias/%s)", key, resource, how, alias)
	return nil
}

// aliasTarget is the key an alias names: an alias of the plan, else a key of the alias's account and
// region that no policy names (an alias must point at a key of its own account and region).
func (a *AWSCloud) aliasTarget(arn arnParts, alias string) (string, string) {
	for _, r := range resourcesOfType(a.plan.Resources, "aws:kms/alias:Alias") {
		if strings.TrimPrefix(r.str("name"), "alias/") == alias {
			if key := r.str("targetKeyArn"); key != "" {
				return key, "the plan's alias"
			}
			if id := r.str("targetKeyId"); id != "" {
				return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", arn.partition, arn.region, arn.account, id), "the plan's alias"
			}
		}
	}
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/0000judge-0000-4000-8000-aliasprobe00", arn.partition, arn.region, arn.account), "alias outside the plan: probed with a key of its account and region"
}

// accessEntryCheck: the remote EKS cluster lets the role in (an access entry for exactly its ARN) and
// gives it Kubernetes permissions (an access policy association or Kubernetes groups).
func (a *AWSCloud) accessEntryCheck(r *Run, kind, clusterArn string) []string {
	var problems []string
	// With the address and CA in the ConfigMap, Flux does not describe the cluster (aws NewRESTConfig).
	if cm := a.j.plan.kubeConfigData("aws", kind, clusterArn); cm["address"] == "" || cm["ca.crt"] == "" {
		problems = awsChecks(r, clusterArn, "eks:DescribeCluster")
	}
	if len(r.awsSessions) == 0 {
		return problems
	}
	s := r.awsSessions[len(r.awsSessions)-1]
	c, err := parseARN(clusterArn)
	if err != nil {
		return append(problems, err.Error())
	}
	name := strings.TrimPrefix(c.resource, "cluster/")
	if a.brought(s.RoleArn) {
		r.note("brought role: access entries for it are managed outside the plan")
		return problems
	}
	entries := append(resourcesOfType(a.plan.Resources, "aws:eks/accessEntry:AccessEntry"), resourcesOfType(a.plan.External, "aws:eks/accessEntry:AccessEntry")...)
	var entry *Resource
	for _, e := range entries {
		if e.str("clusterName") == name && e.str("principalArn") == s.RoleArn && (e.str("region") == "" || e.str("region") == c.region) {
			ee := e
			entry = &ee
		}
	}
	if entry == nil {
		return append(problems, fmt.Sprintf("EKS cluster %s has no access entry for %s", clusterArn, s.RoleArn))
	}
	policies := append(resourcesOfType(a.plan.Resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"), resourcesOfType(a.plan.External, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")...)
	var granted []string
	for _, p := range policies {
		if p.str("clusterName") == name && p.str("principalArn") == s.RoleArn {
			granted = append(granted, p.str("policyArn"))
		}
	}
	groups := entry.strs("kubernetesGroups")
	if len(granted) == 0 && len(groups) == 0 {
		return append(problems, fmt.Sprintf("the access entry of %s on %s grants no Kubernetes permissions (no access policy, no groups)", s.RoleArn, clusterArn))
	}
	where := "in the plan"
	for _, e := range resourcesOfType(a.plan.External, "aws:eks/accessEntry:AccessEntry") {
		if e.str("principalArn") == s.RoleArn && e.str("clusterName") == name {
			where = "to create in the cluster's account (plan.json external)"
		}
	}
	r.note("access entry for %s on %s %s (%s)", s.RoleArn, name, where, strings.Join(append(granted, groups...), ", "))
	return problems
}
