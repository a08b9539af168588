/** Object-level tenants: ServiceAccounts in tenant namespaces, each with its own access or role. */

import { FluxKind } from "../core/catalog";
import { resolveTenantKinds } from "../core/used-by";
import { isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef } from "../core/kubernetes";
import { resolveTenantList } from "../core/tenants";
import { IAM_ROLE, checkArn } from "./arn";
import { AwsGrant, grantKinds, resolveAccess } from "./grants";
import { AwsPartition } from "./partition";

export const AWS_TENANT_FIELDS = ["namespace", "serviceAccount", "access", "existingRoleArn", "usedBy"];

export interface Tenant {
    ref: ServiceAccountRef;
    grants: AwsGrant[];
    existingRoleArn?: string;
    kinds: FluxKind[];
    path: string;
}

export function resolveTenants(value: unknown, at: Issues, partition: AwsPartition): Tenant[] {
    return resolveTenantList(value, at, AWS_TENANT_FIELDS, (raw, ti, ref) => {
        let grants: AwsGrant[] = [];
        let kinds: FluxKind[] = [];
        let existingRoleArn: string | undefined;
        if (raw.existingRoleArn !== undefined) {
            if (raw.access !== undefined) {
                ti.add("access", "a tenant with existingRoleArn cannot also list access: flux-identity does not change roles it does not own.", "remove access, or remove existingRoleArn to let flux-identity create the role.");
            }
            if (checkArn(raw.existingRoleArn, IAM_ROLE, partition, ti, "existingRoleArn")) existingRoleArn = raw.existingRoleArn as string;
            kinds = resolveTenantKinds(raw.usedBy, ti, "an existing role");
        } else {
            if (raw.usedBy !== undefined) {
                ti.add("usedBy", "usedBy at tenant level only goes with existingRoleArn; with access, each entry has its own usedBy.", "move usedBy into the access entries.");
            }
            if (!isRecord(raw.access) || Object.keys(raw.access).length === 0) {
                ti.add("access", `a tenant needs access (what its Flux objects reach) or an existingRoleArn, got ${show(raw.access)}.`, "list the tenant's repositories, buckets or keys under access.");
            } else {
                grants = resolveAccess(raw.access, ti.at("access"), { partition, managedShortcut: false });
                kinds = grantKinds(grants);
            }
        }
        return { ref, grants, existingRoleArn, kinds, path: ti.path() };
    });
}
