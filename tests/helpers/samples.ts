/** Sample inputs shared by the tests. Values follow the shapes in the Flux and cloud docs. */
import { SourceCluster, SourceClusterType } from "../../provider/src/core/cluster";
import { AwsAccess } from "../../provider/src/aws/spec";
import { strict as assert } from "node:assert";
import { AwsPlan, AwsPlanInput, planAws } from "../../provider/src/aws/plan";
import { ValidationIssue } from "../../provider/src/core/errors";
import { validationIssues } from "./issues";

export const ACCOUNT = "123456789012";

export const ISSUERS: Record<SourceClusterType, string> = {
    [SourceClusterType.Eks]: "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    [SourceClusterType.Aks]: "https://eastus.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0d1c2b3a-4e5f-6a7b-8c9d-0e1f2a3b4c5d/",
    [SourceClusterType.Gke]: "https://container.googleapis.com/v1/projects/my-project/locations/us-central1/clusters/gke-1",
    [SourceClusterType.Generic]: "https://issuer.example.com/clusters/kind-dev",
};

export const CLUSTER_TYPES: SourceClusterType[] = [SourceClusterType.Eks, SourceClusterType.Aks, SourceClusterType.Gke, SourceClusterType.Generic];

export function cluster(type: SourceClusterType, name = `${type}-1`): SourceCluster {
    return { name, type, issuerUrl: ISSUERS[type] };
}

/** Region-appropriate ARNs for every AWS integration. */
export function arns(partition = "aws", region = "us-east-1", account = ACCOUNT) {
    return {
        repo: `arn:${partition}:ecr:${region}:${account}:repository/apps/web`,
        repoWildcard: `arn:${partition}:ecr:${region}:${account}:repository/platform/*`,
        bucket: `arn:${partition}:s3:::flux-bucket`,
        key: `arn:${partition}:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        eks: `arn:${partition}:eks:${region}:${account}:cluster/remote`,
        git: `arn:${partition}:codecommit:${region}:${account}:fleet-repo`,
    };
}

/** Every AWS integration, every consuming kind. */
export function fullAccess(partition = "aws", region = "us-east-1", account = ACCOUNT): AwsAccess {
    const a = arns(partition, region, account);
    const access: AwsAccess = {
        ecr: [{ repositoryArns: [a.repo, a.repoWildcard], usedBy: ["OCIRepository", "HelmRepository", "ImageRepository"] as never }],
        s3: [{ bucketArns: [a.bucket] }],
        kms: [{ keyArns: [a.key] }],
        eks: [{ clusterArn: a.eks, usedBy: ["Kustomization", "HelmRelease"] as never, kubernetesGroups: ["flux-apply"] }],
        codecommit: [{ repositoryArns: [a.git], usedBy: ["GitRepository", "ImageUpdateAutomation"] as never }],
    };
    if (partition === "aws") access.ecrPublic = { usedBy: ["OCIRepository"] as never };
    return access;
}

export function awsInput(type: SourceClusterType, overrides: Partial<AwsPlanInput["aws"]> = {}): AwsPlanInput {
    return {
        cluster: cluster(type),
        aws: { accountId: ACCOUNT, region: "us-east-1", controllers: fullAccess(), ...overrides },
    };
}

export function tenantInput(type: SourceClusterType): AwsPlanInput {
    const a = arns();
    return {
        cluster: cluster(type),
        aws: {
            accountId: ACCOUNT,
            region: "us-east-1",
            tenants: [
                { namespace: "team-a", serviceAccount: "flux-aws", access: { ecr: [{ repositoryArns: [a.repo] }], s3: [{ bucketArns: [a.bucket] }] } },
                { namespace: "team-b", serviceAccount: "sops", access: { kms: [{ keyArns: [a.key] }] } },
            ],
        },
    };
}

/** The planned role with `key`; fails the test, listing the keys, when there is none. */
export function roleOf(plan: AwsPlan, key: string) {
    const r = plan.roles.find((x) => x.key === key);
    assert.ok(r, `no role ${key}: ${plan.roles.map((x) => x.key).join(", ")}`);
    return r;
}

/** The validation issues the AWS planner raises for `input`. */
export function awsIssues(input: AwsPlanInput): ValidationIssue[] {
    return validationIssues(() => planAws(input));
}
