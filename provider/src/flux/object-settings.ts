/** What each Flux object using a cloud must set, per integration, kind and tenant, in a stable order. */

import { Cloud, FLUX_KINDS, FluxKind, integrationsOf } from "../core/catalog";
import { ServiceAccountRef } from "../core/kubernetes";
import { compareStrings } from "../core/order";
import { FluxObjectSetting, REMOTE_CLUSTER_INTEGRATIONS, fluxObjectSetting } from "./objects";

/** A grant as the settings need it: the integration, the kinds using it, and what it names. */
export interface SettingGrant {
    readonly service: string;
    readonly kinds: readonly FluxKind[];
    readonly resources: readonly string[];
    /** Remote clusters: further kubeConfig ConfigMap keys (`address`, `ca.crt`). */
    readonly configMap?: Readonly<Record<string, string>>;
}

export interface SettingTenant {
    readonly ref: ServiceAccountRef;
    readonly grants: readonly SettingGrant[];
    /** Brought identity: its grants are unknown, so only the kinds are. */
    readonly brought: boolean;
    readonly kinds: readonly FluxKind[];
}

export function cloudObjectSettings(cloud: Cloud, controllerGrants: readonly SettingGrant[], tenants: readonly SettingTenant[]): FluxObjectSetting[] {
    const out: FluxObjectSetting[] = [];
    const seen = new Set<string>();
    const push = (s: FluxObjectSetting) => {
        const key = JSON.stringify(s);
        if (!seen.has(key)) {
            seen.add(key);
            out.push(s);
        }
    };
    const fromGrants = (grants: readonly SettingGrant[], tenant?: ServiceAccountRef) => {
        for (const g of grants) {
            for (const kind of g.kinds) {
                const resources = REMOTE_CLUSTER_INTEGRATIONS.has(g.service) ? g.resources : [undefined];
                for (const resource of resources) {
                    push(fluxObjectSetting({ cloud, integration: g.service, kind, tenant, resource, configMap: g.configMap }));
                }
            }
        }
    };
    fromGrants(controllerGrants);
    for (const t of tenants) {
        if (t.brought) {
            for (const kind of t.kinds) push(fluxObjectSetting({ cloud, integration: "", kind, tenant: t.ref }));
        } else {
            fromGrants(t.grants, t.ref);
        }
    }
    const order = ["", ...integrationsOf(cloud).map((i) => i.id)];
    return out.sort((a, b) => compareSettings(a, b, order));
}

/** Controller level first, then tenants by namespace and name; within each, catalog order. */
function compareSettings(a: FluxObjectSetting, b: FluxObjectSetting, order: readonly string[]): number {
    const key = (s: FluxObjectSetting) => [
        s.level === "controller" ? "0" : "1",
        s.namespace ?? "",
        s.serviceAccountName ?? "",
        String(order.indexOf(s.integration)).padStart(2, "0"),
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
