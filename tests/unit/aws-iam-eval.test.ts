/**
 * The policies the plan writes, evaluated by a real IAM policy evaluator (iam-rs): allowed on the given
 * ARNs, denied elsewhere; trust allowed for the exact ServiceAccount and audience, denied otherwise.
 * Note: iam-rs matches Federated principals by prefix, so "another provider" cases use IDs that share
 * no prefix with the real one.
 */
import { strict as assert } from "node:assert";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { AwsPlan, AwsPlanInput, planAws } from "../../provider/src/aws/plan";
import { AwsAuthMethod, AwsRoleLayout } from "../../provider/src/aws/spec";
import { PolicyDocument } from "../../provider/src/aws/policy";
import { Decision, IamRequest, ensureEvaluator, evaluate } from "../helpers/iam";
import { ACCOUNT, ISSUERS, arns, awsInput, cluster, fullAccess, tenantInput } from "../helpers/samples";
import { skipWithReason } from "../helpers/skip";

const T = SourceClusterType;
let binary = "";
const ANY = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/any-resource`;

function roleOf(plan: AwsPlan, key: string) {
    const r = plan.roles.find((x) => x.key === key);
    if (!r) throw new Error(`no role ${key}`);
    return r;
}

interface Expect {
    action: string;
    resource: string;
    want: Decision;
}

/** Evaluates identity-policy requests as the role; returns a readable diff of mismatches. */
function checkPermissions(policy: PolicyDocument | undefined, roleArn: string, expectations: Expect[]): string[] {
    assert.ok(policy, "role has an inline policy");
    const results = evaluate(
        binary,
        expectations.map((e) => ({ policies: [policy], request: { Principal: { AWS: roleArn }, Action: e.action, Resource: e.resource } })),
    );
    return expectations.flatMap((e, i) => (results[i] === e.want ? [] : [`${e.action} on ${e.resource}: got ${results[i]}, want ${e.want}`]));
}

function webIdentity(providerArn: string, hostPath: string, sub: string | undefined, aud: string | undefined, roleArn: string): IamRequest {
    const Context: Record<string, string> = {};
    if (sub !== undefined) Context[`${hostPath}:sub`] = sub;
    if (aud !== undefined) Context[`${hostPath}:aud`] = aud;
    return { Principal: { Federated: providerArn }, Action: "sts:AssumeRoleWithWebIdentity", Resource: roleArn, Context };
}

describe("IAM evaluation of the AWS plan (real evaluator)", function () {
    before(function () {
        const r = ensureEvaluator();
        if ("reason" in r) skipWithReason(this, `IAM evaluator unavailable: ${r.reason}`);
        binary = r.binary;
    });

    const a = arns();
    const other = {
        repo: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/other/web`,
        bucket: "arn:aws:s3:::other-bucket",
        key: `arn:aws:kms:us-east-1:${ACCOUNT}:key/ffffffff-ffff-ffff-ffff-ffffffffffff`,
        eks: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/other`,
        git: `arn:aws:codecommit:us-east-1:${ACCOUNT}:other-repo`,
    };

    it("source-controller may read the given repositories, buckets and Git repositories, and nothing else", () => {
        const plan = planAws(awsInput(T.Generic));
        const r = roleOf(plan, "source-controller");
        const diff = checkPermissions(r.inlinePolicy, r.arn, [
            // Token calls take no resource; iam-rs needs an ARN in the request, which "*" must match.
            { action: "ecr:GetAuthorizationToken", resource: ANY, want: "Allow" },
            { action: "ecr:BatchGetImage", resource: a.repo, want: "Allow" },
            { action: "ecr:GetDownloadUrlForLayer", resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/platform/tools`, want: "Allow" },
            { action: "ecr:BatchGetImage", resource: other.repo, want: "NotApplicable" },
            { action: "ecr:PutImage", resource: a.repo, want: "NotApplicable" },
            { action: "ecr-public:GetAuthorizationToken", resource: ANY, want: "Allow" },
            { action: "sts:GetServiceBearerToken", resource: ANY, want: "Allow" },
            { action: "s3:ListBucket", resource: a.bucket, want: "Allow" },
            { action: "s3:GetObject", resource: `${a.bucket}/manifests/app.tar.gz`, want: "Allow" },
            { action: "s3:GetObject", resource: `${other.bucket}/x`, want: "NotApplicable" },
            { action: "s3:ListBucket", resource: other.bucket, want: "NotApplicable" },
            { action: "s3:PutObject", resource: `${a.bucket}/x`, want: "NotApplicable" },
            { action: "codecommit:GitPull", resource: a.git, want: "Allow" },
            { action: "codecommit:GitPush", resource: a.git, want: "NotApplicable" },
            { action: "codecommit:GitPull", resource: other.git, want: "NotApplicable" },
            { action: "kms:Decrypt", resource: a.key, want: "NotApplicable" },
            { action: "eks:DescribeCluster", resource: a.eks, want: "NotApplicable" },
        ]);
        assert.deepEqual(diff, []);
    });

    it("kustomize, helm, image-reflector and image-automation controllers get only their own grants", () => {
        const plan = planAws(awsInput(T.Generic));
        const check = (key: string, expectations: Expect[]) => {
            const r = roleOf(plan, key);
            return checkPermissions(r.inlinePolicy, r.arn, expectations).map((d) => `${key}: ${d}`);
        };
        const diff = [
            ...check("kustomize-controller", [
                { action: "kms:Decrypt", resource: a.key, want: "Allow" },
                { action: "kms:DescribeKey", resource: a.key, want: "Allow" },
                { action: "kms:Decrypt", resource: other.key, want: "NotApplicable" },
                { action: "kms:Encrypt", resource: a.key, want: "NotApplicable" },
                { action: "eks:DescribeCluster", resource: a.eks, want: "Allow" },
                { action: "eks:DescribeCluster", resource: other.eks, want: "NotApplicable" },
                { action: "ecr:BatchGetImage", resource: a.repo, want: "NotApplicable" },
                { action: "s3:GetObject", resource: `${a.bucket}/x`, want: "NotApplicable" },
            ]),
            ...check("helm-controller", [
                { action: "eks:DescribeCluster", resource: a.eks, want: "Allow" },
                { action: "kms:Decrypt", resource: a.key, want: "NotApplicable" },
            ]),
            ...check("image-reflector-controller", [
                { action: "ecr:ListImages", resource: a.repo, want: "Allow" },
                { action: "ecr:DescribeImages", resource: a.repo, want: "Allow" },
                { action: "s3:GetObject", resource: `${a.bucket}/x`, want: "NotApplicable" },
            ]),
            ...check("image-automation-controller", [
                { action: "codecommit:GitPull", resource: a.git, want: "Allow" },
                { action: "codecommit:GitPush", resource: a.git, want: "Allow" },
                { action: "codecommit:GitPush", resource: other.git, want: "NotApplicable" },
                { action: "ecr:BatchGetImage", resource: a.repo, want: "NotApplicable" },
            ]),
        ];
        assert.deepEqual(diff, []);
    });

    it("a tenant role reaches only that tenant's resources", () => {
        const plan = planAws(tenantInput(T.Generic));
        const r = roleOf(plan, "tenant/team-a/flux-aws");
        assert.deepEqual(
            checkPermissions(r.inlinePolicy, r.arn, [
                { action: "ecr:BatchGetImage", resource: a.repo, want: "Allow" },
                { action: "s3:GetObject", resource: `${a.bucket}/x`, want: "Allow" },
                { action: "kms:Decrypt", resource: a.key, want: "NotApplicable" },
                { action: "ecr:BatchGetImage", resource: other.repo, want: "NotApplicable" },
            ]),
            [],
        );
    });

    for (const type of [T.Eks, T.Aks, T.Gke, T.Generic]) {
        it(`trust from a ${type} cluster: only the controller's ServiceAccount with audience sts.amazonaws.com`, () => {
            const plan = planAws(awsInput(type));
            const r = roleOf(plan, "source-controller");
            const hostPath = ISSUERS[type].slice("https://".length);
            const provider = plan.oidcProvider?.arn as string;
            assert.equal(provider, `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`);
            const sub = "system:serviceaccount:flux-system:source-controller";
            const cases: Array<[string, IamRequest, Decision]> = [
                ["the controller", webIdentity(provider, hostPath, sub, "sts.amazonaws.com", r.arn), "Allow"],
                ["another namespace", webIdentity(provider, hostPath, "system:serviceaccount:team-a:source-controller", "sts.amazonaws.com", r.arn), "NotApplicable"],
                ["another ServiceAccount", webIdentity(provider, hostPath, "system:serviceaccount:flux-system:kustomize-controller", "sts.amazonaws.com", r.arn), "NotApplicable"],
                ["another audience", webIdentity(provider, hostPath, sub, "api://AzureADTokenExchange", r.arn), "NotApplicable"],
                ["no sub claim", webIdentity(provider, hostPath, undefined, "sts.amazonaws.com", r.arn), "NotApplicable"],
                ["no aud claim", webIdentity(provider, hostPath, sub, undefined, r.arn), "NotApplicable"],
                ["another provider", webIdentity(`arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`, "token.actions.githubusercontent.com", sub, "sts.amazonaws.com", r.arn), "NotApplicable"],
                ["plain AssumeRole", { Principal: { Federated: provider }, Action: "sts:AssumeRole", Resource: r.arn, Context: { [`${hostPath}:sub`]: sub, [`${hostPath}:aud`]: "sts.amazonaws.com" } }, "NotApplicable"],
            ];
            const got = evaluate(
                binary,
                cases.map(([, request]) => ({ policies: [r.trustPolicy], request, ignoreResource: true })),
            );
            assert.deepEqual(
                cases.map(([name], i) => `${name}: ${got[i]}`),
                cases.map(([name, , want]) => `${name}: ${want}`),
            );
        });
    }

    it("the shared role trusts each controller and no tenant", () => {
        const plan = planAws(awsInput(T.Generic, { roleLayout: AwsRoleLayout.Shared }));
        const r = plan.roles[0];
        const hostPath = ISSUERS.generic.slice(8);
        const provider = plan.oidcProvider?.arn as string;
        const subs = ["source-controller", "kustomize-controller", "helm-controller", "image-reflector-controller", "image-automation-controller", "notification-controller"].map(
            (c) => `system:serviceaccount:flux-system:${c}`,
        );
        subs.push("system:serviceaccount:team-a:flux-aws");
        const got = evaluate(
            binary,
            subs.map((s) => ({ policies: [r.trustPolicy], request: webIdentity(provider, hostPath, s, "sts.amazonaws.com", r.arn), ignoreResource: true })),
        );
        assert.deepEqual(got, ["Allow", "Allow", "Allow", "Allow", "Allow", "NotApplicable", "NotApplicable"]);
    });

    it("tenant trust admits the tenant ServiceAccount only", () => {
        const plan = planAws(tenantInput(T.Aks));
        const r = roleOf(plan, "tenant/team-b/sops");
        const hostPath = ISSUERS.aks.slice(8);
        const provider = plan.oidcProvider?.arn as string;
        const got = evaluate(binary, [
            { policies: [r.trustPolicy], request: webIdentity(provider, hostPath, "system:serviceaccount:team-b:sops", "sts.amazonaws.com", r.arn), ignoreResource: true },
            { policies: [r.trustPolicy], request: webIdentity(provider, hostPath, "system:serviceaccount:team-a:flux-aws", "sts.amazonaws.com", r.arn), ignoreResource: true },
            { policies: [r.trustPolicy], request: webIdentity(provider, hostPath, "system:serviceaccount:flux-system:kustomize-controller", "sts.amazonaws.com", r.arn), ignoreResource: true },
        ]);
        assert.deepEqual(got, ["Allow", "NotApplicable", "NotApplicable"]);
    });

    it("Pod Identity trust admits pods.eks.amazonaws.com for AssumeRole and TagSession only", () => {
        const plan = planAws(awsInput(T.Eks, { authMethod: AwsAuthMethod.PodIdentity }));
        const r = roleOf(plan, "source-controller");
        const req = (Service: string, Action: string) => ({ policies: [r.trustPolicy], request: { Principal: { Service }, Action, Resource: r.arn }, ignoreResource: true });
        const got = evaluate(binary, [
            req("pods.eks.amazonaws.com", "sts:AssumeRole"),
            req("pods.eks.amazonaws.com", "sts:TagSession"),
            req("ec2.amazonaws.com", "sts:AssumeRole"),
            req("pods.eks.amazonaws.com", "sts:AssumeRoleWithWebIdentity"),
        ]);
        assert.deepEqual(got, ["Allow", "Allow", "NotApplicable", "NotApplicable"]);
    });

    for (const [region, partition] of [
        ["cn-north-1", "aws-cn"],
        ["us-gov-west-1", "aws-us-gov"],
    ]) {
        it(`in ${partition} the trust and grants match ${partition} ARNs, not aws ones`, () => {
            const input: AwsPlanInput = { cluster: cluster(T.Generic), aws: { accountId: ACCOUNT, region, controllers: fullAccess(partition, region) } };
            const plan = planAws(input);
            const r = roleOf(plan, "kustomize-controller");
            const hostPath = ISSUERS.generic.slice(8);
            const sub = "system:serviceaccount:flux-system:kustomize-controller";
            const key = arns(partition, region).key;
            const got = evaluate(binary, [
                { policies: [r.trustPolicy], request: webIdentity(`arn:${partition}:iam::${ACCOUNT}:oidc-provider/${hostPath}`, hostPath, sub, "sts.amazonaws.com", r.arn), ignoreResource: true },
                { policies: [r.trustPolicy], request: webIdentity(`arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`, hostPath, sub, "sts.amazonaws.com", r.arn), ignoreResource: true },
                { policies: [r.inlinePolicy as PolicyDocument], request: { Principal: { AWS: r.arn }, Action: "kms:Decrypt", Resource: key } },
                { policies: [r.inlinePolicy as PolicyDocument], request: { Principal: { AWS: r.arn }, Action: "kms:Decrypt", Resource: key.replace(`arn:${partition}:`, "arn:aws:") } },
            ]);
            assert.deepEqual(got, ["Allow", "NotApplicable", "Allow", "NotApplicable"]);
        });
    }

    it("an opt-in bucket policy admits the roles that reach the bucket and no one else", () => {
        const plan = planAws({
            cluster: cluster(T.Generic),
            aws: { accountId: ACCOUNT, region: "us-east-1", controllers: { s3: [{ bucketArns: [a.bucket], writeBucketPolicy: true, usedBy: [FluxKind.Bucket] }] } },
        });
        const policy = plan.resourcePolicies[0].policy;
        const role = roleOf(plan, "source-controller");
        const got = evaluate(binary, [
            { policies: [policy], request: { Principal: { AWS: role.arn }, Action: "s3:GetObject", Resource: `${a.bucket}/x` } },
            { policies: [policy], request: { Principal: { AWS: role.arn }, Action: "s3:ListBucket", Resource: a.bucket } },
            { policies: [policy], request: { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/someone-else` }, Action: "s3:GetObject", Resource: `${a.bucket}/x` } },
            { policies: [policy], request: { Principal: { AWS: role.arn }, Action: "s3:PutObject", Resource: `${a.bucket}/x` } },
        ]);
        assert.deepEqual(got, ["Allow", "Allow", "NotApplicable", "NotApplicable"]);
    });
});
