/**
 * The identity hash: a pod-template annotation whose value changes exactly when something a
 * controller's cloud identity depends on changes, so the Deployment rolls and the pods pick it up.
 *
 * ServiceAccount annotations are part of it because they only take effect when pods start (the EKS
 * webhook and Azure's webhook read them at admission); without the hash, changing a role ARN on the
 * ServiceAccount would leave running pods on the old role until something else restarted them.
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json";
import { compareStrings } from "../core/order";
import { FluxConfigMap, FluxControllerPatch } from "../core/patch";

/** Pod-template annotation holding the hash. */
export const IDENTITY_HASH_ANNOTATION = "flux-identity/identity-hash";

// Re-exported: flux-identity/live has always exported it.
export { canonicalJson } from "../core/canonical-json";

const byName = <T extends { name: string }>(a: T, b: T) => compareStrings(a.name, b.name);

/**
 * Everything the controller's identity depends on, in a canonical form. Keyed lists are sorted by their
 * key (the order of env vars or volumes does not change the identity); args keep their order, since a
 * later flag may override an earlier one.
 */
export function identityInputs(patch: FluxControllerPatch, configMaps: readonly FluxConfigMap[]): unknown {
    const referenced = new Set(patch.volumes.map((v) => v.configMapName).filter((n): n is string => n !== undefined));
    return {
        controller: patch.controller,
        serviceAccountAnnotations: patch.serviceAccountAnnotations,
        podLabels: patch.podLabels,
        args: patch.args,
        env: [...patch.env].sort(byName),
        volumes: [...patch.volumes].sort(byName).map((v) => ({
            ...v,
            projectedTokens: v.projectedTokens ? [...v.projectedTokens].sort((a, b) => compareStrings(a.path, b.path)) : undefined,
        })),
        volumeMounts: [...patch.volumeMounts].sort((a, b) => compareStrings(a.mountPath, b.mountPath)),
        configMaps: configMaps.filter((cm) => referenced.has(cm.name)).sort(byName),
    };
}

/** A short, stable hash of the controller's identity inputs (16 hex digits of SHA-256). */
export function identityHash(patch: FluxControllerPatch, configMaps: readonly FluxConfigMap[]): string {
    return createHash("sha256").update(canonicalJson(identityInputs(patch, configMaps))).digest("hex").slice(0, 16);
}
