/**
 * The `tenants` list every target shares: a list of maps naming a ServiceAccount in a tenant namespace,
 * each listed once. The cloud-specific fields are read by the target's own callback.
 */

import { FluxController, FluxKind, controllersForKinds } from "./catalog";
import { checkKnownFields, isRecord } from "./checks";
import { Issues, show } from "./errors";
import { ServiceAccountRef, checkNamespace, checkServiceAccountName, serviceAccountKey } from "./kubernetes";
import { compareStrings } from "./order";
import { FluxTenantServiceAccount } from "./patch";

/**
 * Validates the list's shape, each entry's known fields, names and uniqueness, then calls `resolve` for
 * the rest. A tenant is kept only when nothing was reported for it; the result is sorted by `<ns>/<sa>`.
 */
export function resolveTenantList<T extends { ref: ServiceAccountRef }>(
    value: unknown,
    at: Issues,
    fields: readonly string[],
    resolve: (raw: Record<string, unknown>, ti: Issues, ref: ServiceAccountRef, index: number) => T,
): T[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        at.add("tenants", `expected a list of tenants, got ${show(value)}.`, "write tenants as a YAML list of {namespace, serviceAccount, access}.");
        return [];
    }
    const out: T[] = [];
    const seen = new Map<string, number>();
    value.forEach((raw, i) => {
        const ti = at.at("tenants").at(i);
        if (!isRecord(raw)) {
            ti.add(undefined, `expected a tenant {namespace, serviceAccount, access}, got ${show(raw)}.`, "give namespace, serviceAccount and access.");
            return;
        }
        checkKnownFields(raw, fields, ti);
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
        const tenant = resolve(raw, ti, { namespace: raw.namespace as string, name: raw.serviceAccount as string }, i);
        if (ti.count === before && nsOk && saOk) out.push(tenant);
    });
    return out.sort((x, y) => compareStrings(serviceAccountKey(x.ref), serviceAccountKey(y.ref)));
}

/** Controllers serving each tenant ServiceAccount, keyed `<ns>/<sa>`: the ones that request its tokens. */
export function tenantControllers(tenants: ReadonlyArray<{ ref: ServiceAccountRef; kinds: Iterable<FluxKind> }>): Record<string, FluxController[]> {
    const out: Record<string, FluxController[]> = {};
    for (const t of [...tenants].sort((x, y) => compareStrings(serviceAccountKey(x.ref), serviceAccountKey(y.ref)))) {
        out[serviceAccountKey(t.ref)] = controllersForKinds(t.kinds);
    }
    return out;
}

/** Tenant ServiceAccounts that need no annotation (the target derives everything from their names). */
export function plainTenantServiceAccounts(served: Readonly<Record<string, FluxController[]>>): FluxTenantServiceAccount[] {
    return Object.keys(served).map((key) => {
        const [namespace, name] = key.split("/");
        return { namespace, name, annotations: {}, servedBy: [...served[key]] };
    });
}
