/** The remote-cluster plan's data model (pure). */

import { FluxController, FluxKind } from "../core/catalog";
import { ResolvedSourceCluster } from "../core/cluster";
import { ServiceAccountRef } from "../core/kubernetes";
import { FluxObjectSetting } from "../flux/objects";
import { KubernetesTargetSpec } from "./spec";

export interface KubernetesPlanInput {
    cluster: { name: string; type: string; issuerUrl: string; eksClusterName?: string };
    fluxNamespace?: string;
    kubernetes: KubernetesTargetSpec;
}

export interface KubernetesPlanPaths {
    cluster: string;
    namespace: string;
    kubernetes: string;
}

export const KUBERNETES_COMPONENT_PATHS: KubernetesPlanPaths = { cluster: "cluster", namespace: "fluxNamespace", kubernetes: "" };

export interface KubernetesPlanOptions {
    paths?: KubernetesPlanPaths;
    pending?: { issuerUrl?: boolean };
}

/** A ServiceAccount of this cluster that presents its token to a remote API server. */
export interface KubernetesIdentityPlan {
    /** `<controller>` or `<ns>/<sa>`. */
    key: string;
    ref: ServiceAccountRef;
    /** The `sub` claim. */
    subject: string;
    /** The user name the remote authenticator maps it to. */
    userName: string;
    controller?: FluxController;
}

/** One binding of one identity in one remote cluster. */
export interface KubernetesRemoteBindingPlan {
    identityKey: string;
    userName: string;
    bindingName: string;
    clusterRole: string;
    namespaces: string[];
    kinds: FluxKind[];
}

/** One remote cluster: its authenticator for this issuer and the bindings it needs. */
export interface KubernetesRemoteClusterPlan {
    name: string;
    address: string;
    caCert?: string;
    audiences: string[];
    /** Whether the ConfigMap must carry `audiences` (absent when it is the address alone, Flux's default). */
    explicitAudiences: boolean;
    bindings: KubernetesRemoteBindingPlan[];
    /** The jwt entry of the remote API server's AuthenticationConfiguration, as data. */
    jwtAuthenticator: Record<string, unknown>;
}

export interface KubernetesPlan {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    usernamePrefix: string;
    identities: KubernetesIdentityPlan[];
    remoteClusters: KubernetesRemoteClusterPlan[];
    /** One AuthenticationConfiguration per remote cluster, as a multi-document YAML. */
    authenticationConfigurationYaml: string;
    /** (Cluster)RoleBindings to apply in the remote clusters, grouped by cluster. */
    remoteClusterRbacYaml: string;
    objectLevelControllers: FluxController[];
    tenantControllers: Record<string, FluxController[]>;
    objectSettings: FluxObjectSetting[];
    warnings: string[];
}
