/**
 * The fleet spec: a YAML file listing source clusters and what each must reach. Loading parses the YAML,
 * checks it against the JSON Schema (structure: fields, types, enums), then the planner checks every
 * value. Every problem is reported with its field path before anything is written or created.
 */

import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2020, { ErrorObject } from "ajv/dist/2020";
import { YAMLException, load } from "js-yaml";
// The schema file in sdk/schema is the one editors use; importing it keeps the two identical.
import fleetSchema from "../../schema/fleet.schema.json";
import { ClusterSpec } from "../../../provider/src/plan/cluster";
import { FluxIdentityValidationError, ValidationIssue } from "../../../provider/src/core/errors";

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
        compiled = new Ajv2020({ allErrors: true, strict: true }).compile(fleetSchema);
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
        out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
    }
    return out || "(root)";
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
            return { path: fieldPath(e.instancePath, String(p.propertyName)), message: `${JSON.stringify(p.propertyName)} is not an allowed key here.`, fix: "use a Flux controller name such as source-controller." };
        case "type":
            return { path: fieldPath(e.instancePath), message: `expected ${String(p.type)}.`, fix: `write a ${String(p.type)} here${p.type === "string" ? " (quote numbers in YAML)" : ""}.` };
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
        .filter((e) => !(e.keyword === "enum" && e.propertyName !== undefined))
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
    const issues = schemaIssues(data);
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
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
    if (dupes.length > 0) throw new FluxIdentityValidationError(dupes);
    return fleet;
}

export function loadFleet(file: string): FleetSpec {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        throw new FluxIdentityValidationError([{ path: file, message: `cannot read the fleet file (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, fix: "check the path." }]);
    }
    return parseFleet(text, path.basename(file));
}
