package main

// One rendered cluster judged: every (cloud, controller or tenant, Flux kind) the plan's objectSettings
// name is driven through Flux's own auth code as that controller would run it, the fake clouds decide
// each exchange by their rules against plan.json, and the credentials obtained must allow what Flux does
// with the resources the setting names. Every identity also faces four impostors (another
// ServiceAccount of its namespace, its name in another namespace, another audience, another issuer),
// each of which must be refused.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Result is one judged line.
type Result struct {
	Cluster  string `json:"cluster"`
	Cloud    string `json:"cloud"`
	Subject  string `json:"subject"`
	Case     string `json:"case"`
	Negative bool   `json:"negative"`
	// ACCEPTED, REFUSED, or N/A (a negative that cannot apply, with the reason).
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	// Whether the verdict is the one the cell must get.
	OK bool `json:"ok"`
}

// Subject is whose identity a Flux call uses: a controller's own ServiceAccount, or a tenant's.
type Subject struct {
	Controller string
	Namespace  string
	Name       string
	Tenant     bool
}

func (s Subject) String() string {
	if s.Tenant {
		return fmt.Sprintf("tenant %s/%s", s.Namespace, s.Name)
	}
	return "controller " + s.Controller
}

// The controller that reconciles each Flux kind (Flux's architecture).
var kindController = map[string]string{
	"OCIRepository":         "source-controller",
	"HelmRepository":        "source-controller",
	"HelmChart":             "source-controller",
	"Bucket":                "source-controller",
	"GitRepository":         "source-controller",
	"Kustomization":         "kustomize-controller",
	"HelmRelease":           "helm-controller",
	"Provider":              "notification-controller",
	"ImageRepository":       "image-reflector-controller",
	"ImagePolicy":           "image-reflector-controller",
	"ImageUpdateAutomation": "image-automation-controller",
}

// ClusterJudge judges one cluster directory.
type ClusterJudge struct {
	dir     string
	plan    *Plan
	objects *Objects
	net     *Network
	minter  *Minter
	iam     *IAMEval
	tmp     string
	aws     *AWSCloud
	azure   *AzureCloud
	gcp     *GCPCloud
	remotes *RemoteAPIServers
	vault   *VaultServer
	current *Run
	results []Result
}

// setupError is the judge failing to set a run up (a Deployment missing from the build, a resource it
// cannot read): never a verdict of the clouds.
type setupError struct{ error }

// Run is one drive of Flux's code.
type Run struct {
	j       *ClusterJudge
	subject Subject
	// The ServiceAccount the clouds see (an impostor's for negatives).
	presented Subject
	pod       *Pod
	api       *APIServer
	// Credentials the fake clouds issued during the run.
	awsSessions   []*AWSSession
	azureSessions []*AzureSession
	gcpSessions   []*GCPSession
	remoteUsers   []RemoteUser
	vaultLogins   []VaultLogin
	notes         []string
	// What the fake clouds saw.
	exchanges []Exchange
}

// denied reports whether a cloud refused an exchange during the run.
func (r *Run) denied() bool {
	for _, e := range r.exchanges {
		if !e.Allowed {
			return true
		}
	}
	return false
}

// note records what a cloud decided, once (several checks may say the same of one role).
func (r *Run) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !contains(r.notes, n) {
		r.notes = append(r.notes, n)
	}
}

func newClusterJudge(dir string, plan *Plan, objects *Objects, iam *IAMEval) (*ClusterJudge, error) {
	tmp, err := os.MkdirTemp("", "flux-auth-judge-")
	if err != nil {
		return nil, err
	}
	j := &ClusterJudge{dir: dir, plan: plan, objects: objects, net: newNetwork(), minter: newMinter(plan.Cluster.IssuerURL), iam: iam, tmp: tmp}
	if plan.AWS != nil {
		j.aws = newAWSCloud(j)
	}
	if plan.Azure != nil {
		j.azure = newAzureCloud(j)
	}
	if plan.GCP != nil {
		j.gcp = newGCPCloud(j)
	}
	if plan.Kubernetes != nil {
		if j.remotes, err = newRemoteAPIServers(j); err != nil {
			return nil, err
		}
	}
	if plan.Vault != nil {
		if j.vault, err = newVaultServer(j); err != nil {
			return nil, err
		}
	}
	j.registerMetadataServer()
	return j, nil
}

func (j *ClusterJudge) close() { os.RemoveAll(j.tmp) }

func (j *ClusterJudge) add(r Result) {
	r.Cluster = j.plan.Cluster.Name
	j.results = append(j.results, r)
}

// Case is one Flux object kind using one integration, for one subject.
type Case struct {
	Cloud       string
	Integration *Integration
	Setting     ObjectSetting
	Subject     Subject
	// The tenant ServiceAccount the Flux object names (empty at controller level, or under lockdown).
	ServiceAccountName string
	// Where the Flux object lives.
	ObjectNamespace string
}

func (c Case) label() string {
	res := c.Setting.settingResources()
	if c.Setting.Kind == "" {
		return "token exchange (no Flux object is planned for this identity)"
	}
	integration := c.Setting.Integration
	if integration == "" {
		integration = "token exchange; no resources planned"
	}
	s := fmt.Sprintf("%s (%s)", c.Setting.Kind, integration)
	if len(res) == 1 {
		s += " " + res[0]
	} else if len(res) > 1 {
		s += fmt.Sprintf(" %s and %d more", res[0], len(res)-1)
	}
	return s
}

// cases lists what the plan's objectSettings ask of Flux, for one cloud.
func (j *ClusterJudge) cases(cloud string) ([]Case, []Result) {
	var out []Case
	var skipped []Result
	for _, s := range j.plan.Flux.ObjectSettings {
		if s.Cloud != "" && s.Cloud != cloud {
			continue
		}
		integ := integrationFor(cloud, s.Integration)
		if s.Integration == "" {
			// A kind a brought identity is used by, with no resources planned (usedBy): its exchange alone.
			integ = integrationFor(cloud, "token")
		}
		if integ == nil {
			if s.Cloud == cloud {
				skipped = append(skipped, Result{Cloud: cloud, Subject: settingSubject(s), Case: s.Kind + " (" + s.Integration + ")", Verdict: "REFUSED", Reason: fmt.Sprintf("the judge has no %s integration %q: add it to tests/flux-auth/%s.go", cloud, s.Integration, cloud)})
			}
			continue
		}
		controller := kindController[s.Kind]
		if controller == "" {
			skipped = append(skipped, Result{Cloud: cloud, Subject: settingSubject(s), Case: s.Kind + " (" + s.Integration + ")", Verdict: "REFUSED", Reason: "no Flux controller reconciles kind " + s.Kind})
			continue
		}
		c := Case{Cloud: cloud, Integration: integ, Setting: s}
		if s.Level == "object" {
			c.Subject = Subject{Controller: controller, Namespace: s.Namespace, Name: s.ServiceAccountName, Tenant: true}
			c.ServiceAccountName = s.ServiceAccountName
			c.ObjectNamespace = s.Namespace
		} else {
			c.Subject = Subject{Controller: controller, Namespace: j.plan.Flux.Namespace, Name: controller}
			c.ObjectNamespace = j.plan.Flux.Namespace
			if d := j.objects.deployment(j.plan.Flux.Namespace, controller); d != nil && d.Spec.Template.Spec.ServiceAccountName != "" {
				c.Subject.Name = d.Spec.Template.Spec.ServiceAccountName
			}
		}
		out = append(out, c)
	}
	return out, skipped
}

func settingSubject(s ObjectSetting) string {
	if s.Level == "object" {
		return fmt.Sprintf("tenant %s/%s", s.Namespace, s.ServiceAccountName)
	}
	return "controller " + kindController[s.Kind]
}

func (j *ClusterJudge) honestToken(override func(*Claims)) TokenFor {
	return func(sa *corev1.ServiceAccount, audience string, ttl int64) string {
		c := Claims{Namespace: sa.Namespace, Name: sa.Name, TTL: time.Duration(ttl) * time.Second}
		if audience == "" {
			c.Audiences = apiServerAudiences
		} else {
			c.Audiences = []string{audience}
			if override != nil {
				override(&c)
			}
		}
		return j.minter.mint(c)
	}
}

// drive runs Flux's code for one case. For controller-level impostors, tokenOverride changes the cloud
// tokens the pod holds (the impostor's pod copies the controller's env and annotations) and presented
// is the ServiceAccount the node's metadata servers see.
func (j *ClusterJudge) drive(c Case, tokenOverride func(*Claims), presented Subject) (*Run, error) {
	return j.run(c, tokenOverride, presented, func(ctx context.Context, r *Run, call FluxCall) error {
		return r.callFlux(ctx, call, c)
	})
}

// run starts the controller serving the case (its pod, its flags, its API client) and runs body with the
// Flux call the case's object makes, recording what the clouds saw.
func (j *ClusterJudge) run(c Case, tokenOverride func(*Claims), presented Subject, body func(ctx context.Context, r *Run, call FluxCall) error) (*Run, error) {
	r := &Run{j: j, subject: c.Subject, presented: presented}
	j.current = r
	j.net.take()
	defer func() { r.exchanges = j.net.take(); j.current = nil }()
	pod, err := j.buildPod(c.Subject.Controller, j.honestToken(tokenOverride))
	if err != nil {
		return r, setupError{err}
	}
	r.pod = pod
	pod.apply()
	podStarted(pod.Root)
	resetFluxState()
	if err := configureController(c.Subject.Controller, pod.Args); err != nil {
		return r, fmt.Errorf("%s exits at start-up: %w", c.Subject.Controller, err)
	}
	r.api = &APIServer{objects: j.objects, minter: j.minter, as: serviceAccountUser(j.plan.Flux.Namespace, pod.ServiceAccount.Name)}
	call, err := c.Integration.Call(j, c.Setting.Kind, firstResource(c.Setting))
	if err != nil {
		return r, setupError{err}
	}
	// source-controller passes a Bucket's spec.sts.endpoint to the exchange (auth.WithSTSEndpoint).
	call.STSEndpoint = c.Setting.Set["spec.sts.endpoint"]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return r, body(ctx, r, call)
}

func firstResource(s ObjectSetting) string {
	if res := s.settingResources(); len(res) > 0 {
		return res[0]
	}
	return ""
}

// callFlux makes the call the controller reconciling the case's kind makes, with the options it passes.
func (r *Run) callFlux(ctx context.Context, call FluxCall, c Case) error {
	sa := c.ServiceAccountName
	if call.Entry == entrySOPS && sa == "" {
		// kustomize-controller: spec.decryption.serviceAccountName, else --default-decryption-service-account.
		sa = flagValue(r.pod.Args, "--default-decryption-service-account")
	}
	target := AuthTarget{Namespace: c.ObjectNamespace, ServiceAccountName: sa, Region: call.Region, STSEndpoint: call.STSEndpoint, Scopes: call.Scopes}
	var extra []client.Object
	if call.Entry == entryKubeConfig {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "judge-kubeconfig", Namespace: c.ObjectNamespace}, Data: map[string]string{}}
		for k, v := range call.ConfigMap {
			cm.Data[k] = v
		}
		if c.ServiceAccountName != "" {
			cm.Data["serviceAccountName"] = c.ServiceAccountName
		}
		extra = append(extra, cm)
		target.ConfigMap = cm.Name
	}
	kube := r.api.client(extra...)
	if c.Integration.Drive != nil {
		return c.Integration.Drive(ctx, r, call, kube, target)
	}
	switch call.Entry {
	case entryRegistry:
		return fluxRegistryCredentials(ctx, call.Provider, call.URL, kube, target)
	case entryGit:
		target.GitURL = call.URL
		return fluxGitCredentials(ctx, call.Provider, kube, target)
	case entryToken, entrySOPS:
		return fluxAccessToken(ctx, call.Provider, kube, target)
	case entryKubeConfig:
		_, err := fluxRESTConfig(ctx, kube, target)
		return err
	}
	return fmt.Errorf("unknown Flux entry point %q", call.Entry)
}

func flagValue(args []string, flag string) string {
	for _, a := range args {
		if strings.HasPrefix(a, flag+"=") {
			return strings.TrimPrefix(a, flag+"=")
		}
	}
	return ""
}

// verdict turns a run into a result: Flux obtained credentials and they allow every call the setting's
// resources need.
func (j *ClusterJudge) verdict(c Case, r *Run, err error) (string, string) {
	var setup setupError
	if errors.As(err, &setup) {
		return "ERROR", "the judge could not set the run up: " + cleanError(err)
	}
	if err != nil {
		return "REFUSED", cleanError(err)
	}
	var problems []string
	for _, res := range nonEmpty(c.Setting.settingResources()) {
		problems = append(problems, c.Integration.Check(r, c.Setting.Kind, res)...)
	}
	if len(problems) > 0 {
		return "REFUSED", strings.Join(problems, "; ")
	}
	return "ACCEPTED", strings.Join(r.notes, "; ")
}

func nonEmpty(list []string) []string {
	if len(list) == 0 {
		return []string{""}
	}
	return list
}

func cleanError(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// judgeCloud judges every case of a cloud, then the impostors of each subject.
func (j *ClusterJudge) judgeCloud(cloud string) {
	cases, skipped := j.cases(cloud)
	for _, s := range skipped {
		j.add(s)
	}
	tenantControllers := map[string]string{}
	for _, c := range cases {
		if c.Subject.Tenant {
			tenantControllers[c.Subject.Namespace+"/"+c.Subject.Name] = c.Subject.Controller
		}
	}
	cases = append(cases, j.uncovered(cloud, cases, tenantControllers)...)
	negated := map[string]bool{}
	for _, c := range cases {
		r, err := j.drive(c, nil, c.Subject)
		verdict, reason := j.verdict(c, r, err)
		j.add(Result{Cloud: cloud, Subject: c.Subject.String(), Case: c.label(), Verdict: verdict, Reason: reason, OK: verdict == "ACCEPTED"})
		key := c.Subject.String()
		if !negated[key] {
			negated[key] = true
			j.negatives(c)
		}
	}
	j.lockdown(cloud, cases)
}

// plannedIdentity is one cloud identity of the plan and who uses it.
type plannedIdentity struct {
	Label       string
	Controllers []string
	Tenants     []string
}

func (j *ClusterJudge) identities(cloud string) []plannedIdentity {
	var out []plannedIdentity
	switch {
	case cloud == "aws" && j.plan.AWS != nil:
		for _, id := range j.plan.AWS.Identities {
			p := plannedIdentity{Label: id.RoleArn, Controllers: id.Controllers}
			if id.Tenant != "" {
				p.Tenants = []string{id.Tenant}
			}
			out = append(out, p)
		}
	case cloud == "azure" && j.plan.Azure != nil:
		for _, id := range j.plan.Azure.Identities {
			label := id.Name
			if !id.Created {
				label = "client ID " + id.ClientID
			}
			out = append(out, plannedIdentity{Label: label, Controllers: id.Controllers, Tenants: id.Tenants})
		}
	case cloud == "gcp" && j.plan.GCP != nil:
		for _, id := range j.plan.GCP.Identities {
			p := plannedIdentity{Label: id.Member, Controllers: id.Serves.Controllers}
			if id.Serves.Tenant != nil {
				p.Tenants = []string{id.Serves.Tenant.Namespace + "/" + id.Serves.Tenant.Name}
				p.Controllers = nil
			}
			out = append(out, p)
		}
	}
	return out
}

func (p plannedIdentity) serves(s Subject) bool {
	if s.Tenant {
		return contains(p.Tenants, s.Namespace+"/"+s.Name)
	}
	return len(p.Tenants) == 0 && contains(p.Controllers, s.Controller)
}

// uncovered lists subjects of planned identities that no objectSetting names (brought identities
// without usedBy): their exchange alone is judged.
func (j *ClusterJudge) uncovered(cloud string, cases []Case, tenantControllers map[string]string) []Case {
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.Subject.String()] = true
	}
	var out []Case
	integ := integrationFor(cloud, "token")
	for _, id := range j.identities(cloud) {
		var subjects []Subject
		for _, t := range id.Tenants {
			ns, name, _ := strings.Cut(t, "/")
			controller := tenantControllers[t]
			if controller == "" && len(id.Controllers) > 0 {
				controller = id.Controllers[0]
			}
			subjects = append(subjects, Subject{Controller: controller, Namespace: ns, Name: name, Tenant: true})
		}
		if len(id.Tenants) == 0 {
			for _, c := range id.Controllers {
				subjects = append(subjects, Subject{Controller: c, Namespace: j.plan.Flux.Namespace, Name: c})
			}
		}
		for _, s := range subjects {
			if covered[s.String()] || s.Controller == "" {
				continue
			}
			c := Case{Cloud: cloud, Integration: integ, Subject: s, Setting: ObjectSetting{Cloud: cloud, Integration: "token", Level: "controller"}, ObjectNamespace: j.plan.Flux.Namespace}
			if s.Tenant {
				c.Setting.Level, c.ServiceAccountName, c.ObjectNamespace = "object", s.Name, s.Namespace
			}
			out = append(out, c)
		}
	}
	return out
}

// The four impostors every identity must refuse.
type impostor struct {
	name   string
	mutate func(c *Claims)
	// present is the ServiceAccount the impostor runs as.
	present func(s Subject) Subject
}

var impostors = []impostor{
	{"another ServiceAccount in its namespace", func(c *Claims) { c.Name = "judge-intruder" }, func(s Subject) Subject { s.Name = "judge-intruder"; return s }},
	{"its name in another namespace", func(c *Claims) { c.Namespace = "judge-intruders" }, func(s Subject) Subject { s.Namespace = "judge-intruders"; return s }},
	{"another audience", func(c *Claims) { c.Audiences = []string{"judge-other-audience"} }, func(s Subject) Subject { return s }},
	{"another issuer", func(c *Claims) { c.Issuer = "https://judge-other-issuer.example.com" }, func(s Subject) Subject { return s }},
}

func (j *ClusterJudge) negatives(c Case) {
	for _, imp := range impostors {
		label := fmt.Sprintf("negative: %s", imp.name)
		presented := imp.present(c.Subject)
		if presented != c.Subject {
			label += fmt.Sprintf(" (%s/%s)", presented.Namespace, presented.Name)
		}
		label += ", as " + c.label()
		if na := j.notApplicable(c, imp); na != "" {
			j.add(Result{Cloud: c.Cloud, Subject: c.Subject.String(), Case: label, Negative: true, Verdict: "N/A", Reason: na, OK: true})
			continue
		}
		var r *Run
		var err error
		if c.Subject.Tenant || c.Integration.Impostor != nil {
			r, err = j.impostorExchange(c, imp)
		} else {
			r, err = j.drive(c, imp.mutate, presented)
		}
		verdict, reason := j.verdict(c, r, err)
		ok := verdict == "REFUSED"
		switch {
		case verdict == "ACCEPTED":
			reason = "an impostor got the identity's access: " + reason
		case ok && err != nil && !r.denied():
			// Refused before any cloud saw the impostor: that proves nothing about the cloud's trust.
			verdict, ok, reason = "ERROR", false, "refused before reaching a cloud: "+reason
		}
		j.add(Result{Cloud: c.Cloud, Subject: c.Subject.String(), Case: label, Negative: true, Verdict: verdict, Reason: reason, OK: ok})
	}
}

// notApplicable says why an impostor cannot be tried: the GKE metadata server authenticates the pod
// itself, so a controller on GKE presents no token whose audience or issuer could differ.
func (j *ClusterJudge) notApplicable(c Case, imp impostor) string {
	if c.Cloud == "gcp" && j.plan.Cluster.Type == "gke" && !c.Subject.Tenant && (imp.name == "another audience" || imp.name == "another issuer") {
		return "the GKE metadata server authenticates the pod, not a token"
	}
	return ""
}

// impostorExchange presents an impostor's token to Flux's provider exchange for the tenant's
// ServiceAccount (its annotations copied, as any tenant can copy them onto its own ServiceAccount).
func (j *ClusterJudge) impostorExchange(c Case, imp impostor) (*Run, error) {
	presented := imp.present(c.Subject)
	return j.run(c, nil, presented, func(ctx context.Context, r *Run, call FluxCall) error {
		if c.Integration.Impostor != nil {
			return c.Integration.Impostor(ctx, r, call, presented, imp.mutate)
		}
		victim := j.objects.serviceAccount(c.Subject.Namespace, c.Subject.Name)
		if victim == nil {
			return setupError{fmt.Errorf("ServiceAccount %s/%s is not rendered", c.Subject.Namespace, c.Subject.Name)}
		}
		sa := victim.DeepCopy()
		sa.Namespace, sa.Name = presented.Namespace, presented.Name
		audiences, err := fluxAudiences(call, *sa)
		if err != nil {
			return setupError{err}
		}
		claims := Claims{Namespace: presented.Namespace, Name: presented.Name, Audiences: audiences}
		imp.mutate(&claims)
		return fluxExchange(ctx, call, j.minter.mint(claims), *sa, AuthTarget{Namespace: presented.Namespace, ServiceAccountName: presented.Name, Region: call.Region, STSEndpoint: call.STSEndpoint, Scopes: call.Scopes})
	})
}

// lockdown judges the default ServiceAccount flags: an object without serviceAccountName in a tenant
// namespace takes the tenant's identity when the default names it, and is refused where the namespace
// has no such ServiceAccount.
func (j *ClusterJudge) lockdown(cloud string, cases []Case) {
	done := map[string]bool{}
	for _, c := range cases {
		if !c.Subject.Tenant {
			continue
		}
		pod, err := j.buildPod(c.Subject.Controller, j.honestToken(nil))
		if err != nil {
			continue
		}
		flag := "--default-service-account"
		switch c.Integration.entry(c.Setting.Kind) {
		case entrySOPS:
			flag = "--default-decryption-service-account"
		case entryKubeConfig:
			flag = "--default-kubeconfig-service-account"
		}
		if c.Subject.Controller == "kustomize-controller" || c.Subject.Controller == "helm-controller" {
			if flag == "--default-service-account" {
				continue // impersonation, not workload identity, on these controllers
			}
		}
		def := flagValue(pod.Args, flag)
		if def == "" {
			continue
		}
		key := fmt.Sprintf("%s %s %s %s", c.Subject.Controller, flag, c.Setting.Kind, c.ObjectNamespace)
		if done[key] {
			continue
		}
		done[key] = true
		lc := c
		lc.ServiceAccountName = ""
		lc.Subject.Name = def
		if j.objects.serviceAccount(c.ObjectNamespace, def) != nil {
			r, err := j.drive(lc, nil, lc.Subject)
			verdict, reason := j.verdict(lc, r, err)
			j.add(Result{Cloud: cloud, Subject: lc.Subject.String(), Case: fmt.Sprintf("lockdown %s=%s: %s without serviceAccountName", flag, def, lc.label()), Verdict: verdict, Reason: reason, OK: verdict == "ACCEPTED"})
		}
		// A namespace without the default ServiceAccount: Flux must fail closed, never fall back to the controller.
		other := lc
		other.ObjectNamespace = "judge-no-tenant"
		other.Subject.Namespace = "judge-no-tenant"
		r, err := j.drive(other, nil, other.Subject)
		verdict, reason := j.verdict(other, r, err)
		j.add(Result{Cloud: cloud, Subject: other.Subject.String(), Case: fmt.Sprintf("negative: lockdown %s=%s, %s in a namespace without that ServiceAccount", flag, def, c.Setting.Kind), Negative: true, Verdict: verdict, Reason: reason, OK: verdict == "REFUSED"})
	}
}

// judgeCluster loads a cluster directory and judges it.
func judgeCluster(dir, fluxDir, kubectl string, iam *IAMEval) ([]Result, error) {
	plan, err := loadPlan(filepath.Join(dir, "plan.json"))
	if err != nil {
		return nil, err
	}
	built, err := kustomizeBuild(kubectl, filepath.Join(dir, "flux-system", "kustomization.yaml"), fluxDir)
	if err != nil {
		return []Result{{Cluster: plan.Cluster.Name, Cloud: "kubernetes", Subject: "flux-system", Case: "kubectl kustomize", Verdict: "REFUSED", Reason: cleanError(err)}}, nil
	}
	objects := &Objects{}
	if err := objects.decodeManifests(built, "kubectl kustomize output"); err != nil {
		return nil, err
	}
	if !installGrantsTokens {
		objects.withoutInstallTokenGrant()
	}
	tenantFiles, _ := filepath.Glob(filepath.Join(dir, "tenants", "*.yaml"))
	sort.Strings(tenantFiles)
	for _, f := range tenantFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := objects.decodeManifests(data, f); err != nil {
			return nil, err
		}
	}
	j, err := newClusterJudge(dir, plan, objects, iam)
	if err != nil {
		return nil, err
	}
	defer j.close()
	for _, cloud := range []string{"aws", "azure", "gcp", "kubernetes", "vault"} {
		if (cloud == "aws" && plan.AWS == nil) || (cloud == "azure" && plan.Azure == nil) || (cloud == "gcp" && plan.GCP == nil) ||
			(cloud == "kubernetes" && plan.Kubernetes == nil) || (cloud == "vault" && plan.Vault == nil) {
			continue
		}
		j.judgeCloud(cloud)
	}
	return j.results, nil
}
