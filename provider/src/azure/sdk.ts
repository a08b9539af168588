/**
 * Everything AzureFluxIdentity takes from @pulumi/azure-native (its managedidentity and authorization
 * modules only): the resource class of each planned type and the client configuration. Loaded when the
 * first AzureFluxIdentity is built (see ../pulumi/peer-sdk).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { FLUX_IDENTITY_INVOKES } from "../pulumi/invokes";
import { sharedInvoke } from "../pulumi/shared-invoke";
import { ResourceFactory } from "../pulumi/planned-resources";
import { AZURE_TYPES, AzureResourceType } from "./resources";

// The planner guarantees each type's arguments; the parity tests compare them with what is registered.
export const AZURE_FACTORIES: Readonly<Record<AzureResourceType, ResourceFactory>> = {
    [AZURE_TYPES.identity]: (n, a, o) => new managedidentity.UserAssignedIdentity(n, a as unknown as managedidentity.UserAssignedIdentityArgs, o),
    [AZURE_TYPES.federatedCredential]: (n, a, o) => new managedidentity.FederatedIdentityCredential(n, a as unknown as managedidentity.FederatedIdentityCredentialArgs, o),
    [AZURE_TYPES.roleAssignment]: (n, a, o) => new authorization.RoleAssignment(n, a as unknown as authorization.RoleAssignmentArgs, o),
};

/** The subscription and tenant of the credentials the component's azure-native provider uses. */
export function azureClientConfig(parent: pulumi.Resource): pulumi.Output<{ subscriptionId: string; tenantId: string }> {
    return sharedInvoke(parent, FLUX_IDENTITY_INVOKES.azureClientConfig, "", () => authorization.getClientConfigOutput({ parent }));
}
