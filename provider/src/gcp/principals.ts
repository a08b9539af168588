/**
 * IAM principals, in the formats of the Flux GCP docs ("Granting permissions"):
 * - a GSA: `serviceAccount:<email>`;
 * - a Kubernetes ServiceAccount of a GKE cluster: `serviceAccount:<project>.svc.id.goog[<ns>/<ksa>]`,
 *   where <project> is the GKE cluster's project;
 * - a Kubernetes ServiceAccount of any other cluster:
 *   `principal://iam.googleapis.com/<pool name>/subject/system:serviceaccount:<ns>:<ksa>`.
 */

import { serviceAccountSubject } from "../core/kubernetes";

/** GKE issuers name the cluster's project: https://container.googleapis.com/v1/projects/<project>/locations/<l>/clusters/<c>. */
const GKE_ISSUER_PROJECT = /^https:\/\/container\.googleapis\.com\/v1\/projects\/([^/]+)\/locations\/[^/]+\/clusters\/[^/]+$/;

export function gkeIssuerProject(issuerUrl: string): string | undefined {
    return GKE_ISSUER_PROJECT.exec(issuerUrl)?.[1];
}

export function serviceAccountMember(email: string): string {
    return `serviceAccount:${email}`;
}

/** Where a cluster's Kubernetes ServiceAccounts get their principals: GKE's own pool or a Workload Identity Pool. */
export interface KubernetesPrincipalSource {
    /** GKE's built-in workload pool: the cluster's project. Absent when the cluster is federated through a pool. */
    readonly gkeProjectId?: string;
    /** Other clusters: `projects/<number>/locations/global/workloadIdentityPools/<pool>`. */
    readonly poolName?: string;
}

export function kubernetesPrincipal(source: KubernetesPrincipalSource, namespace: string, name: string): string {
    if (source.gkeProjectId !== undefined) {
        return `serviceAccount:${source.gkeProjectId}.svc.id.goog[${namespace}/${name}]`;
    }
    return `principal://iam.googleapis.com/${source.poolName}/subject/${serviceAccountSubject(namespace, name)}`;
}

/**
 * The user name GKE's authenticator gives a principal, which is what remote-cluster RoleBindings name
 * (the Flux docs: "using the principal as the Kubernetes username"): the principal without its IAM type
 * prefix, so a GSA's email, and `principal://...` identifiers as they are.
 */
export function kubernetesUserName(member: string): string {
    return member.startsWith("serviceAccount:") ? member.slice("serviceAccount:".length) : member;
}
