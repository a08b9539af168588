/**
 * What a user states about remote Kubernetes clusters reached over plain OIDC (Flux's kubeConfig
 * `provider: generic`): each remote API server trusts this cluster's ServiceAccount issuer through a JWT
 * authenticator, and Flux presents a ServiceAccount token whose audience that authenticator accepts.
 * Plain data, shared by the fleet spec, the component and the pure planner; no unions, so Pulumi's
 * schema inference can publish the types to other languages.
 */

import { FluxKind } from "../core/catalog";

/** One remote cluster that Kustomizations or HelmReleases apply to. */
export interface KubernetesRemoteClusterAccess {
    /** A name for the remote cluster (a DNS-1123 label): names its RBAC objects and output groups. */
    name: string;
    /** The remote API server, https (the ConfigMap's `address`). */
    address: string;
    /** PEM CA certificates of the remote API server (`ca.crt`). Default: the system roots. */
    caCert?: string;
    /**
     * Token audiences (the ConfigMap's `audiences`), which the remote JWT authenticator requires. Default:
     * the address, as Flux defaults. Use one no other relying party accepts.
     */
    audiences?: string[];
    /** Kustomization and/or HelmRelease. Default: Kustomization. */
    usedBy?: FluxKind[];
    /** ClusterRole bound in the remote cluster. Default `edit`; `cluster-admin` for cluster-scoped objects. */
    clusterRole?: string;
    /** Bind only in these namespaces (RoleBindings) instead of cluster-wide (a ClusterRoleBinding). */
    namespaces?: string[];
}

/** What Flux reaches over OIDC. */
export interface KubernetesAccess {
    remoteClusters?: KubernetesRemoteClusterAccess[];
}

/** An object-level tenant: its Kustomizations' kubeConfig ConfigMaps name its ServiceAccount. */
export interface KubernetesTenant {
    namespace: string;
    serviceAccount: string;
    access: KubernetesAccess;
}

/** The remote-cluster target. */
export interface KubernetesTargetOptions {
    /**
     * Prefix of the user names the remote API servers give this cluster's ServiceAccounts
     * (`<prefix>system:serviceaccount:<ns>:<sa>`). Default `<cluster name>:`. Never empty, never `system:`:
     * without a prefix a token would pass as the remote cluster's own ServiceAccount of the same name.
     */
    usernamePrefix?: string;
    /** What the controllers reach (controller level). */
    controllers?: KubernetesAccess;
    /** Object-level tenants. */
    tenants?: KubernetesTenant[];
}

/** The target with every value known (the planner's form). */
export interface KubernetesTargetSpec extends KubernetesTargetOptions {}
