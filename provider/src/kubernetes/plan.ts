/**
 * The remote-cluster plan: from the remote clusters the controllers and tenants reach to the identities
 * that present tokens, each remote API server's JWT authenticator and RBAC, and what the kubeConfig
 * ConfigMaps hold. Pure: the component, `render` and the tests all call this one function.
 */

import { FluxController, KIND_CONTROLLER, controllersForKinds } from "../core/catalog";
import { checkKnownFields, isRecord } from "../core/checks";
import { SourceCluster, resolveSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { DEFAULT_FLUX_NAMESPACE, checkNamespace, serviceAccountSubject } from "../core/kubernetes";
import { boundedName } from "../core/names";
import { compareStrings } from "../core/order";
import { canonicalClusterAddress } from "../core/remote-cluster";
import { tenantControllers } from "../core/tenants";
import { jwtAuthenticator, renderAuthenticationConfigurations, renderRemoteClusterRbac } from "./authentication";
import { KubernetesGrant, grantKinds, resolveAccess } from "./grants";
import { KUBERNETES_COMPONENT_PATHS, KubernetesIdentityPlan, KubernetesPlan, KubernetesPlanInput, KubernetesPlanOptions, KubernetesRemoteClusterPlan } from "./plan-model";
import { kubernetesObjectSettings } from "./object-settings";
import { KubernetesTargetSpec } from "./spec";
import { resolveTenants } from "./tenants";
import { kubernetesWarnings } from "./warnings";

export * from "./plan-model";
export { KUBERNETES_TENANT_FIELDS } from "./tenants";

export const KUBERNETES_TARGET_FIELDS = ["usernamePrefix", "controllers", "tenants"];
const PLACEHOLDER_ISSUER = "https://pending.flux-identity.invalid/issuer";

export function planKubernetes(input: KubernetesPlanInput, options: KubernetesPlanOptions = {}): KubernetesPlan {
    const paths = options.paths ?? KUBERNETES_COMPONENT_PATHS;
    const pending = options.pending ?? {};
    const issues = Issues.root();
    const at = issues.within(paths.kubernetes);
    const k: Partial<KubernetesTargetSpec> = isRecord(input.kubernetes) ? input.kubernetes : {};
    if (!isRecord(input.kubernetes)) {
        at.add(undefined, `expected the remote-cluster settings, got ${show(input.kubernetes)}.`, "list the remote clusters under controllers.remoteClusters or tenants.");
    }
    checkKnownFields(k as Record<string, unknown>, KUBERNETES_TARGET_FIELDS, at);
    const clusterInput = { ...input.cluster, issuerUrl: pending.issuerUrl ? PLACEHOLDER_ISSUER : input.cluster.issuerUrl } as SourceCluster;
    const cluster = resolveSourceCluster(clusterInput, issues.within(paths.cluster), { placeholderIssuer: pending.issuerUrl });
    const fluxNamespace = input.fluxNamespace ?? DEFAULT_FLUX_NAMESPACE;
    checkNamespace(fluxNamespace, issues.within(paths.namespace), undefined);

    const usernamePrefix = k.usernamePrefix ?? `${input.cluster.name}:`;
    if (typeof usernamePrefix !== "string" || usernamePrefix === "" || usernamePrefix.startsWith("system:") || /\s/.test(usernamePrefix)) {
        at.add(
            "usernamePrefix",
            `${show(usernamePrefix)} cannot prefix remote user names: empty, it lets a token pass as the remote cluster's own ServiceAccount of the same name; "system:" is reserved.`,
            `use a prefix naming this cluster, such as ${show(`${input.cluster.name}:`)} (the default).`,
        );
    }
    const issuer = cluster?.issuerUrl;
    const controllerGrants = resolveAccess(k.controllers, at.at("controllers"), issuer);
    const tenants = resolveTenants(k.tenants, at, issuer);
    if (controllerGrants.length === 0 && tenants.length === 0 && issues.count === 0) {
        at.add(undefined, "nothing to reach: no remote clusters under controllers or tenants.", "list remote clusters under controllers.remoteClusters or tenants[].access.remoteClusters.");
    }

    // Identities: each serving controller, each tenant; each remote cluster collects who reaches it.
    const identities: KubernetesIdentityPlan[] = [];
    const uses: Array<{ identity: KubernetesIdentityPlan; grant: KubernetesGrant }> = [];
    for (const c of controllersForKinds(grantKinds(controllerGrants))) {
        const identity = makeIdentity(c, { namespace: fluxNamespace, name: c }, String(usernamePrefix), c);
        identities.push(identity);
        for (const g of controllerGrants) if (g.kinds.some((kind) => KIND_CONTROLLER[kind] === c)) uses.push({ identity, grant: g });
    }
    for (const t of tenants) {
        const identity = makeIdentity(`${t.ref.namespace}/${t.ref.name}`, t.ref, String(usernamePrefix));
        identities.push(identity);
        for (const g of t.grants) uses.push({ identity, grant: g });
    }
    const remoteClusters = planRemoteClusters(uses, { name: input.cluster.name, issuerUrl: issuer ?? "" }, String(usernamePrefix), at);
    issues.throwIfAny();
    if (!cluster) throw new Error("unreachable: invalid cluster without issues");

    const plan: Omit<KubernetesPlan, "warnings"> = {
        cluster,
        fluxNamespace,
        usernamePrefix: String(usernamePrefix),
        identities,
        remoteClusters,
        authenticationConfigurationYaml: renderAuthenticationConfigurations(remoteClusters),
        remoteClusterRbacYaml: renderRemoteClusterRbac(remoteClusters),
        objectLevelControllers: controllersForKinds(tenants.flatMap((t) => t.kinds)),
        tenantControllers: tenantControllers(tenants),
        objectSettings: kubernetesObjectSettings(controllerGrants, tenants),
    };
    return { ...plan, warnings: kubernetesWarnings(plan) };
}

function makeIdentity(key: string, ref: { namespace: string; name: string }, prefix: string, controller?: FluxController): KubernetesIdentityPlan {
    const subject = serviceAccountSubject(ref.namespace, ref.name);
    const identity: KubernetesIdentityPlan = { key, ref: { ...ref }, subject, userName: `${prefix}${subject}` };
    if (controller) identity.controller = controller;
    return identity;
}

/**
 * One plan per remote cluster (by canonical address). Every entry naming it must agree on its name, CA
 * and audiences, since one ConfigMap per cluster and one authenticator per issuer serve them all.
 */
function planRemoteClusters(
    uses: ReadonlyArray<{ identity: KubernetesIdentityPlan; grant: KubernetesGrant }>,
    source: { name: string; issuerUrl: string },
    prefix: string,
    issues: Issues,
): KubernetesRemoteClusterPlan[] {
    const byAddress = new Map<string, { first: KubernetesGrant; plan: KubernetesRemoteClusterPlan }>();
    const names = new Map<string, string>();
    for (const { identity, grant } of uses) {
        const key = canonicalClusterAddress(grant.address);
        let entry = byAddress.get(key);
        if (!entry) {
            const other = names.get(grant.name);
            if (other !== undefined && other !== key) {
                issues.addAt(`${grant.path}.name`, `remote cluster name ${show(grant.name)} is already used for ${other}.`, "give each remote cluster its own name.");
                continue;
            }
            names.set(grant.name, key);
            entry = {
                first: grant,
                plan: { name: grant.name, address: grant.address, audiences: [...grant.audiences], explicitAudiences: grant.explicitAudiences, bindings: [], jwtAuthenticator: {} },
            };
            if (grant.caCert !== undefined) entry.plan.caCert = grant.caCert;
            byAddress.set(key, entry);
        } else if (entry.first.name !== grant.name || entry.first.caCert !== grant.caCert || entry.first.audiences.join("\n") !== grant.audiences.join("\n")) {
            issues.addAt(grant.path, `remote cluster ${key} is also listed at ${entry.first.path} with another name, caCert or audiences.`, "give every entry for one remote cluster the same name, caCert and audiences.");
            continue;
        }
        const existing = entry.plan.bindings.find((b) => b.identityKey === identity.key);
        if (existing) {
            if (existing.clusterRole !== grant.clusterRole || existing.namespaces.join(",") !== grant.namespaces.join(",")) {
                issues.addAt(grant.path, `two entries for remote cluster ${grant.name} give ${identity.key} different clusterRole or namespaces.`, "give both entries the same clusterRole and namespaces, or merge them.");
            }
            for (const kind of grant.kinds) if (!existing.kinds.includes(kind)) existing.kinds.push(kind);
            continue;
        }
        const seed = JSON.stringify(["kubernetes-remote-rbac", source.name, source.issuerUrl, identity.key]);
        const readable = identity.controller ?? `${identity.ref.namespace}-${identity.ref.name}`;
        entry.plan.bindings.push({
            identityKey: identity.key,
            userName: identity.userName,
            bindingName: boundedName([`flux-${source.name}-${readable}`], seed, { maxLength: 63, allowed: /[a-z0-9-]/ }),
            clusterRole: grant.clusterRole,
            namespaces: [...grant.namespaces],
            kinds: [...grant.kinds],
        });
    }
    const out = [...byAddress.values()].map((e) => e.plan).sort((a, b) => compareStrings(a.name, b.name));
    for (const r of out) {
        r.bindings.sort((a, b) => compareStrings(a.identityKey, b.identityKey));
        const subjects = [...new Set(uses.filter((u) => canonicalClusterAddress(u.grant.address) === canonicalClusterAddress(r.address)).map((u) => u.identity.subject))].sort(compareStrings);
        r.jwtAuthenticator = jwtAuthenticator(source.issuerUrl, r.audiences, subjects, prefix);
    }
    return out;
}
