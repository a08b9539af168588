package main

// A controller's pod as the kubelet would start it from the built Deployment: its environment, and the
// files its volume mounts hold (projected ServiceAccount tokens minted with the volume's audience,
// ConfigMap keys). On EKS and AKS the cloud's admission webhook mutates the pod first, as documented:
//
//   - EKS IRSA (amazon-eks-pod-identity-webhook): for a ServiceAccount annotated
//     eks.amazonaws.com/role-arn, env AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_REGION,
//     AWS_DEFAULT_REGION, AWS_STS_REGIONAL_ENDPOINTS and a token for eks.amazonaws.com/audience
//     (default sts.amazonaws.com) at /var/run/secrets/eks.amazonaws.com/serviceaccount/token.
//   - EKS Pod Identity: for a ServiceAccount with a Pod Identity association, env
//     AWS_CONTAINER_CREDENTIALS_FULL_URI (the agent on 169.254.170.23) and
//     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE with a pods.eks.amazonaws.com token.
//   - AKS (Azure Workload Identity webhook): for a pod labelled azure.workload.identity/use: "true",
//     env AZURE_CLIENT_ID and AZURE_TENANT_ID from the ServiceAccount's annotations (the tenant
//     defaulting to the cluster's), AZURE_AUTHORITY_HOST, AZURE_FEDERATED_TOKEN_FILE and an
//     api://AzureADTokenExchange token at /var/run/secrets/azure/tokens/azure-identity-token.
//
// The pod's files live under a temporary root; env values and credential files that name a mounted
// path are rewritten to the same path under that root, so a path outside every mount stays missing.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

type Pod struct {
	Controller     string
	ServiceAccount *corev1.ServiceAccount
	Args           []string
	Env            map[string]string
	Root           string
	// What the cloud webhooks injected, for the report.
	Injected []string
}

type mount struct {
	path   string
	volume corev1.Volume
	items  map[string]string // file name -> content
}

// TokenFor mints the token a projected volume holds; negatives replace it to present another subject,
// audience or issuer.
type TokenFor func(sa *corev1.ServiceAccount, audience string, ttlSeconds int64) string

const (
	irsaTokenDir        = "/var/run/secrets/eks.amazonaws.com/serviceaccount"
	podIdentityTokenDir = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"
	azureTokenDir       = "/var/run/secrets/azure/tokens"
	kubeTokenDir        = "/var/run/secrets/kubernetes.io/serviceaccount"
	podIdentityAgent    = "169.254.170.23"
)

var eksIssuerRegion = regexp.MustCompile(`^https://oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/id/`)
var aksIssuerTenant = regexp.MustCompile(`^https://[^/]+/([0-9a-fA-F-]{36})/`)

func (j *ClusterJudge) buildPod(controller string, token TokenFor) (*Pod, error) {
	ns := j.plan.Flux.Namespace
	d := j.objects.deployment(ns, controller)
	if d == nil {
		return nil, fmt.Errorf("the build has no Deployment %s/%s", ns, controller)
	}
	spec := d.Spec.Template.Spec
	if len(spec.Containers) == 0 {
		return nil, fmt.Errorf("Deployment %s/%s has no containers", ns, controller)
	}
	c := spec.Containers[0]
	saName := spec.ServiceAccountName
	if saName == "" {
		saName = "default"
	}
	sa := j.objects.serviceAccount(ns, saName)
	if sa == nil {
		return nil, fmt.Errorf("Deployment %s/%s runs as ServiceAccount %s, which the build does not hold", ns, controller, saName)
	}
	root, err := os.MkdirTemp(j.tmp, controller+"-")
	if err != nil {
		return nil, err
	}
	pod := &Pod{Controller: controller, ServiceAccount: sa, Args: append([]string(nil), c.Args...), Env: map[string]string{}, Root: root}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			pod.Env[e.Name] = e.Value
		}
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	mounts := []corev1.VolumeMount{{Name: "kube-api-access", MountPath: kubeTokenDir, ReadOnly: true}}
	volumes["kube-api-access"] = projectedToken("kube-api-access", "token", "", 3607)
	mounts = append(mounts, c.VolumeMounts...)
	labels := d.Spec.Template.Labels

	// The clouds' admission webhooks, by cluster type.
	switch j.plan.Cluster.Type {
	case "eks":
		region := ""
		if m := eksIssuerRegion.FindStringSubmatch(j.plan.Cluster.IssuerURL); m != nil {
			region = m[1]
		}
		if arn := sa.Annotations["eks.amazonaws.com/role-arn"]; arn != "" {
			audience := sa.Annotations["eks.amazonaws.com/audience"]
			if audience == "" {
				audience = "sts.amazonaws.com"
			}
			setDefault(pod.Env, "AWS_ROLE_ARN", arn)
			setDefault(pod.Env, "AWS_WEB_IDENTITY_TOKEN_FILE", irsaTokenDir+"/token")
			setDefault(pod.Env, "AWS_STS_REGIONAL_ENDPOINTS", "regional")
			setDefault(pod.Env, "AWS_DEFAULT_REGION", region)
			setDefault(pod.Env, "AWS_REGION", region)
			volumes["aws-iam-token"] = projectedToken("aws-iam-token", "token", audience, 86400)
			mounts = append(mounts, corev1.VolumeMount{Name: "aws-iam-token", MountPath: irsaTokenDir, ReadOnly: true})
			pod.Injected = append(pod.Injected, "EKS IRSA webhook: AWS_ROLE_ARN, a "+audience+" token")
		}
		if j.aws != nil && j.aws.podIdentityAssociation(sa.Namespace, sa.Name) != nil {
			setDefault(pod.Env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://"+podIdentityAgent+"/v1/credentials")
			setDefault(pod.Env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", podIdentityTokenDir+"/eks-pod-identity-token")
			setDefault(pod.Env, "AWS_STS_REGIONAL_ENDPOINTS", "regional")
			setDefault(pod.Env, "AWS_DEFAULT_REGION", region)
			setDefault(pod.Env, "AWS_REGION", region)
			volumes["eks-pod-identity-token"] = projectedToken("eks-pod-identity-token", "eks-pod-identity-token", "pods.eks.amazonaws.com", 86400)
			mounts = append(mounts, corev1.VolumeMount{Name: "eks-pod-identity-token", MountPath: podIdentityTokenDir, ReadOnly: true})
			pod.Injected = append(pod.Injected, "EKS Pod Identity webhook: the agent's URI, a pods.eks.amazonaws.com token")
		}
	case "aks":
		if labels["azure.workload.identity/use"] == "true" {
			tenant := sa.Annotations["azure.workload.identity/tenant-id"]
			if tenant == "" {
				if m := aksIssuerTenant.FindStringSubmatch(j.plan.Cluster.IssuerURL); m != nil {
					tenant = m[1]
				}
			}
			if id := sa.Annotations["azure.workload.identity/client-id"]; id != "" {
				setDefault(pod.Env, "AZURE_CLIENT_ID", id)
			}
			setDefault(pod.Env, "AZURE_TENANT_ID", tenant)
			setDefault(pod.Env, "AZURE_FEDERATED_TOKEN_FILE", azureTokenDir+"/azure-identity-token")
			setDefault(pod.Env, "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/")
			volumes["azure-identity-token"] = projectedToken("azure-identity-token", "azure-identity-token", "api://AzureADTokenExchange", 3600)
			mounts = append(mounts, corev1.VolumeMount{Name: "azure-identity-token", MountPath: azureTokenDir, ReadOnly: true})
			pod.Injected = append(pod.Injected, "Azure Workload Identity webhook: AZURE_CLIENT_ID "+sa.Annotations["azure.workload.identity/client-id"]+", an api://AzureADTokenExchange token")
		}
	}

	// Endpoints a pod reaches by link-local addresses that Go clients dial directly: the node's
	// metadata servers and the EKS Pod Identity Agent are the judge's fake endpoint.
	pod.Env["GCE_METADATA_HOST"] = j.net.addr()
	pod.Env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://" + j.net.addr() + "/"
	if v, ok := pod.Env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]; ok {
		pod.Env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = strings.Replace(v, "http://"+podIdentityAgent, "http://"+j.net.addr(), 1)
	}
	pod.Env["HOME"] = filepath.Join(root, "home")
	if err := os.MkdirAll(pod.Env["HOME"], 0o700); err != nil {
		return nil, err
	}

	// Files of every mount.
	var all []mount
	for _, m := range mounts {
		v, ok := volumes[m.Name]
		if !ok {
			return nil, fmt.Errorf("Deployment %s/%s mounts volume %q, which the pod does not define", ns, controller, m.Name)
		}
		files, err := j.volumeFiles(v, sa, token)
		if err != nil {
			return nil, fmt.Errorf("Deployment %s/%s volume %q: %w", ns, controller, m.Name, err)
		}
		all = append(all, mount{path: m.MountPath, volume: v, items: files})
	}
	sort.SliceStable(all, func(a, b int) bool { return len(all[a].path) < len(all[b].path) })
	for _, m := range all {
		for name, content := range m.items {
			file := filepath.Join(root, m.path, name)
			if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(file, []byte(rewriteCredentialFile(content, root, all)), 0o600); err != nil {
				return nil, err
			}
		}
	}
	for k, v := range pod.Env {
		pod.Env[k] = underRoot(v, root, all)
	}
	return pod, nil
}

func setDefault(env map[string]string, k, v string) {
	if _, ok := env[k]; !ok {
		env[k] = v
	}
}

func projectedToken(name, path, audience string, ttl int64) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{
		ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: path, Audience: audience, ExpirationSeconds: &ttl},
	}}}}}
}

func (j *ClusterJudge) volumeFiles(v corev1.Volume, sa *corev1.ServiceAccount, token TokenFor) (map[string]string, error) {
	files := map[string]string{}
	fromConfigMap := func(name string, items []corev1.KeyToPath, optional *bool) error {
		cm := j.objects.configMap(j.plan.Flux.Namespace, name)
		if cm == nil {
			if optional != nil && *optional {
				return nil
			}
			return fmt.Errorf("ConfigMap %s/%s is not in the build", j.plan.Flux.Namespace, name)
		}
		if len(items) == 0 {
			for k, val := range cm.Data {
				files[k] = val
			}
			return nil
		}
		for _, it := range items {
			val, ok := cm.Data[it.Key]
			if !ok {
				return fmt.Errorf("ConfigMap %s has no key %q", name, it.Key)
			}
			files[it.Path] = val
		}
		return nil
	}
	switch {
	case v.Projected != nil:
		for _, src := range v.Projected.Sources {
			switch {
			case src.ServiceAccountToken != nil:
				t := src.ServiceAccountToken
				ttl := int64(3600)
				if t.ExpirationSeconds != nil {
					ttl = *t.ExpirationSeconds
				}
				audience := t.Audience
				files[t.Path] = token(sa, audience, ttl)
			case src.ConfigMap != nil:
				if err := fromConfigMap(src.ConfigMap.Name, src.ConfigMap.Items, src.ConfigMap.Optional); err != nil {
					return nil, err
				}
			}
		}
	case v.ConfigMap != nil:
		if err := fromConfigMap(v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.Optional); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// underRoot maps an absolute path inside a mount to the same path under the pod's root.
func underRoot(value, root string, mounts []mount) string {
	if !strings.HasPrefix(value, "/") {
		return value
	}
	for _, m := range mounts {
		if value == m.path || strings.HasPrefix(value, strings.TrimSuffix(m.path, "/")+"/") {
			return filepath.Join(root, value)
		}
	}
	return value
}

// rewriteCredentialFile maps the token path of a GCP external-account credential configuration.
func rewriteCredentialFile(content, root string, mounts []mount) string {
	var doc map[string]any
	if json.Unmarshal([]byte(content), &doc) != nil {
		return content
	}
	src, ok := doc["credential_source"].(map[string]any)
	if !ok {
		return content
	}
	file, ok := src["file"].(string)
	if !ok {
		return content
	}
	src["file"] = underRoot(file, root, mounts)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return content
	}
	return string(out)
}

// apply replaces the process environment with the pod's.
func (p *Pod) apply() {
	os.Clearenv()
	for k, v := range p.Env {
		os.Setenv(k, v)
	}
}
