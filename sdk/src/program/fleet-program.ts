/**
 * The Pulumi program for a fleet: one FluxWorkloadIdentity per cluster, named after the cluster, built
 * from the same spec `render` reads. The root project, the examples and the runner use it.
 */

import * as pulumi from "@pulumi/pulumi";
import { ClusterSpec, planCluster } from "../../../provider/src/plan/cluster";
import { FluxWorkloadIdentity, FluxWorkloadIdentityArgs } from "../../../provider/src/workload-identity/component";
import { FleetSpec } from "../spec/fleet";

/** Component arguments for a spec cluster, exactly as the spec states them. */
export function workloadIdentityArgsFromSpec(spec: ClusterSpec): FluxWorkloadIdentityArgs {
    const args: FluxWorkloadIdentityArgs = { cluster: { name: spec.name, type: spec.type, issuerUrl: spec.issuerUrl } };
    if (spec.eksClusterName !== undefined) args.cluster.eksClusterName = spec.eksClusterName;
    if (spec.flux?.namespace !== undefined) args.fluxNamespace = spec.flux.namespace;
    if (spec.flux?.lockdown !== undefined) args.lockdown = spec.flux.lockdown;
    if (spec.aws) args.aws = spec.aws;
    if (spec.azure) args.azure = spec.azure;
    if (spec.gcp) args.gcp = spec.gcp;
    if (spec.kubernetes) args.kubernetes = spec.kubernetes;
    if (spec.vault) args.vault = spec.vault;
    return args;
}

export interface FleetProgramResult {
    clusters: Record<string, FluxWorkloadIdentity>;
}

/**
 * Declares the clusters of `fleet` (all, or those named in `only`). Every cluster is validated before
 * any resource is declared.
 */
export function declareFleet(fleet: FleetSpec, only?: readonly string[], opts?: pulumi.ComponentResourceOptions): FleetProgramResult {
    const wanted = only && only.length > 0 ? new Set(only) : undefined;
    if (wanted) {
        const unknown = [...wanted].filter((n) => !fleet.clusters.some((c) => c.name === n));
        if (unknown.length > 0) throw new Error(`clusters not in the fleet: ${unknown.join(", ")}`);
    }
    const selected = fleet.clusters.filter((c) => !wanted || wanted.has(c.name));
    selected.forEach((c) => planCluster(c, `clusters[${fleet.clusters.indexOf(c)}]`));
    const clusters: FleetProgramResult["clusters"] = {};
    for (const c of selected) {
        clusters[c.name] = new FluxWorkloadIdentity(c.name, workloadIdentityArgsFromSpec(c), opts);
    }
    return { clusters };
}
