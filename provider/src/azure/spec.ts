/**
 * What a user states about Azure: which Azure resources Flux must reach, for which Flux kinds, at
 * controller level or per tenant, and where the managed identities live. Plain data: the same shapes
 * serve the fleet spec file, the component's arguments and the pure planner.
 *
 * These types avoid unions and intersections so Pulumi's schema inference can publish them to Python,
 * Go and .NET users.
 */

import { FluxKind } from "../core/catalog";

/** The Azure cloud the identities live in: decides the Entra ID authority host Flux talks to. */
export enum AzureCloud {
    /** Azure public cloud (login.microsoftonline.com). */
    Public = "public",
    /** Azure operated by 21Vianet in China (login.chinacloudapi.cn). */
    China = "china",
    /** Azure US Government (login.microsoftonline.us). */
    UsGovernment = "usGovernment",
    /** A private Azure cloud: give `privateCloud` with its authority host and endpoints. */
    Private = "private",
}

/** How many managed identities the controllers get. */
export enum AzureIdentityLayout {
    /** One identity per controller, each with only what that controller's kinds need (the default). */
    PerController = "perController",
    /** One identity federated with every controller that needs Azure, with the union of their grants. */
    Shared = "shared",
}

/** Endpoints of a private Azure cloud. */
export interface AzurePrivateCloud {
    /** The Entra ID authority host, for example `https://login.core.private/`. */
    authorityHost: string;
    /**
     * The endpoints file Flux reads through AZURE_ENVIRONMENT_FILEPATH, for example
     * `{ resourceManagerEndpoint, tokenAudience, containerRegistryDNSSuffix }`.
     */
    environment: Record<string, string>;
}

/**
 * Role assignment scopes are Azure resource IDs: a management group
 * (`/providers/Microsoft.Management/managementGroups/<name>`), a subscription (`/subscriptions/<id>`), a
 * resource group (`/subscriptions/<id>/resourceGroups/<name>`) or the service's resource. Narrowest is best.
 */
export interface AzureScopedAccess {
    /** Where to grant the role. */
    scopes: string[];
    /** Flux kinds that use these resources. Default: the integration's primary kind. */
    usedBy?: FluxKind[];
}

/** An Azure RBAC role for Kubernetes on a remote AKS cluster (needs Azure RBAC enabled on it). */
export interface AzureAksRbacRole {
    /**
     * A built-in role name (`Azure Kubernetes Service RBAC Reader`, `... Writer`, `... Admin`,
     * `... Cluster Admin`) or a role definition GUID.
     */
    role: string;
    /** Namespaces to grant it in; empty or absent grants it on the whole cluster. */
    namespaces?: string[];
}

/** A remote AKS cluster that Kustomizations or HelmReleases apply to. */
export interface AzureAksAccess {
    /** The cluster's resource ID (`/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>`). */
    clusterId: string;
    /** Kustomization and/or HelmRelease. Default: Kustomization. */
    usedBy?: FluxKind[];
    /** Azure RBAC roles inside the cluster; without them, bind the principal ID with Kubernetes RBAC. */
    rbacRoles?: AzureAksRbacRole[];
    /**
     * The API server address for the kubeConfig ConfigMap (`address`). Alone, it chooses among the
     * cluster's kubeconfigs (for example its private FQDN instead of the public one); with `caCert` too,
     * Flux reads nothing from Azure Resource Manager, and the Cluster User Role is not granted.
     */
    address?: string;
    /** PEM CA certificates of the API server, rendered as the ConfigMap's `ca.crt`. */
    caCert?: string;
}

/** An Azure DevOps organization (and project) Flux reads Git from, pushes to, or posts commit statuses to. */
export interface AzureDevOpsAccess {
    /** Organization name (`https://dev.azure.com/<organization>`). */
    organization: string;
    /** Project name. */
    project: string;
    /** GitRepository, ImageUpdateAutomation and/or Provider. Default: GitRepository. */
    usedBy?: FluxKind[];
}

/** Everything Flux must reach in Azure, grouped by service. */
export interface AzureAccess {
    /** Azure Container Registry: AcrPull. */
    acr?: AzureScopedAccess[];
    /** Azure DevOps: onboarding steps are output; Azure has no API for them here. */
    azureDevOps?: AzureDevOpsAccess[];
    /** Blob Storage containers or accounts: Storage Blob Data Reader. */
    blob?: AzureScopedAccess[];
    /** Key Vault keys for SOPS: Key Vault Crypto User. */
    keyVault?: AzureScopedAccess[];
    /** Remote AKS clusters: Azure Kubernetes Service Cluster User Role, plus optional RBAC roles. */
    aks?: AzureAksAccess[];
    /** Event Hubs for notifications: Azure Event Hubs Data Sender. */
    eventHubs?: AzureScopedAccess[];
}

/** An identity made elsewhere: only its IDs are used, for annotations and env. */
export interface AzureExistingIdentity {
    /** The identity's client (application) ID. */
    clientId: string;
    /** Its Entra tenant. Default: the target's tenantId. */
    tenantId?: string;
}

/** An object-level tenant: a ServiceAccount in a tenant namespace with its own identity. */
export interface AzureTenant {
    namespace: string;
    serviceAccount: string;
    /** What this tenant's Flux objects reach. Give this or `existingIdentity`. */
    access?: AzureAccess;
    /**
     * Share one managed identity with the other tenants naming the same group; their access is merged
     * on it. Azure allows 20 federated credentials per identity, so past 20 tenants a group spreads over
     * more identities with the same grants (tenants keep their identity as long as new ones are appended),
     * unless the group is listed in `pinnedIdentityGroups`.
     */
    identityGroup?: string;
    /** Bring your own identity instead: only the ServiceAccount annotations and feature gate are made. */
    existingIdentity?: AzureExistingIdentity;
    /** With `existingIdentity`: the Flux kinds the tenant uses, to enable the feature gate on their controllers. */
    usedBy?: FluxKind[];
}

/** The Azure target: every value is plain (no Pulumi outputs), in every form. */
export interface AzureTargetOptions {
    /** The Entra ID tenant (directory) ID the identities belong to. */
    tenantId: string;
    /** The subscription the identities are created in. */
    subscriptionId: string;
    /** The resource group the identities are created in (it must exist). */
    resourceGroupName: string;
    /** Azure region of the identities, such as `eastus`. */
    location: string;
    /** Default: public. */
    cloud?: AzureCloud;
    /** Required with cloud: private. */
    privateCloud?: AzurePrivateCloud;
    /** Default: perController. */
    identityLayout?: AzureIdentityLayout;
    /** Prefix of identity names. Default `flux-`. */
    namePrefix?: string;
    /** Tags added to every identity. */
    tags?: Record<string, string>;
    /** What the controllers reach (controller level). */
    controllers?: AzureAccess;
    /** Object-level tenants. */
    tenants?: AzureTenant[];
    /** Tenant identity groups that must stay on one identity: more than 20 tenants in one is an error. */
    pinnedIdentityGroups?: string[];
    /** Bring your own identities for controllers, keyed by controller name (`source-controller`, ...). */
    existingIdentities?: Record<string, AzureExistingIdentity>;
}

/** The planner's input shape: the same as the options (kept separate for symmetry with the other targets). */
export type AzureTargetSpec = AzureTargetOptions;
