/**
 * Grants: what Flux must reach in GCP, validated, with the roles the Flux GCP docs recommend for each
 * integration ("Authorization").
 */

import { REMOTE_CLUSTER_ENDPOINT_FIELDS, RemoteClusterEndpoint, resolveRemoteClusterEndpoint } from "../core/remote-cluster";
import { Cloud, FluxKind, integrationsOf } from "../core/catalog";
import { checkBoolean, checkKnownFields, checkMap, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { checkNamespace } from "../core/kubernetes";
import { grantKinds, resolveUsedBy, scopeGrants } from "../core/used-by";
import { GcpGrantScope } from "./plan-model";
import { GAR_REPOSITORY, GCS_BUCKET, GKE_CLUSTER, GcpNameKind, KMS_CRYPTO_KEY, KMS_KEY_RING, PUBSUB_TOPIC, checkGcpName } from "./resource-names";

export { grantKinds, scopeGrants };

export type GcpService = "gar" | "gcs" | "kms" | "gke" | "pubsub";

/** The predefined roles the Flux GCP docs recommend. */
export const GCP_ROLES = {
    artifactRegistryReader: "roles/artifactregistry.reader",
    storageBucketViewer: "roles/storage.bucketViewer",
    storageObjectViewer: "roles/storage.objectViewer",
    cryptoKeyDecrypter: "roles/cloudkms.cryptoKeyDecrypter",
    clusterViewer: "roles/container.clusterViewer",
    pubsubPublisher: "roles/pubsub.publisher",
    workloadIdentityUser: "roles/iam.workloadIdentityUser",
} as const;

/** The docs' alternative to the two storage roles: a custom role with exactly these permissions. */
export const BUCKET_READER_PERMISSIONS: readonly string[] = ["storage.buckets.get", "storage.objects.get", "storage.objects.list"];

export const DEFAULT_REMOTE_CLUSTER_ROLE = "edit";

/** One resource a grant's roles are given on. */
export interface GcpGrantTarget {
    readonly scope: GcpGrantScope;
    /** Full resource name; `projects/<id>` for project scope; the bucket name for buckets. */
    readonly resource: string;
}

/** Remote-cluster RBAC settings of a `gke` entry. */
export interface GcpRemoteClusterGrant {
    readonly cluster: string;
    readonly clusterRole: string;
    readonly namespaces: readonly string[];
    /** The kubeConfig `address` and `ca.crt`, when given. */
    readonly endpoint?: RemoteClusterEndpoint;
}

/** One validated entry of an access list. */
export interface GcpGrant {
    readonly service: GcpService;
    readonly kinds: readonly FluxKind[];
    readonly targets: readonly GcpGrantTarget[];
    /** Predefined roles given on every target (empty when the custom bucket role replaces them). */
    readonly roles: readonly string[];
    /** GCS: grant the custom bucket reader role instead. */
    readonly customRole: boolean;
    readonly remoteCluster?: GcpRemoteClusterGrant;
    /** Field path of the entry, for messages. */
    readonly path: string;
}

/** The access keys, in catalog order. */
const SERVICES = integrationsOf(Cloud.Gcp).map((i) => i.id) as GcpService[];

const ENTRY_FIELDS: Record<GcpService, readonly string[]> = {
    gar: ["repositories", "usedBy", "projectLevel"],
    gcs: ["buckets", "usedBy", "customRole"],
    kms: ["cryptoKeys", "keyRings", "usedBy"],
    gke: ["cluster", "usedBy", "clusterRole", "namespaces", ...REMOTE_CLUSTER_ENDPOINT_FIELDS],
    pubsub: ["topics", "usedBy"],
};

/** Validates an access block and returns its grants. */
export function resolveAccess(access: unknown, issues: Issues): GcpGrant[] {
    if (access === undefined || access === null) {
        return [];
    }
    if (!isRecord(access)) {
        issues.add(undefined, `expected a map of services (${SERVICES.join(", ")}), got ${show(access)}.`, "list what Flux must reach under the service keys.");
        return [];
    }
    for (const key of Object.keys(access)) {
        if (!(SERVICES as readonly string[]).includes(key)) {
            issues.add(key, `unknown GCP integration ${show(key)}.`, `use one of ${SERVICES.join(", ")}.`);
        }
    }
    const grants: GcpGrant[] = [];
    for (const service of SERVICES) {
        const value = access[service];
        if (value === undefined) continue;
        if (!Array.isArray(value)) {
            issues.add(service, `expected a list, got ${show(value)}.`, `write ${service} as a YAML list of entries.`);
            continue;
        }
        value.forEach((entry, i) => {
            const g = resolveEntry(service, entry, issues.at(service).at(i));
            if (g) grants.push(g);
        });
    }
    return grants;
}

function resolveEntry(service: GcpService, value: unknown, issues: Issues): GcpGrant | undefined {
    const entry = checkMap(value, issues, `${service} entry`);
    if (!entry) return undefined;
    checkKnownFields(entry, ENTRY_FIELDS[service], issues);
    const before = issues.count;
    const kinds = resolveUsedBy(Cloud.Gcp, service, entry.usedBy, issues);
    let targets: GcpGrantTarget[] = [];
    let roles: string[] = [];
    let customRole = false;
    let remoteCluster: GcpRemoteClusterGrant | undefined;
    switch (service) {
        case "gar": {
            const projectLevel = checkBoolean(entry.projectLevel, issues, "projectLevel");
            const repos = resourceNames(entry.repositories, GAR_REPOSITORY, issues, "repositories", true);
            targets = projectLevel
                ? repos.map((r) => ({ scope: GcpGrantScope.Project, resource: `projects/${r.project}` }))
                : repos.map((r) => ({ scope: GcpGrantScope.Repository, resource: r.name }));
            roles = [GCP_ROLES.artifactRegistryReader];
            break;
        }
        case "gcs": {
            customRole = checkBoolean(entry.customRole, issues, "customRole");
            targets = resourceNames(entry.buckets, GCS_BUCKET, issues, "buckets", true).map((b) => ({ scope: GcpGrantScope.Bucket, resource: b.name }));
            roles = customRole ? [] : [GCP_ROLES.storageBucketViewer, GCP_ROLES.storageObjectViewer];
            break;
        }
        case "kms": {
            const keys = resourceNames(entry.cryptoKeys, KMS_CRYPTO_KEY, issues, "cryptoKeys", false);
            const rings = resourceNames(entry.keyRings, KMS_KEY_RING, issues, "keyRings", false);
            if (entry.cryptoKeys === undefined && entry.keyRings === undefined) {
                issues.add(undefined, "a kms entry needs cryptoKeys, keyRings, or both.", `list keys (${KMS_CRYPTO_KEY.example}) or key rings (${KMS_KEY_RING.example}).`);
            }
            targets = [...keys.map((k) => ({ scope: GcpGrantScope.CryptoKey, resource: k.name })), ...rings.map((r) => ({ scope: GcpGrantScope.KeyRing, resource: r.name }))];
            roles = [GCP_ROLES.cryptoKeyDecrypter];
            break;
        }
        case "gke": {
            const parts = checkGcpName(entry.cluster, GKE_CLUSTER, issues, "cluster");
            if (parts) {
                // GKE clusters are project-level resources: GetCluster can only be granted on the project.
                targets = [{ scope: GcpGrantScope.Project, resource: `projects/${parts.project}` }];
                remoteCluster = resolveRemoteCluster(entry, entry.cluster as string, issues);
            }
            // Kept even with address and ca.crt (when Flux skips GetCluster): the Flux docs and e2e grant it for every remote GKE cluster.
            roles = [GCP_ROLES.clusterViewer];
            break;
        }
        case "pubsub": {
            targets = resourceNames(entry.topics, PUBSUB_TOPIC, issues, "topics", true).map((t) => ({ scope: GcpGrantScope.Topic, resource: t.name }));
            roles = [GCP_ROLES.pubsubPublisher];
            break;
        }
    }
    if (issues.count > before || !kinds) {
        return undefined;
    }
    return { service, kinds, targets: uniqueTargets(targets), roles, customRole, remoteCluster, path: issues.path() };
}

/** Validated names of a list field, each with its parsed parts. */
function resourceNames(value: unknown, kind: GcpNameKind, issues: Issues, field: string, required: boolean): Array<{ name: string; project: string }> {
    if (value === undefined && !required) return [];
    if (!Array.isArray(value) || value.length === 0) {
        issues.add(field, `expected a non-empty list of ${kind.what}s, got ${show(value)}.`, `list at least one (${kind.example}); flux-identity grants nothing project-wide unless asked.`);
        return [];
    }
    const out: Array<{ name: string; project: string }> = [];
    value.forEach((item, i) => {
        const parts = checkGcpName(item, kind, issues.at(field), i);
        if (parts) out.push({ name: item as string, project: parts.project ?? "" });
    });
    return out;
}

const CLUSTER_ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,252}$/;

function resolveRemoteCluster(entry: Record<string, unknown>, cluster: string, issues: Issues): GcpRemoteClusterGrant | undefined {
    let clusterRole = DEFAULT_REMOTE_CLUSTER_ROLE;
    if (entry.clusterRole !== undefined) {
        if (typeof entry.clusterRole !== "string" || !CLUSTER_ROLE_NAME.test(entry.clusterRole)) {
            issues.add("clusterRole", `${show(entry.clusterRole)} is not a ClusterRole name.`, `name a ClusterRole of the remote cluster, such as edit or cluster-admin, or omit clusterRole for ${DEFAULT_REMOTE_CLUSTER_ROLE}.`);
            return undefined;
        }
        clusterRole = entry.clusterRole;
    }
    const namespaces: string[] = [];
    if (entry.namespaces !== undefined) {
        if (!Array.isArray(entry.namespaces) || entry.namespaces.length === 0) {
            issues.add("namespaces", `expected a non-empty list of namespaces, got ${show(entry.namespaces)}.`, "list the namespaces Flux applies to, or omit namespaces for a cluster-wide binding.");
            return undefined;
        }
        let ok = true;
        entry.namespaces.forEach((ns, i) => {
            if (checkNamespace(ns, issues.at("namespaces"), i)) namespaces.push(ns);
            else ok = false;
        });
        if (!ok) return undefined;
    }
    const endpoint = resolveRemoteClusterEndpoint(entry, issues);
    const out: GcpRemoteClusterGrant = { cluster, clusterRole, namespaces: [...new Set(namespaces)].sort() };
    return endpoint ? { ...out, endpoint } : out;
}

function uniqueTargets(targets: GcpGrantTarget[]): GcpGrantTarget[] {
    const seen = new Map<string, GcpGrantTarget>();
    for (const t of targets) seen.set(`${t.scope}|${t.resource}`, t);
    return [...seen.keys()].sort().map((k) => seen.get(k) as GcpGrantTarget);
}
