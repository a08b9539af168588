/** Azure resource tags: names without <>%&\?/ (at most 512 characters), values of at most 256. */

import { isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";

const FORBIDDEN = /[<>%&\\?/]/;

export function checkAzureTags(value: unknown, issues: Issues): Record<string, string> {
    if (value === undefined) return {};
    if (!isRecord(value)) {
        issues.add("tags", `expected a map of tag names to values, got ${show(value)}.`, "write tags as key: value pairs.");
        return {};
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
        if (k.length === 0 || k.length > 512 || FORBIDDEN.test(k)) {
            issues.at("tags").add(k, `${show(k)} is not a valid Azure tag name.`, "use at most 512 characters without < > % & \\ ? /.");
        } else if (typeof v !== "string" || v.length > 256) {
            issues.at("tags").add(k, `expected a tag value of at most 256 characters, got ${show(v)}.`, "quote the value in YAML.");
        } else {
            out[k] = v;
        }
    }
    return out;
}
