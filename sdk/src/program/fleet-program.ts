/**
 * The Pulumi program for a fleet: one component per cluster and target, named after the cluster, built
 * from the same spec `render` reads. The root project, the examples and (later) the runner use it.
 */

import * as pulumi from "@pulumi/pulumi";
import { AwsFluxIdentity, AwsFluxIdentityArgs } from "../../../provider/src/aws/component";
import { AzureFluxIdentity, AzureFluxIdentityArgs } from "../../../provider/src/azure/component";
import { GcpFluxIdentity, GcpFluxIdentityArgs } from "../../../provider/src/gcp/component";
import { ClusterSpec, planCluster } from "../../../provider/src/plan/cluster";
import { mergePatchSets } from "../../../provider/src/core/patch";
import { renderFluxSide } from "../../../provider/src/flux/kustomization";
import { FleetSpec } from "../spec/fleet";

/** Component arguments for a cluster's AWS target, exactly as the spec states them. */
export function awsArgsFromSpec(spec: ClusterSpec): AwsFluxIdentityArgs | undefined {
    if (!spec.aws) return undefined;
    const args: AwsFluxIdentityArgs = { cluster: { name: spec.name, type: spec.type, issuerUrl: spec.issuerUrl }, ...spec.aws };
    if (spec.eksClusterName !== undefined) args.cluster.eksClusterName = spec.eksClusterName;
    if (spec.flux?.namespace !== undefined) args.fluxNamespace = spec.flux.namespace;
    return args;
}

/** Component arguments for a cluster's Azure target, exactly as the spec states them. */
export function azureArgsFromSpec(spec: ClusterSpec): AzureFluxIdentityArgs | undefined {
    if (!spec.azure) return undefined;
    const args: AzureFluxIdentityArgs = { cluster: { name: spec.name, type: spec.type, issuerUrl: spec.issuerUrl }, ...spec.azure };
    if (spec.flux?.namespace !== undefined) args.fluxNamespace = spec.flux.namespace;
    return args;
}

/** Component arguments for a cluster's GCP target, exactly as the spec states them. */
export function gcpArgsFromSpec(spec: ClusterSpec): GcpFluxIdentityArgs | undefined {
    if (!spec.gcp) return undefined;
    const args: GcpFluxIdentityArgs = { cluster: { name: spec.name, type: spec.type, issuerUrl: spec.issuerUrl }, ...spec.gcp };
    if (spec.flux?.namespace !== undefined) args.fluxNamespace = spec.flux.namespace;
    return args;
}

/** One cluster's components and its Flux side merged across targets. */
export interface FleetCluster {
    aws?: AwsFluxIdentity;
    azure?: AzureFluxIdentity;
    gcp?: GcpFluxIdentity;
    /** One kustomization.yaml with every target's patches. */
    kustomizationYaml: pulumi.Output<string>;
    tenantServiceAccountsYaml: pulumi.Output<string>;
    warnings: pulumi.Output<string[]>;
}

export interface FleetProgramResult {
    clusters: Record<string, FleetCluster>;
}

/** Merges the targets' patch sets into the cluster's one Flux side. */
function mergedFluxSide(
    aws: AwsFluxIdentity | undefined,
    azure: AzureFluxIdentity | undefined,
    gcp: GcpFluxIdentity | undefined,
): Pick<FleetCluster, "kustomizationYaml" | "tenantServiceAccountsYaml" | "warnings"> {
    const sets = [aws?.patchSet, azure?.patchSet, gcp?.patchSet].filter((s) => s !== undefined);
    const side = pulumi.all(sets).apply((all) => renderFluxSide(mergePatchSets(all)));
    return {
        kustomizationYaml: side.kustomizationYaml,
        tenantServiceAccountsYaml: side.tenantServiceAccountsYaml,
        warnings: pulumi.all([aws?.warnings ?? [], azure?.warnings ?? [], gcp?.warnings ?? []]).apply((lists) => lists.flat()),
    };
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
        const awsArgs = awsArgsFromSpec(c);
        const azureArgs = azureArgsFromSpec(c);
        const aws = awsArgs ? new AwsFluxIdentity(c.name, awsArgs, opts) : undefined;
        const azure = azureArgs ? new AzureFluxIdentity(c.name, azureArgs, opts) : undefined;
        const gcpArgs = gcpArgsFromSpec(c);
        const gcp = gcpArgs ? new GcpFluxIdentity(c.name, gcpArgs, opts) : undefined;
        const cluster: FleetCluster = { ...mergedFluxSide(aws, azure, gcp) };
        if (aws) cluster.aws = aws;
        if (azure) cluster.azure = azure;
        if (gcp) cluster.gcp = gcp;
        clusters[c.name] = cluster;
    }
    return { clusters };
}
