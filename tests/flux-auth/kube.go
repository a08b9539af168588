package main

// The Kubernetes side of a rendered cluster: the objects `kubectl kustomize` built from the render's
// kustomization.yaml and Flux's install manifests, plus the render's tenant files, decoded into typed
// objects. RBAC is evaluated with Kubernetes' own rule matching (k8s.io/component-helpers).

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	rbacvalidation "k8s.io/component-helpers/auth/rbac/validation"
)

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

// Objects is what one cluster holds: the built flux-system objects and the tenant manifests.
type Objects struct {
	ServiceAccounts     []*corev1.ServiceAccount
	Deployments         []*appsv1.Deployment
	ConfigMaps          []*corev1.ConfigMap
	Roles               []*rbacv1.Role
	ClusterRoles        []*rbacv1.ClusterRole
	RoleBindings        []*rbacv1.RoleBinding
	ClusterRoleBindings []*rbacv1.ClusterRoleBinding
	Namespaces          []*corev1.Namespace
}

// decodeManifests adds every object of a multi-document YAML stream; kinds the judge does not use
// (CRDs, Services, NetworkPolicies, Flux objects) are skipped.
func (o *Objects) decodeManifests(data []byte, source string) error {
	decoder := serializer.NewCodecFactory(scheme).UniversalDeserializer()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, gvk, err := decoder.Decode(doc, nil, nil)
		if err != nil {
			if runtime.IsNotRegisteredError(err) {
				continue
			}
			return fmt.Errorf("%s: %w", source, err)
		}
		switch v := obj.(type) {
		case *corev1.ServiceAccount:
			o.ServiceAccounts = append(o.ServiceAccounts, v)
		case *appsv1.Deployment:
			o.Deployments = append(o.Deployments, v)
		case *corev1.ConfigMap:
			o.ConfigMaps = append(o.ConfigMaps, v)
		case *rbacv1.Role:
			o.Roles = append(o.Roles, v)
		case *rbacv1.ClusterRole:
			o.ClusterRoles = append(o.ClusterRoles, v)
		case *rbacv1.RoleBinding:
			o.RoleBindings = append(o.RoleBindings, v)
		case *rbacv1.ClusterRoleBinding:
			o.ClusterRoleBindings = append(o.ClusterRoleBindings, v)
		case *corev1.Namespace:
			o.Namespaces = append(o.Namespaces, v)
		default:
			_ = gvk
		}
	}
}

// withoutInstallTokenGrant removes `create` on `serviceaccounts/token` from the ClusterRoles of Flux's
// install (labelled app.kubernetes.io/part-of: flux), for a Flux version whose install no longer grants
// it (2.10: the object identity installation page has users grant it with a ClusterRole of their own).
// Judging such a version against an older release's manifests then keeps only what the render grants.
// It returns how many rules it narrowed.
func (o *Objects) withoutInstallTokenGrant() int {
	narrowed := 0
	for _, role := range o.ClusterRoles {
		if role.Labels["app.kubernetes.io/part-of"] != "flux" {
			continue
		}
		var rules []rbacv1.PolicyRule
		for _, rule := range role.Rules {
			if !slices.Contains(rule.Verbs, "create") || !slices.Contains(rule.Resources, "serviceaccounts/token") {
				rules = append(rules, rule)
				continue
			}
			narrowed++
			rule.Resources = slices.DeleteFunc(slices.Clone(rule.Resources), func(r string) bool { return r == "serviceaccounts/token" })
			if len(rule.Resources) > 0 {
				rules = append(rules, rule)
			}
		}
		role.Rules = rules
	}
	return narrowed
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// The ClusterRole every Kubernetes API server creates at start-up (bootstrap policy): Flux's install
// binds kustomize- and helm-controller to it.
var clusterAdmin = &rbacv1.ClusterRole{
	ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"},
	Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
		{NonResourceURLs: []string{"*"}, Verbs: []string{"*"}},
	},
}

// kustomizeBuild builds dir/kustomization.yaml next to copies of Flux's gotk files (kustomize refuses
// resources outside the kustomization's folder) and returns the objects it printed.
func kustomizeBuild(kubectl, kustomization, fluxDir string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "flux-auth-kustomize-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"gotk-components.yaml", "gotk-sync.yaml"} {
		data, err := os.ReadFile(filepath.Join(fluxDir, f))
		if err != nil {
			if f == "gotk-sync.yaml" && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(tmp, f), data, 0o600); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(kustomization)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "kustomization.yaml"), data, 0o600); err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(kubectl, "kustomize", tmp)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kubectl kustomize %s: %v: %s", kustomization, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

func (o *Objects) serviceAccount(namespace, name string) *corev1.ServiceAccount {
	for _, sa := range o.ServiceAccounts {
		if sa.Namespace == namespace && sa.Name == name {
			return sa
		}
	}
	return nil
}

func (o *Objects) deployment(namespace, name string) *appsv1.Deployment {
	for _, d := range o.Deployments {
		if d.Namespace == namespace && d.Name == name {
			return d
		}
	}
	return nil
}

func (o *Objects) configMap(namespace, name string) *corev1.ConfigMap {
	for _, cm := range o.ConfigMaps {
		if cm.Namespace == namespace && cm.Name == name {
			return cm
		}
	}
	return nil
}

func (o *Objects) clusterRole(name string) *rbacv1.ClusterRole {
	for _, r := range o.ClusterRoles {
		if r.Name == name {
			return r
		}
	}
	if name == clusterAdmin.Name {
		return clusterAdmin
	}
	return nil
}

// clusterRoleRules resolves aggregated ClusterRoles (aggregationRule selectors) as the controller
// manager does.
func (o *Objects) clusterRoleRules(role *rbacv1.ClusterRole) []rbacv1.PolicyRule {
	rules := append([]rbacv1.PolicyRule(nil), role.Rules...)
	if role.AggregationRule == nil {
		return rules
	}
	for _, sel := range role.AggregationRule.ClusterRoleSelectors {
		selector, err := metav1.LabelSelectorAsSelector(&sel)
		if err != nil {
			continue
		}
		for _, other := range o.ClusterRoles {
			if other.Name != role.Name && selector.Matches(labels.Set(other.Labels)) {
				rules = append(rules, other.Rules...)
			}
		}
	}
	return rules
}

// User is an authenticated Kubernetes user: a name and its groups.
type User struct {
	Name   string
	Groups []string
}

func serviceAccountUser(namespace, name string) User {
	return User{
		Name:   fmt.Sprintf("system:serviceaccount:%s:%s", namespace, name),
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
	}
}

func subjectMatches(s rbacv1.Subject, bindingNamespace string, u User) bool {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		return u.Name == fmt.Sprintf("system:serviceaccount:%s:%s", ns, s.Name)
	case rbacv1.UserKind:
		return u.Name == s.Name
	case rbacv1.GroupKind:
		for _, g := range u.Groups {
			if g == s.Name {
				return true
			}
		}
	}
	return false
}

// rulesFor is the rule set that applies to u in namespace ("" = cluster scope only): ClusterRoleBindings
// always, RoleBindings of that namespace when it is set. Bindings to missing roles grant nothing.
func (o *Objects) rulesFor(u User, namespace string) []rbacv1.PolicyRule {
	var rules []rbacv1.PolicyRule
	for _, b := range o.ClusterRoleBindings {
		if !anySubject(b.Subjects, "", u) || b.RoleRef.Kind != "ClusterRole" {
			continue
		}
		if r := o.clusterRole(b.RoleRef.Name); r != nil {
			rules = append(rules, o.clusterRoleRules(r)...)
		}
	}
	if namespace == "" {
		return rules
	}
	for _, b := range o.RoleBindings {
		if b.Namespace != namespace || !anySubject(b.Subjects, b.Namespace, u) {
			continue
		}
		switch b.RoleRef.Kind {
		case "ClusterRole":
			if r := o.clusterRole(b.RoleRef.Name); r != nil {
				rules = append(rules, o.clusterRoleRules(r)...)
			}
		case "Role":
			for _, r := range o.Roles {
				if r.Namespace == namespace && r.Name == b.RoleRef.Name {
					rules = append(rules, r.Rules...)
				}
			}
		}
	}
	return rules
}

func anySubject(subjects []rbacv1.Subject, namespace string, u User) bool {
	for _, s := range subjects {
		if subjectMatches(s, namespace, u) {
			return true
		}
	}
	return false
}

// Request is one Kubernetes API request to authorize; an empty Namespace is cluster-wide.
type Request struct {
	Verb, APIGroup, Resource, Subresource, Namespace, Name string
}

func (r Request) String() string {
	res := r.Resource
	if r.Subresource != "" {
		res += "/" + r.Subresource
	}
	where := "cluster-wide"
	if r.Namespace != "" {
		where = "in namespace " + r.Namespace
	}
	name := ""
	if r.Name != "" {
		name = fmt.Sprintf(" %q", r.Name)
	}
	return fmt.Sprintf("%s %s%s %s", r.Verb, res, name, where)
}

// allowed reports whether the RBAC rules bound to u allow r, by asking whether they cover the single
// rule that r needs (Kubernetes' own covering logic).
func (o *Objects) allowed(u User, r Request) bool {
	resource := r.Resource
	if r.Subresource != "" {
		resource += "/" + r.Subresource
	}
	need := rbacv1.PolicyRule{Verbs: []string{r.Verb}, APIGroups: []string{r.APIGroup}, Resources: []string{resource}}
	if r.Name != "" {
		need.ResourceNames = []string{r.Name}
	}
	ok, _ := rbacvalidation.Covers(o.rulesFor(u, r.Namespace), []rbacv1.PolicyRule{need})
	return ok
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
