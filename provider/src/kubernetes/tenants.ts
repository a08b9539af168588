/** Object-level tenants: each tenant ServiceAccount presents its own token to the remote clusters it lists. */

import { FluxKind } from "../core/catalog";
import { isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef } from "../core/kubernetes";
import { resolveTenantList } from "../core/tenants";
import { KubernetesGrant, grantKinds, resolveAccess } from "./grants";

export const KUBERNETES_TENANT_FIELDS = ["namespace", "serviceAccount", "access"];

export interface KubernetesResolvedTenant {
    ref: ServiceAccountRef;
    grants: KubernetesGrant[];
    kinds: FluxKind[];
}

export function resolveTenants(value: unknown, at: Issues, issuerUrl: string | undefined): KubernetesResolvedTenant[] {
    return resolveTenantList(value, at, KUBERNETES_TENANT_FIELDS, (raw, ti, ref) => {
        let grants: KubernetesGrant[] = [];
        if (!isRecord(raw.access) || raw.access.remoteClusters === undefined) {
            ti.add("access", `a tenant needs access.remoteClusters, got ${show(raw.access)}.`, "list the remote clusters the tenant's Kustomizations and HelmReleases apply to.");
        } else {
            grants = resolveAccess(raw.access, ti.at("access"), issuerUrl);
        }
        return { ref, grants, kinds: grantKinds(grants) };
    });
}
