/**
 * Deterministic cloud resource names: a readable part for humans and a hash of everything that makes
 * the identity unique (cloud account, region, cluster, issuer, controller or tenant), so two clusters
 * with the same name in different regions, accounts or issuers never collide, and names never change
 * between runs.
 *
 * When a name must be cut to fit, what every identity of a cluster shares (the cluster name) goes first
 * and what tells one identity from its siblings (the controller, the tenant's namespace and name) goes
 * last, so two identities of one long-named cluster never read alike.
 */

import { createHash } from "node:crypto";

export function shortHash(seed: string, length = 8): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

export interface BoundedNameOptions {
    /** Maximum length the cloud accepts. */
    readonly maxLength: number;
    /** Separator between readable parts and before the hash. */
    readonly separator?: string;
    /** Characters the cloud accepts; others are replaced by the separator. */
    readonly allowed?: RegExp;
    readonly hashLength?: number;
}

/** The readable parts of an identity's name, by how readily each is cut. */
export interface DistinctNameParts {
    /** Kept whole: the user's name prefix (the planners check it leaves room), joined to `shared` as written. */
    readonly prefix?: string;
    /** Cut first: what every identity of the cluster shares (the cluster name). */
    readonly shared?: string;
    /** Cut last, evenly: what tells this identity from its siblings (a controller; a tenant's namespace and name). */
    readonly distinct?: readonly string[];
}

/** What tells an identity from its siblings: one part (`source`), or several (a tenant's namespace and name). */
export type DistinctPart = string | readonly string[];

/** The parts of a {@link DistinctPart}. */
export function distinctParts(readable: DistinctPart): string[] {
    return typeof readable === "string" ? [readable] : [...readable];
}

/** A {@link DistinctPart} as one text, its parts joined by '-' (child resource names use it). */
export function distinctText(readable: DistinctPart): string {
    return distinctParts(readable).join("-");
}

interface NameSettings {
    readonly sep: string;
    readonly hash: string;
    readonly allowed: RegExp;
    readonly maxLength: number;
}

function settings(seed: string, options: BoundedNameOptions): NameSettings {
    return { sep: options.separator ?? "-", hash: shortHash(seed, options.hashLength ?? 8), allowed: options.allowed ?? /[A-Za-z0-9-]/, maxLength: options.maxLength };
}

function clean(part: string, s: NameSettings): string {
    return [...part].map((ch) => (s.allowed.test(ch) ? ch : s.sep)).join("");
}

function trimEnd(text: string, sep: string): string {
    let out = text;
    while (sep.length > 0 && out.endsWith(sep)) out = out.slice(0, -sep.length);
    return out;
}

/** `<readable>-<hash>`, or the hash alone when nothing readable is left. */
function withHash(readable: string, s: NameSettings): string {
    const head = trimEnd(readable, s.sep);
    return head ? `${head}${s.sep}${s.hash}` : s.hash;
}

/**
 * `<prefix><shared>-<distinct...>-<hash>`, fitting `maxLength`. A name that fits is exactly the parts
 * joined; one that does not loses characters from the end of `shared` first (down to nothing), then
 * from the `distinct` parts, longest first, each keeping its beginning; the prefix and the hash stay.
 */
export function distinctName(parts: DistinctNameParts, seed: string, options: BoundedNameOptions): string {
    const s = settings(seed, options);
    const prefix = clean(parts.prefix ?? "", s);
    const shared = clean(parts.shared ?? "", s);
    const distinct = (parts.distinct ?? []).map((p) => clean(p, s)).filter((p) => p.length > 0);
    const room = s.maxLength - s.hash.length - s.sep.length;
    if (room <= 0) return s.hash.slice(0, s.maxLength);

    const assemble = (sharedPart: string, distinctParts: readonly string[]): string => {
        const head = trimEnd(prefix + sharedPart, s.sep);
        return [head, ...distinctParts.map((p) => trimEnd(p, s.sep))].filter((p) => p.length > 0).join(s.sep);
    };
    const full = assemble(shared, distinct);
    if (trimEnd(full, s.sep).length <= room) return withHash(full, s);

    // Cut the shared part: keep as much of it as still leaves every distinct part whole.
    for (let keep = shared.length - 1; keep >= 0; keep--) {
        const candidate = assemble(shared.slice(0, keep), distinct);
        if (candidate.length <= room) return withHash(candidate, s);
    }
    // Even without it the distinct parts are too long: share what is left among them, evenly.
    const head = trimEnd(prefix, s.sep);
    const joints = distinct.length - 1 + (head ? 1 : 0);
    const budget = room - head.length - joints * s.sep.length;
    if (distinct.length > 0 && budget >= distinct.length) {
        const caps = evenCaps(distinct.map((p) => p.length), budget);
        const candidate = assemble("", distinct.map((p, i) => p.slice(0, caps[i])));
        if (candidate.length <= room) return withHash(candidate, s);
    }
    return withHash(full.slice(0, room), s);
}

/**
 * Per-part lengths summing to at most `budget`, cutting the longest parts first: the largest cap c with
 * sum(min(len, c)) <= budget, then one more character for the first parts still longer than c.
 */
export function evenCaps(lengths: readonly number[], budget: number): number[] {
    const total = lengths.reduce((a, b) => a + b, 0);
    if (total <= budget) return [...lengths];
    let cap = 0;
    while (lengths.reduce((a, l) => a + Math.min(l, cap + 1), 0) <= budget) cap++;
    let spare = budget - lengths.reduce((a, l) => a + Math.min(l, cap), 0);
    return lengths.map((l) => {
        if (l <= cap) return l;
        if (spare > 0) {
            spare--;
            return cap + 1;
        }
        return cap;
    });
}

/**
 * `<readable parts joined>-<hash>`, truncating the readable part (never the hash) to fit `maxLength`.
 * `readable` may be empty. For identities, use {@link distinctName}: it cuts the shared part first.
 */
export function boundedName(readable: readonly string[], seed: string, options: BoundedNameOptions): string {
    const s = settings(seed, options);
    const cleaned = readable
        .map((part) => clean(part, s))
        .filter((part) => part.length > 0)
        .join(s.sep);
    const room = s.maxLength - s.hash.length - s.sep.length;
    if (room <= 0) return s.hash.slice(0, s.maxLength);
    return withHash(cleaned.slice(0, room), s);
}
