/**
 * IAM members: one non-authoritative grant of one role to one principal on one resource. flux-identity
 * never writes a whole IAM policy or binding, so grants made by anyone else stay untouched.
 */

import { ResolvedSourceCluster } from "../core/cluster";
import { distinctName, shortHash } from "../core/names";
import { compareStrings } from "../core/order";
import { BUCKET_READER_PERMISSIONS, GcpGrant } from "./grants";
import { GcpCustomRolePlan, GcpGrantPlan, GcpIdentityPlan } from "./plan-model";

export const CUSTOM_ROLE_LOGICAL_NAME = "custom-role/bucket-reader";
const CUSTOM_ROLE_LABEL = "bucket-reader";

/**
 * The docs' custom alternative to the two storage roles. Its ID is hashed over project, cluster and
 * issuer like every other name, because GCP keeps a deleted role's ID reserved for weeks.
 */
export function planBucketReaderRole(projectId: string, cluster: ResolvedSourceCluster): GcpCustomRolePlan {
    const seed = JSON.stringify(["gcp-custom-role", projectId, cluster.name, cluster.issuerUrl, CUSTOM_ROLE_LABEL]);
    // Role IDs: 3-64 of [a-zA-Z0-9_.], no '-'.
    const roleId = distinctName({ prefix: "flux_", shared: cluster.name, distinct: ["bucket_reader"] }, seed, { maxLength: 64, separator: "_", allowed: /[a-zA-Z0-9_.]/ });
    return {
        logicalName: CUSTOM_ROLE_LOGICAL_NAME,
        project: projectId,
        roleId,
        name: `projects/${projectId}/roles/${roleId}`,
        title: `Flux bucket reader (${cluster.name})`.slice(0, 100),
        description: `Reads Cloud Storage buckets for Flux on cluster ${cluster.name} (managed by flux-identity)`,
        permissions: [...BUCKET_READER_PERMISSIONS],
    };
}

/** The members for every identity's grants, deduplicated, in name order. */
export function planGrants(identities: readonly GcpIdentityPlan[], grantsByIdentity: ReadonlyMap<string, readonly GcpGrant[]>, customRole: GcpCustomRolePlan | undefined): GcpGrantPlan[] {
    const out = new Map<string, GcpGrantPlan>();
    for (const identity of identities) {
        for (const g of grantsByIdentity.get(identity.key) ?? []) {
            const roles = g.customRole && customRole ? [{ role: customRole.name, label: CUSTOM_ROLE_LABEL, custom: true }] : g.roles.map((role) => ({ role, label: role.replace(/^roles\//, ""), custom: false }));
            for (const t of g.targets) {
                for (const r of roles) {
                    // Readable, and hashed over what the member is on, never over pending values (the issuer).
                    const tail = t.resource.split("/").pop() as string;
                    const logicalName = `${identity.logicalName}/${g.service}/${tail}/${r.label}-${shortHash(JSON.stringify([t.scope, t.resource, r.label]))}`;
                    const plan: GcpGrantPlan = { logicalName, identityKey: identity.key, integration: g.service, scope: t.scope, resource: t.resource, role: r.role, member: identity.member };
                    if (r.custom && customRole) plan.customRoleLogicalName = customRole.logicalName;
                    out.set(logicalName, plan);
                }
            }
        }
    }
    return [...out.values()].sort((a, b) => compareStrings(a.logicalName, b.logicalName));
}
