/** GCP resource names and IDs: validation with messages that show the expected shape. */

import { Issues, show } from "../core/errors";
import { withArticle } from "../core/articles";

/** GCP project IDs: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter. */
export const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** Project numbers are decimal digits (kept as strings so YAML and JSON never round them). */
export const PROJECT_NUMBER = /^[1-9][0-9]{0,29}$/;

const PROJECT = "(?<project>[a-z][a-z0-9-]{4,28}[a-z0-9])";
const LOCATION = "(?<location>[a-z][a-z0-9-]{0,62})";

/** One kind of GCP resource name. */
export interface GcpNameKind {
    /** Human name, such as "Artifact Registry repository". */
    readonly what: string;
    /** The whole name, with named groups for its parts. */
    readonly pattern: RegExp;
    readonly example: string;
    /** Advice for common near misses (a gs:// URL, a docker host path, a key version). */
    readonly hint?: (value: string) => string | undefined;
}

export const GAR_REPOSITORY: GcpNameKind = {
    what: "Artifact Registry repository name",
    pattern: new RegExp(`^projects/${PROJECT}/locations/${LOCATION}/repositories/(?<repository>[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)$`),
    example: "projects/<project>/locations/<location>/repositories/<repository>",
    hint: (v) => {
        const m = /^(?:[a-z]+:\/\/)?([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)/.exec(v);
        return m ? `write the repository's resource name, projects/${m[2]}/locations/${m[1]}/repositories/${m[3]}, not its registry host path.` : undefined;
    },
};

export const GCS_BUCKET: GcpNameKind = {
    what: "Cloud Storage bucket name",
    pattern: /^(?<bucket>[a-z0-9](?:[a-z0-9_-]{1,61}[a-z0-9]|[a-z0-9_.-]{1,220}[a-z0-9]))$/,
    example: "<bucket-name> (3-63 lowercase letters, digits, '-', '_' and '.')",
    hint: (v) => (v.startsWith("gs://") ? `write the bucket name without gs://, such as ${show(v.slice(5).split("/")[0])}.` : v.includes("/") ? "give the bucket name only, without objects or a resource path." : undefined),
};

const KEY_RING_PATH = `projects/${PROJECT}/locations/${LOCATION}/keyRings/(?<keyRing>[a-zA-Z0-9_-]{1,63})`;

export const KMS_CRYPTO_KEY: GcpNameKind = {
    what: "Cloud KMS crypto key name",
    pattern: new RegExp(`^${KEY_RING_PATH}/cryptoKeys/(?<cryptoKey>[a-zA-Z0-9_-]{1,63})$`),
    example: "projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>",
    hint: (v) => (/\/cryptoKeyVersions\//.test(v) ? "name the key, not a version: drop /cryptoKeyVersions/<n>; decryption uses whichever version encrypted the data." : undefined),
};

export const KMS_KEY_RING: GcpNameKind = {
    what: "Cloud KMS key ring name",
    pattern: new RegExp(`^${KEY_RING_PATH}$`),
    example: "projects/<project>/locations/<location>/keyRings/<ring>",
    hint: (v) => (/\/cryptoKeys\//.test(v) ? "this is a crypto key: list it under cryptoKeys instead." : undefined),
};

export const GKE_CLUSTER: GcpNameKind = {
    what: "GKE cluster name",
    pattern: new RegExp(`^projects/${PROJECT}/locations/${LOCATION}/clusters/(?<cluster>[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?)$`),
    example: "projects/<project>/locations/<location>/clusters/<name>",
    hint: (v) => (v.startsWith("https://container.googleapis.com/v1/") ? `drop the URL prefix: ${v.slice("https://container.googleapis.com/v1/".length)}.` : undefined),
};

export const PUBSUB_TOPIC: GcpNameKind = {
    what: "Pub/Sub topic name",
    pattern: new RegExp(`^projects/${PROJECT}/topics/(?<topic>(?!goog)[A-Za-z][A-Za-z0-9._~+%-]{2,254})$`),
    example: "projects/<project>/topics/<topic>",
};

export const SERVICE_ACCOUNT_EMAIL: GcpNameKind = {
    what: "GCP service account email",
    pattern: new RegExp(`^(?<account>[a-z][a-z0-9-]{4,28}[a-z0-9])@${PROJECT}\\.iam\\.gserviceaccount\\.com$`),
    example: "<name>@<project>.iam.gserviceaccount.com",
    hint: (v) => (v.startsWith("serviceAccount:") ? "give the email without the serviceAccount: prefix." : undefined),
};

/** The named parts of a valid name, or undefined with an issue at `field`. */
export function checkGcpName(value: unknown, kind: GcpNameKind, issues: Issues, field: string | number): Record<string, string> | undefined {
    if (typeof value !== "string" || value.length === 0) {
        issues.add(field, `expected ${withArticle(kind.what)}, got ${show(value)}.`, `use ${kind.example}.`);
        return undefined;
    }
    const m = kind.pattern.exec(value);
    if (!m || (kind === GCS_BUCKET && !bucketLabelsOk(value))) {
        issues.add(field, `${show(value)} is not a valid ${kind.what} (${kind.example}).`, kind.hint?.(value) ?? `use ${kind.example}.`);
        return undefined;
    }
    return { ...m.groups };
}

/** Dotted bucket names: each dot-separated part at most 63 characters; "goog" prefixes are reserved. */
function bucketLabelsOk(name: string): boolean {
    return !name.startsWith("goog") && name.split(".").every((part) => part.length > 0 && part.length <= 63);
}

/** The project of a GSA email (`<id>@<project>.iam.gserviceaccount.com`). */
export function serviceAccountProject(email: string): string {
    return email.slice(email.indexOf("@") + 1, -".iam.gserviceaccount.com".length);
}

/** The IAM resource name of a service account, as serviceaccount.IAMMember's serviceAccountId takes it. */
export function serviceAccountResourceName(email: string): string {
    return `projects/${serviceAccountProject(email)}/serviceAccounts/${email}`;
}
