/** Object-level tenants: ServiceAccounts in tenant namespaces, each with its own access or role. */

import { FluxKind } from "../core/catalog";
import { resolveTenantKinds } from "../core/used-by";
import { checkKnownFields, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef, checkNamespace, checkServiceAccountName, serviceAccountKey } from "../core/kubernetes";
import { compareStrings } from "../core/order";
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
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        at.add("tenants", `expected a list of tenants, got ${show(value)}.`, "write tenants as a YAML list of {namespace, serviceAccount, access}.");
        return [];
    }
    const out: Tenant[] = [];
    const seen = new Map<string, number>();
    value.forEach((raw, i) => {
        const ti = at.at("tenants").at(i);
        if (!isRecord(raw)) {
            ti.add(undefined, `expected a tenant {namespace, serviceAccount, access}, got ${show(raw)}.`, "give namespace, serviceAccount and access.");
            return;
        }
        checkKnownFields(raw, AWS_TENANT_FIELDS, ti);
        const before = ti.count;
        const nsOk = checkNamespace(raw.namespace, ti, "namespace");
        const saOk = checkServiceAccountName(raw.serviceAccount, ti, "serviceAccount");
        if (nsOk && saOk) {
            const key = `${raw.namespace}/${raw.serviceAccount}`;
            const first = seen.get(key);
            if (first !== undefined) {
                ti.add(undefined, `tenant ServiceAccount ${key} is already listed at tenants[${first}].`, "list each tenant ServiceAccount once, merging their access.");
            } else {
                seen.set(key, i);
            }
        }
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
        if (ti.count === before && nsOk && saOk) {
            out.push({ ref: { namespace: raw.namespace as string, name: raw.serviceAccount as string }, grants, existingRoleArn, kinds, path: ti.path() });
        }
    });
    return out.sort((x, y) => compareStrings(serviceAccountKey(x.ref), serviceAccountKey(y.ref)));
}
