import { strict as assert } from "node:assert";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { awsFluxPatchSet } from "../../provider/src/aws/patches";
import { AwsPlanInput, planAws } from "../../provider/src/aws/plan";
import { describeAwsResources } from "../../provider/src/aws/resources";
import { AwsAuthMethod, AwsRoleLayout } from "../../provider/src/aws/spec";
import { ACCOUNT, ISSUERS, arns, awsInput, awsIssues, cluster, fullAccess, roleOf, tenantInput } from "../helpers/samples";

const T = SourceClusterType;

const issuesOf = awsIssues;
const role = roleOf;

describe("AWS plan: trust", () => {
    it("writes the docs' OIDC federation trust policy: StringEquals on aud and sub", () => {
        const plan = planAws(awsInput(T.Eks));
        const hostPath = ISSUERS.eks.slice("https://".length);
        assert.deepEqual(role(plan, "source-controller").trustPolicy, {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}` },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${hostPath}:aud`]: "sts.amazonaws.com",
                            [`${hostPath}:sub`]: "system:serviceaccount:flux-system:source-controller",
                        },
                    },
                },
            ],
        });
    });

    it("writes the docs' Pod Identity trust policy and one association per controller ServiceAccount", () => {
        const plan = planAws(awsInput(T.Eks, { authMethod: AwsAuthMethod.PodIdentity }));
        for (const r of plan.roles) {
            assert.deepEqual(r.trustPolicy, {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "AllowEksAuthToAssumeRoleForPodIdentity",
                        Effect: "Allow",
                        Principal: { Service: "pods.eks.amazonaws.com" },
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                    },
                ],
            });
        }
        assert.equal(plan.oidcProvider, undefined);
        assert.deepEqual(
            plan.podIdentityAssociations.map((a) => [a.serviceAccount, a.namespace, a.clusterName, a.region]),
            plan.roles.map((r) => [r.serves.controllers[0], "flux-system", "eks-1", "us-east-1"]),
        );
        assert.deepEqual(awsFluxPatchSet(plan).controllers, [], "Pod Identity needs nothing on the Flux side");
    });

    it("uses the given EKS OIDC provider or creates one for other clusters, with client ID sts.amazonaws.com", () => {
        const hostPath = ISSUERS.eks.slice("https://".length);
        const given = planAws(awsInput(T.Eks, { oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}` }));
        assert.equal(given.oidcProvider?.create, false);
        assert.ok(!describeAwsResources(given).some((r) => r.type.includes("openIdConnectProvider")));
        const generic = planAws(awsInput(T.Generic));
        assert.deepEqual(
            describeAwsResources(generic).filter((r) => r.type.includes("openIdConnectProvider")).map((r) => r.properties),
            [{ url: ISSUERS.generic, clientIdLists: ["sts.amazonaws.com"], tags: { "flux-identity/cluster": "generic-1", "managed-by": "flux-identity" } }],
        );
    });

    it("trusts every controller subject in the shared role", () => {
        const plan = planAws(awsInput(T.Generic, { roleLayout: AwsRoleLayout.Shared }));
        assert.equal(plan.roles.length, 1);
        const cond = plan.roles[0].trustPolicy.Statement[0].Condition?.StringEquals as Record<string, string[]>;
        const sub = cond[`${ISSUERS.generic.slice(8)}:sub`];
        assert.deepEqual(sub, [
            "system:serviceaccount:flux-system:helm-controller",
            "system:serviceaccount:flux-system:image-automation-controller",
            "system:serviceaccount:flux-system:image-reflector-controller",
            "system:serviceaccount:flux-system:kustomize-controller",
            "system:serviceaccount:flux-system:source-controller",
        ]);
    });

    for (const [region, partition] of [
        ["cn-north-1", "aws-cn"],
        ["us-gov-west-1", "aws-us-gov"],
    ]) {
        it(`keeps the audience sts.amazonaws.com and writes ${partition} ARNs everywhere in ${region}`, () => {
            const input: AwsPlanInput = { cluster: cluster(T.Generic), aws: { accountId: ACCOUNT, region, controllers: fullAccess(partition, region), singleTenantManagedPolicies: false } };
            const plan = planAws(input);
            const text = JSON.stringify(describeAwsResources(plan));
            const allArns = text.match(/arn:[a-z-]+:/g) ?? [];
            assert.ok(allArns.length > 10);
            assert.ok(allArns.every((a) => a === `arn:${partition}:`), [...new Set(allArns)].join(" "));
            assert.ok(text.includes('"sts.amazonaws.com"'));
            const managed = planAws({ ...input, aws: { ...input.aws, singleTenantManagedPolicies: true } });
            assert.deepEqual(role(managed, "source-controller").managedPolicyArns, [
                `arn:${partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly`,
                `arn:${partition}:iam::aws:policy/AmazonS3ReadOnlyAccess`,
            ]);
        });
    }
});

describe("AWS plan: grants", () => {
    it("gives each controller only what its kinds need", () => {
        const plan = planAws(awsInput(T.Generic));
        const sids = (key: string) => (role(plan, key).inlinePolicy?.Statement ?? []).map((s) => s.Sid);
        assert.deepEqual(sids("source-controller"), ["EcrAuthorizationToken", "EcrRead", "EcrPublicAuthorizationToken", "S3ListBucket", "S3GetObject", "CodeCommitPull"]);
        assert.deepEqual(sids("kustomize-controller"), ["KmsDecrypt", "EksDescribeCluster"]);
        assert.deepEqual(sids("helm-controller"), ["EksDescribeCluster"]);
        assert.deepEqual(sids("image-reflector-controller"), ["EcrAuthorizationToken", "EcrRead"]);
        assert.deepEqual(sids("image-automation-controller"), ["CodeCommitPull", "CodeCommitPush"]);
        assert.equal(plan.roles.find((r) => r.key === "notification-controller"), undefined);
    });

    it("uses the docs' ECR actions on the given repositories and keeps '*' only for the token calls", () => {
        const plan = planAws(awsInput(T.Generic));
        const a = arns();
        const stmts = role(plan, "source-controller").inlinePolicy?.Statement ?? [];
        assert.deepEqual(stmts.find((s) => s.Sid === "EcrRead")?.Action, [
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:GetRepositoryPolicy",
            "ecr:DescribeRepositories",
            "ecr:ListImages",
            "ecr:DescribeImages",
            "ecr:BatchGetImage",
            "ecr:GetLifecyclePolicy",
            "ecr:GetLifecyclePolicyPreview",
            "ecr:ListTagsForResource",
            "ecr:DescribeImageScanFindings",
        ]);
        assert.deepEqual(stmts.find((s) => s.Sid === "EcrRead")?.Resource, [a.repo, a.repoWildcard]);
        assert.deepEqual(stmts.find((s) => s.Sid === "EcrPublicAuthorizationToken")?.Action, ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"]);
        const star = stmts.filter((s) => s.Resource === "*").map((s) => s.Sid);
        assert.deepEqual(star, ["EcrAuthorizationToken", "EcrPublicAuthorizationToken"]);
        for (const r of plan.roles) {
            for (const s of r.inlinePolicy?.Statement ?? []) {
                if (s.Resource === "*") assert.ok(["EcrAuthorizationToken", "EcrPublicAuthorizationToken"].includes(s.Sid ?? ""), `${r.key} ${s.Sid}`);
            }
            assert.deepEqual(r.managedPolicyArns, [], "no managed read-all policy unless asked");
        }
    });

    it("writes S3 GetObject on objects and ListBucket on the bucket, KMS Decrypt/DescribeKey on keys", () => {
        const a = arns();
        const plan = planAws(awsInput(T.Generic));
        const s = (key: string, sid: string) => role(plan, key).inlinePolicy?.Statement.find((x) => x.Sid === sid);
        assert.deepEqual([s("source-controller", "S3ListBucket")?.Action, s("source-controller", "S3ListBucket")?.Resource], ["s3:ListBucket", a.bucket]);
        assert.deepEqual([s("source-controller", "S3GetObject")?.Action, s("source-controller", "S3GetObject")?.Resource], ["s3:GetObject", `${a.bucket}/*`]);
        assert.deepEqual([s("kustomize-controller", "KmsDecrypt")?.Action, s("kustomize-controller", "KmsDecrypt")?.Resource], [["kms:Decrypt", "kms:DescribeKey"], a.key]);
    });

    it("plans EKS access entries and access policy associations for remote clusters", () => {
        const a = arns();
        const plan = planAws({
            cluster: cluster(T.Eks),
            aws: {
                accountId: ACCOUNT,
                region: "us-east-1",
                roleLayout: AwsRoleLayout.Shared,
                controllers: {
                    eks: [
                        { clusterArn: a.eks, usedBy: [FluxKind.Kustomization], kubernetesGroups: ["flux"], accessPolicies: [{ policy: "AmazonEKSEditPolicy", scope: "namespace" as never, namespaces: ["apps"] }] },
                        { clusterArn: a.eks, usedBy: [FluxKind.HelmRelease], kubernetesGroups: ["helm"] },
                    ],
                },
            },
        });
        assert.equal(plan.accessEntries.length, 1, "one entry per role and cluster");
        const e = plan.accessEntries[0];
        assert.deepEqual([e.clusterName, e.region, e.kubernetesGroups, e.principalArn], ["remote", "us-east-1", ["flux", "helm"], plan.roles[0].arn]);
        const resources = describeAwsResources(plan);
        const assoc = resources.find((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.deepEqual(assoc?.properties, {
            clusterName: "remote",
            principalArn: plan.roles[0].arn,
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
            accessScope: { type: "namespace", namespaces: ["apps"] },
            region: "us-east-1",
        });
        assert.deepEqual(assoc?.dependsOn, [e.logicalName]);
    });

    it("writes resource policies only when asked, naming every role that reaches the resource", () => {
        const a = arns();
        const without = planAws(awsInput(T.Generic));
        assert.equal(without.resourcePolicies.length, 0);
        const withPolicies = planAws({
            cluster: cluster(T.Generic),
            aws: {
                accountId: ACCOUNT,
                region: "us-east-1",
                controllers: { kms: [{ keyArns: [a.key], writeKeyPolicy: true }], s3: [{ bucketArns: [a.bucket], writeBucketPolicy: true }] },
                tenants: [{ namespace: "t", serviceAccount: "sa", access: { kms: [{ keyArns: [a.key] }] } }],
            },
        });
        const key = withPolicies.resourcePolicies.find((p) => p.service === "kms");
        assert.deepEqual(key?.roleKeys, ["kustomize-controller", "tenant/t/sa"]);
        assert.deepEqual(key?.policy.Statement[0], { Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" });
        const bucket = withPolicies.resourcePolicies.find((p) => p.service === "s3");
        assert.deepEqual(bucket?.target, "flux-bucket");
    });
});

describe("AWS plan: names", () => {
    it("fit IAM's 64 characters and never collide across clusters, regions, accounts or issuers", () => {
        const names = new Set<string>();
        let count = 0;
        for (const region of ["us-east-1", "eu-west-1"]) {
            for (const account of [ACCOUNT, "210987654321"]) {
                for (const issuer of [ISSUERS.generic, "https://issuer.example.com/clusters/other"]) {
                    const input: AwsPlanInput = { cluster: { name: "a-very-long-cluster-name-that-goes-on-and-on", type: T.Generic, issuerUrl: issuer }, aws: { accountId: account, region, controllers: fullAccess("aws", region, account) } };
                    for (const r of planAws(input).roles) {
                        assert.ok(r.name.length <= 64, r.name);
                        assert.match(r.name, /^[\w+=,.@-]+$/);
                        names.add(r.name);
                        count++;
                    }
                }
            }
        }
        assert.equal(names.size, count);
    });

    it("applies name prefix, path, permissions boundary, tags and max session duration", () => {
        const plan = planAws(
            awsInput(T.Generic, {
                namePrefix: "org-",
                path: "/flux/",
                permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
                tags: { team: "platform" },
                maxSessionDurationSeconds: 7200,
            }),
        );
        const r = role(plan, "source-controller");
        assert.match(r.name, /^org-generic-1-source-[0-9a-f]{8}$/);
        assert.equal(r.arn, `arn:aws:iam::${ACCOUNT}:role/flux/${r.name}`);
        assert.equal(r.permissionsBoundaryArn, `arn:aws:iam::${ACCOUNT}:policy/boundary`);
        assert.equal(r.maxSessionDuration, 7200);
        assert.equal(r.tags.team, "platform");
    });
});

describe("AWS plan: object level and bring your own", () => {
    it("gives each tenant its own role trusting only its ServiceAccount, and the feature gate to serving controllers", () => {
        const plan = planAws(tenantInput(T.Generic));
        assert.deepEqual(plan.objectLevelControllers, ["source-controller", "kustomize-controller"]);
        assert.deepEqual(role(plan, "tenant/team-a/flux-aws").subjects, ["system:serviceaccount:team-a:flux-aws"]);
        assert.deepEqual(Object.keys(plan.tenantRoles), ["team-a/flux-aws", "team-b/sops"]);
        const settings = plan.objectSettings.filter((s) => s.namespace === "team-a");
        assert.deepEqual(settings.find((s) => s.kind === "OCIRepository")?.set, { "spec.provider": "aws", "spec.serviceAccountName": "flux-aws" });
        assert.deepEqual(plan.objectSettings.find((s) => s.namespace === "team-b")?.set, { "spec.decryption.serviceAccountName": "sops" });
    });

    it("tells Pod Identity users to associate brought roles themselves", () => {
        const plan = planAws({ cluster: cluster(T.Eks), aws: { accountId: ACCOUNT, region: "us-east-1", authMethod: AwsAuthMethod.PodIdentity, existingRoleArns: { "kustomize-controller": `arn:aws:iam::${ACCOUNT}:role/k` } } });
        assert.deepEqual(plan.podIdentityAssociations, []);
        assert.ok(plan.warnings.some((w) => /associate each with its controller ServiceAccount yourself \(kustomize-controller\)/.test(w)), plan.warnings.join("\n"));
    });

    it("creates nothing in AWS for brought roles and still patches the Flux side (Flux 2.9: with the gate)", () => {
        const existing = `arn:aws:iam::${ACCOUNT}:role/existing-source`;
        const plan = planAws({
            cluster: cluster(T.Eks),
            fluxVersion: "2.9",
            aws: {
                accountId: ACCOUNT,
                region: "us-east-1",
                existingRoleArns: { "source-controller": existing },
                tenants: [{ namespace: "t", serviceAccount: "sa", existingRoleArn: `arn:aws:iam::${ACCOUNT}:role/t`, usedBy: [FluxKind.Bucket] }],
            },
        });
        assert.deepEqual(describeAwsResources(plan), []);
        const set = awsFluxPatchSet(plan);
        assert.deepEqual(set.controllers[0].serviceAccountAnnotations, { "eks.amazonaws.com/role-arn": existing });
        assert.deepEqual(set.controllers[0].args, ["--feature-gates=ObjectLevelWorkloadIdentity=true"]);
        assert.deepEqual(set.tenantServiceAccounts, [{ namespace: "t", name: "sa", annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/t` }, servedBy: ["source-controller"] }]);
    });
});

describe("AWS plan: bad input names the field and says how to fix it", () => {
    const a = arns();
    const cases: Array<[string, AwsPlanInput, string, RegExp]> = [
        ["pod identity on a non-EKS cluster", awsInput(T.Gke, { authMethod: AwsAuthMethod.PodIdentity }), "authMethod", /EKS Pod Identity only exists on EKS/],
        ["partition mismatch", awsInput(T.Generic, { region: "cn-north-1" }), "controllers.ecr[0].repositoryArns[0]", /partition aws, but this target's region is in partition aws-cn/],
        ["malformed ARN", awsInput(T.Generic, { controllers: { kms: [{ keyArns: ["arn:aws:kms:us-east-1:123:key/x"] }] } }), "controllers.kms[0].keyArns[0]", /12-digit account/],
        ["alias of an AWS managed key", awsInput(T.Generic, { controllers: { kms: [{ keyArns: [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/ebs`] }] } }), "controllers.kms[0].keyArns[0]", /not name a valid resource/],
        ["KMS alias with writeKeyPolicy", awsInput(T.Generic, { controllers: { kms: [{ keyArns: [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/sops`], writeKeyPolicy: true }] } }), "controllers.kms[0].keyArns[0]", /an alias has none/],
        ["wrong service", awsInput(T.Generic, { controllers: { s3: [{ bucketArns: [a.repo] }] } }), "controllers.s3[0].bucketArns[0]", /service "ecr"/],
        ["empty grants", awsInput(T.Generic, { controllers: { ecr: [{ repositoryArns: [] }] } }), "controllers.ecr[0].repositoryArns", /non-empty list/],
        ["nothing at all", awsInput(T.Generic, { controllers: undefined }), "(root)", /nothing to grant/],
        ["unknown integration", awsInput(T.Generic, { controllers: { gcs: [] } as never }), "controllers.gcs", /unknown AWS integration/],
        ["kind that does not use the service", awsInput(T.Generic, { controllers: { s3: [{ bucketArns: [a.bucket], usedBy: [FluxKind.OCIRepository] }] } }), "controllers.s3[0].usedBy[0]", /does not use Amazon S3/],
        ["unknown controller for an existing role", awsInput(T.Generic, { controllers: undefined, existingRoleArns: { "source-controler": `arn:aws:iam::${ACCOUNT}:role/x` } }), "existingRoleArns.source-controler", /unknown Flux controller/],
        ["invalid region", awsInput(T.Generic, { region: "mars-1" }), "region", /AWS region/],
        ["account as number", awsInput(T.Generic, { accountId: 123456789012 as never }), "accountId", /12-digit/],
        ["session duration out of range", awsInput(T.Generic, { maxSessionDurationSeconds: 100 }), "maxSessionDurationSeconds", /outside IAM's range/],
        ["bad IAM path", awsInput(T.Generic, { path: "flux" }), "path", /not a valid IAM path/],
        ["OIDC provider of another issuer", awsInput(T.Eks, { oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHER` }), "oidcProviderArn", /cluster's issuer is/],
        ["wildcard with a resource policy", awsInput(T.Generic, { controllers: { ecr: [{ repositoryArns: [a.repoWildcard], writeRepositoryPolicy: true }] } }), "controllers.ecr[0].repositoryArns[0]", /wildcard/],
        ["system: group", awsInput(T.Generic, { controllers: { eks: [{ clusterArn: a.eks, kubernetesGroups: ["system:masters"] }] } }), "controllers.eks[0].kubernetesGroups[0]", /system:/],
        [
            "Pod Identity with the EKS cluster in another partition",
            { cluster: { name: "cn", type: T.Eks, issuerUrl: "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABCDEF" }, aws: { accountId: ACCOUNT, region: "us-east-1", authMethod: AwsAuthMethod.PodIdentity, controllers: { s3: [{ bucketArns: [arns().bucket] }] } } },
            "region",
            /runs in cn-north-1, outside partition aws/,
        ],
        ["ECR Public outside partition aws", awsInput(T.Generic, { region: "cn-north-1", controllers: { ecrPublic: {} } }), "controllers.ecrPublic", /only in partition aws/],
    ];
    for (const [name, input, path, message] of cases) {
        it(name, () => {
            const issues = issuesOf(input);
            const hit = issues.find((i) => i.path === path);
            assert.ok(hit, `no issue at ${path}: ${JSON.stringify(issues)}`);
            assert.match(hit.message, message);
            assert.ok(hit.fix.length > 10, "says how to fix it");
        });
    }

    it("duplicate tenants point at the first listing", () => {
        const input = tenantInput(T.Generic);
        const first = input.aws.tenants?.[0];
        if (first) input.aws.tenants?.push({ ...first });
        const issues = issuesOf(input);
        assert.ok(issues.some((i) => i.path === "tenants[2]" && /already listed at tenants\[0\]/.test(i.message)));
    });

    it("reports every problem at once", () => {
        const issues = issuesOf(awsInput(T.Generic, { region: "nowhere", accountId: "1", path: "x" }));
        assert.deepEqual(issues.map((i) => i.path).sort(), ["accountId", "path", "region"]);
    });

    it("refuses a tenant whose session name, as Flux builds it, would pass STS's 64 characters, in any region it reaches", () => {
        // Flux (fluxcd/pkg auth/aws getRoleSessionName) names it <sa>.<ns>.<region>.fluxcd.io.
        const named = (name: string, repoRegion = "us-east-1") => {
            const input = tenantInput(T.Generic);
            const tenants = input.aws.tenants ?? [];
            tenants[0] = { namespace: "team-a", serviceAccount: name, access: { ecr: [{ repositoryArns: [`arn:aws:ecr:${repoRegion}:${ACCOUNT}:repository/team-a/app`] }] } };
            return input;
        };
        const fits = "x".repeat(64 - ".team-a.us-east-1.fluxcd.io".length);
        assert.doesNotThrow(() => planAws(named(fits)));
        const issues = issuesOf(named(`${fits}y`));
        const issue = issues.find((i) => i.path === "tenants[0].serviceAccount");
        assert.ok(issue, JSON.stringify(issues));
        assert.match(issue.message, new RegExp(`"${fits}y\\.team-a\\.us-east-1\\.fluxcd\\.io" \\(65 characters\\), but STS accepts at most 64`));
        // An ECR repository in a longer region names a longer session.
        const far = issuesOf(named(fits, "ap-southeast-2"));
        assert.ok(far.some((i) => i.path === "tenants[0].serviceAccount" && /\.ap-southeast-2\.fluxcd\.io/.test(i.message)), JSON.stringify(far));
    });

    it("refuses a Flux namespace whose session name would pass IAM's 64 characters", () => {
        const issues = issuesOf({ ...awsInput(T.Generic), fluxNamespace: "a-rather-long-flux-namespace-name" });
        assert.ok(issues.some((i) => i.path === "fluxNamespace" && /64 characters/.test(i.message)));
    });
});
