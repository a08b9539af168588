/**
 * The provider functions the components invoke to check their credentials before creating anything.
 * Pulumi's mocks must answer them (flux-identity/testing does); an empty answer gets a clear error
 * instead of a TypeError deep in an apply.
 */

export const FLUX_IDENTITY_INVOKES = {
    /** AwsFluxIdentity: the credentials' account and partition must be the planned ones. */
    awsCallerIdentity: "aws:index/getCallerIdentity:getCallerIdentity",
    /** AzureFluxIdentity: the credentials' subscription and tenant must be the planned ones. */
    azureClientConfig: "azure-native:authorization:getClientConfig",
    /** GcpFluxIdentity: the project's number must be the planned projectNumber. */
    gcpProject: "gcp:organizations/getProject:getProject",
} as const;

/** The error for an invoke answered without the fields a component checks. */
export function unansweredInvoke(token: string, fields: string): Error {
    return new Error(
        `flux-identity: ${token} returned no ${fields}. Under Pulumi's mocks, answer it with the planned values: fluxIdentityMocks() from flux-identity/testing does.`,
    );
}
