/** IAM roles: deterministic names, trust, and the permissions of their grants. */

import { ResolvedSourceCluster } from "../core/cluster";
import { serviceAccountKey, serviceAccountSubject } from "../core/kubernetes";
import { DistinctPart, distinctName, distinctParts, distinctText } from "../core/names";
import { sortedRecord } from "../core/order";
import { AwsGrant, identityPermissions } from "./grants";
import { AwsPartition } from "./partition";
import { AwsIdentityServes, AwsOidcProviderPlan, AwsRolePlan } from "./plan-model";
import { policyDocument, uniqueSorted } from "./policy";
import { AwsAuthMethod } from "./spec";
import { podIdentityTrustPolicy, webIdentityTrustPolicy } from "./trust";

/** The role session name Flux's docs prescribe: `<controller>.<namespace>.<region>.fluxcd.io`. */
export function awsRoleSessionName(controller: string, namespace: string, region: string): string {
    return `${controller}.${namespace}.${region}.fluxcd.io`;
}

export interface RoleContext {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    partition: AwsPartition;
    accountId: string;
    region: string;
    namePrefix: string;
    path: string;
    authMethod: AwsAuthMethod;
    oidcProvider?: AwsOidcProviderPlan;
    permissionsBoundaryArn?: string;
    maxSessionDuration: number;
    baseTags: Record<string, string>;
}

/** IAM role names: at most 64 of [\w+=,.@-]. The hash covers partition, account, region, issuer and identity. */
export function roleName(ctx: Pick<RoleContext, "cluster" | "partition" | "accountId" | "region" | "namePrefix">, key: string, readable: DistinctPart): string {
    const seed = JSON.stringify(["aws-role", ctx.partition, ctx.accountId, ctx.region, ctx.cluster.issuerUrl, ctx.cluster.name, key]);
    return distinctName({ prefix: ctx.namePrefix, shared: ctx.cluster.name, distinct: distinctParts(readable) }, seed, { maxLength: 64, allowed: /[\w+=,.@-]/ });
}

export function makeRole(ctx: RoleContext, key: string, readable: DistinctPart, serves: AwsIdentityServes, grants: AwsGrant[], managedShortcut: boolean): AwsRolePlan {
    const name = roleName(ctx, key, readable);
    const subjects = serves.tenant
        ? [serviceAccountSubject(serves.tenant.namespace, serves.tenant.name)]
        : serves.controllers.map((c) => serviceAccountSubject(ctx.fluxNamespace, c));
    const trustPolicy =
        ctx.authMethod === AwsAuthMethod.PodIdentity
            ? podIdentityTrustPolicy()
            : webIdentityTrustPolicy((ctx.oidcProvider as AwsOidcProviderPlan).arn, ctx.cluster.issuerHostPath, subjects);
    const permissions = identityPermissions(grants, ctx.partition, managedShortcut);
    const who = serves.tenant ? `tenant ${serviceAccountKey(serves.tenant)}` : serves.controllers.join(", ");
    const role: AwsRolePlan = {
        key,
        logicalName: key.startsWith("tenant/") ? `role-${key}` : `role-${distinctText(readable)}`,
        name,
        path: ctx.path,
        arn: `arn:${ctx.partition}:iam::${ctx.accountId}:role${ctx.path}${name}`,
        description: `Flux ${who} on cluster ${ctx.cluster.name} (managed by flux-identity)`,
        serves,
        subjects: ctx.authMethod === AwsAuthMethod.PodIdentity ? [] : uniqueSorted(subjects),
        trustPolicy,
        managedPolicyArns: permissions.managedPolicyArns,
        maxSessionDuration: ctx.maxSessionDuration,
        tags: sortedRecord({ ...ctx.baseTags, "flux-identity/identity": key }),
    };
    if (permissions.statements.length > 0) role.inlinePolicy = policyDocument(permissions.statements);
    if (ctx.permissionsBoundaryArn !== undefined) role.permissionsBoundaryArn = ctx.permissionsBoundaryArn;
    return role;
}
