/**
 * References in a fleet: account, subscription, tenant and project IDs may be written as `${env:NAME}`
 * (an environment variable) or `${config:key}` (a value given with `--config key=value`, or the runner's
 * `config` option), so one fleet file serves several environments without holding their IDs.
 *
 * A reference is the whole value of one of the fields in {@link REFERENCE_FIELDS}; nothing else is
 * substituted. A reference anywhere else is refused: it would silently become a literal string. After
 * resolution the planner checks the resolved value like any literal one. Pure.
 */

import { Issues, ValidationIssue, FluxIdentityValidationError } from "../../../provider/src/core/errors";
import type { FleetSpec } from "./fleet";

/** Environment variable names a reference may use. */
export const ENV_NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_]*";
/** Config keys a reference may use (Pulumi-style `namespace:key` included). */
export const CONFIG_KEY_PATTERN = "[A-Za-z0-9_][A-Za-z0-9_.:/-]*";
/** One reference, as the whole value: `${env:NAME}` or `${config:key}` (a regular expression source, unanchored). */
export const REFERENCE_PATTERN = `\\$\\{(?:env:${ENV_NAME_PATTERN}|config:${CONFIG_KEY_PATTERN})\\}`;

const REFERENCE = new RegExp(`^\\$\\{(env|config):(.*)\\}$`);
const ENV_NAME = new RegExp(`^${ENV_NAME_PATTERN}$`);
const CONFIG_KEY = new RegExp(`^${CONFIG_KEY_PATTERN}$`);
/** Text that reads as an attempted reference, wherever it appears in a value. */
const REFERENCE_LIKE = /\$\{\s*(env|config)\s*:/i;

/** The fields that accept a reference, `*` standing for any list index or map key. */
export const REFERENCE_FIELDS: readonly string[] = [
    "clusters[*].aws.accountId",
    "clusters[*].azure.tenantId",
    "clusters[*].azure.subscriptionId",
    "clusters[*].azure.existingIdentities.*.tenantId",
    "clusters[*].azure.tenants[*].existingIdentity.tenantId",
    "clusters[*].gcp.projectId",
    "clusters[*].gcp.projectNumber",
];

/** The same fields as segment patterns: `#` is any list index, `*` any map key. */
const REFERENCE_FIELD_SEGMENTS: ReadonlyArray<ReadonlyArray<string>> = [
    ["clusters", "#", "aws", "accountId"],
    ["clusters", "#", "azure", "tenantId"],
    ["clusters", "#", "azure", "subscriptionId"],
    ["clusters", "#", "azure", "existingIdentities", "*", "tenantId"],
    ["clusters", "#", "azure", "tenants", "#", "existingIdentity", "tenantId"],
    ["clusters", "#", "gcp", "projectId"],
    ["clusters", "#", "gcp", "projectNumber"],
];

/** Where references get their values. */
export interface ReferenceSources {
    /** Environment variables for `${env:NAME}`. */
    env: Readonly<Record<string, string | undefined>>;
    /** Values for `${config:key}`. */
    config: Readonly<Record<string, string>>;
}

/** One reference found in a fleet. */
export interface FleetReference {
    /** Field path, for example `clusters[2].aws.accountId`. */
    path: string;
    source: "env" | "config";
    /** The variable name or config key. */
    name: string;
    /** The reference as written. */
    text: string;
}

/** Parses a whole value as a reference; undefined when it is not one (or is malformed). */
export function parseReference(value: string): { source: "env" | "config"; name: string } | undefined {
    const m = REFERENCE.exec(value);
    if (!m) return undefined;
    const source = m[1] as "env" | "config";
    const name = m[2];
    if (!(source === "env" ? ENV_NAME : CONFIG_KEY).test(name)) return undefined;
    return { source, name };
}

/** True when the text is, or contains, something written like a reference. */
export function looksLikeReference(value: string): boolean {
    return REFERENCE_LIKE.test(value);
}

function isReferenceField(segments: ReadonlyArray<string | number>): boolean {
    return REFERENCE_FIELD_SEGMENTS.some(
        (pattern) =>
            pattern.length === segments.length &&
            pattern.every((p, i) => {
                const s = segments[i];
                if (p === "#") return typeof s === "number";
                if (p === "*") return typeof s === "string";
                return p === s;
            }),
    );
}

/** Called for a well-formed reference in a field that accepts one; returns the value to put there. */
type OnReference = (ref: FleetReference, at: Issues) => string;

/** The field path of `segments`, in the form issues use (`clusters[0].aws.accountId`). */
function pathOf(segments: ReadonlyArray<string | number>): Issues {
    let at = Issues.root();
    for (const s of segments) at = at.at(s);
    return at;
}

/**
 * Visits every string of `node`, passing well-formed references in reference fields to `onReference` and
 * reporting misplaced and malformed ones to `issues`. With `copy`, returns a deep copy holding what
 * `onReference` returned; without, returns `node`. Paths are built only for strings holding `${`.
 */
function walk(node: unknown, segments: Array<string | number>, issues: Issues, onReference: OnReference, copy: boolean): unknown {
    if (typeof node === "string") {
        if (!node.includes("${")) return node;
        const at = issues.within(pathOf(segments).path());
        if (isReferenceField(segments)) {
            const ref = parseReference(node);
            if (ref) return onReference({ path: at.path(), source: ref.source, name: ref.name, text: node }, at);
            at.add(
                undefined,
                `${JSON.stringify(node)} is not a valid reference.`,
                "write the whole value as ${env:NAME} (an environment variable) or ${config:key} (a --config key=value), or write the value itself.",
            );
            return node;
        }
        if (looksLikeReference(node)) {
            at.add(
                undefined,
                `${JSON.stringify(node)} is a reference in a field that does not take references; it would be used as literal text.`,
                `write the value itself here; references are resolved only in ${REFERENCE_FIELDS.join(", ")}.`,
            );
        }
        return node;
    }
    if (Array.isArray(node)) {
        const out: unknown[] | undefined = copy ? [] : undefined;
        node.forEach((v, i) => {
            segments.push(i);
            const r = walk(v, segments, issues, onReference, copy);
            segments.pop();
            out?.push(r);
        });
        return out ?? node;
    }
    if (node !== null && typeof node === "object") {
        const out: Record<string, unknown> | undefined = copy ? {} : undefined;
        for (const [k, v] of Object.entries(node)) {
            segments.push(k);
            const r = walk(v, segments, issues, onReference, copy);
            segments.pop();
            if (out) out[k] = r;
        }
        return out ?? node;
    }
    return node;
}

/** Every well-formed reference in a reference field, in document order. Pure; reports nothing. */
export function findFleetReferences(fleet: FleetSpec): FleetReference[] {
    const found: FleetReference[] = [];
    walk(
        fleet,
        [],
        Issues.root(),
        (ref) => {
            found.push(ref);
            return ref.text;
        },
        false,
    );
    return found;
}

/** References outside the reference fields, and malformed ones inside them: each would end up as literal text. */
export function misplacedReferenceIssues(fleet: unknown): ValidationIssue[] {
    const issues = Issues.root();
    walk(fleet, [], issues, (ref) => ref.text, false);
    return [...issues.list];
}

/** References that remain in a fleet (one issue each): for code that needs plain values, such as the offline render. */
export function unresolvedReferenceIssues(fleet: FleetSpec): ValidationIssue[] {
    return findFleetReferences(fleet).map((ref) => ({
        path: ref.path,
        message: `${ref.text} is a reference that has not been resolved.`,
        fix: "resolve the fleet's references first: the CLI resolves them from the environment and --config key=value; in code, call resolveFleetReferences.",
    }));
}

/** The result of resolving: the copy and what could not be resolved (or was misplaced). */
export interface ReferenceResolution {
    fleet: FleetSpec;
    /** Every reference that was resolved, with the value it took. */
    resolved: Array<FleetReference & { value: string }>;
    issues: ValidationIssue[];
}

function own(record: Readonly<Record<string, string | undefined>>, key: string): string | undefined {
    if (!Object.prototype.hasOwnProperty.call(record, key)) return undefined;
    const value = record[key];
    return typeof value === "string" ? value : undefined;
}

/** Like {@link resolveFleetReferences}, but returns the issues instead of throwing (unresolved references stay as written). */
export function resolveReferencesCollecting(fleet: FleetSpec, sources: ReferenceSources): ReferenceResolution {
    const issues = Issues.root();
    const resolved: ReferenceResolution["resolved"] = [];
    const copy = walk(fleet, [], issues, (ref, at) => {
        const raw = own(ref.source === "env" ? sources.env : sources.config, ref.name);
        if (raw === undefined || raw.trim() === "") {
            const state = raw === undefined ? "is not set" : "is empty";
            if (ref.source === "env") {
                at.add(undefined, `${ref.text} cannot be resolved: the environment variable ${ref.name} ${state}.`, `export ${ref.name}=<value> before running, or write the value itself instead of the reference.`);
            } else {
                at.add(undefined, `${ref.text} cannot be resolved: the config value ${JSON.stringify(ref.name)} ${state}.`, `pass --config ${ref.name}=<value> (or give it in the run's config option), or write the value itself instead of the reference.`);
            }
            return ref.text;
        }
        const value = raw.trim();
        resolved.push({ ...ref, value });
        return value;
    }, true) as FleetSpec;
    return { fleet: copy, resolved, issues: [...issues.list] };
}

/**
 * Resolves every `${env:NAME}` and `${config:key}` reference of the fleet. Returns a resolved deep copy
 * (the input is not changed), or throws one FluxIdentityValidationError listing every reference that
 * cannot be resolved and every reference written where references are not taken, each with its field
 * path and a fix. Values are trimmed; an empty value counts as missing. The resolved values are checked
 * by the planner like literal ones.
 */
export function resolveFleetReferences(fleet: FleetSpec, sources: ReferenceSources): FleetSpec {
    const r = resolveReferencesCollecting(fleet, sources);
    if (r.issues.length > 0) throw new FluxIdentityValidationError(r.issues);
    return r.fleet;
}

/** Parses one `key=value` pair (as given to `--config`); undefined when there is no `=` or the key is not a valid config key. */
export function parseConfigPair(pair: string): { key: string; value: string } | undefined {
    const eq = pair.indexOf("=");
    if (eq < 0) return undefined;
    const key = pair.slice(0, eq);
    return CONFIG_KEY.test(key) ? { key, value: pair.slice(eq + 1) } : undefined;
}
