/** Object-level tenants: Kustomizations naming their ServiceAccount in spec.decryption.serviceAccountName. */

import { FluxKind } from "../core/catalog";
import { isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef } from "../core/kubernetes";
import { resolveTenantList } from "../core/tenants";
import { VaultGrant, grantKinds, resolveAccess } from "./grants";

export const VAULT_TENANT_FIELDS = ["namespace", "serviceAccount", "access"];

export interface VaultResolvedTenant {
    ref: ServiceAccountRef;
    grants: VaultGrant[];
    kinds: FluxKind[];
}

export function resolveTenants(value: unknown, at: Issues): VaultResolvedTenant[] {
    return resolveTenantList(value, at, VAULT_TENANT_FIELDS, (raw, ti, ref) => {
        let grants: VaultGrant[] = [];
        if (!isRecord(raw.access) || raw.access.transit === undefined) {
            ti.add("access", `a tenant needs access.transit, got ${show(raw.access)}.`, "list the transit keys the tenant's SOPS files are encrypted with.");
        } else {
            grants = resolveAccess(raw.access, ti.at("access"));
        }
        return { ref, grants, kinds: grantKinds(grants) };
    });
}
