/**
 * Grants: what Flux must reach in Azure, validated, as role assignments at scopes (the roles the Flux
 * Azure docs recommend), plus Azure DevOps organizations, which have their own access control.
 */

import { REMOTE_CLUSTER_ENDPOINT_FIELDS, RemoteClusterEndpoint, endpointConfigMapKeys, endpointIsComplete, resolveRemoteClusterEndpoint } from "../core/remote-cluster";
import { Cloud, FluxKind, integrationsOf } from "../core/catalog";
import { checkKnownFields, checkMap, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { checkNamespace } from "../core/kubernetes";
import { resolveUsedBy } from "../core/used-by";
import { isGuid } from "./ids";
import { AKS_RBAC_ROLES, AZURE_ROLES, BuiltInRole } from "./roles";
import { ParsedScope, ScopeResourceType, checkScope, parseScope, resourceType } from "./scopes";

export type AzureService = "acr" | "azureDevOps" | "blob" | "keyVault" | "aks" | "eventHubs";

/** One role at one scope. */
export interface AzureRoleGrant {
    readonly scope: ParsedScope;
    readonly role: BuiltInRole;
}

export interface AzureDevOpsGrant {
    readonly organization: string;
    readonly project: string;
}

/** One validated entry of an access list. */
export interface AzureGrant {
    readonly service: AzureService;
    readonly kinds: readonly FluxKind[];
    readonly roles: readonly AzureRoleGrant[];
    /** The resources as the user named them (scopes, cluster IDs, organizations). */
    readonly resources: readonly string[];
    readonly devOps?: AzureDevOpsGrant;
    /** Remote AKS clusters: the kubeConfig `address` and `ca.crt`, when given. */
    readonly endpoint?: RemoteClusterEndpoint;
    /** Remote AKS clusters: those as kubeConfig ConfigMap keys. */
    readonly configMap?: Readonly<Record<string, string>>;
    /** Remote AKS clusters: Azure RBAC roles are granted (they need Azure RBAC enabled on the cluster). */
    readonly aksRbacRoles?: boolean;
    /** Field path of the entry, for messages. */
    readonly path: string;
}

const SERVICES = integrationsOf(Cloud.Azure).map((i) => i.id) as AzureService[];

const AKS_CLUSTER = resourceType("Microsoft.ContainerService/managedClusters", "Microsoft.ContainerService/managedClusters/CLUSTER_NAME");

const SCOPED: Record<"acr" | "blob" | "keyVault" | "eventHubs", { role: BuiltInRole; resources: ScopeResourceType[] }> = {
    acr: { role: AZURE_ROLES.acrPull, resources: [resourceType("Microsoft.ContainerRegistry/registries", "Microsoft.ContainerRegistry/registries/REGISTRY_NAME")] },
    blob: {
        role: AZURE_ROLES.storageBlobDataReader,
        resources: [
            resourceType("Microsoft.Storage/storageAccounts/blobServices/containers", "Microsoft.Storage/storageAccounts/STORAGE_ACCOUNT_NAME/blobServices/default/containers/CONTAINER_NAME"),
            resourceType("Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/STORAGE_ACCOUNT_NAME"),
        ],
    },
    keyVault: { role: AZURE_ROLES.keyVaultCryptoUser, resources: [resourceType("Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults/VAULT_NAME")] },
    eventHubs: {
        role: AZURE_ROLES.eventHubsDataSender,
        resources: [
            resourceType("Microsoft.EventHub/namespaces/eventhubs", "Microsoft.EventHub/namespaces/NAMESPACE_NAME/eventhubs/EVENTHUB_NAME"),
            resourceType("Microsoft.EventHub/namespaces", "Microsoft.EventHub/namespaces/NAMESPACE_NAME"),
        ],
    },
};

const ADO_ORGANIZATION = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;

/** Validates an access block and returns its grants. */
export function resolveAzureAccess(access: unknown, issues: Issues): AzureGrant[] {
    if (access === undefined || access === null) return [];
    if (!isRecord(access)) {
        issues.add(undefined, `expected a map of services (${SERVICES.join(", ")}), got ${show(access)}.`, "list what Flux must reach under the service keys.");
        return [];
    }
    for (const key of Object.keys(access)) {
        if (!(SERVICES as readonly string[]).includes(key)) {
            issues.add(key, `unknown Azure integration ${show(key)}.`, `use one of ${SERVICES.join(", ")}.`);
        }
    }
    const grants: AzureGrant[] = [];
    for (const service of SERVICES) {
        const value = access[service];
        if (value === undefined) continue;
        if (!Array.isArray(value) || value.length === 0) {
            issues.add(service, `expected a non-empty list, got ${show(value)}.`, `write ${service} as a YAML list of entries.`);
            continue;
        }
        value.forEach((entry, i) => {
            const at = issues.at(service).at(i);
            const g = service === "aks" ? resolveAks(entry, at) : service === "azureDevOps" ? resolveDevOps(entry, at) : resolveScoped(service, entry, at);
            if (g) grants.push(g);
        });
    }
    return grants;
}

function resolveScoped(service: keyof typeof SCOPED, value: unknown, issues: Issues): AzureGrant | undefined {
    const entry = checkMap(value, issues, `${service} entry`);
    if (!entry) return undefined;
    checkKnownFields(entry, ["scopes", "usedBy"], issues);
    const before = issues.count;
    const kinds = resolveUsedBy(Cloud.Azure, service, entry.usedBy, issues);
    const { role, resources } = SCOPED[service];
    const roles: AzureRoleGrant[] = [];
    if (!Array.isArray(entry.scopes) || entry.scopes.length === 0) {
        issues.add("scopes", `expected a non-empty list of scopes, got ${show(entry.scopes)}.`, `list where to grant ${role.name}, narrowest first: ${resources[0].shape}.`);
    } else {
        entry.scopes.forEach((s, i) => {
            const scope = checkScope(s, resources, issues.at("scopes"), i);
            if (scope) roles.push({ scope, role });
        });
    }
    if (!kinds || issues.count > before) return undefined;
    return { service, kinds, roles, resources: roles.map((r) => r.scope.id), path: issues.path() };
}

function resolveAks(value: unknown, issues: Issues): AzureGrant | undefined {
    const entry = checkMap(value, issues, "aks entry");
    if (!entry) return undefined;
    checkKnownFields(entry, ["clusterId", "usedBy", "rbacRoles", ...REMOTE_CLUSTER_ENDPOINT_FIELDS], issues);
    const before = issues.count;
    const kinds = resolveUsedBy(Cloud.Azure, "aks", entry.usedBy, issues);
    const cluster = checkScope(entry.clusterId, [AKS_CLUSTER], issues, "clusterId", { resourceOnly: true });
    const endpoint = resolveRemoteClusterEndpoint(entry, issues);
    const roles: AzureRoleGrant[] = [];
    if (cluster) {
        // Get and ListClusterUserCredentials on the cluster, per the docs; Flux calls neither when the
        // ConfigMap has both address and ca.crt (fluxcd/pkg auth/azure NewRESTConfig), so neither is granted then.
        if (!endpointIsComplete(endpoint)) roles.push({ scope: cluster, role: AZURE_ROLES.aksClusterUser });
        if (entry.rbacRoles !== undefined) {
            if (!Array.isArray(entry.rbacRoles)) {
                issues.add("rbacRoles", `expected a list of {role, namespaces}, got ${show(entry.rbacRoles)}.`, "write rbacRoles as a YAML list.");
            } else {
                entry.rbacRoles.forEach((r, i) => roles.push(...resolveRbacRole(r, cluster, issues.at("rbacRoles").at(i))));
            }
        }
    }
    if (!kinds || issues.count > before || !cluster) return undefined;
    const grant: AzureGrant = { service: "aks", kinds, roles, resources: [cluster.id], configMap: endpointConfigMapKeys(endpoint), aksRbacRoles: roles.some((r) => r.role !== AZURE_ROLES.aksClusterUser), path: issues.path() };
    return endpoint ? { ...grant, endpoint } : grant;
}

function resolveRbacRole(value: unknown, cluster: ParsedScope, issues: Issues): AzureRoleGrant[] {
    const entry = checkMap(value, issues, "rbacRoles entry");
    if (!entry) return [];
    checkKnownFields(entry, ["role", "namespaces"], issues);
    let role: BuiltInRole | undefined;
    if (isGuid(entry.role)) {
        const id = entry.role.toLowerCase();
        role = AKS_RBAC_ROLES.find((r) => r.id === id) ?? { name: `custom role ${id}`, id };
    } else {
        role = AKS_RBAC_ROLES.find((r) => r.name === entry.role);
        if (!role) {
            issues.add("role", `${show(entry.role)} is not a built-in AKS RBAC role or a role definition GUID.`, `use one of ${AKS_RBAC_ROLES.map((r) => r.name).join(", ")}, or a custom role's GUID.`);
            return [];
        }
    }
    const namespaces = entry.namespaces;
    if (namespaces === undefined || (Array.isArray(namespaces) && namespaces.length === 0)) {
        return [{ scope: cluster, role }];
    }
    if (!Array.isArray(namespaces)) {
        issues.add("namespaces", `expected a list of namespaces, got ${show(namespaces)}.`, "list namespaces, or omit namespaces for the whole cluster.");
        return [];
    }
    const out: AzureRoleGrant[] = [];
    namespaces.forEach((ns, i) => {
        if (checkNamespace(ns, issues.at("namespaces"), i)) {
            out.push({ scope: parseScope(`${cluster.id}/namespaces/${ns}`) as ParsedScope, role });
        }
    });
    return out;
}

function resolveDevOps(value: unknown, issues: Issues): AzureGrant | undefined {
    const entry = checkMap(value, issues, "azureDevOps entry");
    if (!entry) return undefined;
    checkKnownFields(entry, ["organization", "project", "usedBy"], issues);
    const before = issues.count;
    const kinds = resolveUsedBy(Cloud.Azure, "azureDevOps", entry.usedBy, issues);
    if (typeof entry.organization !== "string" || !ADO_ORGANIZATION.test(entry.organization)) {
        issues.add("organization", `${show(entry.organization)} is not an Azure DevOps organization name.`, "use the name in https://dev.azure.com/<organization>.");
    }
    if (typeof entry.project !== "string" || entry.project.trim() === "" || entry.project.length > 64) {
        issues.add("project", `expected the Azure DevOps project name, got ${show(entry.project)}.`, "use the project's name as shown in Azure DevOps.");
    }
    if (!kinds || issues.count > before) return undefined;
    const organization = entry.organization as string;
    const project = entry.project as string;
    return { service: "azureDevOps", kinds, roles: [], resources: [`https://dev.azure.com/${organization}/${project}`], devOps: { organization, project }, path: issues.path() };
}
