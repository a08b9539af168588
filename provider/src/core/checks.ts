/** Checks of loosely typed input (YAML, JavaScript callers) that report field-named issues. */

import { Issues, show } from "./errors";
import { withArticle } from "./articles";

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value when it is one of `allowed`, the fallback when absent; an issue otherwise. */
export function enumValue<T extends string>(value: unknown, allowed: readonly T[], fallback: T, issues: Issues, field: string): T {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        issues.add(field, `${show(value)} is not one of ${allowed.join(", ")}.`, `set ${field} to one of ${allowed.join(", ")}, or omit it for ${fallback}.`);
        return fallback;
    }
    return value as T;
}

/** A boolean flag; absent means `fallback`. */
export function checkBoolean(value: unknown, issues: Issues, field: string, fallback = false): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
        issues.add(field, `expected true or false, got ${show(value)}.`, `set ${field}: true or false, or remove it.`);
        return fallback;
    }
    return value;
}

/** The value as a map, or an issue naming what was expected. */
export function checkMap(value: unknown, issues: Issues, what: string): Record<string, unknown> | undefined {
    if (!isRecord(value)) {
        issues.add(undefined, `expected ${withArticle(what)} (a map), got ${show(value)}.`, `see the ${what} fields in the README.`);
        return undefined;
    }
    return value;
}

/** An issue for every key not in `known`. */
export function checkKnownFields(entry: Record<string, unknown>, known: readonly string[], issues: Issues): void {
    for (const key of Object.keys(entry)) {
        if (!known.includes(key)) {
            issues.add(key, `unknown field ${show(key)}.`, `use only ${known.join(", ")}.`);
        }
    }
}
