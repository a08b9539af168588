/** Managed identities: deterministic names, their federated credentials and their role assignments. */

import { ResolvedSourceCluster } from "../core/cluster";
import { serviceAccountSubject } from "../core/kubernetes";
import { DistinctPart, distinctName, distinctParts, distinctText, shortHash } from "../core/names";
import { compareStrings, sortedRecord } from "../core/order";
import { AZURE_TOKEN_AUDIENCE } from "./clouds";
import { AzureGrant } from "./grants";
import { deterministicGuid } from "./ids";
import { AzureFederatedCredentialPlan, AzureIdentityPlan, AzureIdentityServes, AzureRoleAssignmentPlan } from "./plan-model";
import { roleDefinitionId } from "./roles";

export interface IdentityContext {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    tenantId: string;
    subscriptionId: string;
    resourceGroupName: string;
    location: string;
    namePrefix: string;
    baseTags: Record<string, string>;
}

const NAME_CHARS = /[A-Za-z0-9_-]/;

/** Identity names: 3 to 128 of [A-Za-z0-9_-]; the hash covers subscription, group, issuer, cluster and identity. */
export function identityName(ctx: IdentityContext, key: string, readable: DistinctPart): string {
    const seed = JSON.stringify(["azure-identity", ctx.subscriptionId, ctx.resourceGroupName, ctx.cluster.issuerUrl, ctx.cluster.name, key]);
    return distinctName({ prefix: ctx.namePrefix, shared: ctx.cluster.name, distinct: distinctParts(readable) }, seed, { maxLength: 128, allowed: NAME_CHARS });
}

/** Credential names: 3 to 120 of [A-Za-z0-9_-], unique within the identity. */
function credentialName(ctx: IdentityContext, identity: string, namespace: string, serviceAccount: string): string {
    const seed = JSON.stringify(["azure-federated-credential", identity, ctx.cluster.issuerUrl, namespace, serviceAccount]);
    return distinctName({ shared: ctx.cluster.name, distinct: [namespace, serviceAccount] }, seed, { maxLength: 120, allowed: NAME_CHARS });
}

function slug(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export function makeIdentity(ctx: IdentityContext, key: string, readable: DistinctPart, serves: AzureIdentityServes, grants: readonly AzureGrant[]): AzureIdentityPlan {
    const name = identityName(ctx, key, readable);
    const logicalName = `identity-${distinctText(readable)}`;
    // A tenant identity trusts only tenant ServiceAccounts; `controllers` then says who gets the feature gate.
    const subjects =
        serves.tenants.length > 0
            ? serves.tenants.map((t) => ({ namespace: t.namespace, name: t.name }))
            : serves.controllers.map((c) => ({ namespace: ctx.fluxNamespace, name: c }));
    const credentials: AzureFederatedCredentialPlan[] = subjects.map((s) => ({
        logicalName: `${logicalName}-fic-${s.namespace}-${s.name}`,
        name: credentialName(ctx, name, s.namespace, s.name),
        issuer: ctx.cluster.issuerUrl,
        subject: serviceAccountSubject(s.namespace, s.name),
        audiences: [AZURE_TOKEN_AUDIENCE],
    }));
    // One assignment per (scope, role), however many grants name it.
    const assignments = new Map<string, AzureRoleAssignmentPlan>();
    for (const g of grants) {
        for (const r of g.roles) {
            const dedupe = `${r.scope.id.toLowerCase()}|${r.role.id}`;
            if (assignments.has(dedupe)) continue;
            assignments.set(dedupe, {
                logicalName: `${logicalName}-${slug(r.role.name)}-${shortHash(dedupe)}`,
                name: deterministicGuid(JSON.stringify(["azure-role-assignment", ctx.subscriptionId, ctx.resourceGroupName, name, r.scope.id.toLowerCase(), r.role.id])),
                scope: r.scope.id,
                roleDefinitionId: roleDefinitionId(r.role.id, r.scope),
                roleName: r.role.name,
            });
        }
    }
    return {
        key,
        logicalName,
        name,
        resourceGroupName: ctx.resourceGroupName,
        location: ctx.location,
        // Azure tag names may not contain '/', so these differ from the AWS tag keys.
        tags: sortedRecord({ ...ctx.baseTags, "flux-identity-identity": key }),
        serves,
        credentials,
        roleAssignments: [...assignments.values()].sort((a, b) => compareStrings(a.logicalName, b.logicalName)),
    };
}
