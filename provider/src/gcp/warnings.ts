/** Things the user must do or know that the plan cannot do itself. */

import { FluxController, sortControllers } from "../core/catalog";
import { ResolvedSourceCluster, SourceClusterType } from "../core/cluster";
import { GcpGrant } from "./grants";
import { GcpCustomRolePlan, GcpIdentityPlan, GcpRemoteClusterRbacPlan, GcpWorkloadIdentityPoolPlan } from "./plan-model";
import { GcpAuthMode } from "./spec";

export interface GcpWarningInput {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    projectId: string;
    identities: readonly GcpIdentityPlan[];
    grantsByIdentity: ReadonlyMap<string, readonly GcpGrant[]>;
    controllerIdentities: Record<string, string>;
    pool?: GcpWorkloadIdentityPoolPlan;
    customRole?: GcpCustomRolePlan;
    remoteClusterRbac: readonly GcpRemoteClusterRbacPlan[];
}

export function gcpPlanWarnings(w: GcpWarningInput): string[] {
    const out: string[] = [];
    // GKE's built-in workload identity; a GKE cluster federated through a pool is warned about like any other.
    const gke = w.cluster.type === SourceClusterType.Gke && w.pool === undefined;
    const controllers = sortControllers(Object.keys(w.controllerIdentities) as FluxController[]);
    const restart = `kubectl -n ${w.fluxNamespace} rollout restart deployment ${controllers.join(" ")}`;
    const impersonating = w.identities.filter((i) => i.mode === GcpAuthMode.Impersonation);
    if (gke && w.identities.length > 0) {
        out.push(`Workload Identity Federation for GKE must be enabled on cluster ${w.cluster.name} and its node pools (Autopilot always has it).`);
    }
    if (gke && controllers.some((c) => w.identities.find((i) => i.key === w.controllerIdentities[c])?.serviceAccountEmail)) {
        out.push(`ServiceAccount annotations take effect when the controller pods restart: after Flux applies the patch, run ${restart}`);
    }
    if (!gke && controllers.length > 0) {
        out.push(`a changed credential configuration ConfigMap reaches running controllers only after the kubelet syncs it: after Flux applies a change, run ${restart}`);
    }
    if (!gke && w.identities.length > 0) {
        out.push(`Workload Identity Federation needs the Security Token Service API (sts.googleapis.com) enabled in project ${w.projectId}.`);
    }
    if (impersonating.length > 0) {
        out.push("impersonation needs the IAM Service Account Credentials API (iamcredentials.googleapis.com) enabled in each impersonated service account's project.");
    }
    if (w.pool && !w.pool.create) {
        out.push(
            `existing provider ${w.pool.providerName} is used as is: it must trust issuer ${w.cluster.issuerUrl} with attribute mapping google.subject=assertion.sub, and no other cluster may have a provider in its pool (subjects carry no cluster name).`,
        );
    }
    if (w.pool?.jwksJson !== undefined) {
        out.push(`provider ${w.pool.providerName} holds a copy of cluster ${w.cluster.name}'s JWKS: update jwksJson whenever the cluster's ServiceAccount signing key rotates.`);
    }
    if (w.customRole) {
        out.push(`custom role ${w.customRole.name} can only be granted on buckets of project ${w.customRole.project}; list buckets of other projects without customRole.`);
    }
    for (const i of w.identities) {
        if (!i.createsServiceAccount && i.serviceAccountEmail && (w.grantsByIdentity.get(i.key) ?? []).length === 0) {
            out.push(`flux-identity grants nothing to ${i.serviceAccountEmail} (${i.key}): give it the roles its Flux objects need.`);
        }
    }
    const remote = [...new Set(w.remoteClusterRbac.map((r) => r.cluster))];
    if (remote.length > 0) {
        out.push(`apply remoteClusterRbacYaml in each remote GKE cluster (${remote.join(", ")}): roles/container.clusterViewer only lets Flux find the cluster, Kubernetes permissions come from those bindings.`);
    }
    return [...new Set(out)].sort();
}
