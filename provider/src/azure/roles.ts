/** The built-in Azure roles the Flux Azure docs recommend, and role definition IDs at a scope. */

import { ParsedScope } from "./scopes";

export interface BuiltInRole {
    readonly name: string;
    readonly id: string;
}

/** Roles from the Flux Azure docs' Authorization section. */
export const AZURE_ROLES = {
    acrPull: { name: "AcrPull", id: "7f951dda-4ed3-4680-a7ca-43fe172d538d" },
    storageBlobDataReader: { name: "Storage Blob Data Reader", id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" },
    keyVaultCryptoUser: { name: "Key Vault Crypto User", id: "12338af0-0e69-4776-bea7-57ae8d297424" },
    aksClusterUser: { name: "Azure Kubernetes Service Cluster User Role", id: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f" },
    eventHubsDataSender: { name: "Azure Event Hubs Data Sender", id: "2b629674-e913-4c01-ae53-ef4638d8f975" },
} as const satisfies Record<string, BuiltInRole>;

/** Built-in Azure RBAC roles for Kubernetes authorization on AKS. */
export const AKS_RBAC_ROLES: readonly BuiltInRole[] = [
    { name: "Azure Kubernetes Service RBAC Reader", id: "7f6c6a51-bcf8-42ba-9220-52d62157d7db" },
    { name: "Azure Kubernetes Service RBAC Writer", id: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb" },
    { name: "Azure Kubernetes Service RBAC Admin", id: "3498e952-d568-435e-9b2c-8d77e338d7f7" },
    { name: "Azure Kubernetes Service RBAC Cluster Admin", id: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b" },
];

/**
 * The role definition ID as Azure reports it for assignments at `scope`: subscription-qualified under a
 * subscription, provider-level at management groups. Matching Azure's form keeps `up` free of diffs.
 */
export function roleDefinitionId(roleId: string, scope: ParsedScope): string {
    const tail = `/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
    return scope.subscriptionId ? `/subscriptions/${scope.subscriptionId}${tail}` : tail;
}
