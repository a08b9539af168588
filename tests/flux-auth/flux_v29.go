//go:build !flux210

package main

// Flux v2.9: github.com/fluxcd/pkg/auth v0.54.3, called as the v2.9 controllers call it. This file and
// flux_v210.go are the only parts that differ between the two builds.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/auth"
	awsauth "github.com/fluxcd/pkg/auth/aws"
	azureauth "github.com/fluxcd/pkg/auth/azure"
	gcpauth "github.com/fluxcd/pkg/auth/gcp"
	"github.com/fluxcd/pkg/auth/generic"
	authutils "github.com/fluxcd/pkg/auth/utils"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	fluxVersion       = "2.9"
	authModuleVersion = "github.com/fluxcd/pkg/auth v0.54.3"
	// Flux's install (crd-controller ClusterRole, v2.7 to v2.9) lets every controller create any
	// ServiceAccount's token.
	installGrantsTokens = true
)

// podStarted: v2.9's generic provider reads the controller's own token at its fixed path
// (tokenmount_linux.go places it there).
func podStarted(root string) { placeControllerToken(root) }

// controllerTokenAtFixedPath: the generic provider reads /var/run/secrets/kubernetes.io/serviceaccount/token
// with os.ReadFile (generic.implementation), so the worker needs that path to hold the pod's token.
const controllerTokenAtFixedPath = true

// resetFluxState clears the process-wide switches a controller's main sets from its flags.
func resetFluxState() {
	auth.DisableObjectLevelWorkloadIdentity()
	auth.SetDefaultServiceAccount("")
	auth.SetDefaultKubeConfigServiceAccount("")
	auth.SetDefaultDecryptionServiceAccount("")
}

// configureController applies a controller's flags as its main does, and fails as it would at start-up.
func configureController(controller string, args []string) error {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--feature-gates="); ok {
			for _, g := range strings.Split(v, ",") {
				if g == auth.FeatureGateObjectLevelWorkloadIdentity+"=true" {
					auth.EnableObjectLevelWorkloadIdentity()
				}
			}
		}
	}
	// kustomize- and helm-controller use --default-service-account for Kubernetes impersonation, not
	// for workload identity.
	if controller != "kustomize-controller" && controller != "helm-controller" {
		auth.SetDefaultServiceAccount(flagValue(args, "--"+auth.ControllerFlagDefaultServiceAccount))
	}
	auth.SetDefaultKubeConfigServiceAccount(flagValue(args, "--"+auth.ControllerFlagDefaultKubeConfigServiceAccount))
	auth.SetDefaultDecryptionServiceAccount(flagValue(args, "--"+auth.ControllerFlagDefaultDecryptionServiceAccount))
	if auth.InconsistentObjectLevelConfiguration() {
		return auth.ErrInconsistentObjectLevelConfiguration
	}
	return nil
}

func objectOptions(c client.Client, t AuthTarget) []auth.Option {
	opts := []auth.Option{auth.WithClient(c), auth.WithServiceAccountNamespace(t.Namespace)}
	if t.ServiceAccountName != "" {
		opts = append(opts, auth.WithServiceAccountName(t.ServiceAccountName))
	}
	if t.Region != "" {
		opts = append(opts, auth.WithSTSRegion(t.Region))
	}
	if t.STSEndpoint != "" {
		opts = append(opts, auth.WithSTSEndpoint(t.STSEndpoint))
	}
	if len(t.Scopes) > 0 {
		opts = append(opts, auth.WithScopes(t.Scopes...))
	}
	return opts
}

// source-controller (OCIRepository) and image-reflector-controller: registry credentials, then a login.
func fluxRegistryCredentials(ctx context.Context, provider, repository string, c client.Client, t AuthTarget) error {
	if t.ServiceAccountName != "" && !auth.IsObjectLevelWorkloadIdentityEnabled() {
		return fmt.Errorf("to use spec.serviceAccountName for provider authentication please enable the %s feature gate in the controller", auth.FeatureGateObjectLevelWorkloadIdentity)
	}
	authenticator, err := authutils.GetArtifactRegistryCredentials(ctx, provider, repository, objectOptions(c, t)...)
	if err != nil {
		return err
	}
	_, err = authenticator.Authorization()
	return err
}

// source-controller (GitRepository) and image-automation-controller.
func fluxGitCredentials(ctx context.Context, provider string, c client.Client, t AuthTarget) error {
	u, err := url.Parse(t.GitURL)
	if err != nil {
		return err
	}
	opts := append(objectOptions(c, t), auth.WithGitURL(*u))
	_, err = authutils.GetGitCredentials(ctx, provider, opts...)
	return err
}

// The SDK clients of Bucket, SOPS and notification Providers take a credentials provider, a token
// source or a token credential built from the auth options.
func fluxAccessToken(ctx context.Context, provider string, c client.Client, t AuthTarget) error {
	opts := objectOptions(c, t)
	switch provider {
	case awsauth.ProviderName:
		_, err := awsauth.NewCredentialsProvider(ctx, opts...).Retrieve(ctx)
		return err
	case azureauth.ProviderName:
		_, err := azureauth.NewTokenCredential(ctx, opts...).GetToken(ctx, policy.TokenRequestOptions{Scopes: t.Scopes})
		return err
	case gcpauth.ProviderName:
		_, err := gcpauth.NewTokenSource(ctx, opts...).Token()
		return err
	}
	return fmt.Errorf("no access token provider %q", provider)
}

// kustomize- and helm-controller: spec.kubeConfig.configMapRef.
func fluxRESTConfig(ctx context.Context, c client.Client, t AuthTarget) (*rest.Config, error) {
	ref := meta.KubeConfigReference{ConfigMapRef: &meta.LocalObjectReference{Name: t.ConfigMap}}
	conf, err := authutils.GetRESTConfig(ctx, ref, t.Namespace, c)
	if err != nil {
		return nil, err
	}
	if conf.Host == "" {
		return nil, errors.New("the REST config has no host")
	}
	return conf, nil
}

// fluxClusterAudiences is the token audience the provider asks for a kubeConfig ConfigMap (the generic
// provider: its audiences, else the address).
func fluxClusterAudiences(call FluxCall) ([]string, error) {
	p, err := authutils.ProviderByName[auth.RESTConfigProvider](call.Provider)
	if err != nil {
		return nil, err
	}
	opts := []auth.Option{auth.WithClusterAddress(call.ConfigMap[meta.KubeConfigKeyAddress])}
	if a := splitAudiences(call.ConfigMap[meta.KubeConfigKeyAudiences]); len(a) > 0 {
		opts = append(opts, auth.WithAudiences(a...))
	}
	sets, err := p.GetAccessTokenOptionsForCluster(opts...)
	if err != nil || len(sets) == 0 {
		return nil, fmt.Errorf("no access token options for the cluster: %v", err)
	}
	var o auth.Options
	o.Apply(sets[0]...)
	return o.Audiences, nil
}

// fluxServiceAccountToken is kustomize-controller's Vault token (internal/decryptor): GetAccessToken
// with the generic provider for the decryption ServiceAccount, else the controller's own, for audience.
func fluxServiceAccountToken(ctx context.Context, c client.Client, t AuthTarget, audience string) (string, error) {
	opts := []auth.Option{auth.WithClient(c)}
	if t.ServiceAccountName != "" {
		opts = append(opts, auth.WithServiceAccountName(t.ServiceAccountName), auth.WithServiceAccountNamespace(t.Namespace))
	}
	opts = append(opts, auth.WithAudiences(audience))
	token, err := auth.GetAccessToken(ctx, generic.Provider{}, opts...)
	if err != nil {
		return "", fmt.Errorf("failed to issue Kubernetes token for Vault authentication: %w", err)
	}
	jwt, ok := token.(*generic.Token)
	if !ok {
		return "", fmt.Errorf("unexpected token type %T for Vault authentication", token)
	}
	return jwt.Token, nil
}

func providerByName(name string) (auth.Provider, error) {
	return authutils.ProviderByName[auth.Provider](name)
}

// fluxAudiences is what Flux asks the API server to put in a tenant's token for the call.
func fluxAudiences(call FluxCall, sa corev1.ServiceAccount) ([]string, error) {
	p, err := providerByName(call.Provider)
	if err != nil {
		return nil, err
	}
	return p.GetAudiences(context.Background(), sa)
}

// fluxExchange hands a ServiceAccount token to the provider's exchange, as GetAccessToken does after
// the TokenRequest, with the options the entry point adds for the call (the registry's or CodeCommit's
// region, the remote cluster's).
func fluxExchange(ctx context.Context, call FluxCall, token string, sa corev1.ServiceAccount, t AuthTarget) error {
	p, err := providerByName(call.Provider)
	if err != nil {
		return err
	}
	var opts []auth.Option
	if t.Region != "" {
		opts = append(opts, auth.WithSTSRegion(t.Region))
	}
	if t.STSEndpoint != "" {
		opts = append(opts, auth.WithSTSEndpoint(t.STSEndpoint))
	}
	if len(t.Scopes) > 0 {
		opts = append(opts, auth.WithScopes(t.Scopes...))
	}
	switch call.Entry {
	case entryRegistry:
		if rp, ok := p.(auth.ArtifactRegistryCredentialsProvider); ok {
			extra, err := rp.GetAccessTokenOptionsForArtifactRepository(call.URL)
			if err != nil {
				return err
			}
			opts = append(opts, extra...)
		}
	case entryGit:
		u, err := url.Parse(call.URL)
		if err != nil {
			return err
		}
		if gp, ok := p.(auth.GitCredentialsProvider); ok {
			extra, err := gp.GetAccessTokenOptionsForGitRepository(u)
			if err != nil {
				return err
			}
			opts = append(opts, extra...)
		}
	case entryKubeConfig:
		if cp, ok := p.(auth.RESTConfigProvider); ok {
			sets, err := cp.GetAccessTokenOptionsForCluster(auth.WithClusterResource(call.ConfigMap["cluster"]))
			if err != nil {
				return err
			}
			if len(sets) > 0 {
				opts = append(opts, sets[0]...)
			}
		}
	}
	_, err = p.NewTokenForServiceAccount(ctx, token, sa, opts...)
	return err
}
