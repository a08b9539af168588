/**
 * The fleet spec: a YAML file listing source clusters and what each must reach. Loading parses the YAML,
 * checks it against the JSON Schema (structure: fields, types, enums), then the planner checks every
 * value. Every problem is reported with its field path before anything is written or created.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import * as path from "node:path";
import Ajv2020, { ErrorObject } from "ajv/dist/2020";
import { YAMLException, load } from "js-yaml";
// The schema file in sdk/schema is the one editors use; importing it keeps the two identical.
import fleetSchema from "../../schema/fleet.schema.json";
import { ClusterPlan, ClusterSpec, planCluster } from "../../../provider/src/plan/cluster";
import { withArticle } from "../../../provider/src/core/articles";
import { FluxIdentityValidationError, ValidationIssue, show } from "../../../provider/src/core/errors";
import { FleetReference, misplacedReferenceIssues, resolveReferencesCollecting } from "./references";
import { FleetStackName, fleetSettingsIssues, resolveBackendUrl, secretsProviderFor, stackNameFor } from "./settings";

/** Where the fleet's stacks keep their state, and how their secrets are encrypted. */
export interface FleetBackendSettings {
    /**
     * Pulumi backend URL: `file://<dir>` (relative to the spec file; default `file://.flux-identity/state`),
     * `s3://<bucket>[/prefix]`, `azblob://<container>`, `gs://<bucket>[/prefix]`, or
     * `https://api.pulumi.com` (Pulumi Cloud).
     */
    url?: string;
    /**
     * Stack secrets provider: `passphrase` (default for self-managed backends; the passphrase comes from
     * PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE), `awskms://...`, `azurekeyvault://...`,
     * `gcpkms://...`, `hashivault://...`, or `default` (Pulumi Cloud's own).
     */
    secretsProvider?: string;
}

/** How stacks are named: one stack per cluster, deterministic. */
export interface FleetStackSettings {
    /** Pulumi project of the stacks. Default `flux-identity-fleet`. */
    project?: string;
    /** Stack name template with `{cluster}` (and `{fleet}`); default `{cluster}`. */
    name?: string;
    /** Pulumi Cloud organization; stacks become `<organization>/<project>/<stack>`. */
    organization?: string;
}

/** A cluster of a fleet: the planner's cluster spec plus labels for selecting it. */
export interface FleetClusterSpec extends ClusterSpec {
    /** Labels to select clusters by (`--selector env=prod`). */
    labels?: Record<string, string>;
}

export interface FleetSpec {
    apiVersion: string;
    kind: "Fleet";
    /** The fleet's name, available to stack name templates as `{fleet}`. */
    name?: string;
    backend?: FleetBackendSettings;
    stacks?: FleetStackSettings;
    clusters: FleetClusterSpec[];
}

let compiled: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } = undefined as never;

function validator(): typeof compiled {
    if (!compiled) {
        // verbose: errors carry the offending value and the subschema (for its description).
        compiled = new Ajv2020({ allErrors: true, strict: true, verbose: true }).compile(fleetSchema);
    }
    return compiled;
}

/** `/clusters/0/aws/region` to `clusters[0].aws.region`. */
export function fieldPath(pointer: string, extra?: string): string {
    const parts = pointer
        .split("/")
        .slice(1)
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (extra !== undefined) parts.push(extra);
    let out = "";
    for (const p of parts) {
        // Keys that would not read as one path segment (label keys with dots) are quoted, as in Issues.
        out += /^\d+$/.test(p) ? `[${p}]` : !/^[A-Za-z0-9_$/-]+$/.test(p) ? `[${JSON.stringify(p)}]` : out ? `.${p}` : p;
    }
    return out || "(root)";
}

/** The example fleet the messages point to. */
const EXAMPLE_FLEET = "examples/fleet.yaml in the flux-identity repository";

/** JSON Schema types as a YAML author writes them. */
const TYPE_WORDS: Record<string, { noun: string; fix: string }> = {
    object: { noun: "a map (key: value lines)", fix: "write key: value lines here, indented below the field name." },
    array: { noun: "a list (lines starting with '- ')", fix: "write a list here: one '- ' line per entry, or [a, b] on one line." },
    string: { noun: "a string", fix: "write text here (quote numbers, true/false and dates in YAML: \"123\")." },
    integer: { noun: "a whole number", fix: "write a whole number here, without quotes." },
    number: { noun: "a number", fix: "write a number here, without quotes." },
    boolean: { noun: "true or false", fix: "write true or false here, without quotes." },
};

/** What a parsed YAML value is, for "got ..." in messages. */
function describeValue(value: unknown): string {
    if (value === null || value === undefined) return "nothing (an empty value)";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a map";
    if (typeof value === "string") return `the string ${show(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    return `the ${typeof value} ${show(value)}`;
}

function typeIssue(path: string, type: string, data: unknown): ValidationIssue {
    const words = type.split(",").map((t) => TYPE_WORDS[t] ?? { noun: withArticle(t), fix: `write ${withArticle(t)} here.` });
    return { path, message: `expected ${words.map((w) => w.noun).join(" or ")}, got ${describeValue(data)}.`, fix: words[0].fix };
}

/** The schema's own description of the field, as the fix, when it has one. */
function describedFix(e: ErrorObject): string | undefined {
    const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
    return typeof description === "string" ? `expected: ${description}` : undefined;
}

function lastSegment(pointer: string): string {
    const parts = pointer.split("/");
    const last = parts[parts.length - 1] ?? "";
    return /^\d+$/.test(last) || last === "" ? "the field" : last.replace(/~1/g, "/").replace(/~0/g, "~");
}

function schemaIssue(e: ErrorObject): ValidationIssue {
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
        case "additionalProperty":
        case "additionalProperties":
            return { path: fieldPath(e.instancePath, String(p.additionalProperty)), message: `unknown field ${JSON.stringify(p.additionalProperty)}.`, fix: "remove it or check its spelling against sdk/schema/fleet.schema.json." };
        case "required":
            return { path: fieldPath(e.instancePath, String(p.missingProperty)), message: "this required field is missing.", fix: `add ${String(p.missingProperty)}.` };
        case "enum":
            return { path: fieldPath(e.instancePath), message: `value is not allowed here.`, fix: `use one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}.` };
        case "const":
            return { path: fieldPath(e.instancePath), message: `value must be ${JSON.stringify(p.allowedValue)}.`, fix: `set it to ${JSON.stringify(p.allowedValue)}.` };
        case "propertyNames":
            if (/\/labels$/.test(e.instancePath)) {
                return { path: fieldPath(e.instancePath, String(p.propertyName)), message: `${JSON.stringify(p.propertyName)} is not a valid Kubernetes label key.`, fix: "use [prefix/]name: a name of at most 63 letters, digits, '-', '_' and '.' starting and ending with a letter or digit, and an optional DNS subdomain prefix." };
            }
            return { path: fieldPath(e.instancePath, String(p.propertyName)), message: `${JSON.stringify(p.propertyName)} is not an allowed key here.`, fix: "use a Flux controller name such as source-controller." };
        case "pattern":
            return { path: fieldPath(e.instancePath), message: `${show(e.data)} does not have the expected form.`, fix: describedFix(e) ?? `match ${String(p.pattern)}.` };
        case "type":
            return typeIssue(fieldPath(e.instancePath), String(p.type), e.data);
        case "minItems": {
            const limit = Number(p.limit);
            if (e.instancePath === "/clusters") {
                return { path: "clusters", message: "the fleet lists no clusters.", fix: `add at least one cluster under clusters: with its name, type, issuerUrl and what Flux reaches in aws, azure or gcp (see ${EXAMPLE_FLEET}).` };
            }
            const n = Array.isArray(e.data) ? e.data.length : 0;
            return {
                path: fieldPath(e.instancePath),
                message: n === 0 ? "the list is empty." : `the list has ${n} ${n === 1 ? "entry" : "entries"}; at least ${limit} are needed.`,
                fix: `list at least ${limit === 1 ? "one entry" : `${limit} entries`}, or leave ${lastSegment(e.instancePath)} out where it is optional.`,
            };
        }
        case "uniqueItems":
            return { path: fieldPath(e.instancePath), message: `entries [${String(p.j)}] and [${String(p.i)}] are the same (${show(Array.isArray(e.data) ? e.data[Number(p.i)] : undefined)}).`, fix: "list each value once." };
        case "minLength":
            return {
                path: fieldPath(e.instancePath),
                message: Number(p.limit) === 1 ? "the value is empty." : `${show(e.data)} is shorter than ${String(p.limit)} characters.`,
                fix: describedFix(e) ?? (Number(p.limit) === 1 ? "give a value, or leave the field out where it is optional." : `use at least ${String(p.limit)} characters.`),
            };
        case "maxLength":
            return { path: fieldPath(e.instancePath), message: `the value is ${typeof e.data === "string" ? e.data.length : "?"} characters long; at most ${String(p.limit)} are allowed.`, fix: describedFix(e) ?? `shorten it to ${String(p.limit)} characters.` };
        case "minimum":
        case "maximum":
            return {
                path: fieldPath(e.instancePath),
                message: `${show(e.data)} is ${e.keyword === "minimum" ? "below the minimum" : "above the maximum"} of ${String(p.limit)}.`,
                fix: describedFix(e) ?? `use a value ${e.keyword === "minimum" ? "of at least" : "of at most"} ${String(p.limit)}.`,
            };
        default:
            return { path: fieldPath(e.instancePath), message: `${e.message ?? "is invalid"}.`, fix: "see sdk/schema/fleet.schema.json for the expected shape." };
    }
}

/** Checks parsed data against the schema; returns the issues (empty when valid). */
export function schemaIssues(data: unknown): ValidationIssue[] {
    const validate = validator();
    if (validate(data)) return [];
    const issues = (validate.errors ?? [])
        // propertyNames reports the name once more as a generic error; keep the precise one.
        .filter((e) => e.propertyName === undefined)
        .map(schemaIssue);
    const seen = new Set<string>();
    return issues.filter((i) => {
        const key = `${i.path}|${i.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

/** Parses and validates a fleet (structure and cluster names); values are checked by the planner. */
export function parseFleet(text: string, source = "fleet"): FleetSpec {
    let data: unknown;
    try {
        data = load(text, { filename: source });
    } catch (err) {
        if (!(err instanceof YAMLException)) throw err;
        throw new FluxIdentityValidationError([
            { path: err.mark ? `${source}:${err.mark.line + 1}:${err.mark.column + 1}` : source, message: `YAML syntax error: ${err.reason}.`, fix: "correct the YAML at that line." },
        ]);
    }
    if (data === undefined || data === null) {
        throw new FluxIdentityValidationError([
            { path: source, message: "the fleet file is empty (or holds only comments).", fix: `write a fleet: apiVersion: flux-identity/v1alpha1, kind: Fleet, and a clusters list (see ${EXAMPLE_FLEET}).` },
        ]);
    }
    const issues = schemaIssues(data);
    // References outside the fields that take them would silently become literal text; reported with
    // the structural problems, in place of the schema's less telling complaint about the same field.
    const misplaced = misplacedReferenceIssues(data);
    if (issues.length > 0) {
        const referencePaths = new Set(misplaced.map((i) => i.path));
        throw new FluxIdentityValidationError([...issues.filter((i) => !referencePaths.has(i.path)), ...misplaced]);
    }
    const fleet = data as FleetSpec;
    const seen = new Map<string, number>();
    const dupes: ValidationIssue[] = [];
    fleet.clusters.forEach((c, i) => {
        const first = seen.get(c.name);
        if (first !== undefined) {
            dupes.push({ path: `clusters[${i}].name`, message: `cluster name ${JSON.stringify(c.name)} is already used by clusters[${first}].`, fix: "give every cluster a unique name: it keys cloud resource names and output folders." });
        } else {
            seen.set(c.name, i);
        }
    });
    if (dupes.length > 0 || misplaced.length > 0) throw new FluxIdentityValidationError([...dupes, ...misplaced]);
    return fleet;
}

/**
 * Reads and parses a fleet file (see {@link parseFleet}). References (`${env:NAME}`, `${config:key}`)
 * are left as written: nothing here needs the environment.
 */
export function loadFleet(file: string): FleetSpec {
    return parseFleet(readFleetFile(file), path.basename(file));
}

/**
 * The largest fleet file read: about 40,000 clusters written like examples/fleet.yaml (770 bytes each).
 * A larger file is almost always the wrong path (a log, an image, a device), and parsing it would take
 * the memory of the machine.
 */
export const MAX_FLEET_FILE_BYTES = 32 * 1024 * 1024;

function megabytes(bytes: number): string {
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Reads a fleet file as UTF-8, never more than MAX_FLEET_FILE_BYTES of it (pipes and devices included). */
export function readFleetFile(file: string): string {
    const refuse = (message: string, fix: string) => new FluxIdentityValidationError([{ path: file, message, fix }]);
    const tooLarge = (size?: number) =>
        refuse(
            `the fleet file is ${size === undefined ? `larger than ${megabytes(MAX_FLEET_FILE_BYTES)}` : megabytes(size)}; flux-identity reads fleet files of at most ${megabytes(MAX_FLEET_FILE_BYTES)}.`,
            "check the path: is this the fleet spec? A fleet larger than that belongs in several fleet files.",
        );
    let fd: number;
    try {
        fd = openSync(file, "r");
    } catch (err) {
        throw readFailure(file, err as NodeJS.ErrnoException, refuse);
    }
    try {
        const stat = fstatSync(fd);
        if (stat.isDirectory()) throw refuse("this is a folder, not a file.", `give the fleet file in it, such as ${path.join(file, "fleet.yaml")}.`);
        if (stat.isFile() && stat.size > MAX_FLEET_FILE_BYTES) throw tooLarge(stat.size);
        const chunks: Buffer[] = [];
        const buffer = Buffer.allocUnsafe(1024 * 1024);
        let total = 0;
        for (;;) {
            const n = readSync(fd, buffer, 0, buffer.length, null);
            if (n === 0) break;
            total += n;
            if (total > MAX_FLEET_FILE_BYTES) throw tooLarge();
            chunks.push(Buffer.from(buffer.subarray(0, n)));
        }
        return Buffer.concat(chunks).toString("utf8");
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) throw err;
        throw readFailure(file, err as NodeJS.ErrnoException, refuse);
    } finally {
        closeSync(fd);
    }
}

function readFailure(file: string, err: NodeJS.ErrnoException, refuse: (message: string, fix: string) => FluxIdentityValidationError): FluxIdentityValidationError {
    switch (err.code) {
        case "ENOENT":
            return refuse("there is no file at this path.", path.isAbsolute(file) ? "check the path." : `check the path; it is read from ${process.cwd()}.`);
        case "EACCES":
        case "EPERM":
            return refuse("the fleet file cannot be read: permission denied.", "make it readable for this user, or run as a user who can read it.");
        case "EISDIR":
            return refuse("this is a folder, not a file.", `give the fleet file in it, such as ${path.join(file, "fleet.yaml")}.`);
        default:
            return refuse(`cannot read the fleet file (${err.code ?? String(err)}).`, "check the path and that the file is readable.");
    }
}

/** What a run resolves references from, and where its state goes. */
export interface FleetRunSources {
    /** Environment for `${env:NAME}` references. Default process.env. */
    env?: Readonly<Record<string, string | undefined>>;
    /** Values for `${config:key}` references. */
    config?: Readonly<Record<string, string>>;
    /** Overrides the spec's backend URL. */
    backendUrl?: string;
    /** Folder a relative `file://` backend is resolved against. Default the spec file's folder. */
    workDir?: string;
}

/** One cluster of a fleet loaded for a run: its resolved spec, its stack and its plan. */
export interface FleetRunCluster {
    /** Position in the fleet file (`clusters[index]`). */
    index: number;
    spec: FleetClusterSpec;
    stack: FleetStackName;
    plan: ClusterPlan;
}

/** A fleet checked, resolved and planned for a run: nothing left to refuse. */
export interface FleetForRun {
    /** Absolute path of the spec file. */
    file: string;
    /** Folder relative backend paths were resolved against. */
    workDir: string;
    /** The fleet with every reference resolved. */
    fleet: FleetSpec;
    /** Absolute backend URL. */
    backendUrl: string;
    /** Secrets provider of the stacks (explicit, or the backend's default). */
    secretsProvider: string;
    /** Every cluster, in fleet order. */
    clusters: FleetRunCluster[];
    /** The references that were resolved, with their values. */
    references: Array<FleetReference & { value: string }>;
}

/**
 * Loads a fleet for a run that touches stacks: parses it, checks its settings (backend, secrets
 * provider, stack names, labels), resolves its references and plans every cluster (each at
 * `clusters[i]`). Throws one FluxIdentityValidationError listing the problems of every cluster, so a
 * run is refused before any stack is touched. A cluster whose references cannot be resolved is not
 * planned (its values are unknown); a planner issue about a resolved value names the reference.
 */
export function loadFleetForRun(file: string, sources: FleetRunSources = {}): FleetForRun {
    const absolute = path.resolve(file);
    const parsed = loadFleet(absolute);
    const workDir = path.resolve(sources.workDir ?? path.dirname(absolute));
    const issues: ValidationIssue[] = [];
    const settingsOptions = sources.backendUrl !== undefined ? { backendUrl: sources.backendUrl } : {};
    issues.push(...fleetSettingsIssues(parsed, settingsOptions));
    const resolution = resolveReferencesCollecting(parsed, { env: sources.env ?? process.env, config: sources.config ?? {} });
    issues.push(...resolution.issues);
    const fleet = resolution.fleet;

    const unresolved = new Set(resolution.issues.map((i) => /^clusters\[(\d+)\]/.exec(i.path)?.[1]).filter((i): i is string => i !== undefined).map(Number));
    const origin = new Map(resolution.resolved.map((r) => [r.path, r]));
    const clusters: FleetRunCluster[] = [];
    fleet.clusters.forEach((spec, index) => {
        if (unresolved.has(index)) return;
        try {
            clusters.push({ index, spec, stack: stackNameFor(fleet, spec), plan: planCluster(spec, `clusters[${index}]`) });
        } catch (err) {
            if (!(err instanceof FluxIdentityValidationError)) throw err;
            for (const i of err.issues) {
                const ref = origin.get(i.path);
                issues.push(ref ? { ...i, message: `${i.message} (The value came from ${ref.text}.)` } : i);
            }
        }
    });
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
    const backendUrl = resolveBackendUrl(fleet, { ...settingsOptions, specDir: workDir });
    return { file: absolute, workDir, fleet, backendUrl, secretsProvider: secretsProviderFor(fleet, backendUrl), clusters, references: resolution.resolved };
}
