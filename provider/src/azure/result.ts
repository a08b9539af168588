/** Everything the Azure component outputs, computed once from the plan and the created identities' IDs. */

import { FluxPatchSet } from "../core/patch";
import { renderFluxSide } from "../flux/kustomization";
import { FluxObjectSetting } from "../flux/objects";
import { AzureDevOpsOnboarding, AzureIdentityIds, azureDevOpsOnboarding } from "./devops";
import { azureFluxPatchSet, azureIdentityRefs } from "./patches";
import { AzurePlan } from "./plan-model";
import { pendingValue } from "../core/pending";

export interface AzureFluxIdentityResult {
    /** Client ID per controller name (created or brought). */
    clientIds: Record<string, string>;
    /** Principal (object) ID per controller name; empty for brought identities. */
    principalIds: Record<string, string>;
    /** Client ID per tenant `<namespace>/<serviceAccount>`. */
    tenantClientIds: Record<string, string>;
    /** Managed identity resource names per identity key. */
    identityNames: Record<string, string>;
    patchSet: FluxPatchSet;
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    objectSettings: FluxObjectSetting[];
    azureDevOpsOnboarding: AzureDevOpsOnboarding[];
    warnings: string[];
}

export const AZURE_RESULT_KEYS = [
    "clientIds",
    "principalIds",
    "tenantClientIds",
    "identityNames",
    "patchSet",
    "kustomizationYaml",
    "tenantServiceAccountsYaml",
    "objectSettings",
    "azureDevOpsOnboarding",
    "warnings",
] as const;

/** Client and tenant IDs by identity key, and a principal ID lookup, with placeholders for identities not created yet. */
function identityIds(plan: AzurePlan, created: Record<string, AzureIdentityIds>) {
    const clientIdsByKey: Record<string, string> = {};
    for (const [k, v] of Object.entries(created)) clientIdsByKey[k] = v.clientId;
    const refs = azureIdentityRefs(plan, clientIdsByKey);
    const principalOf = (key: string) => created[key]?.principalId ?? (plan.identities.some((i) => i.key === key) ? pendingValue(`principal ID of ${key}`) : "");
    return { refs, principalOf };
}

/** The Azure DevOps onboarding each identity needs, with its IDs (placeholders until created). */
export function azureDevOpsOnboardings(plan: AzurePlan, created: Record<string, AzureIdentityIds> = {}): AzureDevOpsOnboarding[] {
    const { refs, principalOf } = identityIds(plan, created);
    return plan.devOps.map((o) => azureDevOpsOnboarding(o, { clientId: refs[o.identityKey].clientId, principalId: principalOf(o.identityKey) }));
}

/** `created` maps identity keys to the IDs Azure assigned; absent keys render as placeholders. */
export function azureFluxIdentityResult(plan: AzurePlan, created: Record<string, AzureIdentityIds> = {}): AzureFluxIdentityResult {
    const { refs, principalOf } = identityIds(plan, created);
    const clientIds: Record<string, string> = {};
    const principalIds: Record<string, string> = {};
    for (const [c, key] of Object.entries(plan.controllerIdentities)) {
        clientIds[c] = refs[key].clientId;
        principalIds[c] = principalOf(key);
    }
    const tenantClientIds: Record<string, string> = {};
    for (const [t, key] of Object.entries(plan.tenantIdentities)) tenantClientIds[t] = refs[key].clientId;
    const identityNames: Record<string, string> = {};
    for (const i of plan.identities) identityNames[i.key] = i.name;
    const patchSet = azureFluxPatchSet(plan, refs);
    return {
        clientIds,
        principalIds,
        tenantClientIds,
        identityNames,
        patchSet,
        ...renderFluxSide(patchSet),
        objectSettings: plan.objectSettings,
        azureDevOpsOnboarding: azureDevOpsOnboardings(plan, created),
        warnings: plan.warnings,
    };
}
