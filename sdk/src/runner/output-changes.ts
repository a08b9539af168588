/**
 * Which stack outputs an operation changed, from the outputs before and after as the engine records them
 * on the stack resource (`pulumi:pulumi:Stack`). Pure.
 *
 * The engine counts resources, not outputs: a brought role whose ARN changes touches no resource, so the
 * summary says `same` while the kustomization.yaml the cluster needs changed. The stack resource's
 * outputs event carries both sides (`old.outputs`, `new.outputs`), in `preview` as in `up`; in a preview,
 * a value that depends on a resource `up` creates is the engine's unknown placeholder, and secrets are
 * blinded, so neither can be compared.
 */

import { isDeepStrictEqual } from "node:util";
import type { OutputChange } from "./types";

/** How the engine writes a value it cannot know before the update (pulumi's plugin.UnknownStringValue). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The key marking a secret in serialized property values (pulumi's resource.SigKey). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

const SECRET = "[secret]";

/** True when `value` holds the unknown placeholder anywhere. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN_VALUE) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
    return false;
}

/** Serialized secrets (`{ <sig>: ..., ciphertext }`) as `[secret]`, everywhere in `value`. */
export function maskSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (typeof value === "object" && value !== null) {
        if (Object.prototype.hasOwnProperty.call(value, SECRET_SIG_KEY)) return SECRET;
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
    }
    return value;
}

/**
 * The outputs that differ between `before` and `after`, in the order of `after` then the removed ones.
 * `before` undefined is a new stack: every output is created. Secrets are compared as `[secret]`, so a
 * changed secret is not seen (no output of a cluster's stack is secret).
 */
export function outputChangesOf(before: Readonly<Record<string, unknown>> | undefined, after: Readonly<Record<string, unknown>>): OutputChange[] {
    const old = (maskSecrets(before ?? {}) as Record<string, unknown>);
    const now = maskSecrets(after) as Record<string, unknown>;
    const changes: OutputChange[] = [];
    for (const [name, value] of Object.entries(now)) {
        const had = Object.prototype.hasOwnProperty.call(old, name);
        if (containsUnknown(value)) {
            changes.push(had ? { name, change: "unknown", before: old[name] } : { name, change: "unknown" });
        } else if (!had) {
            changes.push({ name, change: "create", after: value });
        } else if (!isDeepStrictEqual(old[name], value)) {
            changes.push({ name, change: "update", before: old[name], after: value });
        }
    }
    for (const [name, value] of Object.entries(old)) {
        if (!Object.prototype.hasOwnProperty.call(now, name)) changes.push({ name, change: "delete", before: value });
    }
    return changes;
}
