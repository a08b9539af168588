/**
 * The Flux side of one source cluster, composed from every target's patch set: one merged patch set
 * and its manifests. `planCluster` (offline render) and FluxWorkloadIdentity (Pulumi) both call this,
 * so the two can never disagree.
 */

import { FluxIdentityValidationError } from "../core/errors";
import { FluxPatchSet, PatchConflictError, mergePatchSets } from "../core/patch";
import { RenderedFluxSide, renderFluxSide } from "./kustomization";

export interface ComposedFluxSide extends RenderedFluxSide {
    patchSet: FluxPatchSet;
}

/**
 * Merges the targets' patch sets (and extra ones, such as lockdown flags). Two clouds on one controller
 * share one projected token volume; anything that truly collides is reported at `path`.
 */
export function composeFluxSide(sets: readonly FluxPatchSet[], path = ""): ComposedFluxSide {
    let patchSet: FluxPatchSet;
    try {
        patchSet = mergePatchSets(sets);
    } catch (err) {
        if (!(err instanceof PatchConflictError)) throw err;
        throw new FluxIdentityValidationError([
            { path: path || "(root)", message: `the targets' Flux patches collide: ${err.message}.`, fix: "make the two settings agree, or serve one of the clouds from a bring-your-own identity on another controller." },
        ]);
    }
    return { patchSet, ...renderFluxSide(patchSet) };
}
