/**
 * Everything AwsFluxIdentity takes from @pulumi/aws: the resource class of each planned type and the
 * caller-identity invoke. Loaded when the first AwsFluxIdentity is built (see ../pulumi/peer-sdk).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FLUX_IDENTITY_INVOKES } from "../pulumi/invokes";
import { sharedInvoke } from "../pulumi/shared-invoke";
import { ResourceFactory } from "../pulumi/planned-resources";
import { AWS_TYPES, AwsResourceType } from "./resources";

// The planner guarantees each type's arguments; the parity tests compare them with what is registered.
export const AWS_FACTORIES: Readonly<Record<AwsResourceType, ResourceFactory>> = {
    [AWS_TYPES.oidcProvider]: (n, a, o) => new aws.iam.OpenIdConnectProvider(n, a as unknown as aws.iam.OpenIdConnectProviderArgs, o),
    [AWS_TYPES.role]: (n, a, o) => new aws.iam.Role(n, a as unknown as aws.iam.RoleArgs, o),
    [AWS_TYPES.rolePolicy]: (n, a, o) => new aws.iam.RolePolicy(n, a as unknown as aws.iam.RolePolicyArgs, o),
    [AWS_TYPES.rolePolicyAttachment]: (n, a, o) => new aws.iam.RolePolicyAttachment(n, a as unknown as aws.iam.RolePolicyAttachmentArgs, o),
    [AWS_TYPES.podIdentityAssociation]: (n, a, o) => new aws.eks.PodIdentityAssociation(n, a as unknown as aws.eks.PodIdentityAssociationArgs, o),
    [AWS_TYPES.accessEntry]: (n, a, o) => new aws.eks.AccessEntry(n, a as unknown as aws.eks.AccessEntryArgs, o),
    [AWS_TYPES.accessPolicyAssociation]: (n, a, o) => new aws.eks.AccessPolicyAssociation(n, a as unknown as aws.eks.AccessPolicyAssociationArgs, o),
    [AWS_TYPES.repositoryPolicy]: (n, a, o) => new aws.ecr.RepositoryPolicy(n, a as unknown as aws.ecr.RepositoryPolicyArgs, o),
    [AWS_TYPES.bucketPolicy]: (n, a, o) => new aws.s3.BucketPolicy(n, a as unknown as aws.s3.BucketPolicyArgs, o),
    [AWS_TYPES.keyPolicy]: (n, a, o) => new aws.kms.KeyPolicy(n, a as unknown as aws.kms.KeyPolicyArgs, o),
};

/** The account and ARN of the credentials the component's AWS provider uses. */
export function awsCallerIdentity(parent: pulumi.Resource): pulumi.Output<{ accountId: string; arn: string }> {
    return sharedInvoke(parent, FLUX_IDENTITY_INVOKES.awsCallerIdentity, "", () => aws.getCallerIdentityOutput({}, { parent }));
}
