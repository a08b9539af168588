/**
 * RBAC for object-level workload identity: the permission a controller needs to mint a token for a
 * tenant's ServiceAccount, and nothing else.
 *
 * Only `create` on `serviceaccounts/token` matters. Flux reads the ServiceAccount itself (its annotations)
 * through the controller's cached client, which lists and watches ServiceAccounts cluster-wide under
 * Flux's own `crd-controller` ClusterRole (`get`, `list`, `watch` on `serviceaccounts`, in every Flux
 * release this project supports); a namespaced `get` would never be consulted. The token is a TokenRequest,
 * `create` on the `token` subresource of one named ServiceAccount, which RBAC authorizes per namespace and
 * per name: so each tenant namespace gets a Role naming exactly the ServiceAccounts a controller serves
 * there, bound to that controller alone.
 *
 * Against the Flux docs' shape: from Flux 2.10 the object identity installation page prescribes a
 * ClusterRole `flux-object-identity` (`create` on `serviceaccounts/token`, every ServiceAccount) bound by a
 * ClusterRoleBinding to all six controllers. That lets any controller mint a token for any ServiceAccount
 * in the cluster, kustomize-controller's own included, so one compromised controller becomes every
 * identity. The Roles here grant the same verb for the listed tenants only, which is all Flux asks for
 * them. The docs' ClusterRole and ClusterRoleBinding, by their names and rule, are rendered only where no
 * namespace list can do (Flux 2.10 with the lockdown's workload identity defaults, which Flux resolves in
 * whatever namespace the object lives in), narrowed to those default names and the controllers taking them.
 * Before 2.10 Flux's own `crd-controller` ClusterRole grants `create` on `serviceaccounts/token` to every
 * controller; these Roles then say in Git what is needed, so that grant can be removed (the Flux
 * multi-tenancy page shows the patch).
 */

import { FluxController, sortControllers } from "../core/catalog";
import { compareStrings } from "../core/order";
import { FluxPatchSet } from "../core/patch";
import { FLUX_LOCKDOWN_FLAGS } from "./lockdown";
import { KubernetesObject, MANAGED_BY_LABELS } from "./manifests";
import { fluxVersionFacts, patchSetFluxVersion } from "./version";

/** The Role (and RoleBinding) name in a tenant namespace for one controller. */
export function tenantTokenRoleName(controller: FluxController): string {
    return `flux-${controller}-tenant-tokens`;
}

/** The name the Flux object identity installation page gives its ClusterRole and ClusterRoleBinding. */
export const OBJECT_IDENTITY_CLUSTER_ROLE = "flux-object-identity";

const RBAC_API = "rbac.authorization.k8s.io/v1";

function tokenRule(names: readonly string[]): Record<string, unknown> {
    return { apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: [...names], verbs: ["create"] };
}

/**
 * The ServiceAccount names each controller of the set mints tokens for in any namespace: the values of the
 * lockdown's workload identity defaults (`--default-service-account` on source, notification and image
 * controllers, `--default-decryption-service-account`, `--default-kubeconfig-service-account`) in its args.
 */
export function defaultTokenServiceAccounts(set: FluxPatchSet): Map<FluxController, string[]> {
    const out = new Map<FluxController, string[]>();
    for (const flag of FLUX_LOCKDOWN_FLAGS.filter((f) => f.needsObjectLevelGate)) {
        for (const p of set.controllers.filter((c) => flag.controllers.includes(c.controller))) {
            for (const arg of p.args) {
                if (!arg.startsWith(`${flag.flag}=`)) continue;
                const names = out.get(p.controller) ?? [];
                const name = arg.slice(flag.flag.length + 1);
                if (!names.includes(name)) names.push(name);
                out.set(p.controller, names);
            }
        }
    }
    return out;
}

/**
 * Role and RoleBinding objects, sorted by namespace then controller; then, on Flux 2.10 with lockdown
 * defaults, the ClusterRole and ClusterRoleBinding for those defaults.
 */
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
            out.push({ apiVersion: RBAC_API, kind: "Role", metadata, rules: [tokenRule(names)] });
            out.push({
                apiVersion: RBAC_API,
                kind: "RoleBinding",
                metadata: { ...metadata, labels: { ...MANAGED_BY_LABELS } },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
                subjects: [{ kind: "ServiceAccount", name: controller, namespace: set.namespace }],
            });
        }
    }
    const defaults = defaultTokenServiceAccounts(set);
    if (fluxVersionFacts(patchSetFluxVersion(set)).explicitTokenGrants && defaults.size > 0) {
        const names = [...new Set([...defaults.values()].flat())].sort(compareStrings);
        const metadata = { name: OBJECT_IDENTITY_CLUSTER_ROLE, labels: { ...MANAGED_BY_LABELS } };
        out.push({ apiVersion: RBAC_API, kind: "ClusterRole", metadata, rules: [tokenRule(names)] });
        out.push({
            apiVersion: RBAC_API,
            kind: "ClusterRoleBinding",
            metadata: { ...metadata, labels: { ...MANAGED_BY_LABELS } },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: OBJECT_IDENTITY_CLUSTER_ROLE },
            subjects: sortControllers(defaults.keys()).map((c) => ({ kind: "ServiceAccount", name: c, namespace: set.namespace })),
        });
    }
    return out;
}
