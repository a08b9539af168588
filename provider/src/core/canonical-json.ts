/** JSON with object keys sorted at every level, for hashes that must not depend on key order. */

import { compareStrings } from "./order";

/** JSON with object keys sorted at every level (undefined members left out), so key order never changes the text. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(value).sort(compareStrings)) {
            const v = (value as Record<string, unknown>)[k];
            if (v !== undefined) out[k] = sortKeys(v);
        }
        return out;
    }
    return value;
}
