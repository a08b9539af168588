/**
 * The GCP plan as the list of cloud resources `up` creates: Pulumi type, child name, and the exact
 * arguments. `render` writes this list to plan.json and the component creates resources from it, so the
 * two cannot disagree. Grants are IAM *members* only: never a policy or binding that would replace what
 * others granted.
 */

import { PlannedResource, ResourceList } from "../core/resources";
import { GCP_ROLES } from "./grants";
import { GcpGrantPlan, GcpGrantScope, GcpPlan } from "./plan-model";
import { GAR_REPOSITORY, KMS_CRYPTO_KEY, KMS_KEY_RING, PUBSUB_TOPIC } from "./resource-names";

export const GCP_TYPES = {
    workloadIdentityPool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
    workloadIdentityPoolProvider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
    customRole: "gcp:projects/iAMCustomRole:IAMCustomRole",
    serviceAccount: "gcp:serviceaccount/account:Account",
    serviceAccountIamMember: "gcp:serviceaccount/iAMMember:IAMMember",
    projectIamMember: "gcp:projects/iAMMember:IAMMember",
    repositoryIamMember: "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    bucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    cryptoKeyIamMember: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    keyRingIamMember: "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
    topicIamMember: "gcp:pubsub/topicIAMMember:TopicIAMMember",
} as const;

export type GcpResourceType = (typeof GCP_TYPES)[keyof typeof GCP_TYPES];

export type GcpPlannedResource = PlannedResource<GcpResourceType>;

export const POOL_LOGICAL_NAME = "workload-identity-pool";
export const PROVIDER_LOGICAL_NAME = "workload-identity-pool/provider";

export function describeGcpResources(plan: GcpPlan): GcpPlannedResource[] {
    const list = new ResourceList<GcpResourceType>();
    const add = list.add.bind(list);

    const pool = plan.workloadIdentityPool;
    const poolCreated = pool?.create === true;
    if (pool && poolCreated) {
        add(GCP_TYPES.workloadIdentityPool, POOL_LOGICAL_NAME, { project: pool.project, workloadIdentityPoolId: pool.poolId, displayName: pool.displayName, description: pool.description });
        add(
            GCP_TYPES.workloadIdentityPoolProvider,
            PROVIDER_LOGICAL_NAME,
            {
                project: pool.project,
                workloadIdentityPoolId: pool.poolId,
                workloadIdentityPoolProviderId: pool.providerId,
                displayName: pool.displayName,
                description: pool.description,
                attributeMapping: { ...pool.attributeMapping },
                // allowedAudiences stays unset: GCP then accepts exactly this provider's own name, with or
                // without https: (https://iam.googleapis.com/projects/N/.../providers/Q). That is the audience
                // of the controllers' projected token, and Flux requests tokens for object-level tenants
                // with one of the two forms depending on its version; a token minted for any other
                // provider is refused.
                oidc: pool.jwksJson === undefined ? { issuerUri: pool.issuerUri } : { issuerUri: pool.issuerUri, jwksJson: pool.jwksJson },
            },
            [POOL_LOGICAL_NAME],
        );
    }
    // Members naming a principal://.../workloadIdentityPools/<pool>/... wait for the provider that makes it exist.
    const poolDependency = (member: string) => (poolCreated && member.startsWith("principal://") ? [PROVIDER_LOGICAL_NAME] : []);

    for (const role of plan.customRoles) {
        add(GCP_TYPES.customRole, role.logicalName, { project: role.project, roleId: role.roleId, title: role.title, description: role.description, permissions: [...role.permissions] });
    }
    const gsaOf = new Map<string, string>();
    for (const sa of plan.serviceAccounts) {
        gsaOf.set(sa.identityKey, sa.logicalName);
        add(GCP_TYPES.serviceAccount, sa.logicalName, { project: sa.project, accountId: sa.accountId, displayName: sa.displayName, description: sa.description });
    }
    const gsaDependency = (identityKey: string) => {
        const gsa = gsaOf.get(identityKey);
        return gsa ? [gsa] : [];
    };
    for (const u of plan.workloadIdentityUsers) {
        add(GCP_TYPES.serviceAccountIamMember, u.logicalName, { serviceAccountId: u.serviceAccountId, role: GCP_ROLES.workloadIdentityUser, member: u.member }, [...gsaDependency(u.identityKey), ...poolDependency(u.member)]);
    }
    for (const g of plan.grants) {
        const deps = [...(g.customRoleLogicalName ? [g.customRoleLogicalName] : []), ...gsaDependency(g.identityKey), ...poolDependency(g.member)];
        const { type, properties } = grantResource(g);
        add(type, g.logicalName, properties, deps);
    }
    return list.items;
}

/** The member resource type and arguments for one grant, with the parent named the way each type takes it. */
function grantResource(g: GcpGrantPlan): { type: GcpResourceType; properties: Record<string, unknown> } {
    const who = { role: g.role, member: g.member };
    const parts = (pattern: RegExp) => pattern.exec(g.resource)?.groups ?? {};
    switch (g.scope) {
        case GcpGrantScope.Repository: {
            const p = parts(GAR_REPOSITORY.pattern);
            return { type: GCP_TYPES.repositoryIamMember, properties: { project: p.project, location: p.location, repository: p.repository, ...who } };
        }
        case GcpGrantScope.Project:
            return { type: GCP_TYPES.projectIamMember, properties: { project: g.resource.slice("projects/".length), ...who } };
        case GcpGrantScope.Bucket:
            return { type: GCP_TYPES.bucketIamMember, properties: { bucket: g.resource, ...who } };
        case GcpGrantScope.CryptoKey: {
            // The provider's documented ID form: {project}/{location}/{keyRing}/{cryptoKey}.
            const p = parts(KMS_CRYPTO_KEY.pattern);
            return { type: GCP_TYPES.cryptoKeyIamMember, properties: { cryptoKeyId: `${p.project}/${p.location}/${p.keyRing}/${p.cryptoKey}`, ...who } };
        }
        case GcpGrantScope.KeyRing: {
            const p = parts(KMS_KEY_RING.pattern);
            return { type: GCP_TYPES.keyRingIamMember, properties: { keyRingId: `${p.project}/${p.location}/${p.keyRing}`, ...who } };
        }
        case GcpGrantScope.Topic: {
            const p = parts(PUBSUB_TOPIC.pattern);
            return { type: GCP_TYPES.topicIamMember, properties: { project: p.project, topic: p.topic, ...who } };
        }
    }
}
