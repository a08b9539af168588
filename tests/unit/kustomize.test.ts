/**
 * Every AWS cell (EKS with IRSA, EKS with Pod Identity, AKS, GKE, generic) x (controller, object level):
 * the rendered kustomization.yaml is built with the real `kubectl kustomize` against the real Flux
 * manifests, and every ServiceAccount and Deployment is checked field by field against the Flux docs.
 * Expected values here are literals from the docs, not the project's own constants.
 */
import { strict as assert } from "node:assert";
import { load, loadAll } from "js-yaml";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { AwsPlan, AwsPlanInput, plannedRoleArns, planAws } from "../../provider/src/aws/plan";
import { awsFluxPatchSet } from "../../provider/src/aws/patches";
import { AwsAuthMethod, AwsRoleLayout } from "../../provider/src/aws/spec";
import { FluxKind } from "../../provider/src/core/catalog";
import { renderKustomization, renderTenantServiceAccounts } from "../../provider/src/flux/kustomization";
import { assertDeployment, assertServiceAccount } from "../helpers/flux-asserts";
import { FluxFixture, KubeObject, fluxFixture, kustomizeBuild, prepareFluxBuild, BASE_KUSTOMIZATION } from "../helpers/kustomize";
import { ACCOUNT, arns, awsInput, cluster, tenantInput } from "../helpers/samples";
import { skipWithReason } from "../helpers/skip";

const T = SourceClusterType;
const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"];
const FEATURE_GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";
/** The gate per Flux version: the reference docs' flag on 2.6 to 2.9, retired in 2.10 (flux2 v2.10.0 release notes). */
const gateFor = (version: string): { args?: string[] } => (version === "2.10" ? {} : { args: [FEATURE_GATE] });

interface Built {
    plan: AwsPlan;
    objects: KubeObject[];
    kustomization: string;
}

function build(input: AwsPlanInput, fixture: FluxFixture): Built {
    const plan = planAws(input);
    const kustomization = renderKustomization(awsFluxPatchSet(plan));
    return { plan, objects: kustomizeBuild(kustomization, fixture), kustomization };
}

/** The docs' non-EKS controller patch, with this role and region. */
function awsEnv(controller: string, roleArn: string, region: string) {
    return [
        { name: "AWS_REGION", value: region },
        { name: "AWS_ROLE_ARN", value: roleArn },
        { name: "AWS_ROLE_SESSION_NAME", value: `${controller}.flux-system.${region}.fluxcd.io` },
        { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/service-account/aws-token" },
    ];
}
const AWS_VOLUME = { name: "aws-token", projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 3600, path: "aws-token" } }] } };
const AWS_MOUNT = { name: "aws-token", mountPath: "/var/run/service-account", readOnly: true };

describe("kustomization.yaml built by kubectl kustomize against Flux's manifests", function () {
    let fixture: FluxFixture;
    let baseline: KubeObject[];

    before(function () {
        ({ fixture, baseline } = prepareFluxBuild(this));
    });

    it("renders the docs' shape: gotk resources, then patches with kind/name targets, identical controllers grouped", () => {
        const plan = planAws({
            cluster: cluster(T.Eks),
            aws: { accountId: ACCOUNT, region: "us-east-1", roleLayout: AwsRoleLayout.Shared, controllers: { ecr: [{ repositoryArns: [arns().repo], usedBy: [FluxKind.OCIRepository, FluxKind.ImageRepository] }] } },
        });
        const doc = load(renderKustomization(awsFluxPatchSet(plan)));
        const roleArn = plan.roles[0].arn;
        // The first example of the Flux workload identity bootstrap docs, with its placeholder filled in.
        assert.deepEqual(doc, {
            apiVersion: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources: ["gotk-components.yaml", "gotk-sync.yaml"],
            patches: [
                {
                    patch: `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: controller\n  annotations:\n    eks.amazonaws.com/role-arn: ${roleArn}\n`,
                    target: { kind: "ServiceAccount", name: "(source-controller|image-reflector-controller)" },
                },
            ],
        });
    });

    it("EKS + IRSA, controller level: role-arn annotations on exactly the controllers that need AWS", () => {
        const b = build(awsInput(T.Eks), fixture);
        const arns = plannedRoleArns(b.plan).controllers;
        for (const c of CONTROLLERS) {
            assertServiceAccount(b.objects, c, arns[c] ? { "eks.amazonaws.com/role-arn": arns[c] } : undefined);
            assertDeployment(b.objects, baseline, c, {});
        }
        assert.deepEqual(Object.keys(arns).sort(), ["helm-controller", "image-automation-controller", "image-reflector-controller", "kustomize-controller", "source-controller"]);
    });

    it("EKS + Pod Identity, controller level: nothing changes in the Flux manifests", () => {
        const b = build(awsInput(T.Eks, { authMethod: AwsAuthMethod.PodIdentity }), fixture);
        assert.deepEqual(b.objects, baseline);
        assert.equal(b.plan.podIdentityAssociations.length, 5);
    });

    for (const type of [T.Aks, T.Gke, T.Generic]) {
        it(`${type}, controller level: AWS env vars and a projected sts.amazonaws.com token on the Deployments`, () => {
            const b = build(awsInput(type, { region: "eu-west-1", controllers: { ecr: [{ repositoryArns: [arns("aws", "eu-west-1").repo] }], kms: [{ keyArns: [arns("aws", "eu-west-1").key] }] } }), fixture);
            const roles = plannedRoleArns(b.plan).controllers;
            assert.deepEqual(Object.keys(roles), ["kustomize-controller", "source-controller"]);
            for (const c of CONTROLLERS) {
                assertServiceAccount(b.objects, c, undefined);
                assertDeployment(b.objects, baseline, c, roles[c] ? { env: awsEnv(c, roles[c], "eu-west-1"), volumes: [AWS_VOLUME], mounts: [AWS_MOUNT] } : {});
            }
        });
    }

    for (const type of [T.Eks, T.Aks, T.Gke, T.Generic]) for (const version of ["2.9", "2.10"]) {
        it(`${type}, object level (Flux ${version}): the feature gate (before 2.10) on serving controllers only, and annotated tenant ServiceAccounts`, () => {
            const b = build({ ...tenantInput(type), fluxVersion: version }, fixture);
            for (const c of CONTROLLERS) {
                assertServiceAccount(b.objects, c, undefined);
                assertDeployment(b.objects, baseline, c, ["source-controller", "kustomize-controller"].includes(c) ? gateFor(version) : {});
            }
            const tenants = loadAll(renderTenantServiceAccounts(awsFluxPatchSet(b.plan).tenantServiceAccounts));
            const roles = plannedRoleArns(b.plan).tenants;
            assert.deepEqual(tenants, [
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "flux-aws", namespace: "team-a", annotations: { "eks.amazonaws.com/role-arn": roles["team-a/flux-aws"] } } },
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sops", namespace: "team-b", annotations: { "eks.amazonaws.com/role-arn": roles["team-b/sops"] } } },
            ]);
            assert.match(roles["team-a/flux-aws"], /^arn:aws[\w-]*:iam::/, "Flux's own check on the annotation");
        });
    }

    it("controller and object level together on one controller: env, token and feature gate all applied (Flux 2.9)", () => {
        const input = { ...tenantInput(T.Generic), fluxVersion: "2.9" };
        input.aws.controllers = { ecr: [{ repositoryArns: [arns().repo] }] };
        const b = build(input, fixture);
        const role = plannedRoleArns(b.plan).controllers["source-controller"];
        assertDeployment(b.objects, baseline, "source-controller", { args: [FEATURE_GATE], env: awsEnv("source-controller", role, "us-east-1"), volumes: [AWS_VOLUME], mounts: [AWS_MOUNT] });
        assertDeployment(b.objects, baseline, "kustomize-controller", { args: [FEATURE_GATE] });
    });

    it("also applies to Flux v2.7.5 (four controllers)", function () {
        const old = fluxFixture("flux-v2.7.5");
        if (old.source === "project") skipWithReason(this, "../shared/fixtures/flux-v2.7.5 is absent");
        const oldBaseline = kustomizeBuild(BASE_KUSTOMIZATION, old);
        const b = build(awsInput(T.Generic, { controllers: { s3: [{ bucketArns: [arns().bucket] }], kms: [{ keyArns: [arns().key] }] } }), old);
        const roles = plannedRoleArns(b.plan).controllers;
        for (const c of ["source-controller", "kustomize-controller"]) {
            assertDeployment(b.objects, oldBaseline, c, { env: awsEnv(c, roles[c], "us-east-1"), volumes: [AWS_VOLUME], mounts: [AWS_MOUNT] });
        }
        assertDeployment(b.objects, oldBaseline, "helm-controller", {});
    });

    it("applies to the project's own Flux-shaped fixture too", () => {
        const mini = { dir: fluxFixture("no-such-version").dir, source: "project" as const };
        const miniBaseline = kustomizeBuild(BASE_KUSTOMIZATION, mini);
        const b = build(awsInput(T.Gke), mini);
        const roles = plannedRoleArns(b.plan).controllers;
        for (const c of CONTROLLERS) {
            assertDeployment(b.objects, miniBaseline, c, roles[c] ? { env: awsEnv(c, roles[c], "us-east-1"), volumes: [AWS_VOLUME], mounts: [AWS_MOUNT] } : {});
        }
    });
});
