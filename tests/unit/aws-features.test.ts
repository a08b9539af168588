/**
 * AWS features beyond the matrix: Pod Identity controllers with IRSA tenants on one cluster, Pod
 * Identity target roles (cross-account, session tags), custom STS endpoints (VPC, FIPS) and SOPS keys
 * named by alias. Each is checked for validation, the plan, the policies under the real IAM evaluator,
 * the Flux side under the real `kubectl kustomize`, and the component under Pulumi's mocks.
 */
import { strict as assert } from "node:assert";
import { AwsFluxIdentity } from "../../provider/src/aws/component";
import { awsFluxPatchSet } from "../../provider/src/aws/patches";
import { AwsPlan, AwsPlanInput, planAws } from "../../provider/src/aws/plan";
import { POD_IDENTITY_FIELDS } from "../../provider/src/aws/pod-identity";
import { PolicyDocument, PolicyStatement } from "../../provider/src/aws/policy";
import { describeAwsResources, POLICY_PROPERTIES } from "../../provider/src/aws/resources";
import { AwsAuthMethod } from "../../provider/src/aws/spec";
import { FLUX_STS_ENDPOINT_PATTERN } from "../../provider/src/aws/sts-endpoint";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { planCluster } from "../../provider/src/plan/cluster";
import { loadFleet } from "../../sdk/src/spec/fleet";
import fleetSchema from "../../sdk/schema/fleet.schema.json";
import { Decision, IamRequest, ensureEvaluator, evaluate } from "../helpers/iam";
import { FluxFixture, KubeObject, find, kustomizeBuild, podSpec, prepareFluxBuild } from "../helpers/kustomize";
import { RecordingMocks, settle, useMocks, valueOf } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";
import { ACCOUNT, ISSUERS, awsIssues, cluster, roleOf } from "../helpers/samples";
import { skipWithReason } from "../helpers/skip";

const T = SourceClusterType;
const OTHER_ACCOUNT = "444455556666";
const HOST_PATH = ISSUERS.eks.slice("https://".length);
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST_PATH}`;
const TARGET = `arn:aws:iam::${OTHER_ACCOUNT}:role/flux-artifacts-reader`;
const REPO = `arn:aws:ecr:us-east-1:${OTHER_ACCOUNT}:repository/releases/web`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ALIAS = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/flux-sops`;
// Trust policies have no Resource; the evaluator still wants an ARN in the request.
const ANY_ROLE = `arn:aws:iam::${ACCOUNT}:role/any`;
const VPCE = "https://vpce-0a1b2c3d4e5f60718-abcdefgh.sts.us-east-1.vpce.amazonaws.com";

const issuesOf = awsIssues;
const role = roleOf;

/** An EKS cluster in us-east-1 whose controllers use Pod Identity. */
function eksPodIdentity(aws: Partial<AwsPlanInput["aws"]>): AwsPlanInput {
    return { cluster: cluster(T.Eks), aws: { accountId: ACCOUNT, region: "us-east-1", authMethod: AwsAuthMethod.PodIdentity, ...aws } };
}

/** Pod Identity for the controllers, one tenant on IRSA; on Flux 2.9, the fixture's, which still has the object-level gate. */
function podIdentityWithTenants(extra: Partial<AwsPlanInput["aws"]> = {}): AwsPlanInput {
    return { fluxVersion: "2.9", ...podIdentityOnly(extra) };
}

function podIdentityOnly(extra: Partial<AwsPlanInput["aws"]>): AwsPlanInput {
    return eksPodIdentity({
        controllers: { ecr: [{ repositoryArns: [`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/platform/*`] }], kms: [{ keyArns: [KEY] }] },
        tenants: [{ namespace: "team-a", serviceAccount: "flux-aws", access: { s3: [{ bucketArns: ["arn:aws:s3:::team-a-manifests"] }], kms: [{ keyArns: [ALIAS] }] } }],
        ...extra,
    });
}

/** Pod Identity, source-controller acting as a role of another account. */
function crossAccount(extra: Partial<NonNullable<AwsPlanInput["aws"]["podIdentity"]>> = {}): AwsPlanInput {
    return eksPodIdentity({
        podIdentity: { targetRoleArns: { "source-controller": TARGET }, ...extra },
        controllers: { ecr: [{ repositoryArns: [REPO] }], kms: [{ keyArns: [KEY] }] },
    });
}

function webIdentity(sub: string, aud = "sts.amazonaws.com", provider = OIDC_ARN): IamRequest {
    return { Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Resource: ANY_ROLE, Context: { [`${HOST_PATH}:sub`]: sub, [`${HOST_PATH}:aud`]: aud } };
}

let binary = "";
function decide(policy: PolicyDocument, requests: Array<[string, IamRequest, Decision]>, trust = false): void {
    const got = evaluate(binary, requests.map(([, request]) => ({ policies: [policy], request, ignoreResource: trust })));
    assert.deepEqual(
        requests.map(([name], i) => `${name}: ${got[i]}`),
        requests.map(([name, , want]) => `${name}: ${want}`),
    );
}

function needEvaluator(ctx: Mocha.Context): void {
    const r = ensureEvaluator();
    if ("reason" in r) skipWithReason(ctx, `IAM evaluator unavailable: ${r.reason}`);
    binary = r.binary;
}

describe("AWS: Pod Identity controllers with IRSA tenants on one EKS cluster", () => {
    it("plans Pod Identity trust and associations for the controllers, OIDC federation for the tenants", () => {
        const plan = planAws(podIdentityWithTenants());
        for (const c of ["source-controller", "kustomize-controller"]) {
            assert.equal(role(plan, c).trustPolicy.Statement[0].Principal?.Service, "pods.eks.amazonaws.com", c);
        }
        const tenant = role(plan, "tenant/team-a/flux-aws");
        assert.deepEqual(tenant.trustPolicy.Statement[0].Principal, { Federated: OIDC_ARN });
        assert.deepEqual(tenant.subjects, ["system:serviceaccount:team-a:flux-aws"]);
        assert.equal(plan.oidcProvider?.create, true, "the tenants need the issuer's OIDC provider");
        assert.deepEqual(
            plan.podIdentityAssociations.map((a) => `${a.namespace}/${a.serviceAccount}`),
            ["flux-system/source-controller", "flux-system/kustomize-controller"],
            "associations for the controllers only",
        );
        const resources = describeAwsResources(plan);
        assert.deepEqual(resources.find((r) => r.name === "role-source")?.dependsOn, [], "a Pod Identity role does not wait for the OIDC provider");
        assert.deepEqual(resources.find((r) => r.name === "role-tenant/team-a/flux-aws")?.dependsOn, ["oidc-provider"]);
        const set = awsFluxPatchSet(plan);
        assert.deepEqual(set.controllers.map((c) => [c.controller, c.serviceAccountAnnotations, c.args]), [
            ["source-controller", {}, ["--feature-gates=ObjectLevelWorkloadIdentity=true"]],
            ["kustomize-controller", {}, ["--feature-gates=ObjectLevelWorkloadIdentity=true"]],
        ]);
        assert.deepEqual(set.tenantServiceAccounts.map((t) => t.annotations), [{ "eks.amazonaws.com/role-arn": tenant.arn }]);
        assert.ok(plan.warnings.some((w) => /controllers use EKS Pod Identity and tenants OIDC federation/.test(w)), plan.warnings.join("\n"));
    });

    it("uses a given OIDC provider for the tenants and creates none", () => {
        const plan = planAws(podIdentityWithTenants({ oidcProviderArn: OIDC_ARN }));
        assert.equal(plan.oidcProvider?.create, false);
        assert.ok(!describeAwsResources(plan).some((r) => r.type.includes("openIdConnectProvider")));
        assert.deepEqual(issuesOf(podIdentityWithTenants({ oidcProviderArn: `${OIDC_ARN}X` })).map((i) => i.path), ["oidcProviderArn"]);
    });

    describe("under the real IAM evaluator", function () {
        before(function () {
            needEvaluator(this);
        });

        it("a controller's role admits only EKS Pod Identity; a tenant's only its ServiceAccount's token", () => {
            const plan = planAws(podIdentityWithTenants());
            const pod = (Service: string, Action: string): IamRequest => ({ Principal: { Service }, Action, Resource: ANY_ROLE });
            decide(role(plan, "source-controller").trustPolicy, [
                ["Pod Identity", pod("pods.eks.amazonaws.com", "sts:AssumeRole"), "Allow"],
                ["the controller's token", webIdentity("system:serviceaccount:flux-system:source-controller"), "NotApplicable"],
            ], true);
            decide(role(plan, "tenant/team-a/flux-aws").trustPolicy, [
                ["the tenant", webIdentity("system:serviceaccount:team-a:flux-aws"), "Allow"],
                ["another ServiceAccount of the namespace", webIdentity("system:serviceaccount:team-a:default"), "NotApplicable"],
                ["the same name in another namespace", webIdentity("system:serviceaccount:team-b:flux-aws"), "NotApplicable"],
                ["another audience", webIdentity("system:serviceaccount:team-a:flux-aws", "api://AzureADTokenExchange"), "NotApplicable"],
                ["Pod Identity", pod("pods.eks.amazonaws.com", "sts:AssumeRole"), "NotApplicable"],
            ], true);
        });
    });

    it("builds with kubectl kustomize: no controller annotation, the gate on the serving controllers, the tenant annotated", function () {
        const { fixture, baseline } = prepareFluxBuild(this);
        const plan = planCluster({ ...cluster(T.Eks), flux: { version: "2.9" }, aws: podIdentityWithTenants().aws });
        const built = kustomizeBuild(plan.kustomizationYaml, fixture);
        for (const c of ["source-controller", "kustomize-controller"]) {
            assert.deepEqual(find(built, "ServiceAccount", c).metadata.annotations, find(baseline, "ServiceAccount", c).metadata.annotations, `${c} keeps its ServiceAccount as shipped`);
            const args = podSpec(find(built, "Deployment", c)).containers[0].args ?? [];
            assert.equal(args.at(-1), "--feature-gates=ObjectLevelWorkloadIdentity=true", c);
        }
        assert.match(plan.tenantServiceAccountsYaml, /eks\.amazonaws\.com\/role-arn: arn:aws:iam::123456789012:role\/flux-eks-1-team-a-flux-aws-[0-9a-f]{8}/);
    });
});

describe("AWS: Pod Identity target roles (cross-account) and session tags", () => {
    it("plans the association with the target role and EKS's external ID; the association's role may only assume the target", () => {
        const plan = planAws(crossAccount());
        const a = plan.podIdentityAssociations.find((x) => x.controller === "source-controller");
        assert.equal(a?.targetRoleArn, TARGET);
        assert.equal(a?.externalId, `us-east-1/${ACCOUNT}/eks-1/flux-system/source-controller`);
        const source = role(plan, "source-controller");
        assert.deepEqual(source.inlinePolicy?.Statement, [{ Sid: "AssumePodIdentityTargetRole", Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: TARGET }]);
        assert.equal(plan.podIdentityAssociations.find((x) => x.controller === "kustomize-controller")?.targetRoleArn, undefined);
        assert.deepEqual(role(plan, "kustomize-controller").inlinePolicy?.Statement.map((s) => s.Sid), ["KmsDecrypt"], "controllers without a target keep their grants");
        const props = describeAwsResources(plan).find((r) => r.name === "pod-identity-source")?.properties;
        assert.equal(props?.targetRoleArn, TARGET);
        assert.equal(props?.disableSessionTags, undefined, "session tags stay on by default");
        const kinds = plan.broughtIdentities.map((b) => `${b.identityKey} ${b.kind}`);
        assert.deepEqual(kinds, ["target/source-controller iam-role-permissions", "target/source-controller iam-role-trust-statement"]);
        assert.ok(plan.warnings.some((w) => w.includes(`acts as target role ${TARGET}`)));
    });

    it("disableSessionTags reaches every association and keeps sts:TagSession on both sides, as the EKS user guide's target role setup does", () => {
        const plan = planAws(crossAccount({ disableSessionTags: true }));
        for (const r of describeAwsResources(plan).filter((x) => x.type.includes("podIdentityAssociation"))) assert.equal(r.properties.disableSessionTags, true, r.name);
        assert.deepEqual(role(plan, "source-controller").inlinePolicy?.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
        const trust = JSON.parse(plan.broughtIdentities.find((b) => b.kind === "iam-role-trust-statement")?.document ?? "[]") as PolicyStatement[];
        assert.deepEqual(trust.map((s) => s.Action), ["sts:AssumeRole", "sts:TagSession"]);
    });

    it("a shared role assumes each controller's target and keeps the others' grants", () => {
        const input = crossAccount();
        input.aws.roleLayout = "shared" as never;
        const plan = planAws(input);
        assert.deepEqual(plan.roles[0].inlinePolicy?.Statement.map((s) => s.Sid), ["KmsDecrypt", "AssumePodIdentityTargetRole"]);
        assert.ok(!JSON.stringify(plan.roles[0].inlinePolicy).includes("ecr:"), "the target's grants are not on the shared role");
    });

    describe("under the real IAM evaluator", function () {
        before(function () {
            needEvaluator(this);
        });

        it("the association's role reaches only the target role; the target's trust admits only that role with that external ID", () => {
            const plan = planAws(crossAccount());
            const source = role(plan, "source-controller");
            const as = (Action: string, Resource: string): IamRequest => ({ Principal: { AWS: source.arn }, Action, Resource });
            decide(source.inlinePolicy as PolicyDocument, [
                ["assume the target", as("sts:AssumeRole", TARGET), "Allow"],
                ["tag the target's session", as("sts:TagSession", TARGET), "Allow"],
                ["assume another role", as("sts:AssumeRole", `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`), "NotApplicable"],
                ["pull the target's images itself", as("ecr:BatchGetImage", REPO), "NotApplicable"],
            ]);
            const brought = plan.broughtIdentities.find((b) => b.kind === "iam-role-trust-statement");
            const trust = { Version: "2012-10-17", Statement: JSON.parse(brought?.document ?? "[]") } as PolicyDocument;
            const externalId = plan.podIdentityAssociations[0].externalId as string;
            const assume = (principal: string, id: string | undefined, Action = "sts:AssumeRole"): IamRequest => ({ Principal: { AWS: principal }, Action, Resource: TARGET, Context: id === undefined ? {} : { "sts:ExternalId": id } });
            const kustomize = role(plan, "kustomize-controller").arn;
            decide(trust, [
                ["the association's role with its external ID", assume(source.arn, externalId), "Allow"],
                ["the association's role tagging the session", assume(source.arn, undefined, "sts:TagSession"), "Allow"],
                ["another external ID", assume(source.arn, `us-east-1/${ACCOUNT}/eks-1/flux-system/kustomize-controller`), "NotApplicable"],
                ["no external ID", assume(source.arn, undefined), "NotApplicable"],
                ["another role with the right external ID", assume(kustomize, externalId), "NotApplicable"],
                ["another role tagging", assume(kustomize, undefined, "sts:TagSession"), "NotApplicable"],
            ], true);
            const permissions = JSON.parse(plan.broughtIdentities.find((b) => b.kind === "iam-role-permissions")?.document ?? "{}") as PolicyDocument;
            decide(permissions, [
                ["pull from the repository", { Principal: { AWS: TARGET }, Action: "ecr:BatchGetImage", Resource: REPO }, "Allow"],
                ["pull from another repository", { Principal: { AWS: TARGET }, Action: "ecr:BatchGetImage", Resource: REPO.replace("web", "other") }, "NotApplicable"],
                ["decrypt the kustomize-controller's key", { Principal: { AWS: TARGET }, Action: "kms:Decrypt", Resource: KEY }, "NotApplicable"],
            ]);
        });
    });

    const bad: Array<[string, AwsPlanInput, string, RegExp]> = [
        ["target roles with IRSA", { ...crossAccount(), aws: { ...crossAccount().aws, authMethod: AwsAuthMethod.Irsa } }, "podIdentity", /authMethod is irsa/],
        ["an unknown controller", crossAccount({ targetRoleArns: { "source-controler": TARGET } }), "podIdentity.targetRoleArns.source-controler", /unknown Flux controller/],
        ["a target that is not a role", crossAccount({ targetRoleArns: { "source-controller": `arn:aws:iam::${OTHER_ACCOUNT}:user/x` } }), "podIdentity.targetRoleArns.source-controller", /not name a valid resource/],
        ["a target in another partition", crossAccount({ targetRoleArns: { "source-controller": `arn:aws-cn:iam::${OTHER_ACCOUNT}:role/x` } }), "podIdentity.targetRoleArns.source-controller", /partition aws-cn/],
        ["session tags as text", crossAccount({ disableSessionTags: "yes" as never }), "podIdentity.disableSessionTags", /true or false/],
        ["an unknown field", crossAccount({ policy: "{}" } as never), "podIdentity.policy", /unknown field/],
        [
            "a target for a brought role",
            { ...crossAccount(), aws: { ...crossAccount().aws, controllers: undefined, existingRoleArns: { "source-controller": `arn:aws:iam::${ACCOUNT}:role/mine` } } },
            "podIdentity.targetRoleArns.source-controller",
            /association you make yourself/,
        ],
        ["target roles with the managed-policy shortcut", { ...crossAccount(), aws: { ...crossAccount().aws, singleTenantManagedPolicies: true } }, "singleTenantManagedPolicies", /target role/],
        [
            "a resource policy for a controller acting as its target",
            { ...crossAccount(), aws: { ...crossAccount().aws, controllers: { ecr: [{ repositoryArns: [`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/web`], writeRepositoryPolicy: true }] } } },
            "controllers.ecr[0]",
            /acts as its Pod Identity target role/,
        ],
    ];
    for (const [name, input, path, message] of bad) {
        it(`refuses ${name}, naming ${path}`, () => {
            const hit = issuesOf(input).find((i) => i.path === path);
            assert.ok(hit, `no issue at ${path}: ${JSON.stringify(issuesOf(input))}`);
            assert.match(hit.message, message);
            assert.ok(hit.fix.length > 10);
        });
    }

    it("the fleet schema's podIdentity fields are the planner's", () => {
        const defs = (fleetSchema as unknown as { $defs: Record<string, { properties: Record<string, { properties?: Record<string, unknown> }> }> }).$defs;
        assert.deepEqual(Object.keys(defs.awsTarget.properties.podIdentity.properties ?? {}).sort(), [...POD_IDENTITY_FIELDS].sort());
    });

    it("under Pulumi mocks registers the planned association and outputs the external ID EKS returned", async () => {
        const input = crossAccount();
        const mocks: RecordingMocks = await useMocks();
        const c = new AwsFluxIdentity("xacct", { cluster: input.cluster, ...input.aws });
        const brought = await valueOf(c.broughtIdentities);
        await settle();
        const registered = mocks.custom().map((r) => {
            const inputs: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(r.inputs)) inputs[k] = POLICY_PROPERTIES.includes(k) && typeof v === "string" ? JSON.parse(v) : v;
            return `${r.type} ${r.name.slice("xacct-".length)} ${JSON.stringify(inputs, Object.keys(inputs).sort())}`;
        });
        const planned = describeAwsResources(planAws(input)).map((r) => `${r.type} ${r.name} ${JSON.stringify(r.properties, Object.keys(r.properties).sort())}`);
        assert.deepEqual(registered.sort(), planned.sort());
        const trust = brought.find((b) => b.kind === "iam-role-trust-statement");
        assert.ok(trust?.document.includes(RecordingMocks.podIdentityExternalId("eks-1", "flux-system", "source-controller")), trust?.document);
        assert.ok(!trust?.document.includes(`us-east-1/${ACCOUNT}/`), "the planned external ID is replaced by EKS's");
    });
});

describe("AWS: custom STS endpoints (VPC endpoints, FIPS)", () => {
    const generic = (stsEndpoint: unknown, region = "us-east-1", extra: Partial<AwsPlanInput["aws"]> = {}): AwsPlanInput => ({
        cluster: cluster(T.Generic),
        aws: { accountId: ACCOUNT, region, stsEndpoint: stsEndpoint as string, controllers: { s3: [{ bucketArns: ["arn:aws:s3:::flux-bucket"] }] }, ...extra },
    });

    it("accepts what Flux's ValidateSTSEndpoint accepts for the target's region", () => {
        for (const [e, region] of [
            [VPCE, "us-east-1"],
            ["https://vpce-0a1b2c3d4e5f60718-abcdefgh-us-east-1a.sts.us-east-1.vpce.amazonaws.com", "us-east-1"],
            ["https://sts-fips.us-west-2.amazonaws.com", "us-west-2"],
            ["https://sts.eu-central-1.amazonaws.com", "eu-central-1"],
            ["https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"],
            ["https://sts.amazonaws.com", "us-east-1"],
        ]) {
            assert.match(e, FLUX_STS_ENDPOINT_PATTERN);
            assert.equal(planAws(generic(e, region, region.startsWith("us-gov") ? { controllers: { s3: [{ bucketArns: ["arn:aws-us-gov:s3:::flux-bucket"] }] } } : {})).stsEndpoint, e);
        }
        assert.ok(planAws(generic("https://sts.amazonaws.com")).warnings.some((w) => /global \(legacy\) endpoint/.test(w)));
    });

    const bad: Array<[string, AwsPlanInput, RegExp]> = [
        ["plain http", generic("http://sts.us-east-1.amazonaws.com"), /not an STS endpoint Flux accepts/],
        ["a trailing slash", generic("https://sts.us-east-1.amazonaws.com/"), /not an STS endpoint Flux accepts/],
        ["a port", generic("https://sts.us-east-1.amazonaws.com:443"), /not an STS endpoint Flux accepts/],
        ["another host", generic("https://sts.example.com"), /not an STS endpoint Flux accepts/],
        ["another region", generic("https://sts.eu-west-1.amazonaws.com"), /region eu-west-1, but this target's STS region is us-east-1/],
        ["a VPC endpoint of another region", generic(VPCE.replace(/us-east-1/g, "eu-west-1")), /region eu-west-1/],
        ["FIPS where AWS has none", generic("https://sts-fips.eu-west-1.amazonaws.com", "eu-west-1"), /only in US and Canadian regions/],
        ["FIPS in GovCloud", generic("https://sts-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1", { controllers: { s3: [{ bucketArns: ["arn:aws-us-gov:s3:::b1b"] }] } }), /already FIPS/],
        ["a VPC endpoint without a region", generic("https://vpce-1.sts.vpce.amazonaws.com"), /names no region/],
        ["partition aws-cn", generic("https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", { controllers: { s3: [{ bucketArns: ["arn:aws-cn:s3:::b1b"] }] } }), /amazonaws.com.cn/],
        ["not a string", generic(443), /expected an STS endpoint URL/],
        [
            "Pod Identity controllers only",
            eksPodIdentity({ stsEndpoint: VPCE, controllers: { s3: [{ bucketArns: ["arn:aws:s3:::flux-bucket"] }] } }),
            /Pod Identity controllers get credentials from the EKS Pod Identity Agent/,
        ],
        [
            "tenants without Buckets and no controllers",
            { cluster: cluster(T.Generic), aws: { accountId: ACCOUNT, region: "us-east-1", stsEndpoint: VPCE, tenants: [{ namespace: "t", serviceAccount: "sa", access: { kms: [{ keyArns: [KEY] }] } }] } },
            /no token exchange of this target uses stsEndpoint/,
        ],
    ];
    for (const [name, input, message] of bad) {
        it(`refuses ${name}, naming stsEndpoint`, () => {
            const hit = issuesOf(input).find((i) => i.path === "stsEndpoint");
            assert.ok(hit, JSON.stringify(issuesOf(input)));
            assert.match(hit.message, message);
            assert.ok(hit.fix.length > 5);
        });
    }

    it("sets AWS_ENDPOINT_URL_STS on IRSA controllers and spec.sts on tenants' Buckets; warns for the other tenant kinds", () => {
        const tenants = [{ namespace: "team-b", serviceAccount: "flux-aws", access: { s3: [{ bucketArns: ["arn:aws:s3:::team-b"] }], kms: [{ keyArns: [KEY] }] } }];
        const plan = planAws(generic(VPCE, "us-east-1", { tenants }));
        const source = awsFluxPatchSet(plan).controllers.find((c) => c.controller === "source-controller");
        assert.deepEqual(source?.env.at(-1), { name: "AWS_ENDPOINT_URL_STS", value: VPCE });
        const bucket = plan.objectSettings.find((s) => s.kind === FluxKind.Bucket && s.namespace === "team-b");
        assert.deepEqual(bucket?.set, { "spec.provider": "aws", "spec.serviceAccountName": "flux-aws", "spec.sts.provider": "aws", "spec.sts.endpoint": VPCE });
        assert.equal(plan.objectSettings.find((s) => s.kind === FluxKind.Bucket && s.level === "controller")?.set["spec.sts.endpoint"], undefined, "controllers read the env var");
        assert.ok(plan.warnings.some((w) => /tenant team-b\/flux-aws exchanges tokens for Kustomization at the regional public endpoint sts\.us-east-1\.amazonaws\.com/.test(w)), plan.warnings.join("\n"));
    });

    describe("built with kubectl kustomize", function () {
        let fixture: FluxFixture;
        let baseline: KubeObject[];
        before(function () {
            ({ fixture, baseline } = prepareFluxBuild(this));
        });
        const envOf = (built: KubeObject[], c: string) => podSpec(find(built, "Deployment", c)).containers[0].env ?? [];

        it("a generic cluster's controllers get the endpoint after the web identity env", () => {
            const plan = planCluster({ ...cluster(T.Generic), aws: generic(VPCE).aws });
            const env = envOf(kustomizeBuild(plan.kustomizationYaml, fixture), "source-controller");
            const base = envOf(baseline, "source-controller");
            assert.deepEqual(env.slice(base.length).map((e) => e.name), ["AWS_REGION", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL_STS"]);
            assert.equal(env.at(-1)?.value, VPCE);
        });

        it("EKS IRSA controllers get the annotation and the endpoint; Pod Identity controllers nothing", () => {
            const irsa = planCluster({ ...cluster(T.Eks), aws: { ...generic("https://sts-fips.us-east-1.amazonaws.com").aws } });
            const built = kustomizeBuild(irsa.kustomizationYaml, fixture);
            assert.deepEqual(envOf(built, "source-controller").slice(envOf(baseline, "source-controller").length), [{ name: "AWS_ENDPOINT_URL_STS", value: "https://sts-fips.us-east-1.amazonaws.com" }]);
            assert.match(find(built, "ServiceAccount", "source-controller").metadata.annotations?.["eks.amazonaws.com/role-arn"] ?? "", /^arn:aws:iam::/);
            const pod = planCluster({ ...cluster(T.Eks), aws: podIdentityWithTenants({ stsEndpoint: VPCE, tenants: [{ namespace: "t", serviceAccount: "sa", access: { s3: [{ bucketArns: ["arn:aws:s3:::t-bucket"] }] } }] }).aws });
            const podBuilt = kustomizeBuild(pod.kustomizationYaml, fixture);
            assert.deepEqual(envOf(podBuilt, "source-controller"), envOf(baseline, "source-controller"));
        });
    });
});

describe("AWS: SOPS keys named by alias ARN", () => {
    const kms = (keyArns: string[], extra: Record<string, unknown> = {}): AwsPlanInput => ({
        cluster: cluster(T.Generic),
        aws: { accountId: ACCOUNT, region: "us-east-1", controllers: { kms: [{ keyArns, ...extra }] } },
    });

    it("grants an alias on its account's and region's keys under kms:RequestAlias, one statement per account and region", () => {
        const west = `arn:aws:kms:us-west-2:${OTHER_ACCOUNT}:alias/flux-sops`;
        const plan = planAws(kms([ALIAS, `arn:aws:kms:us-east-1:${ACCOUNT}:alias/team/other`, west, KEY]));
        assert.deepEqual(role(plan, "kustomize-controller").inlinePolicy?.Statement, [
            { Sid: "KmsDecrypt", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: KEY },
            {
                Sid: "KmsDecryptByAlias1",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:DescribeKey"],
                Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`,
                Condition: { StringEquals: { "kms:RequestAlias": ["alias/flux-sops", "alias/team/other"] } },
            },
            {
                Sid: "KmsDecryptByAlias2",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:DescribeKey"],
                Resource: `arn:aws:kms:us-west-2:${OTHER_ACCOUNT}:key/*`,
                Condition: { StringEquals: { "kms:RequestAlias": "alias/flux-sops" } },
            },
        ]);
        assert.ok(plan.warnings.some((w) => w.includes(`${west} is in account ${OTHER_ACCOUNT}: its key policy must also allow`)));
    });

    describe("under the real IAM evaluator", function () {
        before(function () {
            needEvaluator(this);
        });

        it("Decrypt with the alias in KeyId is allowed on the key it names; by key ARN, another alias or elsewhere it is not", () => {
            const plan = planAws(kms([ALIAS]));
            const r = role(plan, "kustomize-controller");
            // IAM authorizes against the key the alias names; kms:RequestAlias is the alias name when KeyId is the alias ARN.
            const decrypt = (Resource: string, alias?: string, Action = "kms:Decrypt"): IamRequest => ({ Principal: { AWS: r.arn }, Action, Resource, Context: alias ? { "kms:RequestAlias": alias } : {} });
            decide(r.inlinePolicy as PolicyDocument, [
                ["the SOPS file's alias ARN", decrypt(KEY, "alias/flux-sops"), "Allow"],
                ["the alias after it moved to a new key", decrypt(KEY.replace("1234abcd", "9999abcd"), "alias/flux-sops"), "Allow"],
                ["the key ARN itself", decrypt(KEY), "NotApplicable"],
                ["another alias", decrypt(KEY, "alias/other"), "NotApplicable"],
                ["a key of another region", decrypt(KEY.replace("us-east-1", "eu-west-1"), "alias/flux-sops"), "NotApplicable"],
                ["a key of another account", decrypt(KEY.replace(ACCOUNT, OTHER_ACCOUNT), "alias/flux-sops"), "NotApplicable"],
                ["encrypting", decrypt(KEY, "alias/flux-sops", "kms:Encrypt"), "NotApplicable"],
            ]);
            const both = role(planAws(kms([ALIAS, KEY])), "kustomize-controller");
            decide(both.inlinePolicy as PolicyDocument, [["the key ARN, once listed too", { Principal: { AWS: both.arn }, Action: "kms:Decrypt", Resource: KEY }, "Allow"]]);
        });
    });

    it("the example fleet renders every AWS feature and builds with kubectl kustomize", function () {
        const { fixture } = prepareFluxBuild(this);
        const fleet = loadFleet(fromRoot("examples", "aws-features.yaml"));
        assert.deepEqual(fleet.clusters.map((c) => c.name), ["mixed-eks", "shared-eks", "private-kind", "fips-eks"]);
        for (const spec of fleet.clusters) {
            const plan = planCluster(spec);
            const built = kustomizeBuild(plan.kustomizationYaml, fixture);
            assert.ok(built.some((o) => o.kind === "Deployment"), spec.name);
        }
        const prod = planCluster(fleet.clusters[0]).aws as AwsPlan;
        assert.deepEqual(prod.podIdentityAssociations.map((a) => a.serviceAccount), ["source-controller", "kustomize-controller", "image-reflector-controller"]);
        assert.ok(role(prod, "tenant/team-a/flux-aws").inlinePolicy?.Statement.some((s) => s.Sid === "KmsDecryptByAlias"));
        const shared = planCluster(fleet.clusters[1]).aws as AwsPlan;
        assert.equal(shared.podIdentityAssociations[0].externalId, "us-east-2/111122223333/shared/flux-system/source-controller");
    });
});
