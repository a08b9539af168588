package main

// The registry of integrations the judge knows: for each (cloud, integration id of plan.json's
// objectSettings), how the controller reconciling a Flux kind calls Flux's auth code for a resource, and
// what the credentials it obtains must then be allowed to do there by the cloud's rules. Each cloud
// registers its integrations in its own file (aws.go, azure.go, gcp.go). To add one, see README.md.

import (
	"context"
	"fmt"
	"sort"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Flux's auth entry points, as the controllers use them.
const (
	// auth/utils GetArtifactRegistryCredentials: OCIRepository, HelmRepository (OCI), ImageRepository.
	entryRegistry = "registry"
	// auth/utils GetGitCredentials: GitRepository, ImageUpdateAutomation (through its GitRepository).
	entryGit = "git"
	// An access token for the provider's own SDK client: Bucket, notification Providers.
	entryToken = "token"
	// kustomize-controller's SOPS decryption: an access token, ServiceAccount from
	// spec.decryption.serviceAccountName or --default-decryption-service-account.
	entrySOPS = "sops"
	// auth/utils GetRESTConfig: spec.kubeConfig.configMapRef of Kustomization and HelmRelease.
	entryKubeConfig = "kubeconfig"
)

// FluxCall is how a controller calls Flux's auth code for one Flux object.
type FluxCall struct {
	Entry    string
	Provider string
	// Artifact repository (registry) or Git URL.
	URL string
	// auth.WithSTSRegion, for AWS calls whose object carries a region (Bucket spec.region, a KMS key ARN).
	Region string
	// auth.WithSTSEndpoint: a Bucket's spec.sts.endpoint (objectSettings' set).
	STSEndpoint string
	// auth.WithScopes, for Azure calls.
	Scopes []string
	// The kubeConfig ConfigMap's data (provider, cluster, address, ...).
	ConfigMap map[string]string
}

// AuthTarget is the object-level part of a call: where the Flux object lives and what it names.
type AuthTarget struct {
	Namespace          string
	ServiceAccountName string
	Region             string
	STSEndpoint        string
	Scopes             []string
	GitURL             string
	ConfigMap          string
}

// Integration is one row of the registry.
type Integration struct {
	Cloud string
	ID    string
	// Kinds maps each Flux kind using the integration to its entry point.
	Kinds map[string]string
	// Call builds the call for an object of kind reaching resource (one of the setting's resources;
	// empty for integrations without one, such as ECR Public).
	Call func(j *ClusterJudge, kind, resource string) (FluxCall, error)
	// Check returns what the run's credentials may not do on resource that Flux needs, by the cloud's
	// rules; nil when everything is allowed.
	Check func(r *Run, kind, resource string) []string
	// Drive, when set, is the controller's own code around pkg/auth for the call (a request through the
	// REST config to a remote cluster, kustomize-controller's Vault login), run instead of the entry point.
	Drive func(ctx context.Context, r *Run, call FluxCall, c client.Client, t AuthTarget) error
	// Impostor, when set, presents an impostor's token where the integration's token goes (a remote API
	// server, Vault), for controllers as for tenants.
	Impostor func(ctx context.Context, r *Run, call FluxCall, presented Subject, mutate func(*Claims)) error
}

func (i *Integration) entry(kind string) string { return i.Kinds[kind] }

var registry = map[string]*Integration{}

func register(i *Integration) {
	key := i.Cloud + "/" + i.ID
	if _, dup := registry[key]; dup {
		panic("integration registered twice: " + key)
	}
	registry[key] = i
}

func integrationFor(cloud, id string) *Integration { return registry[cloud+"/"+id] }

// registeredIntegrations lists the registry, for --list.
func registeredIntegrations() []string {
	var out []string
	for k, i := range registry {
		kinds := make([]string, 0, len(i.Kinds))
		for kind, e := range i.Kinds {
			kinds = append(kinds, kind+"→"+e)
		}
		sort.Strings(kinds)
		out = append(out, fmt.Sprintf("%s: %v", k, kinds))
	}
	sort.Strings(out)
	return out
}

func entryFor(i *Integration, kind string) (string, error) {
	e, ok := i.Kinds[kind]
	if !ok {
		return "", fmt.Errorf("the judge's %s integration %s has no Flux call for kind %s", i.Cloud, i.ID, kind)
	}
	return e, nil
}
