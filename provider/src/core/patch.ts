/**
 * The Flux side as data: what each controller's ServiceAccount and Deployment need, and the tenant
 * ServiceAccounts of object-level setups. Targets produce patch sets; renderers turn them into a
 * kustomization.yaml (GitOps) or apply them to a live cluster.
 */

import { FluxController, sortControllers } from "./catalog";
import { compareStrings } from "./order";

/** One environment variable with a literal value. */
export interface FluxEnvVar {
    name: string;
    value: string;
}

/** A projected ServiceAccount token in a volume. */
export interface FluxProjectedToken {
    audience: string;
    expirationSeconds: number;
    /** File name inside the volume. */
    path: string;
}

/** A pod volume: projected ServiceAccount tokens, or a ConfigMap. Exactly one of the two is set. */
export interface FluxVolume {
    name: string;
    projectedTokens?: FluxProjectedToken[];
    configMapName?: string;
}

export interface FluxVolumeMount {
    name: string;
    mountPath: string;
    readOnly: boolean;
}

/** Everything one controller needs changed. Empty lists mean "leave as shipped". */
export interface FluxControllerPatch {
    controller: FluxController;
    serviceAccountAnnotations: Record<string, string>;
    /** Labels on the Deployment and its pod template. */
    podLabels: Record<string, string>;
    /** Extra container args, such as the object-level feature gate. */
    args: string[];
    env: FluxEnvVar[];
    volumes: FluxVolume[];
    volumeMounts: FluxVolumeMount[];
}

/** A ServiceAccount in a tenant namespace that Flux objects name in `serviceAccountName`. */
export interface FluxTenantServiceAccount {
    namespace: string;
    name: string;
    annotations: Record<string, string>;
    /** Controllers that request tokens for this ServiceAccount (catalog order); they need RBAC for it. */
    servedBy: FluxController[];
}

/**
 * A ConfigMap in the Flux namespace that controller volumes mount (GCP credential configurations, Azure
 * private-cloud endpoint files). Rendered with a fixed name so the Deployment patches can reference it.
 */
export interface FluxConfigMap {
    name: string;
    /** File name to content. */
    data: Record<string, string>;
}

/** The Flux side of one source cluster. */
export interface FluxPatchSet {
    /** Namespace Flux runs in (`flux-system` by default). */
    namespace: string;
    controllers: FluxControllerPatch[];
    tenantServiceAccounts: FluxTenantServiceAccount[];
    /** ConfigMaps the controllers mount, sorted by name. */
    configMaps: FluxConfigMap[];
    /**
     * The Flux minor version the set was made for: it decided the feature gate, and decides the token RBAC
     * (see flux/version.ts), as `"major.minor"`. Absent in sets made by hand; renderers then assume the
     * default version. A plain string, so component schemas in every language can carry it.
     */
    fluxVersion?: string;
}

export const OBJECT_LEVEL_FEATURE_GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";

export function emptyControllerPatch(controller: FluxController): FluxControllerPatch {
    return { controller, serviceAccountAnnotations: {}, podLabels: {}, args: [], env: [], volumes: [], volumeMounts: [] };
}

/** Collects one patch per controller as a target fills them in; `list()` gives the non-empty ones in catalog order. */
export class ControllerPatches {
    private readonly byController = new Map<FluxController, FluxControllerPatch>();

    of(controller: FluxController): FluxControllerPatch {
        let p = this.byController.get(controller);
        if (!p) {
            p = emptyControllerPatch(controller);
            this.byController.set(controller, p);
        }
        return p;
    }

    list(): FluxControllerPatch[] {
        return sortControllers(this.byController.keys())
            .map((c) => this.byController.get(c) as FluxControllerPatch)
            .filter((p) => !isEmptyControllerPatch(p));
    }
}

export function isEmptyControllerPatch(p: FluxControllerPatch): boolean {
    return (
        Object.keys(p.serviceAccountAnnotations).length === 0 &&
        Object.keys(p.podLabels).length === 0 &&
        p.args.length === 0 &&
        p.env.length === 0 &&
        p.volumes.length === 0 &&
        p.volumeMounts.length === 0
    );
}

/** Raised when two patch sets disagree on one field (two clouds setting the same env var differently). */
export class PatchConflictError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PatchConflictError";
    }
}

/**
 * Merges patch sets (for example controller-level and object-level, or several clouds) into one.
 * Identical entries collapse; entries that differ under one name are a conflict, except projected-token
 * volumes of the same name and mount, whose token sources are unioned.
 */
export function mergePatchSets(sets: readonly FluxPatchSet[]): FluxPatchSet {
    if (sets.length === 0) {
        throw new Error("mergePatchSets needs at least one patch set");
    }
    const namespace = sets[0].namespace;
    for (const s of sets) {
        if (s.namespace !== namespace) {
            throw new PatchConflictError(`patch sets target different Flux namespaces: ${namespace} and ${s.namespace}`);
        }
    }
    const versions = [...new Set(sets.map((s) => s.fluxVersion).filter((v): v is string => v !== undefined))];
    if (versions.length > 1) {
        throw new PatchConflictError(`patch sets were made for different Flux versions: ${versions.join(" and ")}`);
    }
    const byController = new Map<FluxController, FluxControllerPatch>();
    for (const set of sets) {
        for (const patch of set.controllers) {
            const current = byController.get(patch.controller);
            byController.set(patch.controller, current ? mergeControllerPatch(current, patch) : clonePatch(patch));
        }
    }
    const tenants = new Map<string, FluxTenantServiceAccount>();
    for (const set of sets) {
        for (const sa of set.tenantServiceAccounts) {
            const key = `${sa.namespace}/${sa.name}`;
            const current = tenants.get(key);
            tenants.set(key, {
                namespace: sa.namespace,
                name: sa.name,
                annotations: mergeRecords(current?.annotations ?? {}, sa.annotations, `ServiceAccount ${key} annotation`),
                servedBy: sortControllers([...(current?.servedBy ?? []), ...sa.servedBy]),
            });
        }
    }
    const configMaps = new Map<string, FluxConfigMap>();
    for (const set of sets) {
        for (const cm of set.configMaps) {
            const current = configMaps.get(cm.name);
            configMaps.set(cm.name, { name: cm.name, data: mergeRecords(current?.data ?? {}, cm.data, `ConfigMap ${cm.name} key`) });
        }
    }
    const merged: FluxPatchSet = {
        namespace,
        controllers: sortControllers(byController.keys()).map((c) => checkMountPaths(shareTokenVolumes(byController.get(c) as FluxControllerPatch))),
        tenantServiceAccounts: [...tenants.values()].sort((a, b) => compareTenant(a, b)),
        configMaps: [...configMaps.values()].sort((a, b) => compareStrings(a.name, b.name)),
    };
    if (versions.length === 1) merged.fluxVersion = versions[0];
    return merged;
}

export function compareTenant(a: FluxTenantServiceAccount, b: FluxTenantServiceAccount): number {
    return a.namespace === b.namespace ? compareStrings(a.name, b.name) : compareStrings(a.namespace, b.namespace);
}

function clonePatch(p: FluxControllerPatch): FluxControllerPatch {
    return {
        controller: p.controller,
        serviceAccountAnnotations: { ...p.serviceAccountAnnotations },
        podLabels: { ...p.podLabels },
        args: [...p.args],
        env: p.env.map((e) => ({ ...e })),
        volumes: p.volumes.map((v) => ({ ...v, projectedTokens: v.projectedTokens?.map((t) => ({ ...t })) })),
        volumeMounts: p.volumeMounts.map((m) => ({ ...m })),
    };
}

function mergeControllerPatch(a: FluxControllerPatch, b: FluxControllerPatch): FluxControllerPatch {
    const where = a.controller;
    return {
        controller: a.controller,
        serviceAccountAnnotations: mergeRecords(a.serviceAccountAnnotations, b.serviceAccountAnnotations, `${where} ServiceAccount annotation`),
        podLabels: mergeRecords(a.podLabels, b.podLabels, `${where} pod label`),
        args: [...a.args, ...b.args.filter((arg) => !a.args.includes(arg))],
        env: mergeByName(a.env, b.env, (x, y) => x.value === y.value, `${where} env var`),
        volumes: mergeVolumes(a.volumes, b.volumes, where),
        volumeMounts: mergeMounts(a.volumeMounts, b.volumeMounts, where),
    };
}

/** The one projected volume that holds every cloud's token when a controller reaches several clouds. */
export const SHARED_TOKEN_VOLUME = "cloud-tokens";

/**
 * Several clouds on one controller of a cluster without its own webhook each bring a projected token
 * volume mounted at the same directory, with distinct file names (aws-token, azure-token, gcp-token).
 * A pod cannot mount two volumes at one path, so they become one projected volume with one token per
 * audience: every file keeps its path, so the env vars and credential files that name them stay valid.
 */
export function shareTokenVolumes(p: FluxControllerPatch): FluxControllerPatch {
    const byPath = new Map<string, FluxVolumeMount[]>();
    for (const m of p.volumeMounts) byPath.set(m.mountPath, [...(byPath.get(m.mountPath) ?? []), m]);
    let volumes = p.volumes;
    let mounts = p.volumeMounts;
    for (const [mountPath, group] of byPath) {
        if (group.length < 2) continue;
        const members = group.map((m) => volumes.find((v) => v.name === m.name));
        if (members.some((v) => !v?.projectedTokens) || group.some((m) => m.readOnly !== group[0].readOnly)) continue;
        const names = new Set(group.map((m) => m.name));
        const tokens: FluxProjectedToken[] = [];
        for (const v of members as FluxVolume[]) {
            for (const t of v.projectedTokens as FluxProjectedToken[]) {
                const twin = tokens.find((x) => x.path === t.path);
                if (!twin) tokens.push({ ...t });
                else if (twin.audience !== t.audience || twin.expirationSeconds !== t.expirationSeconds) {
                    throw new PatchConflictError(`${p.controller} volumes ${[...names].join(" and ")} both write a token file ${t.path} under ${mountPath} with different audiences`);
                }
            }
        }
        const firstVolume = volumes.findIndex((v) => names.has(v.name));
        const firstMount = mounts.findIndex((m) => names.has(m.name));
        volumes = volumes.filter((v) => !names.has(v.name));
        volumes.splice(firstVolume, 0, { name: SHARED_TOKEN_VOLUME, projectedTokens: tokens });
        mounts = mounts.filter((m) => !names.has(m.name));
        mounts.splice(firstMount, 0, { name: SHARED_TOKEN_VOLUME, mountPath, readOnly: group[0].readOnly });
    }
    if (volumes === p.volumes) return p;
    return { ...p, volumes, volumeMounts: mounts };
}

/** Mounts merge by name; two different volumes at one path would make the pod invalid, so that is a conflict. */
function mergeMounts(a: readonly FluxVolumeMount[], b: readonly FluxVolumeMount[], where: string): FluxVolumeMount[] {
    return mergeByName(a, b, (x, y) => x.mountPath === y.mountPath && x.readOnly === y.readOnly, `${where} volume mount`);
}

/** Two volumes left at one path (not both projected tokens) would make the pod invalid. */
function checkMountPaths(p: FluxControllerPatch): FluxControllerPatch {
    const byPath = new Map<string, string>();
    for (const m of p.volumeMounts) {
        const other = byPath.get(m.mountPath);
        if (other !== undefined) {
            throw new PatchConflictError(`${p.controller} would mount volumes ${other} and ${m.name} both at ${m.mountPath}; a pod cannot mount two volumes at one path`);
        }
        byPath.set(m.mountPath, m.name);
    }
    return p;
}

function mergeRecords(a: Record<string, string>, b: Record<string, string>, what: string): Record<string, string> {
    const out: Record<string, string> = { ...a };
    for (const [k, v] of Object.entries(b)) {
        if (k in out && out[k] !== v) {
            throw new PatchConflictError(`${what} ${k} is set to both ${JSON.stringify(out[k])} and ${JSON.stringify(v)}`);
        }
        out[k] = v;
    }
    return out;
}

function mergeByName<T extends { name: string }>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean, what: string): T[] {
    const out = a.map((x) => ({ ...x }));
    for (const item of b) {
        const existing = out.find((x) => x.name === item.name);
        if (!existing) {
            out.push({ ...item });
        } else if (!same(existing, item)) {
            throw new PatchConflictError(`${what} ${item.name} is defined twice with different values`);
        }
    }
    return out;
}

function mergeVolumes(a: readonly FluxVolume[], b: readonly FluxVolume[], where: string): FluxVolume[] {
    const out = a.map((v) => ({ ...v, projectedTokens: v.projectedTokens?.map((t) => ({ ...t })) }));
    for (const vol of b) {
        const existing = out.find((v) => v.name === vol.name);
        if (!existing) {
            out.push({ ...vol, projectedTokens: vol.projectedTokens?.map((t) => ({ ...t })) });
            continue;
        }
        if (existing.projectedTokens && vol.projectedTokens) {
            for (const token of vol.projectedTokens) {
                const twin = existing.projectedTokens.find((t) => t.path === token.path);
                if (!twin) {
                    existing.projectedTokens.push({ ...token });
                } else if (twin.audience !== token.audience || twin.expirationSeconds !== token.expirationSeconds) {
                    throw new PatchConflictError(`${where} volume ${vol.name} holds two different tokens at ${token.path}`);
                }
            }
        } else if (existing.configMapName !== vol.configMapName || Boolean(existing.projectedTokens) !== Boolean(vol.projectedTokens)) {
            throw new PatchConflictError(`${where} volume ${vol.name} is defined twice with different sources`);
        }
    }
    return out;
}
