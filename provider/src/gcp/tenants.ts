/** Object-level tenants: ServiceAccounts in tenant namespaces, each with its own principal or GSA. */

import { FLUX_KINDS, FluxKind, isFluxKind } from "../core/catalog";
import { checkKnownFields, enumValue, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef, checkNamespace, checkServiceAccountName, serviceAccountKey } from "../core/kubernetes";
import { compareStrings } from "../core/order";
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
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        at.add("tenants", `expected a list of tenants, got ${show(value)}.`, "write tenants as a YAML list of {namespace, serviceAccount, access}.");
        return [];
    }
    const out: GcpResolvedTenant[] = [];
    const seen = new Map<string, number>();
    value.forEach((raw, i) => {
        const ti = at.at("tenants").at(i);
        if (!isRecord(raw)) {
            ti.add(undefined, `expected a tenant {namespace, serviceAccount, access}, got ${show(raw)}.`, "give namespace, serviceAccount and access.");
            return;
        }
        checkKnownFields(raw, GCP_TENANT_FIELDS, ti);
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
            kinds = tenantKinds(raw.usedBy, ti);
        } else {
            ti.add("access", "a tenant needs access (what its Flux objects reach) or an existingServiceAccountEmail.", "list the tenant's repositories, buckets, keys, clusters or topics under access.");
        }
        if (ti.count === before && nsOk && saOk) {
            const tenant: GcpResolvedTenant = { ref: { namespace: raw.namespace as string, name: raw.serviceAccount as string }, mode, grants, kinds, path: ti.path() };
            if (existing !== undefined) tenant.existingServiceAccountEmail = existing;
            out.push(tenant);
        }
    });
    return out.sort((x, y) => compareStrings(serviceAccountKey(x.ref), serviceAccountKey(y.ref)));
}

/** The kinds of a tenant that brings its GSA and lists no access. */
function tenantKinds(value: unknown, ti: Issues): FluxKind[] {
    if (!Array.isArray(value) || value.length === 0) {
        ti.add("usedBy", `a tenant with an existing GSA and no access needs usedBy, the Flux kinds its objects use, got ${show(value)}.`, "list kinds such as OCIRepository or Kustomization, so their controllers get the object-level feature gate.");
        return [];
    }
    const kinds: FluxKind[] = [];
    value.forEach((k, j) => {
        if (!isFluxKind(k)) ti.at("usedBy").add(j, `unknown Flux kind ${show(k)}.`, `use one of ${FLUX_KINDS.join(", ")}.`);
        else if (!kinds.includes(k)) kinds.push(k);
    });
    return FLUX_KINDS.filter((k) => kinds.includes(k));
}
