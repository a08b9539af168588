/** The GCP plan as data: what the planner returns and `render`, the component and the patches read. */

import { FluxController } from "../core/catalog";
import { ResolvedSourceCluster, SourceCluster } from "../core/cluster";
import { ServiceAccountRef } from "../core/kubernetes";
import { FluxObjectSetting } from "../flux/objects";
import { GcpAuthMode, GcpServiceAccountLayout, GcpTargetSpec } from "./spec";

export const DEFAULT_SERVICE_ACCOUNT_PREFIX = "flux-";

/** Everything the GCP planner needs, with every value known. */
export interface GcpPlanInput {
    cluster: SourceCluster;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
    gcp: GcpTargetSpec;
}

/** Where each part of the input sits in the user's document, for error messages. */
export interface GcpInputPaths {
    readonly cluster: string;
    readonly namespace: string;
    readonly gcp: string;
}

/** Paths of the component's arguments. */
export const GCP_COMPONENT_PATHS: GcpInputPaths = { cluster: "cluster", namespace: "fluxNamespace", gcp: "" };

/** Values that are Pulumi outputs not resolved yet: the planner uses placeholders and skips their checks. */
export interface GcpPendingValues {
    readonly issuerUrl?: boolean;
}

export interface GcpPlanOptions {
    readonly paths?: GcpInputPaths;
    readonly pending?: GcpPendingValues;
}

/** Which controllers or which tenant an identity serves. */
export interface GcpIdentityServes {
    controllers: FluxController[];
    tenant?: ServiceAccountRef;
}

/**
 * One identity Flux authenticates as: a Kubernetes ServiceAccount's own principal (direct) or a GSA
 * that one or more ServiceAccounts impersonate.
 */
export interface GcpIdentityPlan {
    /**
     * `source-controller`, `shared`, `tenant/<ns>/<sa>`, `existing/<controller>` or
     * `existing/tenant/<ns>/<sa>`.
     */
    key: string;
    /** Readable and unique: the stem of this identity's child resource names. */
    logicalName: string;
    mode: GcpAuthMode;
    serves: GcpIdentityServes;
    /** The IAM principals of the Kubernetes ServiceAccounts served, sorted. */
    kubernetesPrincipals: string[];
    /** Impersonation: the GSA (created or brought). */
    serviceAccountEmail?: string;
    /** True when flux-identity creates the GSA. */
    createsServiceAccount: boolean;
    /** The IAM member every grant of this identity names. */
    member: string;
}

/** A GSA flux-identity creates. */
export interface GcpServiceAccountPlan {
    identityKey: string;
    logicalName: string;
    project: string;
    /** 6-30 characters, GCP's account ID rules. */
    accountId: string;
    email: string;
    displayName: string;
    description: string;
}

/** `roles/iam.workloadIdentityUser` for one Kubernetes principal on one GSA. */
export interface GcpWorkloadIdentityUserPlan {
    logicalName: string;
    identityKey: string;
    /** `projects/<project>/serviceAccounts/<email>`. */
    serviceAccountId: string;
    member: string;
}

/** The Workload Identity Pool and OIDC provider of a non-GKE cluster. */
export interface GcpWorkloadIdentityPoolPlan {
    /** False when an existing pool and provider are used. */
    create: boolean;
    project: string;
    projectNumber: string;
    poolId: string;
    providerId: string;
    /** `projects/<number>/locations/global/workloadIdentityPools/<pool>`. */
    poolName: string;
    /** `<poolName>/providers/<provider>`: the value of the workload-identity-provider annotation. */
    providerName: string;
    issuerUri: string;
    jwksJson?: string;
    displayName: string;
    description: string;
    attributeMapping: Record<string, string>;
}

/** What an IAM member is granted on. */
export enum GcpGrantScope {
    Repository = "repository",
    Project = "project",
    Bucket = "bucket",
    CryptoKey = "cryptoKey",
    KeyRing = "keyRing",
    Topic = "topic",
}

/** One non-authoritative IAM member: `role` for `member` on one resource. */
export interface GcpGrantPlan {
    logicalName: string;
    identityKey: string;
    /** Catalog integration id (`gar`, `gcs`, `kms`, `gke`, `pubsub`). */
    integration: string;
    scope: GcpGrantScope;
    /** The full resource name (`projects/<p>` for project scope, the bucket name for buckets). */
    resource: string;
    role: string;
    member: string;
    /** Set when `role` is a custom role this plan creates. */
    customRoleLogicalName?: string;
}

/** A project custom role this plan creates. */
export interface GcpCustomRolePlan {
    logicalName: string;
    project: string;
    roleId: string;
    /** `projects/<project>/roles/<roleId>`: what grants name. */
    name: string;
    title: string;
    description: string;
    permissions: string[];
}

/** The Kubernetes RBAC one identity needs inside one remote GKE cluster (applied there by the user). */
export interface GcpRemoteClusterRbacPlan {
    /** `projects/<p>/locations/<l>/clusters/<c>`. */
    cluster: string;
    identityKey: string;
    /** The Kubernetes user name GKE gives the principal. */
    userName: string;
    /** Name of the (Cluster)RoleBinding. */
    bindingName: string;
    clusterRole: string;
    /** Empty: one ClusterRoleBinding; otherwise a RoleBinding per namespace. */
    namespaces: string[];
}

export interface GcpPlan {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    projectId: string;
    projectNumber: string;
    authMode: GcpAuthMode;
    serviceAccountLayout: GcpServiceAccountLayout;
    /** GKE without a Workload Identity Pool: the project whose built-in workload pool (`<project>.svc.id.goog`) the cluster's ServiceAccounts belong to. */
    gkeProjectId?: string;
    /** Non-GKE clusters, and GKE clusters federated through a pool: the pool and provider trusting the issuer. */
    workloadIdentityPool?: GcpWorkloadIdentityPoolPlan;
    identities: GcpIdentityPlan[];
    serviceAccounts: GcpServiceAccountPlan[];
    workloadIdentityUsers: GcpWorkloadIdentityUserPlan[];
    customRoles: GcpCustomRolePlan[];
    grants: GcpGrantPlan[];
    remoteClusterRbac: GcpRemoteClusterRbacPlan[];
    /** Manifests to apply in the remote GKE clusters; empty without remote clusters. */
    remoteClusterRbacYaml: string;
    /** Controller name to the key of the identity it uses. */
    controllerIdentities: Record<string, string>;
    /** `<ns>/<sa>` to the key of the tenant's identity. */
    tenantIdentities: Record<string, string>;
    /** Controllers that serve tenants and so need the object-level feature gate. */
    objectLevelControllers: FluxController[];
    /** Controllers serving each tenant ServiceAccount `<ns>/<sa>`: they request its tokens. */
    tenantControllers: Record<string, FluxController[]>;
    objectSettings: FluxObjectSetting[];
    warnings: string[];
}
