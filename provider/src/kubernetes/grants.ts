/** Remote clusters over OIDC as grants: validated entries (address, CA, audiences, RBAC). */

import { Cloud, FluxKind } from "../core/catalog";
import { checkKnownFields, checkMap, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { checkLabel, checkNamespace } from "../core/kubernetes";
import { checkCaCert, checkClusterAddress } from "../core/remote-cluster";
import { resolveUsedBy } from "../core/used-by";

export { grantKinds } from "../core/used-by";

export const DEFAULT_REMOTE_CLUSTER_ROLE = "edit";
const CLUSTER_ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,252}$/;
const ENTRY_FIELDS = ["name", "address", "caCert", "audiences", "usedBy", "clusterRole", "namespaces"];

/**
 * Audiences a remote API server must never accept for Flux: cloud token exchanges (a token for AWS,
 * Azure or GCP would also open the cluster) and the Kubernetes API's own (every ServiceAccount token of
 * the source cluster carries it).
 */
const RESERVED_AUDIENCES: ReadonlyArray<[RegExp, string]> = [
    [/^sts\.amazonaws\.com$/, "AWS STS"],
    [/^api:\/\/AzureADTokenExchange$/i, "Azure AD token exchange"],
    [/^(https:)?\/\/iam\.googleapis\.com\//, "GCP Workload Identity Federation"],
    [/^https:\/\/kubernetes\.default\.svc(\.cluster\.local)?$/, "the Kubernetes API's default audience"],
];

/** One validated remote cluster entry. */
export interface KubernetesGrant {
    readonly service: "remoteClusters";
    readonly kinds: readonly FluxKind[];
    readonly name: string;
    readonly address: string;
    readonly caCert?: string;
    readonly audiences: readonly string[];
    readonly explicitAudiences: boolean;
    readonly clusterRole: string;
    readonly namespaces: readonly string[];
    /** The remote cluster's name, for the object settings (one example per remote cluster). */
    readonly resources: readonly string[];
    readonly configMap: Readonly<Record<string, string>>;
    readonly path: string;
}

export function resolveAccess(access: unknown, issues: Issues, issuerUrl: string | undefined): KubernetesGrant[] {
    if (access === undefined) return [];
    if (!isRecord(access)) {
        issues.add(undefined, `expected a map with remoteClusters, got ${show(access)}.`, "list the remote clusters under remoteClusters.");
        return [];
    }
    checkKnownFields(access, ["remoteClusters"], issues);
    const list = access.remoteClusters;
    if (list === undefined) return [];
    if (!Array.isArray(list) || list.length === 0) {
        issues.add("remoteClusters", `expected a non-empty list of remote clusters, got ${show(list)}.`, "list each remote cluster with name and address.");
        return [];
    }
    const out: KubernetesGrant[] = [];
    list.forEach((raw, i) => {
        const g = resolveEntry(raw, issues.at("remoteClusters").at(i), issuerUrl);
        if (g) out.push(g);
    });
    return out;
}

function resolveEntry(value: unknown, issues: Issues, issuerUrl: string | undefined): KubernetesGrant | undefined {
    const entry = checkMap(value, issues, "remoteClusters entry");
    if (!entry) return undefined;
    checkKnownFields(entry, ENTRY_FIELDS, issues);
    const before = issues.count;
    checkLabel(entry.name, issues, "name", "remote cluster name");
    const kinds = resolveUsedBy(Cloud.Kubernetes, "remoteClusters", entry.usedBy, issues);
    const address = checkClusterAddress(entry.address, issues, "address");
    const caCert = entry.caCert === undefined ? undefined : checkCaCert(entry.caCert, issues, "caCert");
    let audiences: string[] = address ? [address] : [];
    const explicitAudiences = entry.audiences !== undefined;
    if (explicitAudiences) {
        audiences = [];
        if (!Array.isArray(entry.audiences) || entry.audiences.length === 0) {
            issues.add("audiences", `expected a non-empty list of audiences, got ${show(entry.audiences)}.`, "list the audiences the remote API server accepts, or omit audiences for the address (Flux's default).");
        } else {
            entry.audiences.forEach((a, j) => {
                if (typeof a !== "string" || a.trim() !== a || a === "" || /[\n,]/.test(a)) {
                    issues.at("audiences").add(j, `${show(a)} is not a usable audience (no spaces around it, no commas or line breaks: the ConfigMap separates audiences by line).`, "use a URL or name such as https://spoke-1.example.com.");
                    return;
                }
                const reserved = RESERVED_AUDIENCES.find(([re]) => re.test(a));
                if (reserved) {
                    issues.at("audiences").add(j, `${show(a)} is ${reserved[1]}: tokens Flux gets for it elsewhere would also open this cluster.`, "use an audience only this remote cluster accepts, such as its address.");
                    return;
                }
                if (issuerUrl !== undefined && a === issuerUrl) {
                    issues.at("audiences").add(j, `${show(a)} is the source cluster's issuer, the default audience of its ordinary ServiceAccount tokens.`, "use an audience only this remote cluster accepts, such as its address.");
                    return;
                }
                if (!audiences.includes(a)) audiences.push(a);
            });
        }
    }
    let clusterRole = DEFAULT_REMOTE_CLUSTER_ROLE;
    if (entry.clusterRole !== undefined) {
        if (typeof entry.clusterRole !== "string" || !CLUSTER_ROLE_NAME.test(entry.clusterRole)) {
            issues.add("clusterRole", `${show(entry.clusterRole)} is not a ClusterRole name.`, `name a ClusterRole of the remote cluster, such as edit or cluster-admin, or omit clusterRole for ${DEFAULT_REMOTE_CLUSTER_ROLE}.`);
        } else {
            clusterRole = entry.clusterRole;
        }
    }
    const namespaces: string[] = [];
    if (entry.namespaces !== undefined) {
        if (!Array.isArray(entry.namespaces) || entry.namespaces.length === 0) {
            issues.add("namespaces", `expected a non-empty list of namespaces, got ${show(entry.namespaces)}.`, "list the namespaces Flux applies to, or omit namespaces for a cluster-wide binding.");
        } else {
            entry.namespaces.forEach((ns, j) => {
                if (checkNamespace(ns, issues.at("namespaces"), j) && !namespaces.includes(ns)) namespaces.push(ns);
            });
        }
    }
    if (issues.count > before || !kinds || !address) return undefined;
    const configMap: Record<string, string> = { address };
    if (caCert !== undefined) configMap["ca.crt"] = caCert;
    if (explicitAudiences) configMap.audiences = audiences.join("\n");
    const grant: KubernetesGrant = {
        service: "remoteClusters",
        kinds,
        name: entry.name as string,
        address,
        audiences,
        explicitAudiences,
        clusterRole,
        namespaces: namespaces.sort(),
        resources: [entry.name as string],
        configMap,
        path: issues.path(),
    };
    return caCert === undefined ? grant : { ...grant, caCert };
}
