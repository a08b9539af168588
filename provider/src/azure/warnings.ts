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
            if (g.service === "aks" && !g.aksRbacRoles) {
                const reach = g.roles.length > 0 ? `can fetch ${g.resources[0]}'s credentials but has no Azure RBAC role in it` : `reaches ${g.resources[0]} (address and caCert) but has no Azure RBAC role in it`;
                out.push(`identity ${identity.name} ${reach}: bind its principal ID with Kubernetes RBAC in that cluster, or list rbacRoles.`);
            }
        }
    }
    out.push(...aksClusterWarnings([...grantsByIdentity.values()].flat()));
    for (const o of plan.devOps) {
        out.push(`Azure DevOps: onboard identity ${o.identityKey} into organization ${o.organization} and add it to ${o.project}'s ${o.group} group; Azure RBAC does not cover Azure DevOps (see azureDevOpsOnboarding).`);
    }
    if (plan.identities.length > 0) {
        out.push("managed identity client IDs are known only after the identities exist: offline renders hold placeholders; commit the component's kustomizationYaml output.");
    }
    out.push("annotations and env added after Flux runs take effect only after the affected controllers restart.");
    return [...new Set(out)];
}

const AKS_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i;

/**
 * What Flux needs of each remote AKS cluster that the plan cannot see: Microsoft Entra ID integration
 * (fluxcd/pkg auth/azure refuses clusters without an aadProfile, and only such clusters accept the Entra
 * token Flux presents), and Azure RBAC for Kubernetes authorization wherever rbacRoles are granted.
 */
export function aksClusterWarnings(grants: readonly AzureGrant[]): string[] {
    const out: string[] = [];
    const aks = grants.filter((g) => g.service === "aks");
    for (const id of [...new Set(aks.map((g) => g.resources[0]))].sort()) {
        const m = AKS_ID.exec(id);
        const target = m ? `--subscription ${m[1]} --resource-group ${m[2]} --name ${m[3]}` : `--ids ${id}`;
        out.push(
            `remote AKS cluster ${id} must have Microsoft Entra ID integration: Flux refuses clusters without it. Check: az aks show ${target} --query aadProfile (must not be empty). Fix: az aks update ${target} --enable-aad --aad-admin-group-object-ids <admin group object ID>.`,
        );
        if (aks.some((g) => g.resources[0] === id && g.aksRbacRoles)) {
            out.push(
                `rbacRoles on remote AKS cluster ${id} take effect only with Azure RBAC for Kubernetes authorization enabled on it. Check: az aks show ${target} --query aadProfile.enableAzureRbac (must be true). Fix: az aks update ${target} --enable-azure-rbac.`,
            );
        }
    }
    return out;
}
