/**
 * Deterministic cloud resource names: a readable part for humans and a hash of everything that makes
 * the identity unique (cloud account, region, cluster, issuer, controller or tenant), so two clusters
 * with the same name in different regions, accounts or issuers never collide, and names never change
 * between runs.
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

/**
 * `<readable parts joined>-<hash>`, truncating the readable part (never the hash) to fit `maxLength`.
 * `readable` may be empty.
 */
export function boundedName(readable: readonly string[], seed: string, options: BoundedNameOptions): string {
    const sep = options.separator ?? "-";
    const hashLength = options.hashLength ?? 8;
    const hash = shortHash(seed, hashLength);
    const allowed = options.allowed ?? /[A-Za-z0-9-]/;
    const cleaned = readable
        .map((part) => [...part].map((ch) => (allowed.test(ch) ? ch : sep)).join(""))
        .filter((part) => part.length > 0)
        .join(sep);
    const room = options.maxLength - hash.length - sep.length;
    if (room <= 0) {
        return hash.slice(0, options.maxLength);
    }
    const head = cleaned.slice(0, room).replace(new RegExp(`${escapeRegExp(sep)}+$`), "");
    return head ? `${head}${sep}${hash}` : hash;
}

function escapeRegExp(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
