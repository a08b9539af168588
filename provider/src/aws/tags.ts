/** IAM tags: the user's, checked against IAM's rules, beside flux-identity's own. */

import { isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** flux-identity's own tag keys: every resource gets the first two, roles the third. */
export const RESERVED_TAG_KEYS = ["managed-by", "flux-identity/cluster", "flux-identity/identity"];

export function checkTags(value: unknown, issues: Issues): Record<string, string> {
    if (value === undefined) return {};
    if (!isRecord(value)) {
        issues.add("tags", `expected a map of tag keys to values, got ${show(value)}.`, "write tags as key: value pairs.");
        return {};
    }
    const out: Record<string, string> = {};
    const keys = Object.keys(value);
    if (keys.length > 47) {
        issues.add("tags", `${keys.length} tags are more than the 47 IAM leaves room for next to flux-identity's own three.`, "use at most 47 tags.");
    }
    for (const key of keys) {
        const v = value[key];
        if (key.length === 0 || key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith("aws:") || RESERVED_TAG_KEYS.includes(key)) {
            issues.at("tags").add(key, `${show(key)} is not a usable tag key.`, "use 1-128 letters, digits, spaces and _.:/=+-@, not starting with aws: and not one of flux-identity's own keys.");
        } else if (typeof v !== "string" || v.length > 256 || !TAG_TEXT.test(v)) {
            issues.at("tags").add(key, `${show(v)} is not a usable tag value.`, "use a string of at most 256 letters, digits, spaces and _.:/=+-@ (quote numbers in YAML).");
        } else {
            out[key] = v;
        }
    }
    return out;
}
