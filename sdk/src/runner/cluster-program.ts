/**
 * The Pulumi program of one cluster's stack: one FluxWorkloadIdentity named after the cluster, built from
 * the spec exactly as `render` reads it, exporting the files and identities as stack outputs. The local
 * driver runs it inline in the stack's own process (stack-process.ts); git-sourced projects run by Pulumi Deployments export
 * `clusterProgramFromEnv()` to get the same stack from their checkout.
 */

import type { ClusterSpec } from "../../../provider/src/plan/cluster";
import { FluxWorkloadIdentity } from "../../../provider/src/workload-identity/component";
import { workloadIdentityArgsFromSpec } from "../program/fleet-program";
import { loadFleet } from "../spec/fleet";
import { CLUSTER_ENV, FLEET_FILE_ENV } from "./remote";

/** The stack outputs of a cluster's stack, in this order. */
export const CLUSTER_STACK_OUTPUTS = [
    "kustomizationYaml",
    "tenantServiceAccountsYaml",
    "tenantRbacYaml",
    "fluxObjectsYaml",
    "awsRoleArns",
    "azureClientIds",
    "gcpServiceAccountEmails",
    "gcpRemoteClusterRbacYaml",
    "warnings",
] as const;

/** An inline Pulumi program: declares resources, resolves to the stack outputs. */
export type StackProgram = () => Promise<Record<string, unknown>>;

/** The program of `spec`'s stack. */
export function clusterProgram(spec: ClusterSpec): StackProgram {
    return async () => {
        const identity = new FluxWorkloadIdentity(spec.name, workloadIdentityArgsFromSpec(spec));
        const outputs: Record<string, unknown> = {};
        for (const key of CLUSTER_STACK_OUTPUTS) outputs[key] = identity[key];
        return outputs;
    };
}

/**
 * The program of one cluster's stack for a Pulumi project run outside this process (Pulumi Deployments,
 * see remote.ts): the fleet file and the cluster come from FLUX_IDENTITY_FLEET_FILE (relative to the
 * project folder) and FLUX_IDENTITY_CLUSTER. A project's entry point is then `export = clusterProgramFromEnv();`.
 */
export function clusterProgramFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): StackProgram {
    return async () => {
        const file = env[FLEET_FILE_ENV];
        const name = env[CLUSTER_ENV];
        if (!file || !name) throw new Error(`set ${FLEET_FILE_ENV} (the fleet file) and ${CLUSTER_ENV} (the cluster) for this stack`);
        const fleet = loadFleet(file);
        const spec = fleet.clusters.find((c) => c.name === name);
        if (!spec) throw new Error(`${file} has no cluster named ${JSON.stringify(name)}`);
        return clusterProgram(spec)();
    };
}
