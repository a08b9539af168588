/** Stable ordering helpers: everything rendered is sorted by code-point order, never by locale. */

export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy of the record with its keys in sorted order (so JSON and YAML output is stable). */
export function sortedRecord(r: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of Object.keys(r).sort()) out[k] = r[k];
    return out;
}
