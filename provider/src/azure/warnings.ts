/** Things the user must do or know about the Azure side that the plan cannot do itself. */

import { SourceClusterType } from "../core/cluster";
import { AzureGrant } from "./grants";
import { AzurePlan } from "./plan-model";
import { ScopeLevel } from "./scopes";

/** The Flux Azure docs' warning about object level on AKS, kept close to their words. */
export const AKS_OBJECT_LEVEL_WARNING =
    "object-level workload identity on AKS clusters targeting Azure is currently unstable (Flux docs): it may stop working without notice depending on actions taken by Azure, and may need more configuration in future Flux releases (https://github.com/fluxcd/flux2/issues/5359).";

export function azureWarnings(plan: AzurePlan, grantsByIdentity: Map<string, AzureGrant[]>): string[] {
    const out: string[] = [];
    if (plan.cluster.type === SourceClusterType.Aks && Object.keys(plan.tenantIdentities).length > 0) {
        out.push(AKS_OBJECT_LEVEL_WARNING);
    }
    for (const identity of plan.identities) {
        for (const g of grantsByIdentity.get(identity.key) ?? []) {
            for (const r of g.roles) {
                if (r.scope.level === ScopeLevel.ManagementGroup || r.scope.level === ScopeLevel.Subscription) {
                    out.push(`identity ${identity.name} gets ${r.role.name} on the ${r.scope.level} ${r.scope.id}: every resource below it is reachable; prefer the resource's own scope.`);
                }
            }
            if (g.service === "aks" && g.roles.length === 1) {
                out.push(`identity ${identity.name} can fetch ${g.resources[0]}'s credentials but has no Azure RBAC role in it: bind its principal ID with Kubernetes RBAC in that cluster, or list rbacRoles.`);
            }
        }
    }
    for (const o of plan.devOps) {
        out.push(`Azure DevOps: onboard identity ${o.identityKey} into organization ${o.organization} and add it to ${o.project}'s ${o.group} group; Azure RBAC does not cover Azure DevOps (see azureDevOpsOnboarding).`);
    }
    if (plan.identities.length > 0) {
        out.push("managed identity client IDs are known only after the identities exist: offline renders hold placeholders; commit the component's kustomizationYaml output.");
    }
    out.push("annotations and env added after Flux runs take effect only after the affected controllers restart.");
    return [...new Set(out)];
}
