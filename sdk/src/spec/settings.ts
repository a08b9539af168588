/**
 * The fleet's provisioning settings: where its stacks keep state (`backend`), how their secrets are
 * encrypted, how stacks are named (`stacks`), and the clusters' `labels`. Pure: nothing here reads the
 * environment or touches a backend.
 *
 * Stack and project names follow Pulumi's rule, the same for Pulumi Cloud and self-managed backends:
 * 1 to 100 letters, digits, `-`, `_` and `.` (`^[A-Za-z0-9_.-]{1,100}$`); organization names are 3 to
 * 40 letters, digits, `-` and `_`, starting and ending with a letter or digit. Self-managed backends have
 * no organizations: every stack there is `organization/<project>/<stack>`.
 */

import * as path from "node:path";
import { FluxIdentityValidationError, Issues, ValidationIssue, show } from "../../../provider/src/core/errors";
import type { FleetClusterSpec, FleetSpec } from "./fleet";

/** Pulumi project of the fleet's stacks when `stacks.project` is not set. */
export const DEFAULT_STACK_PROJECT = "flux-identity-fleet";
/** Stack name template when `stacks.name` is not set. */
export const DEFAULT_STACK_NAME_TEMPLATE = "{cluster}";
/** Backend when `backend.url` is not set: relative to the spec file's folder. */
export const DEFAULT_BACKEND_URL = "file://.flux-identity/state";
/** The only organization self-managed backends know. */
export const SELF_MANAGED_ORGANIZATION = "organization";

/** Pulumi's stack and project names. */
export const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** Pulumi Cloud organization (owner) names. */
export const PULUMI_ORGANIZATION = /^[a-zA-Z0-9][a-zA-Z0-9_-]{1,38}[a-zA-Z0-9]$/;

/** Kubernetes label keys: an optional DNS subdomain prefix (at most 253 characters) and `/`, then a name of at most 63. */
export const LABEL_KEY = /^(?:(?=[^/]{1,253}\/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Kubernetes label values: empty, or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit. */
export const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AZURE_CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const AZURE_KEY_VAULT = /^[A-Za-z0-9.-]+\.[A-Za-z0-9.-]+\/keys\/[A-Za-z0-9-]+(?:\/[A-Za-z0-9]+)?(?:\?.*)?$/;
const GCP_KMS_KEY = /^projects\/[^/\s]+\/locations\/[^/\s]+\/keyRings\/[^/\s]+\/cryptoKeys\/[^/\s?]+(?:\?.*)?$/;

/** A cluster's stack. */
export interface FleetStackName {
    /** Pulumi project. */
    project: string;
    /** Stack name, rendered from the template. */
    stack: string;
    /** `organization/project/stack` when an organization is set, else `stack`. */
    fullyQualified: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function settingsOf(fleet: FleetSpec): { project: string; template: string; organization?: string } {
    const stacks: Record<string, unknown> = isRecord(fleet.stacks) ? fleet.stacks : {};
    const out: { project: string; template: string; organization?: string } = {
        project: typeof stacks.project === "string" ? stacks.project : DEFAULT_STACK_PROJECT,
        template: typeof stacks.name === "string" ? stacks.name : DEFAULT_STACK_NAME_TEMPLATE,
    };
    if (typeof stacks.organization === "string") out.organization = stacks.organization;
    return out;
}

function renderTemplate(template: string, cluster: string, fleetName: string | undefined): string {
    return template.replace(PLACEHOLDER, (whole, key: string) => (key === "cluster" ? cluster : key === "fleet" && fleetName !== undefined ? fleetName : whole));
}

/**
 * The stack of one cluster: `stacks.project` (default `flux-identity-fleet`), `stacks.name` rendered with
 * `{cluster}` and `{fleet}` (default `{cluster}`), qualified by `stacks.organization` when set.
 * Deterministic; does not validate (see {@link fleetSettingsIssues}).
 */
export function stackNameFor(fleet: FleetSpec, cluster: FleetClusterSpec | string): FleetStackName {
    const { project, template, organization } = settingsOf(fleet);
    const name = typeof cluster === "string" ? cluster : cluster.name;
    const stack = renderTemplate(template, name, typeof fleet.name === "string" ? fleet.name : undefined);
    return { project, stack, fullyQualified: organization !== undefined ? `${organization}/${project}/${stack}` : stack };
}

/** True for a Pulumi Cloud (or self-hosted Pulumi service) backend. */
export function isServiceBackend(url: string): boolean {
    return /^https:\/\//i.test(url);
}

/** The secrets provider the fleet's stacks use: the one set, else `default` on a Pulumi Cloud backend, else `passphrase`. */
export function secretsProviderFor(fleet: FleetSpec, backendUrl?: string): string {
    const set = isRecord(fleet.backend) && typeof fleet.backend.secretsProvider === "string" ? fleet.backend.secretsProvider : undefined;
    if (set !== undefined) return set;
    return isServiceBackend(backendUrl ?? backendUrlOf(fleet)) ? "default" : "passphrase";
}

function backendUrlOf(fleet: FleetSpec): string {
    return isRecord(fleet.backend) && typeof fleet.backend.url === "string" ? fleet.backend.url : DEFAULT_BACKEND_URL;
}

/** Splits `scheme://rest`; undefined when the text has no scheme. */
function splitUrl(url: string): { scheme: string; rest: string } | undefined {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(url);
    return m ? { scheme: m[1].toLowerCase(), rest: m[2] } : undefined;
}

/** Checks a backend URL; `field` is where it came from (`backend.url`, or the override). */
export function checkBackendUrl(url: unknown, issues: Issues, field: string): url is string {
    const accepted = "file://<dir> (relative to the spec file), s3://<bucket>[/prefix], azblob://<container>, gs://<bucket>[/prefix], or https://api.pulumi.com (Pulumi Cloud) or your self-hosted service's https URL";
    if (typeof url !== "string" || url.trim() !== url || url === "") {
        issues.addAt(field, `expected a Pulumi backend URL, got ${show(url)}.`, `use ${accepted}.`);
        return false;
    }
    const parts = splitUrl(url);
    if (!parts) {
        issues.addAt(field, `${show(url)} is not a URL: it has no scheme.`, `use ${accepted}; for a folder write file://${url}.`);
        return false;
    }
    const [location] = parts.rest.split("?", 1);
    const [bucket] = location.split("/", 1);
    switch (parts.scheme) {
        case "file":
            if (location === "") {
                issues.addAt(field, "the file backend names no folder.", `write file://<dir>, for example ${DEFAULT_BACKEND_URL} (relative to the spec file) or file:///var/lib/fleet-state.`);
                return false;
            }
            return true;
        case "s3":
            if (!S3_BUCKET.test(bucket)) {
                issues.addAt(field, `${show(bucket)} is not a valid S3 bucket name.`, "write s3://<bucket>[/prefix] with a bucket of 3 to 63 lowercase letters, digits, '.' and '-'.");
                return false;
            }
            return true;
        case "azblob":
            if (!AZURE_CONTAINER.test(bucket)) {
                issues.addAt(field, `${show(bucket)} is not a valid Azure Blob container name.`, "write azblob://<container> with 3 to 63 lowercase letters, digits and single '-' (the storage account comes from AZURE_STORAGE_ACCOUNT or ?storage_account=).");
                return false;
            }
            return true;
        case "gs":
            if (!GCS_BUCKET.test(bucket)) {
                issues.addAt(field, `${show(bucket)} is not a valid Cloud Storage bucket name.`, "write gs://<bucket>[/prefix] with lowercase letters, digits, '-', '_' and '.'.");
                return false;
            }
            return true;
        case "https": {
            let host = "";
            try {
                host = new URL(url).hostname;
            } catch {
                host = "";
            }
            if (host === "") {
                issues.addAt(field, `${show(url)} is not a valid https URL.`, "write https://api.pulumi.com for Pulumi Cloud, or your self-hosted service's API URL.");
                return false;
            }
            return true;
        }
        case "http":
            issues.addAt(field, `${show(url)} is a plain http backend: stack state and tokens would cross the network unencrypted.`, "use the service's https URL.");
            return false;
        default:
            issues.addAt(field, `backend scheme ${show(parts.scheme + "://")} is not supported.`, `use ${accepted}.`);
            return false;
    }
}

/** Checks a secrets provider against the backend it goes with. */
export function checkSecretsProvider(value: unknown, backendUrl: string, issues: Issues, field: string): value is string {
    const accepted = "passphrase, default (Pulumi Cloud), awskms://<key id, alias/name or ARN>[?region=...], azurekeyvault://<vault>.vault.azure.net/keys/<key>, gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K, or hashivault://<key>";
    if (typeof value !== "string" || value === "") {
        issues.addAt(field, `expected a secrets provider, got ${show(value)}.`, `use ${accepted}.`);
        return false;
    }
    if (value === "passphrase") return true;
    if (value === "default") {
        if (!isServiceBackend(backendUrl)) {
            issues.addAt(field, `the default secrets provider is Pulumi Cloud's own, but the backend is ${show(backendUrl)}.`, "use passphrase (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE) or a KMS provider (awskms://, azurekeyvault://, gcpkms://, hashivault://), or a Pulumi Cloud backend.");
            return false;
        }
        return true;
    }
    const parts = splitUrl(value);
    const rest = parts?.rest ?? "";
    const bad = (what: string, example: string): false => {
        issues.addAt(field, `${show(value)} is not a valid ${what}.`, `write ${example}.`);
        return false;
    };
    switch (parts?.scheme) {
        case "awskms":
            return /^\/?[^\s?/][^\s?]*(?:\?\S*)?$/.test(rest) || bad("AWS KMS secrets provider", "awskms://alias/<name>?region=<region>, awskms://<key id>?region=<region> or awskms:///arn:aws:kms:...");
        case "azurekeyvault":
            return AZURE_KEY_VAULT.test(rest) || bad("Azure Key Vault secrets provider", "azurekeyvault://<vault>.vault.azure.net/keys/<key>");
        case "gcpkms":
            return GCP_KMS_KEY.test(rest) || bad("Cloud KMS secrets provider", "gcpkms://projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>");
        case "hashivault":
            return /^[A-Za-z0-9_.-]+(?:\?\S*)?$/.test(rest) || bad("HashiCorp Vault secrets provider", "hashivault://<transit key name>");
        default:
            issues.addAt(field, `${show(value)} is not a secrets provider Pulumi knows.`, `use ${accepted}.`);
            return false;
    }
}

function checkLabels(value: unknown, at: Issues): void {
    if (value === undefined) return;
    if (!isRecord(value)) {
        at.add(undefined, `expected a map of label keys to values, got ${show(value)}.`, "write labels: { env: prod, region: eu }.");
        return;
    }
    for (const [key, v] of Object.entries(value)) {
        if (!LABEL_KEY.test(key)) {
            at.add(key, `${show(key)} is not a valid Kubernetes label key.`, "use [prefix/]name: a name of at most 63 letters, digits, '-', '_' and '.' starting and ending with a letter or digit, and an optional DNS subdomain prefix.");
        }
        if (typeof v !== "string" || !LABEL_VALUE.test(v)) {
            at.add(key, `${show(v)} is not a valid Kubernetes label value.`, "use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (quote numbers and booleans in YAML).");
        }
    }
}

/**
 * Checks the fleet's name, backend, secrets provider, stack naming and cluster labels, and that every
 * cluster's rendered stack name is a valid Pulumi stack name, unique in the fleet (compared without case,
 * as file backends on case-insensitive disks would). `backendUrl` overrides `backend.url` (reported as
 * `backendUrl`). Returns every issue; never throws.
 */
export function fleetSettingsIssues(fleet: FleetSpec, options: { backendUrl?: string } = {}): ValidationIssue[] {
    const issues = Issues.root();
    if (!isRecord(fleet)) {
        issues.add(undefined, `expected a fleet, got ${show(fleet)}.`, "give apiVersion, kind and clusters.");
        return [...issues.list];
    }
    const fleetName = fleet.name;
    if (fleetName !== undefined && (typeof fleetName !== "string" || !PULUMI_NAME.test(fleetName))) {
        issues.add("name", `${show(fleetName)} is not a valid fleet name.`, "use 1 to 100 letters, digits, '-', '_' and '.' (it can appear in stack names as {fleet}).");
    }

    // Backend and secrets.
    const backend: unknown = fleet.backend;
    let effectiveUrl = DEFAULT_BACKEND_URL;
    if (backend !== undefined && !isRecord(backend)) {
        issues.add("backend", `expected the backend settings, got ${show(backend)}.`, "write backend: { url: ..., secretsProvider: ... }, or remove it for a file backend next to the spec.");
    }
    const b: Record<string, unknown> = isRecord(backend) ? backend : {};
    if (options.backendUrl !== undefined) {
        if (checkBackendUrl(options.backendUrl, issues, "backendUrl")) effectiveUrl = options.backendUrl;
    } else if (b.url !== undefined) {
        if (checkBackendUrl(b.url, issues, "backend.url")) effectiveUrl = b.url as string;
    }
    if (b.secretsProvider !== undefined) checkSecretsProvider(b.secretsProvider, effectiveUrl, issues, "backend.secretsProvider");

    // Stacks.
    const stacks: unknown = fleet.stacks;
    if (stacks !== undefined && !isRecord(stacks)) {
        issues.add("stacks", `expected the stack settings, got ${show(stacks)}.`, "write stacks: { project: ..., name: \"{cluster}\" }, or remove it for the defaults.");
    }
    const s: Record<string, unknown> = isRecord(stacks) ? stacks : {};
    if (s.project !== undefined && (typeof s.project !== "string" || !PULUMI_NAME.test(s.project))) {
        issues.at("stacks").add("project", `${show(s.project)} is not a valid Pulumi project name.`, "use 1 to 100 letters, digits, '-', '_' and '.'.");
    }
    if (s.organization !== undefined) {
        if (typeof s.organization !== "string" || !PULUMI_ORGANIZATION.test(s.organization)) {
            issues.at("stacks").add("organization", `${show(s.organization)} is not a valid Pulumi organization name.`, "use 3 to 40 letters, digits, '-' and '_', starting and ending with a letter or digit.");
        } else if (!isServiceBackend(effectiveUrl) && s.organization !== SELF_MANAGED_ORGANIZATION) {
            issues.at("stacks").add(
                "organization",
                `self-managed backends have no organizations (every stack there is ${SELF_MANAGED_ORGANIZATION}/<project>/<stack>), so ${show(s.organization)} cannot be used with ${show(effectiveUrl)}.`,
                "remove stacks.organization, or use a Pulumi Cloud backend (https://api.pulumi.com).",
            );
        }
    }
    let templateOk = true;
    if (s.name !== undefined) templateOk = checkTemplate(s.name, typeof fleetName === "string", issues);

    // Clusters: labels and rendered stack names.
    const clusters = Array.isArray(fleet.clusters) ? (fleet.clusters as unknown[]) : [];
    const seen = new Map<string, number>();
    clusters.forEach((c, i) => {
        if (!isRecord(c)) return;
        const at = issues.at("clusters").at(i);
        checkLabels(c.labels, at.at("labels"));
        if (typeof c.name !== "string" || !templateOk) return;
        const { stack } = stackNameFor(fleet, c.name);
        if (stack.length > 100 || !PULUMI_NAME.test(stack)) {
            at.add("name", `the cluster's stack name ${show(stack)} is not a valid Pulumi stack name.`, "use cluster names and a stacks.name template that render to 1 to 100 letters, digits, '-', '_' and '.'.");
            return;
        }
        const key = stack.toLowerCase();
        const first = seen.get(key);
        if (first !== undefined) {
            at.add("name", `the cluster's stack name ${show(stack)} is the same as clusters[${first}]'s.`, "give every cluster a name that renders to its own stack name (stack names are compared without case).");
        } else {
            seen.set(key, i);
        }
    });
    return [...issues.list];
}

/** The stack name template: `{cluster}` required, `{fleet}` only with a fleet name, the rest valid stack name characters. */
function checkTemplate(template: unknown, hasFleetName: boolean, issues: Issues): boolean {
    const field = "name";
    const at = issues.at("stacks");
    if (typeof template !== "string" || template === "") {
        at.add(field, `expected a stack name template, got ${show(template)}.`, 'write a template with {cluster}, for example "{cluster}" or "{fleet}-{cluster}".');
        return false;
    }
    let ok = true;
    const placeholders = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
    const unknown = placeholders.filter((p) => p !== "cluster" && p !== "fleet");
    if (unknown.length > 0) {
        at.add(field, `unknown placeholder${unknown.length > 1 ? "s" : ""} ${unknown.map((p) => `{${p}}`).join(", ")} in ${show(template)}.`, "use {cluster} and {fleet} only.");
        ok = false;
    }
    if (!placeholders.includes("cluster")) {
        at.add(field, `${show(template)} has no {cluster}: every cluster would get the same stack.`, 'add {cluster}, for example "{fleet}-{cluster}".');
        ok = false;
    }
    if (placeholders.includes("fleet") && !hasFleetName) {
        at.add(field, `${show(template)} uses {fleet}, but the fleet has no name.`, "set the fleet's top-level name, or remove {fleet}.");
        ok = false;
    }
    const literal = template.replace(PLACEHOLDER, "");
    if (!/^[A-Za-z0-9_.-]*$/.test(literal)) {
        at.add(field, `${show(template)} has characters Pulumi stack names cannot hold.`, "use letters, digits, '-', '_' and '.' besides {cluster} and {fleet}.");
        ok = false;
    }
    return ok;
}

/** Throws one FluxIdentityValidationError with every settings issue (see {@link fleetSettingsIssues}). */
export function checkFleetSettings(fleet: FleetSpec, options: { backendUrl?: string } = {}): void {
    const issues = fleetSettingsIssues(fleet, options);
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
}

/**
 * The backend URL a run uses: `backendUrl` (an override) else `backend.url` else a file backend at
 * `<specDir>/.flux-identity/state`. A relative `file://` path is made absolute against `specDir` (the
 * spec file's folder, or the run's working directory); `file://~...` and other schemes are returned as
 * they are. Throws a FluxIdentityValidationError when the URL is not a valid backend URL.
 */
export function resolveBackendUrl(fleet: FleetSpec, options: { backendUrl?: string; specDir: string }): string {
    const field = options.backendUrl !== undefined ? "backendUrl" : "backend.url";
    const url = options.backendUrl ?? backendUrlOf(fleet);
    const issues = Issues.root();
    if (!checkBackendUrl(url, issues, field)) issues.throwIfAny();
    const parts = splitUrl(url);
    if (!parts || parts.scheme !== "file") return url;
    const q = parts.rest.indexOf("?");
    const location = q < 0 ? parts.rest : parts.rest.slice(0, q);
    const query = q < 0 ? "" : parts.rest.slice(q);
    if (location.startsWith("/") || location === "~" || location.startsWith("~/")) return url;
    return `file://${path.resolve(options.specDir, location)}${query}`;
}
