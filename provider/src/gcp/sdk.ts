/**
 * Everything GcpFluxIdentity takes from @pulumi/gcp: the resource class of each planned type and the
 * project lookup. Loaded when the first GcpFluxIdentity is built (see ../pulumi/peer-sdk).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { FLUX_IDENTITY_INVOKES } from "../pulumi/invokes";
import { sharedInvoke } from "../pulumi/shared-invoke";
import { ResourceFactory } from "../pulumi/planned-resources";
import { GCP_TYPES, GcpResourceType } from "./resources";

// The planner guarantees each type's arguments; the parity tests compare them with what is registered.
export const GCP_FACTORIES: Readonly<Record<GcpResourceType, ResourceFactory>> = {
    [GCP_TYPES.workloadIdentityPool]: (n, a, o) => new gcp.iam.WorkloadIdentityPool(n, a as unknown as gcp.iam.WorkloadIdentityPoolArgs, o),
    [GCP_TYPES.workloadIdentityPoolProvider]: (n, a, o) => new gcp.iam.WorkloadIdentityPoolProvider(n, a as unknown as gcp.iam.WorkloadIdentityPoolProviderArgs, o),
    [GCP_TYPES.customRole]: (n, a, o) => new gcp.projects.IAMCustomRole(n, a as unknown as gcp.projects.IAMCustomRoleArgs, o),
    [GCP_TYPES.serviceAccount]: (n, a, o) => new gcp.serviceaccount.Account(n, a as unknown as gcp.serviceaccount.AccountArgs, o),
    [GCP_TYPES.serviceAccountIamMember]: (n, a, o) => new gcp.serviceaccount.IAMMember(n, a as unknown as gcp.serviceaccount.IAMMemberArgs, o),
    [GCP_TYPES.projectIamMember]: (n, a, o) => new gcp.projects.IAMMember(n, a as unknown as gcp.projects.IAMMemberArgs, o),
    [GCP_TYPES.repositoryIamMember]: (n, a, o) => new gcp.artifactregistry.RepositoryIamMember(n, a as unknown as gcp.artifactregistry.RepositoryIamMemberArgs, o),
    [GCP_TYPES.bucketIamMember]: (n, a, o) => new gcp.storage.BucketIAMMember(n, a as unknown as gcp.storage.BucketIAMMemberArgs, o),
    [GCP_TYPES.cryptoKeyIamMember]: (n, a, o) => new gcp.kms.CryptoKeyIAMMember(n, a as unknown as gcp.kms.CryptoKeyIAMMemberArgs, o),
    [GCP_TYPES.keyRingIamMember]: (n, a, o) => new gcp.kms.KeyRingIAMMember(n, a as unknown as gcp.kms.KeyRingIAMMemberArgs, o),
    [GCP_TYPES.topicIamMember]: (n, a, o) => new gcp.pubsub.TopicIAMMember(n, a as unknown as gcp.pubsub.TopicIAMMemberArgs, o),
};

/** The project as the component's GCP provider sees it (its number above all). */
export function gcpProject(projectId: string, parent: pulumi.Resource): pulumi.Output<{ number: string }> {
    return sharedInvoke(parent, FLUX_IDENTITY_INVOKES.gcpProject, projectId, () => gcp.organizations.getProjectOutput({ projectId }, { parent }));
}
