/**
 * The Workload Identity Pool and OIDC provider that let a non-GKE cluster's ServiceAccount tokens be
 * exchanged for Google credentials (GCP docs, "Workload Identity Federation with Kubernetes"): one pool
 * per cluster, because subjects (`system:serviceaccount:<ns>:<ksa>`) carry no cluster name, so two
 * clusters in one pool would share every principal.
 */

import { checkBoolean, checkKnownFields, isRecord } from "../core/checks";
import { ResolvedSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { distinctName } from "../core/names";
import { checkJwksJson } from "../issuer/jwks";
import { GcpWorkloadIdentityPoolPlan } from "./plan-model";

export const WORKLOAD_IDENTITY_POOL_FIELDS = ["poolId", "providerId", "create", "jwksJson", "displayName"];

/** Maps the token's `sub` to `google.subject`, which the principal://.../subject/<sub> identifiers match. */
export const ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = { "google.subject": "assertion.sub" };

/** Pool and provider IDs: 4-32 of [a-z0-9-]; Google reserves the `gcp-` prefix. */
const POOL_ID = /^[a-z0-9-]{4,32}$/;
const DISPLAY_NAME_MAX = 32;

export interface PoolContext {
    readonly projectId: string;
    readonly projectNumber: string;
    readonly cluster: ResolvedSourceCluster;
}

export function poolName(projectNumber: string, poolId: string): string {
    return `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
}

/** Default IDs: readable, and hashed over project, cluster and issuer so two clusters never share a pool. */
export function defaultPoolIds(ctx: Pick<PoolContext, "projectId" | "cluster">): { poolId: string; providerId: string } {
    const seed = (what: string) => JSON.stringify([what, ctx.projectId, ctx.cluster.name, ctx.cluster.issuerUrl]);
    const options = { maxLength: 32, allowed: /[a-z0-9-]/ };
    return {
        poolId: distinctName({ prefix: "flux-", shared: ctx.cluster.name }, seed("gcp-workload-identity-pool"), options),
        providerId: distinctName({ prefix: "flux-", shared: ctx.cluster.name }, seed("gcp-workload-identity-pool-provider"), options),
    };
}

/** Validates `workloadIdentityPool` (at `at`) and plans the pool, or returns undefined with issues. */
export function planWorkloadIdentityPool(value: unknown, ctx: PoolContext, at: Issues): GcpWorkloadIdentityPoolPlan | undefined {
    if (value !== undefined && !isRecord(value)) {
        at.add(undefined, `expected the pool settings (a map), got ${show(value)}.`, `use ${WORKLOAD_IDENTITY_POOL_FIELDS.join(", ")}, or omit workloadIdentityPool to create one.`);
        return undefined;
    }
    const p = value ?? {};
    checkKnownFields(p, WORKLOAD_IDENTITY_POOL_FIELDS, at);
    const before = at.count;
    const create = checkBoolean(p.create, at, "create", true);
    const defaults = defaultPoolIds(ctx);
    const poolId = checkId(p.poolId, create ? defaults.poolId : undefined, at, "poolId");
    const providerId = checkId(p.providerId, create ? defaults.providerId : undefined, at, "providerId");
    let displayName = truncate(`Flux ${ctx.cluster.name}`, DISPLAY_NAME_MAX);
    if (p.displayName !== undefined) {
        if (typeof p.displayName !== "string" || p.displayName.length === 0 || p.displayName.length > DISPLAY_NAME_MAX) {
            at.add("displayName", `expected a display name of 1 to ${DISPLAY_NAME_MAX} characters, got ${show(p.displayName)}.`, "shorten it, or omit displayName.");
        } else {
            displayName = p.displayName;
        }
    }
    let jwksJson: string | undefined;
    if (p.jwksJson !== undefined) {
        if (!create) {
            at.add("jwksJson", "jwksJson is uploaded to a provider flux-identity creates, but create is false.", "upload the JWKS to your existing provider yourself, or remove create: false.");
        } else if (checkJwksJson(p.jwksJson, at, "jwksJson")) {
            jwksJson = p.jwksJson as string;
        }
    }
    if (at.count > before || poolId === undefined || providerId === undefined) {
        return undefined;
    }
    const pool = poolName(ctx.projectNumber, poolId);
    const plan: GcpWorkloadIdentityPoolPlan = {
        create,
        project: ctx.projectId,
        projectNumber: ctx.projectNumber,
        poolId,
        providerId,
        poolName: pool,
        providerName: `${pool}/providers/${providerId}`,
        issuerUri: ctx.cluster.issuerUrl,
        displayName,
        description: `Flux on cluster ${ctx.cluster.name} (managed by flux-identity)`,
        attributeMapping: { ...ATTRIBUTE_MAPPING },
    };
    if (jwksJson !== undefined) plan.jwksJson = jwksJson;
    return plan;
}

function checkId(value: unknown, fallback: string | undefined, at: Issues, field: string): string | undefined {
    if (value === undefined) {
        if (fallback === undefined) {
            at.add(field, `an existing pool (create: false) needs its ${field}.`, `give the ${field} of the pool and provider that trust this cluster's issuer.`);
        }
        return fallback;
    }
    if (typeof value !== "string" || !POOL_ID.test(value)) {
        at.add(field, `${show(value)} is not a valid ID: it must be 4 to 32 lowercase letters, digits and '-'.`, `use for example ${show("flux-my-cluster")}.`);
        return undefined;
    }
    if (value.startsWith("gcp-")) {
        at.add(field, `${show(value)} starts with "gcp-", which Google reserves.`, `drop the prefix, for example ${show(value.slice(4).padEnd(4, "x"))}.`);
        return undefined;
    }
    return value;
}

function truncate(s: string, max: number): string {
    return s.length <= max ? s : s.slice(0, max);
}
