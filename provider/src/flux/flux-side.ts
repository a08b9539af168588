/**
 * The Flux side of one source cluster, composed from every target's patch set: one merged patch set
 * and its manifests. `planCluster` (offline render) and FluxWorkloadIdentity (Pulumi) both call this,
 * so the two can never disagree.
 */

import { SourceClusterType } from "../core/cluster";
import { FluxIdentityValidationError } from "../core/errors";
import { FluxPatchSet, PatchConflictError, mergePatchSets } from "../core/patch";
import { RenderedFluxSide, RenderedPatchCache, renderFluxSide } from "./kustomization";
import { FluxLockdownOptions, lockdownKustomizePatches, lockdownPatchSet, lockdownWarnings } from "./lockdown";
import { FluxObjectSetting } from "./objects";
import { renderFluxObjectSnippets } from "./object-snippets";
import { renderFluxInstance } from "./flux-instance";
import { FluxVersion, patchSetFluxVersion } from "./version";

export interface ComposedFluxSide extends RenderedFluxSide {
    patchSet: FluxPatchSet;
    /** The same Flux side as a FluxInstance, for clusters whose Flux the Flux Operator installs. */
    fluxInstanceYaml: string;
    /** Example Flux objects (typed, validated against Flux's CRDs) showing each setting's provider and ServiceAccount. */
    fluxObjectsYaml: string;
    /** What the lockdown changes for objects that set no ServiceAccount. */
    lockdownWarnings: string[];
}

export interface FluxSideOptions {
    /** Where the cluster sits in the user's document, for error paths. */
    path?: string;
    /** Multi-tenancy lockdown flags (validated by the caller). */
    lockdown?: FluxLockdownOptions;
    /** Every target's object settings, for the snippets and the lockdown warnings. */
    objectSettings?: readonly FluxObjectSetting[];
    /** The Flux minor version, when the targets' patch sets do not say (they do when made by the planners). */
    fluxVersion?: FluxVersion;
    /** The source cluster's type, for the FluxInstance's `spec.cluster.type`. Default generic. */
    clusterType?: SourceClusterType;
}

/**
 * Merges the targets' patch sets and the lockdown flags. Two clouds on one controller share one
 * projected token volume; anything that truly collides is reported at `path`.
 */
export function composeFluxSide(sets: readonly FluxPatchSet[], options: FluxSideOptions = {}): ComposedFluxSide {
    const { path = "", lockdown, objectSettings = [], clusterType = SourceClusterType.Generic } = options;
    if (sets.length === 0) throw new Error("composeFluxSide needs at least one patch set");
    const namespace = sets[0].namespace;
    const given = sets.find((s) => s.fluxVersion !== undefined);
    const fluxVersion: FluxVersion | undefined = given ? patchSetFluxVersion(given) : options.fluxVersion;
    const all = lockdown ? [...sets, lockdownPatchSet(lockdown, namespace, fluxVersion)] : [...sets];
    let patchSet: FluxPatchSet;
    try {
        patchSet = mergePatchSets(all);
    } catch (err) {
        if (!(err instanceof PatchConflictError)) throw err;
        throw new FluxIdentityValidationError([
            { path: path || "(root)", message: `the targets' Flux patches collide: ${err.message}.`, fix: "make the two settings agree, or serve one of the clouds from a bring-your-own identity on another controller." },
        ]);
    }
    if (patchSet.fluxVersion === undefined && fluxVersion !== undefined) patchSet = { ...patchSet, fluxVersion };
    const patchCache: RenderedPatchCache = new Map();
    return {
        patchSet,
        ...renderFluxSide(patchSet, { patchCache, ...(lockdown ? { extraPatches: lockdownKustomizePatches(lockdown, namespace) } : {}) }),
        fluxInstanceYaml: renderFluxInstance(patchSet, { clusterType, lockdown, patchCache }),
        fluxObjectsYaml: renderFluxObjectSnippets(objectSettings, { fluxNamespace: namespace }),
        lockdownWarnings: lockdown ? lockdownWarnings(lockdown, objectSettings, namespace) : [],
    };
}
