/** What each Flux object using GCP must set, per integration, kind and tenant, in a stable order. */

import { Cloud, FLUX_KINDS } from "../core/catalog";
import { ServiceAccountRef } from "../core/kubernetes";
import { compareStrings } from "../core/order";
import { FluxObjectSetting, fluxObjectSetting } from "../flux/objects";
import { GcpGrant } from "./grants";
import { GcpResolvedTenant } from "./tenants";

export function gcpObjectSettings(controllerGrants: readonly GcpGrant[], tenants: readonly GcpResolvedTenant[]): FluxObjectSetting[] {
    const out: FluxObjectSetting[] = [];
    const seen = new Set<string>();
    const push = (s: FluxObjectSetting) => {
        const key = JSON.stringify(s);
        if (!seen.has(key)) {
            seen.add(key);
            out.push(s);
        }
    };
    const fromGrants = (grants: readonly GcpGrant[], tenant?: ServiceAccountRef) => {
        for (const g of grants) {
            for (const kind of g.kinds) {
                push(fluxObjectSetting({ cloud: Cloud.Gcp, integration: g.service, kind, tenant, resource: g.remoteCluster?.cluster }));
            }
        }
    };
    fromGrants(controllerGrants);
    for (const t of tenants) {
        if (t.grants.length === 0) {
            for (const kind of t.kinds) push(fluxObjectSetting({ cloud: Cloud.Gcp, integration: "", kind, tenant: t.ref }));
        } else {
            fromGrants(t.grants, t.ref);
        }
    }
    return out.sort(compareSettings);
}

const SERVICE_ORDER = ["", "gar", "gcs", "kms", "gke", "pubsub"];

/** Controller level first, then tenants by namespace and name; within each, catalog order. */
function compareSettings(a: FluxObjectSetting, b: FluxObjectSetting): number {
    const key = (s: FluxObjectSetting) => [
        s.level === "controller" ? "0" : "1",
        s.namespace ?? "",
        s.serviceAccountName ?? "",
        String(SERVICE_ORDER.indexOf(s.integration)).padStart(2, "0"),
        String(FLUX_KINDS.indexOf(s.kind)).padStart(2, "0"),
        s.resource ?? "",
    ];
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < x.length; i++) {
        if (x[i] !== y[i]) return compareStrings(x[i], y[i]);
    }
    return 0;
}
