/**
 * What a user states about GCP: which Google Cloud resources Flux must reach, for which Flux kinds, at
 * controller level or per tenant, and whether Flux uses its Kubernetes ServiceAccounts' own principals
 * or impersonates GCP service accounts. Plain data: the same shapes serve the fleet spec file, the
 * component's arguments and the pure planner.
 *
 * These types avoid unions and intersections so Pulumi's schema inference can publish them to Python,
 * Go and .NET users.
 */

import { FluxKind } from "../core/catalog";

/** How a Kubernetes ServiceAccount gets GCP access (Flux GCP docs, "Supported identity types"). */
export enum GcpAuthMode {
    /** Roles are granted to the Kubernetes ServiceAccount's own principal; no GCP service account (the default). */
    Direct = "direct",
    /**
     * The Kubernetes ServiceAccount impersonates a GCP service account: it gets
     * `roles/iam.workloadIdentityUser` on the GSA, roles are granted to the GSA, and the ServiceAccount is
     * annotated with `iam.gke.io/gcp-service-account`.
     */
    Impersonation = "impersonation",
}

/** How many GCP service accounts the controllers get in impersonation mode. */
export enum GcpServiceAccountLayout {
    /** One GSA per controller, each with only what that controller's kinds need (the default). */
    PerController = "perController",
    /** One GSA impersonated by every controller that needs GCP, with the union of their grants. */
    Shared = "shared",
}

/** Artifact Registry repositories (OCIRepository, HelmRepository of type oci, ImageRepository). */
export interface GcpGarAccess {
    /** Repository resource names: `projects/<project>/locations/<location>/repositories/<repository>`. */
    repositories: string[];
    /** Flux kinds that pull from these repositories. Default: OCIRepository. */
    usedBy?: FluxKind[];
    /**
     * Grant `roles/artifactregistry.reader` on the repositories' projects instead of on each repository
     * (every repository of those projects becomes readable). Off by default.
     */
    projectLevel?: boolean;
}

/** Cloud Storage buckets (Bucket). */
export interface GcpGcsAccess {
    /** Bucket names (`my-bucket`, without `gs://`). */
    buckets: string[];
    /** Default: Bucket. */
    usedBy?: FluxKind[];
    /**
     * Grant one custom role holding exactly storage.buckets.get, storage.objects.get and
     * storage.objects.list (created in `projectId`) instead of `roles/storage.bucketViewer` and
     * `roles/storage.objectViewer`. A project's custom role can only be granted on buckets of that
     * project. Off by default.
     */
    customRole?: boolean;
}

/** Cloud KMS keys for SOPS decryption (Kustomization). Give crypto keys, key rings, or both. */
export interface GcpKmsAccess {
    /** `projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>`. */
    cryptoKeys?: string[];
    /** `projects/<project>/locations/<location>/keyRings/<ring>`: every key of the ring. */
    keyRings?: string[];
    /** Default: Kustomization. */
    usedBy?: FluxKind[];
}

/** A remote GKE cluster that Kustomizations or HelmReleases apply to. */
export interface GcpGkeAccess {
    /** `projects/<project>/locations/<location>/clusters/<name>`. */
    cluster: string;
    /** Kustomization and/or HelmRelease. Default: Kustomization. */
    usedBy?: FluxKind[];
    /**
     * The ClusterRole the principal is bound to inside the remote cluster (in `remoteClusterRbacYaml`).
     * Default `edit`; bind `cluster-admin` when Flux applies cluster-scoped objects there.
     */
    clusterRole?: string;
    /** Bind only in these namespaces (RoleBindings) instead of cluster-wide (a ClusterRoleBinding). */
    namespaces?: string[];
    /**
     * The API server address for the kubeConfig ConfigMap (`address`). With `caCert` too, Flux reaches
     * the cluster without looking it up in the cloud API, so a private endpoint or proxy can be used. Alone, it replaces the endpoint GKE reports (Flux v2.9).
     */
    address?: string;
    /** PEM CA certificates of the API server, rendered as the ConfigMap's `ca.crt`. */
    caCert?: string;
}

/** Pub/Sub topics that notification-controller's Providers publish to. */
export interface GcpPubSubAccess {
    /** `projects/<project>/topics/<topic>`. */
    topics: string[];
    /** Default: Provider. */
    usedBy?: FluxKind[];
}

/** Everything Flux must reach in GCP, grouped by service. */
export interface GcpAccess {
    gar?: GcpGarAccess[];
    gcs?: GcpGcsAccess[];
    kms?: GcpKmsAccess[];
    gke?: GcpGkeAccess[];
    pubsub?: GcpPubSubAccess[];
}

/** An object-level tenant: a ServiceAccount in a tenant namespace with its own principal or GSA. */
export interface GcpTenant {
    namespace: string;
    serviceAccount: string;
    /** Default: the target's authMode. */
    authMode?: GcpAuthMode;
    /** What this tenant's Flux objects reach. Give this, `existingServiceAccountEmail`, or both. */
    access?: GcpAccess;
    /**
     * Impersonate this existing GSA instead of creating one. flux-identity still binds the tenant's
     * ServiceAccount to it with `roles/iam.workloadIdentityUser`, and grants it `access` if given.
     */
    existingServiceAccountEmail?: string;
    /** With `existingServiceAccountEmail` and no `access`: the Flux kinds the tenant uses (for the feature gate). */
    usedBy?: FluxKind[];
}

/** The Workload Identity Pool and OIDC provider that trust a non-GKE cluster's issuer. */
export interface GcpWorkloadIdentityPool {
    /** Pool ID, 4-32 of [a-z0-9-], not starting with `gcp-`. Default derived from the cluster name. */
    poolId?: string;
    /** Provider ID, same rules. Default derived from the cluster name. */
    providerId?: string;
    /** Create the pool and provider. Default true; false uses an existing pool and provider (both IDs required). */
    create?: boolean;
    /**
     * The cluster's JWKS document (`kubectl get --raw /openid/v1/jwks`), uploaded to the provider for
     * clusters whose discovery documents are not public. Rotate it with the cluster's signing key.
     */
    jwksJson?: string;
    /** Display name of the pool and provider, at most 32 characters. Default `Flux <cluster name>`. */
    displayName?: string;
}

/** GCP target options: every value is plain in every form (spec file, component, planner). */
export interface GcpTargetOptions {
    /** The project the GCP service accounts, custom roles and Workload Identity Pool live in. */
    projectId: string;
    /** The number of `projectId` (digits, as a string): principals and token audiences name the pool by it. */
    projectNumber: string;
    /** Default: direct. */
    authMode?: GcpAuthMode;
    /** Default: perController. Applies to GSAs created for controllers in impersonation mode. */
    serviceAccountLayout?: GcpServiceAccountLayout;
    /** Prefix of created GSA account IDs: starts with a letter, at most 10 characters. Default `flux-`. */
    serviceAccountPrefix?: string;
    /** What the controllers reach (controller level). */
    controllers?: GcpAccess;
    /** Object-level tenants. */
    tenants?: GcpTenant[];
    /**
     * Bring your own GSAs for controllers, keyed by controller name (`source-controller`, ...): those
     * controllers impersonate them whatever `authMode` says. flux-identity binds the controller's
     * ServiceAccount with `roles/iam.workloadIdentityUser` on each and grants it what `controllers` lists.
     */
    existingServiceAccountEmails?: Record<string, string>;
    /** Non-GKE clusters only: the Workload Identity Pool and provider. Default: created with derived IDs. */
    workloadIdentityPool?: GcpWorkloadIdentityPool;
}

/** The GCP target with every value known (the form the pure planner takes). */
export interface GcpTargetSpec extends GcpTargetOptions {}
