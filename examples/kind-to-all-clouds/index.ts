/**
 * A kind (or any self-managed) cluster whose ServiceAccount issuer is published on a public URL: its
 * source-controller pulls OCI artifacts and Helm charts from Amazon ECR, Azure Container Registry and
 * Google Artifact Registry at once, at controller level. The three clouds' patches merge into one
 * kustomization.yaml, with one projected token volume carrying a token per cloud.
 */
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { FluxWorkloadIdentity } from "flux-identity";
import { FluxWorkloadIdentity } from "../../provider/src/workload-identity";
// In your own project: import { FluxKind, SourceClusterType } from "flux-identity/core";
import { FluxKind, SourceClusterType } from "../../provider/src/core";

const config = new pulumi.Config();
const clusterName = config.get("clusterName") ?? "kind";
// The issuer the cluster's API server signs tokens with (--service-account-issuer), published with its
// JWKS where AWS, Azure and GCP can fetch them. May be an output of the stack that publishes it.
const issuerUrl = config.require("issuerUrl");

const usedBy = [FluxKind.OCIRepository, FluxKind.HelmRepository];

// Plain values shape the identities and grants; every cloud is validated before anything is created.
const flux = new FluxWorkloadIdentity("flux", {
    cluster: { name: clusterName, type: SourceClusterType.Generic, issuerUrl },
    aws: {
        accountId: config.require("awsAccountId"),
        region: config.require("awsRegion"),
        // An IAM OIDC provider for the issuer is created unless one exists already.
        oidcProviderArn: config.get("awsOidcProviderArn"),
        controllers: { ecr: [{ repositoryArns: [config.require("ecrRepositoryArn")], usedBy }] },
    },
    azure: {
        tenantId: config.require("azureTenantId"),
        subscriptionId: config.require("azureSubscriptionId"),
        resourceGroupName: config.require("azureIdentityResourceGroup"),
        location: config.require("azureLocation"),
        controllers: { acr: [{ scopes: [config.require("acrId")], usedBy }] },
    },
    gcp: {
        projectId: config.require("gcpProjectId"),
        projectNumber: config.require("gcpProjectNumber"),
        // A Workload Identity pool and provider for the issuer are created in gcpProjectId.
        controllers: { gar: [{ repositories: [config.require("garRepository")], usedBy }] },
    },
});

export const awsRoleArns = flux.awsRoleArns;
export const azureClientIds = flux.azureClientIds;
export const gcpWorkloadIdentityProvider = flux.targets().gcp?.workloadIdentityProvider;
/** Commit this as clusters/<name>/flux-system/kustomization.yaml next to gotk-components.yaml. */
export const kustomizationYaml = flux.kustomizationYaml;
/** What each Flux object sets (`spec.provider: aws | azure | gcp`). */
export const objectSettings = flux.objectSettings;
export const notes = flux.warnings;
