/**
 * The Azure plan as the list of cloud resources `up` creates. Federated credentials on one identity are
 * chained one after another, because Azure fails concurrent credential writes on an identity.
 */

import { PlannedResource, ResourceList, outputRef } from "../core/resources";
import { AzurePlan } from "./plan-model";

export const AZURE_TYPES = {
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    federatedCredential: "azure-native:managedidentity:FederatedIdentityCredential",
    roleAssignment: "azure-native:authorization:RoleAssignment",
} as const;

export type AzureResourceType = (typeof AZURE_TYPES)[keyof typeof AZURE_TYPES];
export type AzurePlannedResource = PlannedResource<AzureResourceType>;

export function describeAzureResources(plan: AzurePlan): AzurePlannedResource[] {
    const list = new ResourceList<AzureResourceType>();
    for (const identity of plan.identities) {
        list.add(AZURE_TYPES.identity, identity.logicalName, {
            resourceName: identity.name,
            resourceGroupName: identity.resourceGroupName,
            location: identity.location,
            tags: identity.tags,
        });
        let previous: string | undefined;
        for (const c of identity.credentials) {
            list.add(
                AZURE_TYPES.federatedCredential,
                c.logicalName,
                {
                    federatedIdentityCredentialResourceName: c.name,
                    resourceName: identity.name,
                    resourceGroupName: identity.resourceGroupName,
                    issuer: c.issuer,
                    subject: c.subject,
                    audiences: [...c.audiences],
                },
                previous ? [identity.logicalName, previous] : [identity.logicalName],
            );
            previous = c.logicalName;
        }
        for (const r of identity.roleAssignments) {
            list.add(
                AZURE_TYPES.roleAssignment,
                r.logicalName,
                {
                    roleAssignmentName: r.name,
                    scope: r.scope,
                    roleDefinitionId: r.roleDefinitionId,
                    principalId: outputRef(identity.logicalName, "principalId"),
                    principalType: "ServicePrincipal",
                    description: `${r.roleName} for Flux (${identity.key}) on cluster ${plan.cluster.name}, managed by flux-identity`,
                },
                [identity.logicalName],
            );
        }
    }
    return list.items;
}
