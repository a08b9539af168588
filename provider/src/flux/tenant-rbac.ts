/**
 * RBAC for object-level workload identity: in each tenant namespace, a Role and RoleBinding per serving
 * controller that lets the controller's ServiceAccount `get` exactly the tenant ServiceAccounts it serves
 * and `create` their tokens (the TokenRequest API). Flux's own ClusterRole grants this cluster-wide from
 * v2.6 on; these namespaced grants are what remains needed when that role is tightened, and they name
 * in Git which controller may mint which tenant's tokens.
 */

import { FluxController, sortControllers } from "../core/catalog";
import { compareStrings } from "../core/order";
import { FluxPatchSet } from "../core/patch";
import { KubernetesObject, MANAGED_BY_LABELS } from "./manifests";

/** The Role (and RoleBinding) name in a tenant namespace for one controller. */
export function tenantTokenRoleName(controller: FluxController): string {
    return `flux-${controller}-tenant-tokens`;
}

/** Role and RoleBinding objects, sorted by namespace then controller. */
export function tenantRbacObjects(set: FluxPatchSet): KubernetesObject[] {
    const byNamespace = new Map<string, Map<FluxController, string[]>>();
    for (const sa of set.tenantServiceAccounts) {
        const controllers = byNamespace.get(sa.namespace) ?? new Map<FluxController, string[]>();
        for (const c of sa.servedBy) controllers.set(c, [...(controllers.get(c) ?? []), sa.name]);
        byNamespace.set(sa.namespace, controllers);
    }
    const out: KubernetesObject[] = [];
    for (const namespace of [...byNamespace.keys()].sort(compareStrings)) {
        const controllers = byNamespace.get(namespace) as Map<FluxController, string[]>;
        for (const controller of sortControllers(controllers.keys())) {
            const names = [...new Set(controllers.get(controller))].sort(compareStrings);
            const name = tenantTokenRoleName(controller);
            const metadata = { name, namespace, labels: { ...MANAGED_BY_LABELS } };
            out.push({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "Role",
                metadata,
                rules: [
                    { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: names, verbs: ["get"] },
                    { apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: names, verbs: ["create"] },
                ],
            });
            out.push({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: { ...metadata, labels: { ...MANAGED_BY_LABELS } },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
                subjects: [{ kind: "ServiceAccount", name: controller, namespace: set.namespace }],
            });
        }
    }
    return out;
}
