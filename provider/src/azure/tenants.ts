/** Object-level tenants: ServiceAccounts in tenant namespaces, each with its own access, group or identity. */

import { FluxKind } from "../core/catalog";
import { checkKnownFields, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef, checkLabel } from "../core/kubernetes";
import { resolveTenantList } from "../core/tenants";
import { grantKinds, resolveTenantKinds } from "../core/used-by";
import { AzureGrant, resolveAzureAccess } from "./grants";
import { checkGuid } from "./ids";
import { AzureExistingIdentity } from "./spec";

export const AZURE_TENANT_FIELDS = ["namespace", "serviceAccount", "access", "identityGroup", "existingIdentity", "usedBy"];

export interface AzureResolvedTenant {
    ref: ServiceAccountRef;
    grants: AzureGrant[];
    kinds: FluxKind[];
    identityGroup?: string;
    existingIdentity?: AzureExistingIdentity;
    /** Position in the user's list: groups keep tenants on their identity while new ones are appended. */
    index: number;
    path: string;
}

export function resolveAzureTenants(value: unknown, at: Issues): AzureResolvedTenant[] {
    return resolveTenantList(value, at, AZURE_TENANT_FIELDS, (raw, ti, ref, index) => {
        let grants: AzureGrant[] = [];
        let kinds: FluxKind[] = [];
        let existingIdentity: AzureExistingIdentity | undefined;
        let identityGroup: string | undefined;
        if (raw.identityGroup !== undefined && checkLabel(raw.identityGroup, ti, "identityGroup", "identity group name")) {
            identityGroup = raw.identityGroup;
        }
        if (raw.existingIdentity !== undefined) {
            if (raw.access !== undefined) {
                ti.add("access", "a tenant with existingIdentity cannot also list access: flux-identity does not change identities it does not own.", "remove access, or remove existingIdentity to let flux-identity create the identity.");
            }
            if (raw.identityGroup !== undefined) {
                ti.add("identityGroup", "a tenant with existingIdentity cannot join an identity group.", "remove identityGroup or existingIdentity.");
            }
            existingIdentity = resolveExistingIdentity(raw.existingIdentity, ti.at("existingIdentity"));
            kinds = resolveTenantKinds(raw.usedBy, ti, "an existing identity");
        } else {
            if (raw.usedBy !== undefined) {
                ti.add("usedBy", "usedBy at tenant level only goes with existingIdentity; with access, each entry has its own usedBy.", "move usedBy into the access entries.");
            }
            if (!isRecord(raw.access) || Object.keys(raw.access).length === 0) {
                ti.add("access", `a tenant needs access (what its Flux objects reach) or an existingIdentity, got ${show(raw.access)}.`, "list the tenant's registries, containers or vaults under access.");
            } else {
                grants = resolveAzureAccess(raw.access, ti.at("access"));
                kinds = grantKinds(grants);
            }
        }
        const tenant: AzureResolvedTenant = { ref, grants, kinds, index, path: ti.path() };
        if (identityGroup) tenant.identityGroup = identityGroup;
        if (existingIdentity) tenant.existingIdentity = existingIdentity;
        return tenant;
    });
}

/** A brought identity: client ID required, tenant ID optional (defaults to the target's). */
export function resolveExistingIdentity(value: unknown, at: Issues): AzureExistingIdentity | undefined {
    if (!isRecord(value)) {
        at.add(undefined, `expected {clientId, tenantId}, got ${show(value)}.`, "give the identity's clientId (and tenantId when it is in another directory).");
        return undefined;
    }
    checkKnownFields(value, ["clientId", "tenantId"], at);
    const ok = checkGuid(value.clientId, at, "clientId", "client ID");
    const tenantOk = value.tenantId === undefined || checkGuid(value.tenantId, at, "tenantId", "tenant ID");
    if (!ok || !tenantOk) return undefined;
    const out: AzureExistingIdentity = { clientId: (value.clientId as string).toLowerCase() };
    if (value.tenantId !== undefined) out.tenantId = (value.tenantId as string).toLowerCase();
    return out;
}
