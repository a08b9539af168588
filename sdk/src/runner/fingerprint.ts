/**
 * The fingerprint of a cluster's stack: a SHA-256 over everything that decides the stack's resources,
 * so a run can leave a stack alone whose last successful update had the same fingerprint.
 *
 * What goes in:
 * - the cluster's spec as its program reads it (references resolved; `labels` left out, they only select);
 * - the program: flux-identity's version and a hash of its compiled program code (a local build with
 *   the same version still counts as a change), and the versions of @pulumi/pulumi and the cloud SDKs;
 * - the engine: the Pulumi CLI's version;
 * - the environment variables that choose where the providers put resources (region, subscription,
 *   project, Vault address, kubeconfig): FINGERPRINT_ENV. Credentials are left out on purpose: they
 *   rotate (session tokens) without changing what the stack declares.
 *
 * The fingerprint is recorded as the update's message (`pulumi up --message`), see fingerprintMessage.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { canonicalJson } from "../../../provider/src/core/canonical-json";
import type { FleetClusterSpec } from "../spec/fleet";

/** Bumped when what goes into a fingerprint changes, so that old records never match new fingerprints. */
export const FINGERPRINT_FORMAT = 1;

/** Environment variables that choose where the cloud providers put resources; their values go into the fingerprint. */
export const FINGERPRINT_ENV: readonly string[] = [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "ARM_ENVIRONMENT",
    "ARM_SUBSCRIPTION_ID",
    "ARM_TENANT_ID",
    "ARM_LOCATION",
    "GOOGLE_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "CLOUDSDK_CORE_PROJECT",
    "GOOGLE_REGION",
    "GOOGLE_ZONE",
    "VAULT_ADDR",
    "VAULT_NAMESPACE",
    "KUBECONFIG",
];

/** The cloud SDKs (and the Pulumi SDK) whose versions decide how the program's resources are declared. */
export const FINGERPRINT_PACKAGES: readonly string[] = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/vault"];

/** What the program is: package versions and a hash of the code that declares a cluster's resources. */
export interface ProgramIdentity {
    package: string;
    code: string;
    packages: Record<string, string>;
}

export interface FingerprintInputs {
    cluster: FleetClusterSpec;
    program: ProgramIdentity;
    /** The engine that runs the update, such as `pulumi v3.248.0`. */
    engine: string;
    env: Readonly<Record<string, string | undefined>>;
}

/** The cluster's fingerprint: 64 hexadecimal digits. */
export function clusterFingerprint(inputs: FingerprintInputs): string {
    const { labels: _labels, ...cluster } = inputs.cluster;
    const env: Record<string, string> = {};
    for (const name of FINGERPRINT_ENV) {
        const v = inputs.env[name];
        if (v !== undefined && v !== "") env[name] = v;
    }
    const document = { format: FINGERPRINT_FORMAT, cluster, program: inputs.program, engine: inputs.engine, env };
    return createHash("sha256").update(canonicalJson(document)).digest("hex");
}

const MESSAGE_PREFIX = `flux-identity fingerprint v${FINGERPRINT_FORMAT}:`;

/** The update message that records `fingerprint` in the stack's history. */
export function fingerprintMessage(fingerprint: string): string {
    return `${MESSAGE_PREFIX}${fingerprint}`;
}

/** The fingerprint an update message records, if it is one of fingerprintMessage's. */
export function fingerprintOfMessage(message: string | undefined): string | undefined {
    if (typeof message !== "string" || !message.startsWith(MESSAGE_PREFIX)) return undefined;
    const fp = message.slice(MESSAGE_PREFIX.length).trim();
    return /^[0-9a-f]{64}$/.test(fp) ? fp : undefined;
}

/** The folder holding package.json of the package `moduleFile` belongs to. */
function packageRootOf(moduleFile: string): string | undefined {
    let dir = path.dirname(moduleFile);
    for (;;) {
        if (existsSync(path.join(dir, "package.json"))) return dir;
        const parent = path.dirname(dir);
        if (parent === dir) return undefined;
        dir = parent;
    }
}

function installedVersion(name: string): string {
    try {
        // Resolving the package's main entry works whatever its `exports` allow.
        const root = packageRootOf(require.resolve(name));
        if (root === undefined) return "unknown";
        return (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
    } catch {
        return "absent";
    }
}

function jsFilesUnder(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".js")).map((f) => path.join(dir, f));
}

/** This package's folders (relative to its compiled root) holding the code a stack's program runs. */
const PROGRAM_CODE = [["provider", "src"], ["sdk", "src", "program"], ["sdk", "src", "spec"], ["sdk", "src", "runner", "cluster-program.js"]];

let identity: ProgramIdentity | undefined;

/** This process's ProgramIdentity, computed once (hashing the program code takes a few milliseconds). */
export function programIdentity(): ProgramIdentity {
    if (identity) return identity;
    // This file is <root>/sdk/src/runner/fingerprint.js, <root> being dist/ of the package.
    const root = path.resolve(__dirname, "..", "..", "..");
    const hash = createHash("sha256");
    for (const parts of PROGRAM_CODE) {
        const at = path.join(root, ...parts);
        const files = at.endsWith(".js") ? (existsSync(at) ? [at] : []) : jsFilesUnder(at);
        for (const file of files.sort()) {
            hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
        }
    }
    const own = packageRootOf(__filename);
    const version = own ? ((JSON.parse(readFileSync(path.join(own, "package.json"), "utf8")) as { name?: string; version?: string }) ?? {}) : {};
    const packages: Record<string, string> = {};
    for (const name of FINGERPRINT_PACKAGES) packages[name] = installedVersion(name);
    identity = { package: `${version.name ?? "flux-identity"}@${version.version ?? "unknown"}`, code: hash.digest("hex"), packages };
    return identity;
}
