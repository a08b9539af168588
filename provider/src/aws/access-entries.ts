/** EKS access entries and access policy associations for roles that reach remote EKS clusters. */

import { Issues } from "../core/errors";
import { compareStrings, sortedRecord } from "../core/order";
import { AwsGrant } from "./grants";
import { AwsAccessEntryPlan, AwsAccessPolicyPlan, AwsRolePlan } from "./plan-model";
import { uniqueSorted } from "./policy";

export function planAccessEntries(roles: AwsRolePlan[], grantsByRole: Map<string, AwsGrant[]>, accountId: string, baseTags: Record<string, string>, issues: Issues): AwsAccessEntryPlan[] {
    const entries = new Map<string, AwsAccessEntryPlan>();
    for (const role of roles) {
        for (const g of grantsByRole.get(role.key) ?? []) {
            if (!g.eks) continue;
            const e = g.eks;
            if (e.create && e.account !== accountId) {
                issues.within(g.path).add(
                    "clusterArn",
                    `the remote cluster is in account ${e.account}, but this target creates resources in ${accountId}; its access entry must be created in ${e.account}.`,
                    "set createAccessEntry: false and create the entry listed in plan.json with credentials for that account.",
                );
                continue;
            }
            const key = `${role.key}@${e.clusterArn}`;
            const logicalName = `access-entry-${role.logicalName.replace(/^role-/, "")}-${e.account}-${e.region}-${e.clusterName}`;
            const current = entries.get(key);
            const policies: AwsAccessPolicyPlan[] = e.policies.map((p) => ({
                logicalName: `${logicalName}-${p.policyArn.split("/").pop()}`,
                policyArn: p.policyArn,
                scope: p.scope,
                namespaces: [...p.namespaces],
            }));
            if (!current) {
                const entry: AwsAccessEntryPlan = {
                    logicalName,
                    create: e.create,
                    roleKey: role.key,
                    principalArn: role.arn,
                    clusterArn: e.clusterArn,
                    clusterName: e.clusterName,
                    region: e.region,
                    kubernetesGroups: [...e.kubernetesGroups],
                    policies,
                    tags: sortedRecord({ ...baseTags, "flux-identity/identity": role.key }),
                };
                if (e.userName !== undefined) entry.userName = e.userName;
                entries.set(key, entry);
                continue;
            }
            // The same role reaches the same cluster through two entries (shared role, Kustomization and HelmRelease).
            if (current.create !== e.create || current.userName !== e.userName) {
                issues.addAt(g.path, `two entries for cluster ${e.clusterArn} disagree on createAccessEntry or userName for role ${role.key}.`, "give both entries the same createAccessEntry and userName, or merge them.");
                continue;
            }
            current.kubernetesGroups = uniqueSorted([...current.kubernetesGroups, ...e.kubernetesGroups]);
            for (const p of policies) {
                const twin = current.policies.find((q) => q.policyArn === p.policyArn);
                if (!twin) {
                    current.policies.push(p);
                } else if (twin.scope !== p.scope || twin.namespaces.join(",") !== p.namespaces.join(",")) {
                    issues.within(g.path).add("accessPolicies", `policy ${p.policyArn} is associated twice with role ${role.key} on ${e.clusterArn} with different scopes.`, "give it one scope in one entry.");
                }
            }
            current.policies.sort((x, y) => compareStrings(x.policyArn, y.policyArn));
        }
    }
    return [...entries.values()].sort((x, y) => compareStrings(x.logicalName, y.logicalName));
}
