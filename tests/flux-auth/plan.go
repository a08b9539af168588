package main

// plan.json as the judge reads it: what `flux-identity render` says exists in each cloud (resources with
// their exact arguments) and what each Flux object must set to reach which resources (objectSettings).
// The judge treats it as the clouds' state: a trust policy, federated credential or IAM member that is
// not in the plan does not exist.

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type Plan struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Cluster    PlanCluster `json:"cluster"`
	Flux       PlanFlux    `json:"flux"`
	AWS        *AWSPlan    `json:"aws"`
	Azure      *AzurePlan  `json:"azure"`
	GCP        *GCPPlan    `json:"gcp"`
	// Remote clusters over plain OIDC (kubernetes.go) and Vault SOPS logins (vault.go).
	Kubernetes *KubernetesPlan `json:"kubernetes"`
	Vault      *VaultPlan      `json:"vault"`
}

type PlanCluster struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	IssuerURL string `json:"issuerUrl"`
	// EKS clusters: the cluster's name in EKS (Pod Identity associations and access entries name it).
	EKSClusterName string `json:"eksClusterName"`
}

type PlanFlux struct {
	Namespace string `json:"namespace"`
	// Flux minor version the render targets ("2.9", "2.10"); absent means 2.9.
	Version        string          `json:"version"`
	ObjectSettings []ObjectSetting `json:"objectSettings"`
}

// ObjectSetting is what one kind of Flux object sets to use one integration, at controller level or
// for one tenant ServiceAccount, and the resources it reaches there.
type ObjectSetting struct {
	Cloud              string            `json:"cloud"`
	Integration        string            `json:"integration"`
	Kind               string            `json:"kind"`
	Level              string            `json:"level"`
	Namespace          string            `json:"namespace"`
	ServiceAccountName string            `json:"serviceAccountName"`
	Resource           string            `json:"resource"`
	Resources          []string          `json:"resources"`
	Set                map[string]string `json:"set"`
}

type Resource struct {
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	Properties map[string]any `json:"properties"`
}

func (r Resource) str(key string) string {
	v, _ := r.Properties[key].(string)
	return v
}

func (r Resource) strs(key string) []string {
	var out []string
	if list, ok := r.Properties[key].([]any); ok {
		for _, v := range list {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// ref resolves a property that is either a literal or a {"$ref": <resource>, "output": <name>} output
// reference, as "<resource>.<output>".
func (r Resource) ref(key string) string {
	switch v := r.Properties[key].(type) {
	case string:
		return v
	case map[string]any:
		name, _ := v["$ref"].(string)
		out, _ := v["output"].(string)
		return name + "." + out
	}
	return ""
}

func (r Resource) object(key string) map[string]any {
	v, _ := r.Properties[key].(map[string]any)
	return v
}

type AWSPlan struct {
	Partition  string        `json:"partition"`
	AccountID  string        `json:"accountId"`
	Region     string        `json:"region"`
	AuthMethod string        `json:"authMethod"`
	Identities []AWSIdentity `json:"identities"`
	Resources  []Resource    `json:"resources"`
	External   []Resource    `json:"external"`
	// The STS endpoint the render points Flux's exchanges at, when not the regional public one (a VPC
	// endpoint, FIPS).
	STSEndpoint string `json:"stsEndpoint"`
	// What the owners of identities flux-identity does not own must apply (trust statements, OIDC
	// providers, associations, permissions).
	BroughtIdentities []BroughtRequirement `json:"broughtIdentities"`
}

type AWSIdentity struct {
	Key         string   `json:"key"`
	Created     bool     `json:"created"`
	RoleArn     string   `json:"roleArn"`
	Controllers []string `json:"controllers"`
	Tenant      string   `json:"tenant"`
}

type AzurePlan struct {
	TenantID       string          `json:"tenantId"`
	SubscriptionID string          `json:"subscriptionId"`
	Cloud          string          `json:"cloud"`
	Identities     []AzureIdentity `json:"identities"`
	Resources      []Resource      `json:"resources"`
	DevOps         []AzureDevOps   `json:"azureDevOpsOnboarding"`
	// The federated credentials brought identities must hold.
	BroughtIdentities []BroughtRequirement `json:"broughtIdentities"`
}

type AzureIdentity struct {
	Key         string   `json:"key"`
	Created     bool     `json:"created"`
	Name        string   `json:"name"`
	ClientID    string   `json:"clientId"`
	Controllers []string `json:"controllers"`
	Tenants     []string `json:"tenants"`
}

type AzureDevOps struct {
	IdentityKey  string `json:"identityKey"`
	ClientID     string `json:"clientId"`
	Organization string `json:"organization"`
	Project      string `json:"project"`
	Group        string `json:"group"`
}

type GCPPlan struct {
	ProjectID                string            `json:"projectId"`
	ProjectNumber            string            `json:"projectNumber"`
	WorkloadIdentityProvider string            `json:"workloadIdentityProvider"`
	Identities               []GCPIdentity     `json:"identities"`
	Principals               map[string]string `json:"principals"`
	Resources                []Resource        `json:"resources"`
	RemoteClusterRBACYAML    string            `json:"remoteClusterRbacYaml"`
	// The roles/iam.workloadIdentityUser members brought GSAs must hold.
	BroughtIdentities []BroughtRequirement `json:"broughtIdentities"`
}

type GCPIdentity struct {
	Key                 string   `json:"key"`
	Mode                string   `json:"mode"`
	ServiceAccountEmail string   `json:"serviceAccountEmail"`
	Member              string   `json:"member"`
	Principals          []string `json:"kubernetesPrincipals"`
	Serves              struct {
		Controllers []string `json:"controllers"`
		Tenant      *struct {
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
		} `json:"tenant"`
	} `json:"serves"`
}

// BroughtRequirement is one thing that must exist on the cloud side for an identity the plan does not
// own. The judge takes the brought side as configured exactly so: these are the clouds' state for it.
type BroughtRequirement struct {
	Cloud       string   `json:"cloud"`
	IdentityKey string   `json:"identityKey"`
	Identity    string   `json:"identity"`
	Controllers []string `json:"controllers"`
	Tenant      string   `json:"tenant"`
	Kind        string   `json:"kind"`
	Resource    string   `json:"resource"`
	// JSON: a policy, a list of statements, or the kind's own fields.
	Document string `json:"document"`
	// Whether flux-identity applies it itself (then it is in the plan's resources too).
	Managed bool `json:"managed"`
}

// decode reads the requirement's document into v.
func (b BroughtRequirement) decode(v any) error {
	if err := json.Unmarshal([]byte(b.Document), v); err != nil {
		return fmt.Errorf("broughtIdentities %s %s: document is not JSON: %w", b.Kind, b.Resource, err)
	}
	return nil
}

// requirements lists the requirements of one kind on one resource.
func requirements(list []BroughtRequirement, kind, resource string) []BroughtRequirement {
	var out []BroughtRequirement
	for _, b := range list {
		if b.Kind == kind && (resource == "" || b.Resource == resource) {
			out = append(out, b)
		}
	}
	return out
}

func loadPlan(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: not a plan document: %w", path, err)
	}
	if p.Kind != "ClusterPlan" || !strings.HasPrefix(p.APIVersion, "flux-identity/") {
		return nil, fmt.Errorf("%s: kind %q, apiVersion %q: not a flux-identity ClusterPlan", path, p.Kind, p.APIVersion)
	}
	if p.Cluster.IssuerURL == "" {
		return nil, fmt.Errorf("%s: cluster.issuerUrl is empty", path)
	}
	if p.Flux.Namespace == "" {
		p.Flux.Namespace = "flux-system"
	}
	return &p, nil
}

// fluxVersionOf is the Flux minor version a plan targets.
func (p *Plan) fluxVersionOf() string {
	if p.Flux.Version == "" {
		return "2.9"
	}
	return p.Flux.Version
}

func resourcesOfType(list []Resource, typ string) []Resource {
	var out []Resource
	for _, r := range list {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// kubeConfigData is the kubeConfig ConfigMap's data as the plan's objectSettings tell users to write it
// for kind on a remote cluster (provider, cluster, address, ca.crt, audiences; the tenant's
// serviceAccountName is the run's), else the provider and cluster alone.
func (p *Plan) kubeConfigData(cloud, kind, resource string) map[string]string {
	for _, s := range p.Flux.ObjectSettings {
		if s.Cloud != cloud || s.Kind != kind || firstResource(s) != resource {
			continue
		}
		cm := map[string]string{}
		for key, v := range s.Set {
			if name, ok := strings.CutPrefix(key, "configMap."); ok && name != "serviceAccountName" {
				cm[name] = v
			}
		}
		if len(cm) > 0 {
			return cm
		}
	}
	return map[string]string{"provider": cloud, "cluster": resource}
}

// settingResources lists the resources a setting reaches (remote clusters name one in `resource`).
func (s ObjectSetting) settingResources() []string {
	if len(s.Resources) > 0 {
		return s.Resources
	}
	if s.Resource != "" {
		return []string{s.Resource}
	}
	return nil
}
