/** The Vault plan's data model (pure). */

import { FluxController } from "../core/catalog";
import { ResolvedSourceCluster } from "../core/cluster";
import { ServiceAccountRef } from "../core/kubernetes";
import { FluxObjectSetting } from "../flux/objects";
import { VaultTargetSpec } from "./spec";

export interface VaultPlanInput {
    cluster: { name: string; type: string; issuerUrl: string; eksClusterName?: string };
    fluxNamespace?: string;
    vault: VaultTargetSpec;
}

export interface VaultPlanPaths {
    cluster: string;
    namespace: string;
    vault: string;
}

export const VAULT_COMPONENT_PATHS: VaultPlanPaths = { cluster: "cluster", namespace: "fluxNamespace", vault: "" };

export interface VaultPlanOptions {
    paths?: VaultPlanPaths;
    pending?: { issuerUrl?: boolean };
}

/** One ServiceAccount logging in to Vault: its role, policy and the keys it may decrypt with. */
export interface VaultIdentityPlan {
    /** `kustomize-controller` or `<ns>/<sa>`. */
    key: string;
    ref: ServiceAccountRef;
    /** `<namespace>_<serviceAccount>`: the role kustomize-controller logs in with. */
    roleName: string;
    /** The `sub` claim the role is bound to. */
    subject: string;
    policyName: string;
    /** `<mount>/decrypt/<key>` paths, sorted. */
    decryptPaths: string[];
    /** The policy document (HCL). */
    policy: string;
    controller?: FluxController;
}

export interface VaultJwtAuthPlan {
    create: boolean;
    path: string;
    /** `auth/<path>/login`, the ConfigMap's loginPath. */
    loginPath: string;
    boundIssuer: string;
    oidcDiscoveryUrl?: string;
    jwtValidationPubkeys?: string[];
}

export interface VaultPlan {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    address: string;
    namespace?: string;
    tokenTtlSeconds: number;
    jwtAuth: VaultJwtAuthPlan;
    identities: VaultIdentityPlan[];
    /** The kustomize-controller ConfigMap's `config.yaml`. */
    configYaml: string;
    objectLevelControllers: FluxController[];
    tenantControllers: Record<string, FluxController[]>;
    objectSettings: FluxObjectSetting[];
    warnings: string[];
}
