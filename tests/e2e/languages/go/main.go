// The brought-identity cluster of examples/yaml-byo, declared in Go through the generated SDK
// (sdk/go/fluxidentity) and the flux-identity plugin, in an inline Automation API program: no Go
// language host, no Node.js language host.
//
//	go run . <backend-url> up|destroy
//
// Prints one JSON object: the stack's outputs and the update's resource changes.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/flux-identity/flux-identity/sdk/go/fluxidentity"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func program(ctx *pulumi.Context) error {
	tenantRole := "arn:aws:iam::111122223333:role/team-a-flux"
	kind, err := fluxidentity.NewFluxWorkloadIdentity(ctx, "kind", &fluxidentity.FluxWorkloadIdentityArgs{
		Cluster: fluxidentity.SourceClusterArgsArgs{
			Name:      "kind-byo",
			Type:      fluxidentity.SourceClusterTypeGeneric,
			IssuerUrl: pulumi.String("https://kind-byo-issuer.example.com"),
		},
		Aws: &fluxidentity.AwsTargetArgsArgs{
			AccountId:        "111122223333",
			Region:           "eu-west-1",
			ExistingRoleArns: map[string]string{"source-controller": "arn:aws:iam::111122223333:role/flux-kind-source"},
			Tenants: []fluxidentity.AwsTenantArgs{{
				Namespace:       "team-a",
				ServiceAccount:  "flux-aws",
				ExistingRoleArn: &tenantRole,
				UsedBy:          []fluxidentity.FluxKind{fluxidentity.FluxKindOCIRepository, fluxidentity.FluxKindKustomization},
			}},
		},
		Azure: &fluxidentity.AzureTargetOptionsArgs{
			TenantId:          "72f988bf-86f1-41af-91ab-2d7cd011db47",
			SubscriptionId:    "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090",
			ResourceGroupName: "flux-identities",
			Location:          "westeurope",
			ExistingIdentities: map[string]fluxidentity.AzureExistingIdentityArgs{
				"source-controller": {ClientId: "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"},
			},
		},
	})
	if err != nil {
		return err
	}
	ctx.Export("kustomizationYaml", kind.KustomizationYaml)
	ctx.Export("tenantServiceAccountsYaml", kind.TenantServiceAccountsYaml)
	ctx.Export("tenantRbacYaml", kind.TenantRbacYaml)
	ctx.Export("fluxObjectsYaml", kind.FluxObjectsYaml)
	ctx.Export("awsRoleArns", kind.AwsRoleArns)
	ctx.Export("azureClientIds", kind.AzureClientIds)
	ctx.Export("warnings", kind.Warnings)
	return nil
}

type result struct {
	Outputs map[string]interface{} `json:"outputs"`
	Changes map[string]int         `json:"changes"`
}

func run(backendURL, operation string) (result, error) {
	ctx := context.Background()
	const project = "flux-identity-go-byo"
	stack, err := auto.UpsertStackInlineSource(ctx, "dev", project, program, auto.Project(workspace.Project{
		Name:    project,
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Backend: &workspace.ProjectBackend{URL: backendURL},
	}))
	if err != nil {
		return result{}, err
	}
	out := result{Outputs: map[string]interface{}{}, Changes: map[string]int{}}
	switch operation {
	case "up":
		up, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
		if err != nil {
			return out, err
		}
		for key, value := range up.Outputs {
			out.Outputs[key] = value.Value
		}
		if up.Summary.ResourceChanges != nil {
			out.Changes = *up.Summary.ResourceChanges
		}
	case "destroy":
		destroy, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
		if err != nil {
			return out, err
		}
		if destroy.Summary.ResourceChanges != nil {
			out.Changes = *destroy.Summary.ResourceChanges
		}
	default:
		return out, fmt.Errorf("unknown operation %q: up or destroy", operation)
	}
	return out, nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run . <backend-url> up|destroy")
		os.Exit(2)
	}
	out, err := run(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
