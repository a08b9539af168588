/**
 * The Flux side for clusters whose Flux the Flux Operator installs: a FluxInstance
 * (`fluxcd.controlplane.io/v1`) whose `spec.kustomize.patches` carry the same patches as the bootstrap
 * kustomization.yaml, and whose `spec.cluster` carries what the operator has a setting for. Pure.
 *
 * What the operator adds for each setting, read off its source (controlplaneio-fluxcd/flux-operator
 * `internal/builder`: `profiles.go` `profileClusterMultitenant`, `workload_identity.go`
 * `ValidateAndApplyWorkloadIdentityConfig`) and its FluxInstance API reference:
 *
 * | setting | what the operator does |
 * | --- | --- |
 * | `objectLevelWorkloadIdentity: true` | `--feature-gates=ObjectLevelWorkloadIdentity=true` on source, kustomize, notification, image-reflector, image-automation (and helm from Flux 2.7), and keeps `create` on `serviceaccounts/token` in the controllers' ClusterRole; unset on 2.7+ it sets the gate `=false` on every controller and removes that permission |
 * | `multitenant: true` | `--no-cross-namespace-refs=true` on kustomize, helm, notification, image-reflector, image-automation; `--no-remote-bases=true` on kustomize; `--default-service-account=<tenantDefaultServiceAccount or default>` on kustomize and helm; `spec.serviceAccountName: kustomize-controller` on the install's Kustomizations |
 * | `multitenantWorkloadIdentity: true` (needs `objectLevelWorkloadIdentity`, Flux 2.7+) | `--default-service-account=<tenantDefaultServiceAccount>` on source, notification, image-reflector, image-automation; `--default-decryption-service-account=<tenantDefaultDecryptionServiceAccount>` on kustomize; `--default-kubeconfig-service-account=<tenantDefaultKubeConfigServiceAccount>` on kustomize and helm; each defaults to `default` |
 * | `type` | `aws`, `azure`, `gcp`, `kubernetes`: no patches (only `openshift` changes the install) |
 *
 * The mapping from the lockdown: a setting is used only when what it adds is exactly what the lockdown asks
 * for, and then no patch carries those flags; anything else stays a patch. The feature gate is never a
 * patch: on 2.7+ the operator sets it itself whatever the settings say, so a patch would set the same flag
 * twice. The settings are coarser than the bootstrap patches in one way: the operator turns the gate on
 * for every controller, where the bootstrap kustomization turns it on only for those serving tenants.
 *
 * ConfigMaps (GCP credential configurations, Azure private-cloud endpoints) cannot be made by a
 * FluxInstance: its kustomize section takes patches only. They follow the FluxInstance in the same file.
 */

import { FLUX_CONTROLLERS, FluxController } from "../core/catalog";
import { SourceClusterType } from "../core/cluster";
import { FluxPatchSet, OBJECT_LEVEL_FEATURE_GATE } from "../core/patch";
import { KustomizePatchEntry, RenderedFluxSide, RenderedPatchCache, configMapObject, kustomizePatchEntries, renderFluxSide } from "./kustomization";
import { FLUX_LOCKDOWN_FLAGS, FluxLockdownOptions, lockdownKustomizePatches } from "./lockdown";
import { KubernetesObject, toYaml } from "./manifests";
import { FluxVersion, fluxVersionFacts, patchSetFluxVersion } from "./version";

export const FLUX_INSTANCE_API_VERSION = "fluxcd.controlplane.io/v1";
/** The operator serves one FluxInstance, named `flux`, in the namespace it runs in (FluxInstance API reference). */
export const FLUX_INSTANCE_NAME = "flux";
export const FLUX_DISTRIBUTION_REGISTRY = "ghcr.io/fluxcd";
/** The components a FluxInstance installs when it lists none (FluxInstance API reference). */
const DEFAULT_COMPONENTS: readonly FluxController[] = [FluxController.Source, FluxController.Kustomize, FluxController.Helm, FluxController.Notification];

/** `spec.cluster.type` for each source cluster type. */
export const FLUX_INSTANCE_CLUSTER_TYPES: Readonly<Record<SourceClusterType, string>> = {
    [SourceClusterType.Eks]: "aws",
    [SourceClusterType.Aks]: "azure",
    [SourceClusterType.Gke]: "gcp",
    [SourceClusterType.Generic]: "kubernetes",
};

/** The `spec.cluster` fields this project sets. */
export interface FluxInstanceClusterSettings {
    type: string;
    objectLevelWorkloadIdentity?: boolean;
    multitenant?: boolean;
    multitenantWorkloadIdentity?: boolean;
    tenantDefaultServiceAccount?: string;
    tenantDefaultDecryptionServiceAccount?: string;
    tenantDefaultKubeConfigServiceAccount?: string;
}

export interface FluxInstanceOptions {
    clusterType: SourceClusterType;
    lockdown?: FluxLockdownOptions;
    /** Patches already rendered for this set (by its kustomization.yaml, say). */
    patchCache?: RenderedPatchCache;
}

/** The container args a setting makes the operator add, so the patches leave them out. */
interface CoveredArg {
    controller: FluxController;
    arg: string;
}

export interface FluxInstanceMapping {
    cluster: FluxInstanceClusterSettings;
    /** Args the settings add; no patch carries them. */
    covered: CoveredArg[];
    /** The multitenant setting also points the install's Kustomization at kustomize-controller. */
    coversKustomizationPatch: boolean;
}

function flagOf(field: keyof FluxLockdownOptions) {
    return FLUX_LOCKDOWN_FLAGS.find((f) => f.field === field) as (typeof FLUX_LOCKDOWN_FLAGS)[number];
}

function argsOf(field: keyof FluxLockdownOptions, value: string | boolean): CoveredArg[] {
    const flag = flagOf(field);
    return flag.controllers.map((controller) => ({ controller, arg: `${flag.flag}=${value === true ? "true" : value}` }));
}

const WORKLOAD_IDENTITY_DEFAULTS = ["defaultWorkloadIdentityServiceAccount", "defaultDecryptionServiceAccount", "defaultKubeConfigServiceAccount"] as const;

/** Which settings the FluxInstance carries for a patch set and its lockdown (see the table above). */
export function fluxInstanceMapping(set: FluxPatchSet, options: FluxInstanceOptions): FluxInstanceMapping {
    const lockdown = options.lockdown ?? {};
    const version: FluxVersion = patchSetFluxVersion(set);
    const cluster: FluxInstanceClusterSettings = { type: FLUX_INSTANCE_CLUSTER_TYPES[options.clusterType] ?? "kubernetes" };
    const covered: CoveredArg[] = [];
    const wiDefaults = WORKLOAD_IDENTITY_DEFAULTS.filter((f) => lockdown[f] !== undefined);
    if (set.tenantServiceAccounts.length > 0 || wiDefaults.length > 0) {
        cluster.objectLevelWorkloadIdentity = true;
        if (fluxVersionFacts(version).objectLevelFeatureGate) {
            for (const controller of FLUX_CONTROLLERS) covered.push({ controller, arg: OBJECT_LEVEL_FEATURE_GATE });
        }
    }
    const impersonation = lockdown.defaultServiceAccount;
    const multitenant = lockdown.noCrossNamespaceRefs === true && lockdown.noRemoteBases === true && impersonation !== undefined;
    if (multitenant) {
        cluster.multitenant = true;
        cluster.tenantDefaultServiceAccount = impersonation;
        covered.push(...argsOf("noCrossNamespaceRefs", true), ...argsOf("noRemoteBases", true), ...argsOf("defaultServiceAccount", impersonation));
    }
    const wi = lockdown.defaultWorkloadIdentityServiceAccount;
    // The operator fills any default not given with `default`, and shares tenantDefaultServiceAccount with
    // the multitenant setting: the setting fits only when all three are given and agree with it.
    if (wiDefaults.length === WORKLOAD_IDENTITY_DEFAULTS.length && wi !== undefined && (!multitenant || wi === impersonation)) {
        cluster.multitenantWorkloadIdentity = true;
        cluster.tenantDefaultServiceAccount = wi;
        cluster.tenantDefaultDecryptionServiceAccount = lockdown.defaultDecryptionServiceAccount;
        cluster.tenantDefaultKubeConfigServiceAccount = lockdown.defaultKubeConfigServiceAccount;
        for (const f of WORKLOAD_IDENTITY_DEFAULTS) covered.push(...argsOf(f, lockdown[f] as string));
    }
    return { cluster, covered, coversKustomizationPatch: multitenant };
}

/** The patch set without the args the settings add. */
function uncovered(set: FluxPatchSet, covered: readonly CoveredArg[]): FluxPatchSet {
    return {
        ...set,
        controllers: set.controllers.map((p) => {
            const args = p.args.filter((a) => !covered.some((c) => c.controller === p.controller && c.arg === a));
            // The same object when nothing is covered, so its rendered patches are reused (controllerPatches).
            return args.length === p.args.length ? p : { ...p, args };
        }),
    };
}

/** The controllers the FluxInstance must install: the default four, and any other the patches or tenants name. */
function components(set: FluxPatchSet): FluxController[] {
    const wanted = new Set<FluxController>(DEFAULT_COMPONENTS);
    for (const p of set.controllers) wanted.add(p.controller);
    for (const sa of set.tenantServiceAccounts) for (const c of sa.servedBy) wanted.add(c);
    return FLUX_CONTROLLERS.filter((c) => wanted.has(c));
}

/** The FluxInstance object, without the ConfigMaps it needs beside it. */
export function fluxInstanceObject(set: FluxPatchSet, options: FluxInstanceOptions): KubernetesObject {
    const version: FluxVersion = patchSetFluxVersion(set);
    const mapping = fluxInstanceMapping(set, options);
    const patches: KustomizePatchEntry[] = kustomizePatchEntries(uncovered(set, mapping.covered), options.patchCache);
    if (!mapping.coversKustomizationPatch && options.lockdown) patches.push(...lockdownKustomizePatches(options.lockdown, set.namespace));
    const spec: Record<string, unknown> = {
        distribution: { version: `${version}.x`, registry: FLUX_DISTRIBUTION_REGISTRY },
        components: components(set),
        cluster: mapping.cluster,
    };
    if (patches.length > 0) spec.kustomize = { patches: patches.map((p) => ({ target: { kind: p.target.kind, name: p.target.name }, patch: p.patch })) };
    return { apiVersion: FLUX_INSTANCE_API_VERSION, kind: "FluxInstance", metadata: { name: FLUX_INSTANCE_NAME, namespace: set.namespace }, spec };
}

/** The file's header: what it is and how to use it, for a new FluxInstance or an existing one. */
function header(set: FluxPatchSet, version: FluxVersion): string {
    const lines = [
        "Generated by flux-identity: the Flux side for a Flux installed by the Flux Operator (the counterpart of",
        "flux-system/kustomization.yaml for flux bootstrap; use one or the other).",
        `New install: apply this file where the Flux Operator runs (namespace ${set.namespace}), or commit it where the`,
        "cluster's own sync applies it.",
        `Existing FluxInstance: merge into yours: set the spec.cluster fields shown, append every entry of`,
        `spec.kustomize.patches to your list, keep spec.distribution.version on Flux ${version}, and keep every`,
        "component listed here installed (the patches target them).",
    ];
    if (set.configMaps.length > 0) lines.push("The ConfigMaps after the FluxInstance are mounted by the patched controllers: apply them with it.");
    if (set.tenantServiceAccounts.length > 0) lines.push("Tenant ServiceAccounts and their RBAC are the same for both install paths (tenants/*.yaml).");
    return lines.map((l) => `# ${l}`).join("\n") + "\n";
}

/** flux-operator/flux-instance.yaml: the FluxInstance, then the ConfigMaps its controllers mount. */
export function renderFluxInstance(set: FluxPatchSet, options: FluxInstanceOptions): string {
    const version: FluxVersion = patchSetFluxVersion(set);
    const docs: KubernetesObject[] = [fluxInstanceObject(set, options), ...set.configMaps.map((cm) => configMapObject(set.namespace, cm))];
    return header(set, version) + docs.map((o) => "---\n" + toYaml(o)).join("");
}

/** One target's own Flux side (a per-cloud component on its own): both install paths, no lockdown. */
export function renderTargetFluxSide(set: FluxPatchSet, clusterType: SourceClusterType): RenderedFluxSide & { fluxInstanceYaml: string } {
    const patchCache: RenderedPatchCache = new Map();
    return { ...renderFluxSide(set, { patchCache }), fluxInstanceYaml: renderFluxInstance(set, { clusterType, patchCache }) };
}
