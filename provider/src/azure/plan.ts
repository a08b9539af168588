/**
 * The Azure plan: from what the user states to every managed identity, federated credential and role
 * assignment, with deterministic names, plus the Azure DevOps onboarding Azure RBAC cannot do.
 * Pure: the component, `render` and the tests all call this one function.
 */

import { tenantControllers } from "../core/tenants";
import { Cloud, FluxController, FluxKind, controllerShortName, controllersForKinds, isFluxController, sortControllers } from "../core/catalog";
import { checkKnownFields, enumValue, isRecord } from "../core/checks";
import { SourceCluster, resolveSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { DEFAULT_FLUX_NAMESPACE, checkLabel, checkNamespace, serviceAccountKey } from "../core/kubernetes";
import { DistinctPart } from "../core/names";
import { sortedRecord } from "../core/order";
import { controllersToCreate, grantKinds, scopeGrants } from "../core/used-by";
import { cloudObjectSettings } from "../flux/object-settings";
import { AUTHORITY_HOSTS } from "./clouds";
import { AzureGrant, resolveAzureAccess } from "./grants";
import { IdentityContext, makeIdentity } from "./identities";
import { checkGuid, checkLocation, checkResourceGroupName } from "./ids";
import {
    AZURE_COMPONENT_PATHS,
    AzureDevOpsGroup,
    AzureDevOpsOnboardingPlan,
    AzureExistingIdentityPlan,
    AzureIdentityPlan,
    AzurePlan,
    AzurePlanInput,
    AzurePlanOptions,
    MAX_FEDERATED_CREDENTIALS,
} from "./plan-model";
import { checkPrivateCloud } from "./private-cloud";
import { AzureCloud, AzureExistingIdentity, AzureIdentityLayout, AzurePrivateCloud, AzureTargetSpec } from "./spec";
import { checkAzureTags } from "./tags";
import { AzureResolvedTenant, resolveAzureTenants, resolveExistingIdentity } from "./tenants";
import { azureWarnings } from "./warnings";

export * from "./plan-model";
export { AZURE_TENANT_FIELDS } from "./tenants";

export const DEFAULT_AZURE_NAME_PREFIX = "flux-";
const PLACEHOLDER_ISSUER = "https://pending.flux-identity.invalid/issuer";
const NAME_PREFIX = /^(?:[A-Za-z0-9][A-Za-z0-9_-]{0,31})?$/;

export const AZURE_TARGET_FIELDS = [
    "tenantId",
    "subscriptionId",
    "resourceGroupName",
    "location",
    "cloud",
    "privateCloud",
    "identityLayout",
    "namePrefix",
    "tags",
    "controllers",
    "tenants",
    "pinnedIdentityGroups",
    "existingIdentities",
];

/** Plans the Azure side of one source cluster. Throws FluxIdentityValidationError listing every problem. */
export function planAzure(input: AzurePlanInput, options: AzurePlanOptions = {}): AzurePlan {
    const paths = options.paths ?? AZURE_COMPONENT_PATHS;
    const issues = Issues.root();
    if (!isRecord(input) || !isRecord(input.cluster)) {
        issues.addAt(paths.cluster, `expected the source cluster (name, type, issuerUrl), got ${show(isRecord(input) ? input.cluster : input)}.`, "describe the cluster Flux runs in.");
        issues.throwIfAny();
    }
    const at = issues.within(paths.azure);
    const a: Partial<AzureTargetSpec> = isRecord(input.azure) ? input.azure : {};
    if (!isRecord(input.azure)) {
        at.add(undefined, `expected the Azure target settings, got ${show(input.azure)}.`, "give at least tenantId, subscriptionId, resourceGroupName, location and what Flux must reach.");
    }
    checkKnownFields(a as Record<string, unknown>, AZURE_TARGET_FIELDS, at);

    const clusterInput: SourceCluster = { ...input.cluster, issuerUrl: options.pendingIssuer ? PLACEHOLDER_ISSUER : input.cluster.issuerUrl };
    const cluster = resolveSourceCluster(clusterInput, issues.within(paths.cluster), { placeholderIssuer: options.pendingIssuer });
    const fluxNamespace = input.fluxNamespace ?? DEFAULT_FLUX_NAMESPACE;
    checkNamespace(fluxNamespace, issues.within(paths.namespace), undefined);

    checkGuid(a.tenantId, at, "tenantId", "Entra tenant ID");
    checkGuid(a.subscriptionId, at, "subscriptionId", "subscription ID");
    checkResourceGroupName(a.resourceGroupName, at, "resourceGroupName");
    checkLocation(a.location, at, "location");
    const cloud = enumValue(a.cloud, Object.values(AzureCloud), AzureCloud.Public, at, "cloud");
    const privateCloud = checkPrivateCloud(cloud, a.privateCloud, at);
    const identityLayout = enumValue(a.identityLayout, Object.values(AzureIdentityLayout), AzureIdentityLayout.PerController, at, "identityLayout");
    const namePrefix = a.namePrefix ?? DEFAULT_AZURE_NAME_PREFIX;
    if (typeof namePrefix !== "string" || !NAME_PREFIX.test(namePrefix)) {
        at.add("namePrefix", `${show(namePrefix)} is not a valid identity name prefix.`, "use at most 32 letters, digits, '_' and '-', starting with a letter or digit.");
    }
    const userTags = checkAzureTags(a.tags, at);

    const existing = resolveExistingControllers(a.existingIdentities, at);
    const controllerGrants = resolveAzureAccess(a.controllers, at.at("controllers"));
    if (isRecord(a.controllers) && Object.keys(a.controllers).length === 0) {
        at.add("controllers", "controllers is empty.", "list what the controllers must reach (acr, blob, keyVault, ...), or remove controllers.");
    }
    const tenants = resolveAzureTenants(a.tenants, at);
    const pinned = resolvePinnedGroups(a.pinnedIdentityGroups, tenants, at);

    const createdControllers = controllersToCreate(controllerGrants, existing, at, "existingIdentities", "identity", "identities");
    if (createdControllers.length === 0 && existing.size === 0 && tenants.length === 0 && issues.count === 0) {
        at.add(undefined, "nothing to grant: no controller access, tenants or existing identities are listed.", "list what Flux must reach under controllers (acr, azureDevOps, blob, keyVault, aks, eventHubs) or tenants.");
    }
    issues.throwIfAny();
    if (!cluster) throw new Error("unreachable: invalid cluster without issues");

    const tenantId = (a.tenantId as string).toLowerCase();
    const subscriptionId = (a.subscriptionId as string).toLowerCase();
    const ctx: IdentityContext = {
        cluster,
        fluxNamespace,
        tenantId,
        subscriptionId,
        resourceGroupName: a.resourceGroupName as string,
        location: a.location as string,
        namePrefix,
        baseTags: { ...userTags, "managed-by": "flux-identity", "flux-identity-cluster": cluster.name },
    };

    const identities: AzureIdentityPlan[] = [];
    const grantsByIdentity = new Map<string, AzureGrant[]>();
    const add = (key: string, readable: DistinctPart, controllers: FluxController[], tenantRefs: AzureResolvedTenant[], grants: AzureGrant[]) => {
        identities.push(makeIdentity(ctx, key, readable, { controllers, tenants: tenantRefs.map((t) => t.ref) }, grants));
        grantsByIdentity.set(key, grants);
    };
    const controllerIdentities: Record<string, string> = {};
    if (identityLayout === AzureIdentityLayout.Shared && createdControllers.length > 0) {
        add("shared", "shared", createdControllers, [], scopeGrants(controllerGrants, new Set(createdControllers)));
        for (const c of createdControllers) controllerIdentities[c] = "shared";
    } else {
        for (const c of createdControllers) {
            add(c, controllerShortName(c), [c], [], scopeGrants(controllerGrants, new Set([c])));
            controllerIdentities[c] = c;
        }
    }
    const existingIdentities: AzureExistingIdentityPlan[] = [];
    for (const c of sortControllers(existing.keys())) {
        const e = existing.get(c) as AzureExistingIdentity;
        const key = `existing/${c}`;
        existingIdentities.push({ key, clientId: e.clientId, tenantId: e.tenantId ?? tenantId, serves: { controllers: [c], tenants: [] } });
        controllerIdentities[c] = key;
    }

    const tenantIdentities: Record<string, string> = {};
    const groups = new Map<string, AzureResolvedTenant[]>();
    for (const t of tenants) {
        const tkey = serviceAccountKey(t.ref);
        const controllers = controllersForKinds(t.kinds);
        if (t.existingIdentity) {
            const key = `existing/tenant/${tkey}`;
            existingIdentities.push({ key, clientId: t.existingIdentity.clientId, tenantId: t.existingIdentity.tenantId ?? tenantId, serves: { controllers, tenants: [t.ref] } });
            tenantIdentities[tkey] = key;
        } else if (t.identityGroup) {
            groups.set(t.identityGroup, [...(groups.get(t.identityGroup) ?? []), t]);
        } else {
            const key = `tenant/${tkey}`;
            add(key, [t.ref.namespace, t.ref.name], controllers, [t], t.grants);
            tenantIdentities[tkey] = key;
        }
    }
    for (const group of [...groups.keys()].sort()) {
        // Listing order, so appending a tenant never moves the others to another identity.
        const members = (groups.get(group) as AzureResolvedTenant[]).slice().sort((x, y) => x.index - y.index);
        if (members.length > MAX_FEDERATED_CREDENTIALS && pinned.has(group)) {
            at.add(
                "pinnedIdentityGroups",
                `identity group ${show(group)} has ${members.length} tenants, but Azure allows ${MAX_FEDERATED_CREDENTIALS} federated credentials per identity.`,
                `unpin the group so flux-identity spreads it over ${Math.ceil(members.length / MAX_FEDERATED_CREDENTIALS)} identities, or move tenants to another group.`,
            );
            continue;
        }
        for (let i = 0; i * MAX_FEDERATED_CREDENTIALS < members.length; i++) {
            const chunk = members.slice(i * MAX_FEDERATED_CREDENTIALS, (i + 1) * MAX_FEDERATED_CREDENTIALS);
            const key = i === 0 ? `group/${group}` : `group/${group}/${i + 1}`;
            const readable = i === 0 ? ["group", group] : ["group", group, String(i + 1)];
            const kinds = grantKinds(members.flatMap((m) => m.grants));
            // Every identity of a group gets the grants of the whole group: members share permissions.
            add(key, readable, controllersForKinds(kinds), chunk, members.flatMap((m) => m.grants));
            for (const m of chunk) tenantIdentities[serviceAccountKey(m.ref)] = key;
        }
    }
    issues.throwIfAny();

    const devOps = planDevOps(identities, grantsByIdentity);
    const objectLevelControllers = controllersForKinds(tenants.flatMap((t) => t.kinds));
    const authorityHost = cloud === AzureCloud.Private ? (privateCloud as AzurePrivateCloud).authorityHost : AUTHORITY_HOSTS[cloud];
    const plan: AzurePlan = {
        cluster,
        fluxNamespace,
        tenantId,
        subscriptionId,
        resourceGroupName: ctx.resourceGroupName,
        location: ctx.location,
        cloud,
        authorityHost,
        identityLayout,
        identities,
        existingIdentities,
        controllerIdentities: sortedRecord(controllerIdentities),
        tenantIdentities: sortedRecord(tenantIdentities),
        objectLevelControllers,
        tenantControllers: tenantControllers(tenants),
        devOps,
        objectSettings: cloudObjectSettings(
            Cloud.Azure,
            controllerGrants,
            tenants.map((t) => ({ ref: t.ref, grants: t.grants, brought: Boolean(t.existingIdentity), kinds: t.kinds })),
        ),
        warnings: [],
    };
    if (privateCloud) plan.privateCloud = privateCloud;
    plan.warnings = azureWarnings(plan, grantsByIdentity);
    return plan;
}

function resolveExistingControllers(value: unknown, at: Issues): Map<FluxController, AzureExistingIdentity> {
    const out = new Map<FluxController, AzureExistingIdentity>();
    if (value === undefined) return out;
    if (!isRecord(value)) {
        at.add("existingIdentities", `expected a map from controller name to {clientId, tenantId}, got ${show(value)}.`, "write existingIdentities: { source-controller: { clientId: ... } }.");
        return out;
    }
    for (const [controller, identity] of Object.entries(value)) {
        if (!isFluxController(controller)) {
            at.at("existingIdentities").add(controller, `unknown Flux controller ${show(controller)}.`, `use one of ${Object.values(FluxController).join(", ")}.`);
            continue;
        }
        const resolved = resolveExistingIdentity(identity, at.at("existingIdentities").at(controller));
        if (resolved) out.set(controller, resolved);
    }
    return out;
}

function resolvePinnedGroups(value: unknown, tenants: AzureResolvedTenant[], at: Issues): Set<string> {
    const out = new Set<string>();
    if (value === undefined) return out;
    if (!Array.isArray(value)) {
        at.add("pinnedIdentityGroups", `expected a list of identity group names, got ${show(value)}.`, "list the groups that must stay on one identity.");
        return out;
    }
    const used = new Set(tenants.map((t) => t.identityGroup).filter((g): g is string => g !== undefined));
    value.forEach((g, i) => {
        if (!checkLabel(g, at.at("pinnedIdentityGroups"), i, "identity group name")) return;
        if (!used.has(g)) {
            at.at("pinnedIdentityGroups").add(i, `no tenant is in identity group ${show(g)}.`, "set identityGroup on the tenants, or remove the group from pinnedIdentityGroups.");
            return;
        }
        out.add(g);
    });
    return out;
}

/** Azure DevOps onboarding per identity and organization/project; Contributors when anything pushes or posts. */
function planDevOps(identities: AzureIdentityPlan[], grantsByIdentity: Map<string, AzureGrant[]>): AzureDevOpsOnboardingPlan[] {
    const out: AzureDevOpsOnboardingPlan[] = [];
    for (const identity of identities) {
        const byTarget = new Map<string, { organization: string; project: string; kinds: Set<FluxKind> }>();
        for (const g of grantsByIdentity.get(identity.key) ?? []) {
            if (!g.devOps) continue;
            const k = `${g.devOps.organization}/${g.devOps.project}`;
            const entry = byTarget.get(k) ?? { organization: g.devOps.organization, project: g.devOps.project, kinds: new Set<FluxKind>() };
            for (const kind of g.kinds) entry.kinds.add(kind);
            byTarget.set(k, entry);
        }
        for (const k of [...byTarget.keys()].sort()) {
            const e = byTarget.get(k) as { organization: string; project: string; kinds: Set<FluxKind> };
            const writes = e.kinds.has(FluxKind.ImageUpdateAutomation) || e.kinds.has(FluxKind.Provider);
            out.push({ identityKey: identity.key, organization: e.organization, project: e.project, group: writes ? AzureDevOpsGroup.Contributors : AzureDevOpsGroup.Readers, kinds: [...e.kinds].sort() });
        }
    }
    return out;
}
