/**
 * The AWS plan as the list of cloud resources `up` creates: Pulumi type, child name, and the exact
 * arguments. `render` writes this list to plan.json and the component creates resources from it, so the
 * two cannot disagree.
 */

import { PlannedResource, ResourceList } from "../core/resources";
import { AwsPlan, INLINE_POLICY_NAME } from "./plan";

export const AWS_TYPES = {
    oidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    podIdentityAssociation: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicyAssociation: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    repositoryPolicy: "aws:ecr/repositoryPolicy:RepositoryPolicy",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
} as const;

export type AwsResourceType = (typeof AWS_TYPES)[keyof typeof AWS_TYPES];

/** Property names whose values are policy documents (the component passes them as JSON strings). */
export const POLICY_PROPERTIES: readonly string[] = ["assumeRolePolicy", "policy"];

export type AwsPlannedResource = PlannedResource<AwsResourceType>;

export function describeAwsResources(plan: AwsPlan): AwsPlannedResource[] {
    const list = new ResourceList<AwsResourceType>();
    const add = list.add.bind(list);

    const oidcName = "oidc-provider";
    const oidcCreated = plan.oidcProvider?.create === true;
    if (plan.oidcProvider && oidcCreated) {
        add(AWS_TYPES.oidcProvider, oidcName, { url: plan.oidcProvider.url, clientIdLists: [...plan.oidcProvider.clientIds], tags: plan.oidcProvider.tags });
    }
    const roleName = new Map<string, string>();
    for (const role of plan.roles) {
        roleName.set(role.key, role.logicalName);
        add(
            AWS_TYPES.role,
            role.logicalName,
            {
                name: role.name,
                path: role.path,
                description: role.description,
                assumeRolePolicy: role.trustPolicy,
                maxSessionDuration: role.maxSessionDuration,
                permissionsBoundary: role.permissionsBoundaryArn,
                tags: role.tags,
            },
            // Only roles trusting the OIDC provider wait for it (Pod Identity roles trust a service).
            oidcCreated && role.subjects.length > 0 ? [oidcName] : [],
        );
        if (role.inlinePolicy) {
            add(AWS_TYPES.rolePolicy, `${role.logicalName}-policy`, { role: role.name, name: INLINE_POLICY_NAME, policy: role.inlinePolicy }, [role.logicalName]);
        }
        for (const policyArn of role.managedPolicyArns) {
            add(AWS_TYPES.rolePolicyAttachment, `${role.logicalName}-${policyArn.split("/").pop()}`, { role: role.name, policyArn }, [role.logicalName]);
        }
    }
    for (const a of plan.podIdentityAssociations) {
        add(
            AWS_TYPES.podIdentityAssociation,
            a.logicalName,
            {
                clusterName: a.clusterName,
                namespace: a.namespace,
                serviceAccount: a.serviceAccount,
                roleArn: a.roleArn,
                targetRoleArn: a.targetRoleArn,
                // Only when set, so plans without it stay as they were.
                disableSessionTags: a.disableSessionTags ? true : undefined,
                region: a.region,
                tags: a.tags,
            },
            [roleName.get(a.roleKey) as string],
        );
    }
    for (const e of plan.accessEntries) {
        if (!e.create) continue;
        add(
            AWS_TYPES.accessEntry,
            e.logicalName,
            {
                clusterName: e.clusterName,
                principalArn: e.principalArn,
                type: "STANDARD",
                kubernetesGroups: e.kubernetesGroups.length > 0 ? [...e.kubernetesGroups] : undefined,
                userName: e.userName,
                region: e.region,
                tags: e.tags,
            },
            [roleName.get(e.roleKey) as string],
        );
        for (const p of e.policies) {
            add(
                AWS_TYPES.accessPolicyAssociation,
                p.logicalName,
                {
                    clusterName: e.clusterName,
                    principalArn: e.principalArn,
                    policyArn: p.policyArn,
                    accessScope: p.namespaces.length > 0 ? { type: p.scope, namespaces: [...p.namespaces] } : { type: p.scope },
                    region: e.region,
                },
                [e.logicalName],
            );
        }
    }
    for (const rp of plan.resourcePolicies) {
        const deps = rp.roleKeys.map((k) => roleName.get(k) as string);
        if (rp.service === "ecr") {
            add(AWS_TYPES.repositoryPolicy, rp.logicalName, { repository: rp.target, policy: rp.policy, region: rp.region }, deps);
        } else if (rp.service === "s3") {
            add(AWS_TYPES.bucketPolicy, rp.logicalName, { bucket: rp.target, policy: rp.policy }, deps);
        } else {
            add(AWS_TYPES.keyPolicy, rp.logicalName, { keyId: rp.target, policy: rp.policy, region: rp.region }, deps);
        }
    }
    return list.items;
}
