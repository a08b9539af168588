/** Object-level tenants: ServiceAccounts in tenant namespaces, each with its own principal or GSA. */

import { FluxKind } from "../core/catalog";
import { enumValue, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef } from "../core/kubernetes";
import { resolveTenantList } from "../core/tenants";
import { resolveTenantKinds } from "../core/used-by";
import { GcpGrant, grantKinds, resolveAccess } from "./grants";
import { SERVICE_ACCOUNT_EMAIL, checkGcpName } from "./resource-names";
import { GcpAuthMode } from "./spec";

export const GCP_TENANT_FIELDS = ["namespace", "serviceAccount", "authMode", "access", "existingServiceAccountEmail", "usedBy"];

export interface GcpResolvedTenant {
    ref: ServiceAccountRef;
    mode: GcpAuthMode;
    grants: GcpGrant[];
    existingServiceAccountEmail?: string;
    kinds: FluxKind[];
    path: string;
}

export function resolveTenants(value: unknown, at: Issues, defaultMode: GcpAuthMode): GcpResolvedTenant[] {
    return resolveTenantList(value, at, GCP_TENANT_FIELDS, (raw, ti, ref) => {
        let mode = enumValue(raw.authMode, Object.values(GcpAuthMode), defaultMode, ti, "authMode");
        let existing: string | undefined;
        if (raw.existingServiceAccountEmail !== undefined) {
            if (raw.authMode === GcpAuthMode.Direct) {
                ti.add("authMode", "a tenant with existingServiceAccountEmail impersonates that GSA, but authMode is direct.", "remove authMode (or set impersonation), or remove existingServiceAccountEmail.");
            }
            if (checkGcpName(raw.existingServiceAccountEmail, SERVICE_ACCOUNT_EMAIL, ti, "existingServiceAccountEmail")) {
                existing = raw.existingServiceAccountEmail as string;
            }
            mode = GcpAuthMode.Impersonation;
        }
        let grants: GcpGrant[] = [];
        let kinds: FluxKind[] = [];
        if (raw.access !== undefined) {
            if (raw.usedBy !== undefined) {
                ti.add("usedBy", "usedBy at tenant level only goes with existingServiceAccountEmail and no access; with access, each entry has its own usedBy.", "move usedBy into the access entries.");
            }
            if (!isRecord(raw.access) || Object.keys(raw.access).length === 0) {
                ti.add("access", `expected what the tenant's Flux objects reach (gar, gcs, kms, gke, pubsub), got ${show(raw.access)}.`, "list the tenant's repositories, buckets, keys, clusters or topics under access.");
            } else {
                grants = resolveAccess(raw.access, ti.at("access"));
                kinds = grantKinds(grants);
            }
        } else if (raw.existingServiceAccountEmail !== undefined) {
            kinds = resolveTenantKinds(raw.usedBy, ti, "an existing GSA and no access");
        } else {
            ti.add("access", "a tenant needs access (what its Flux objects reach) or an existingServiceAccountEmail.", "list the tenant's repositories, buckets, keys, clusters or topics under access.");
        }
        const tenant: GcpResolvedTenant = { ref, mode, grants, kinds, path: ti.path() };
        if (existing !== undefined) tenant.existingServiceAccountEmail = existing;
        return tenant;
    });
}
