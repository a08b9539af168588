/** GCP service accounts flux-identity creates: deterministic account IDs within GCP's rules, emails. */

import { ResolvedSourceCluster } from "../core/cluster";
import { DistinctPart, distinctName, distinctParts } from "../core/names";
import { GcpServiceAccountPlan } from "./plan-model";

/** GCP's account ID rule: 6-30 characters, lowercase letters, digits and '-', starting with a letter, not ending with '-'. */
export const SERVICE_ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** Prefixes start with a letter so every ID does; ten characters leave room for the cluster name. */
export const SERVICE_ACCOUNT_PREFIX = /^[a-z][a-z0-9-]{0,9}$/;

export interface ServiceAccountContext {
    readonly projectId: string;
    readonly cluster: ResolvedSourceCluster;
    readonly prefix: string;
}

/**
 * `<prefix><cluster>-<readable>`, then a hash of project, cluster, issuer and identity key: stable across
 * runs, and distinct for clusters that share a name but not a project or issuer. Thirty characters are
 * few: the cluster name is cut first, so the controller or tenant stays readable.
 */
export function serviceAccountId(ctx: ServiceAccountContext, key: string, readable: DistinctPart): string {
    const seed = JSON.stringify(["gcp-service-account", ctx.projectId, ctx.cluster.name, ctx.cluster.issuerUrl, key]);
    return distinctName({ prefix: ctx.prefix, shared: ctx.cluster.name, distinct: distinctParts(readable) }, seed, { maxLength: 30, allowed: /[a-z0-9-]/ });
}

export function serviceAccountEmail(accountId: string, projectId: string): string {
    return `${accountId}@${projectId}.iam.gserviceaccount.com`;
}

export function makeServiceAccount(ctx: ServiceAccountContext, identityKey: string, logicalName: string, readable: DistinctPart, who: string): GcpServiceAccountPlan {
    const accountId = serviceAccountId(ctx, identityKey, readable);
    return {
        identityKey,
        logicalName: `gsa/${logicalName}`,
        project: ctx.projectId,
        accountId,
        email: serviceAccountEmail(accountId, ctx.projectId),
        // GCP caps display names at 100 characters and descriptions at 256.
        displayName: `Flux ${who} on ${ctx.cluster.name}`.slice(0, 100),
        description: `Impersonated by Flux ${who} on cluster ${ctx.cluster.name} (managed by flux-identity)`.slice(0, 256),
    };
}
