/**
 * Container args under Server-Side Apply.
 *
 * `args` of a container is an atomic list (`+listType=atomic` in k8s.io/api core/v1 Container): one
 * field manager owns the whole list, and applying a list replaces it. Applying only the extra flag
 * (the object-level feature gate) would therefore replace Flux's own flags (--events-addr,
 * --storage-path, ...) with that one flag. env (`listMapKey=name`), volumeMounts (`listMapKey=mountPath`)
 * and the pod's volumes (`listMapKey=name`) are maps keyed per entry, so those are applied entry by entry.
 *
 * So live mode reads the Deployment and applies the full list: the args it runs with, minus the flags
 * flux-identity added on an earlier update and no longer wants (recorded in an annotation, so such a flag
 * is removed rather than kept forever), plus the flags wanted now; duplicates dropped, order kept.
 * Taking over an atomic list another manager owns is a conflict by definition, so this one patch is
 * forced, under its own field manager, and kept out of the identity patch (which is never forced).
 */

/** Deployment annotation that records which args flux-identity added, as a JSON list. */
export const ADDED_ARGS_ANNOTATION = "flux-identity/added-args";

export interface MergedArgs {
    /** The full list to apply. */
    args: string[];
    /** The flags in it only because flux-identity wants them: what the annotation records for next time. */
    added: string[];
}

/**
 * The full arg list to apply: `live` without the flags flux-identity added before (`previouslyAdded`,
 * read back from the annotation) that it no longer wants, then the `wanted` flags not there yet; each
 * flag once, first occurrence kept, so re-reading the result and merging again changes nothing. A wanted
 * flag that was already there for another reason (shipped by Flux, set by someone else) is not recorded
 * as added, so it stays when flux-identity stops wanting it.
 */
export function mergeContainerArgs(live: readonly string[], previouslyAdded: readonly string[], wanted: readonly string[]): MergedArgs {
    const ours = new Set(previouslyAdded);
    const others = live.filter((a) => !ours.has(a));
    const args: string[] = [];
    for (const arg of [...live.filter((a) => !ours.has(a) || wanted.includes(a)), ...wanted]) {
        if (!args.includes(arg)) args.push(arg);
    }
    const added = wanted.filter((w, i) => !others.includes(w) && wanted.indexOf(w) === i);
    return { args, added };
}

/** The flags recorded in the annotation; an absent or unreadable annotation records none. */
export function parseAddedArgs(annotation: string | undefined): string[] {
    if (annotation === undefined || annotation === "") return [];
    try {
        const parsed: unknown = JSON.parse(annotation);
        return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === "string") : [];
    } catch {
        return [];
    }
}

/** The annotation value recording `wanted`. */
export function formatAddedArgs(wanted: readonly string[]): string {
    return JSON.stringify([...wanted]);
}
