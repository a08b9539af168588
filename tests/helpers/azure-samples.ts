/** Azure sample inputs: resource IDs in the shapes the Flux Azure docs list. */
import { SourceClusterType } from "../../provider/src/core/cluster";
import { AzurePlanInput } from "../../provider/src/azure/plan";
import { AzureAccess } from "../../provider/src/azure/spec";
import { cluster } from "./samples";

export const TENANT = "00000000-0000-4000-8000-0000000000aa";
export const SUBSCRIPTION = "00000000-0000-4000-8000-000000000001";
export const RG = "flux-identities";

const rg = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${name}`;

export const SCOPES = {
    registry: `${rg("registries")}/providers/Microsoft.ContainerRegistry/registries/fleetacr`,
    container: `${rg("storage")}/providers/Microsoft.Storage/storageAccounts/fleetstore/blobServices/default/containers/manifests`,
    storageAccount: `${rg("storage")}/providers/Microsoft.Storage/storageAccounts/fleetstore`,
    vault: `${rg("security")}/providers/Microsoft.KeyVault/vaults/fleet-sops`,
    aks: `${rg("clusters")}/providers/Microsoft.ContainerService/managedClusters/remote-aks`,
    eventHub: `${rg("events")}/providers/Microsoft.EventHub/namespaces/fleet-events/eventhubs/flux`,
    resourceGroup: rg("registries"),
    subscription: `/subscriptions/${SUBSCRIPTION}`,
    managementGroup: "/providers/Microsoft.Management/managementGroups/platform",
};

/** Every Azure integration, every consuming kind. */
export function fullAzureAccess(): AzureAccess {
    return {
        acr: [{ scopes: [SCOPES.registry], usedBy: ["OCIRepository", "HelmRepository", "ImageRepository"] as never }],
        azureDevOps: [{ organization: "fleet-org", project: "platform", usedBy: ["GitRepository", "ImageUpdateAutomation", "Provider"] as never }],
        blob: [{ scopes: [SCOPES.container] }],
        keyVault: [{ scopes: [SCOPES.vault] }],
        aks: [{ clusterId: SCOPES.aks, usedBy: ["Kustomization", "HelmRelease"] as never, rbacRoles: [{ role: "Azure Kubernetes Service RBAC Writer", namespaces: ["apps"] }] }],
        eventHubs: [{ scopes: [SCOPES.eventHub] }],
    };
}

export function azureInput(type: SourceClusterType, overrides: Partial<AzurePlanInput["azure"]> = {}): AzurePlanInput {
    return {
        cluster: cluster(type),
        azure: { tenantId: TENANT, subscriptionId: SUBSCRIPTION, resourceGroupName: RG, location: "eastus", controllers: fullAzureAccess(), ...overrides },
    };
}

export function azureTenantInput(type: SourceClusterType): AzurePlanInput {
    return {
        cluster: cluster(type),
        azure: {
            tenantId: TENANT,
            subscriptionId: SUBSCRIPTION,
            resourceGroupName: RG,
            location: "eastus",
            tenants: [
                { namespace: "team-a", serviceAccount: "flux-azure", access: { acr: [{ scopes: [SCOPES.registry] }], blob: [{ scopes: [SCOPES.container] }] } },
                { namespace: "team-b", serviceAccount: "sops", access: { keyVault: [{ scopes: [SCOPES.vault] }] } },
            ],
        },
    };
}
