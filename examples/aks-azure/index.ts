/**
 * An existing AKS cluster's Flux reaches an Azure Container Registry, a Key Vault key for SOPS and a blob
 * container through Azure Workload Identity, at controller level. The issuer comes from the AKS API as an
 * output; flux-identity validates it once it resolves, before creating anything.
 */
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { FluxWorkloadIdentity } from "flux-identity";
import { FluxWorkloadIdentity } from "../../provider/src/workload-identity";
// In your own project: import { FluxKind, SourceClusterType } from "flux-identity/core";
import { FluxKind, SourceClusterType } from "../../provider/src/core";

const config = new pulumi.Config();

// The cluster: looked up in Azure. Its OIDC issuer and the workload identity webhook must be enabled
// (`az aks update --enable-oidc-issuer --enable-workload-identity`).
const clusterName = config.require("clusterName");
const aks = containerservice.getManagedClusterOutput({ resourceGroupName: config.require("clusterResourceGroup"), resourceName: clusterName });
const issuerUrl = aks.apply((c) => {
    if (!c.oidcIssuerProfile?.enabled || !c.oidcIssuerProfile.issuerURL) {
        throw new Error(`AKS cluster ${clusterName} has no OIDC issuer: run \`az aks update --enable-oidc-issuer\` first.`);
    }
    if (!c.securityProfile?.workloadIdentity?.enabled) {
        throw new Error(`AKS cluster ${clusterName} does not run the workload identity webhook: run \`az aks update --enable-workload-identity\` first.`);
    }
    return c.oidcIssuerProfile.issuerURL;
});

// Plain values shape the identities and role assignments; they are validated before anything is created.
const flux = new FluxWorkloadIdentity("flux", {
    cluster: { name: clusterName, type: SourceClusterType.Aks, issuerUrl },
    azure: {
        tenantId: config.require("tenantId"),
        subscriptionId: config.require("subscriptionId"),
        // Where the managed identities live (the resource group must exist).
        resourceGroupName: config.require("identityResourceGroup"),
        location: config.require("location"),
        controllers: {
            // AcrPull on the registry, for source-controller and image-reflector-controller.
            acr: [{ scopes: [config.require("acrId")], usedBy: [FluxKind.OCIRepository, FluxKind.HelmRepository, FluxKind.ImageRepository] }],
            // Key Vault Crypto User on the vault holding the SOPS key, for kustomize-controller.
            keyVault: [{ scopes: [config.require("keyVaultId")] }],
            // Storage Blob Data Reader on one container, for source-controller's Buckets.
            blob: [{ scopes: [config.require("blobContainerId")] }],
        },
        tags: { team: "platform" },
    },
});

export { issuerUrl };
/** Managed identity client ID per controller. */
export const clientIds = flux.azureClientIds;
/** Commit this as clusters/<name>/flux-system/kustomization.yaml next to gotk-components.yaml. */
export const kustomizationYaml = flux.kustomizationYaml;
/** What each Flux object sets (`spec.provider: azure`). */
export const objectSettings = flux.objectSettings;
export const notes = flux.warnings;
