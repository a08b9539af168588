/**
 * FluxLiveCluster under Pulumi's mock runtime, with a mocked cluster serving Flux's real Deployments:
 * which objects it writes with which fields, what it reads, ownership (field managers, force, retain),
 * restarts, the layout/patch-set check, and the Flux Kustomization warning.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AwsFluxIdentity } from "../../provider/src/aws/component";
import { awsFluxPatchSet } from "../../provider/src/aws/patches";
import { planAws } from "../../provider/src/aws/plan";
import { AzureFluxIdentity } from "../../provider/src/azure/component";
import { azureFluxPatchSet, azureIdentityRefs } from "../../provider/src/azure/patches";
import { planAzure } from "../../provider/src/azure/plan";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { FluxPatchSet } from "../../provider/src/core/patch";
import { gcpFluxPatchSet } from "../../provider/src/gcp/patches";
import { planGcp } from "../../provider/src/gcp/plan";
import { composeFluxSide } from "../../provider/src/flux/flux-side";
import { tenantRbacObjects } from "../../provider/src/flux/tenant-rbac";
import { FLUX_LIVE_CLUSTER_TYPE, FluxLiveCluster, FluxLiveClusterArgs } from "../../provider/src/live/component";
import { identityHash } from "../../provider/src/live/identity-hash";
import { deploymentPatchBody, withPatchAnnotations } from "../../provider/src/live/objects";
import { SCOPES, azureInput } from "../helpers/azure-samples";
import { gcpInput } from "../helpers/gcp-samples";
import { FluxFixture, KubeObject, fluxFixture } from "../helpers/kustomize";
import { DEPLOYMENT_TYPE, childrenOf, fluxComponents, serveDeployments } from "../helpers/live";
import { KubernetesReadMocks, RecordingMocks, failedRegistrations, settle, untilRejected, useKubernetesMocks, valueOf } from "../helpers/mocks";
import { arns, awsInput, tenantInput } from "../helpers/samples";

const T = SourceClusterType;
const GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";
const FM = "pulumi.com/patchFieldManager";
const FORCE = "pulumi.com/patchForce";
const HASH = "flux-identity/identity-hash";
const FLUX_LABELS = { "kustomize.toolkit.fluxcd.io/name": "flux-system", "kustomize.toolkit.fluxcd.io/namespace": "flux-system" };

/** AWS from a kind cluster: env vars and a projected token on source- and kustomize-controller. */
/** The mocked cluster runs the fixture's Flux, v2.9.4: patch sets are made for Flux 2.9 unless a test says otherwise. */
const FIXTURE_FLUX = "2.9";

function kindSet(): FluxPatchSet {
    return awsFluxPatchSet(planAws({ ...awsInput(T.Generic, { controllers: { ecr: [{ repositoryArns: [arns().repo] }], kms: [{ keyArns: [arns().key] }] } }), fluxVersion: FIXTURE_FLUX }));
}

/** EKS with IRSA: role-arn annotations only. */
function irsaSet(): FluxPatchSet {
    return awsFluxPatchSet(planAws({ ...awsInput(T.Eks, { controllers: { ecr: [{ repositoryArns: [arns().repo] }], kms: [{ keyArns: [arns().key] }] } }), fluxVersion: FIXTURE_FLUX }));
}

/** Object level on EKS: the feature gate on source- and kustomize-controller, two tenant ServiceAccounts. */
function tenantSet(): FluxPatchSet {
    return awsFluxPatchSet(planAws({ ...tenantInput(T.Eks), fluxVersion: FIXTURE_FLUX }));
}

function withRole(set: FluxPatchSet, controller: string, roleArn: string): FluxPatchSet {
    const copy = JSON.parse(JSON.stringify(set)) as FluxPatchSet;
    const p = copy.controllers.find((c) => c.controller === controller);
    if (!p) throw new Error(controller);
    p.serviceAccountAnnotations["eks.amazonaws.com/role-arn"] = roleArn;
    return copy;
}

type Spec = { template: { metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> }; spec?: { containers?: Array<Record<string, unknown>>; volumes?: unknown[] } } };

describe("FluxLiveCluster under Pulumi mocks", () => {
    let fixture: FluxFixture;
    let flux: KubeObject[];
    let mocks: KubernetesReadMocks;

    before(() => {
        fixture = fluxFixture("flux-v2.9.4");
        flux = fluxComponents(fixture);
    });

    async function start(extraLabels: Record<string, string> = {}): Promise<KubernetesReadMocks> {
        mocks = await useKubernetesMocks();
        serveDeployments(mocks, flux, extraLabels);
        return mocks;
    }

    async function run(name: string, args: FluxLiveClusterArgs, opts?: pulumi.ComponentResourceOptions): Promise<{ c: FluxLiveCluster; warnings: string[]; hashes: Record<string, string>; applied: string[] }> {
        const c = new FluxLiveCluster(name, args, opts);
        const [warnings, hashes, applied] = await Promise.all([valueOf(c.warnings), valueOf(c.identityHashes), valueOf(c.appliedObjects)]);
        await settle();
        return { c, warnings, hashes, applied };
    }

    function shippedArgs(controller: string): string[] {
        const d = flux.find((o) => o.kind === "Deployment" && o.metadata.name === controller) as KubeObject;
        return ((d.spec as Spec).template.spec?.containers?.[0].args as string[]) ?? [];
    }

    it("AWS on kind: one Deployment patch per controller with env, projected token, mount and identity hash", async () => {
        await start();
        const set = kindSet();
        const { hashes, applied, warnings } = await run("kind", { layout: set, patchSet: set });
        const children = childrenOf(mocks, "kind");
        assert.deepEqual([...children.keys()].sort(), ["kustomize-controller-deployment", "source-controller-deployment"]);
        const src = children.get("source-controller-deployment");
        assert.equal(src?.type, "kubernetes:apps/v1:DeploymentPatch");
        const p = set.controllers.find((x) => x.controller === "source-controller");
        assert.ok(p);
        const want = withPatchAnnotations(deploymentPatchBody("flux-system", p, identityHash(p, [])), "flux-identity");
        assert.deepEqual(src?.inputs, JSON.parse(JSON.stringify(want)));
        // The same values the Flux docs give for a non-EKS cluster, read off the registered inputs.
        const spec = src?.inputs.spec as Spec;
        const container = spec.template.spec?.containers?.[0] as { name: string; env: Array<{ name: string; value: string }>; volumeMounts: unknown[]; args?: unknown };
        assert.equal(container.name, "manager");
        assert.equal(container.args, undefined, "the identity patch never touches args");
        assert.deepEqual(container.env.map((e) => e.name), ["AWS_REGION", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE"]);
        assert.deepEqual(container.volumeMounts, [{ name: "aws-token", mountPath: "/var/run/service-account", readOnly: true }]);
        assert.deepEqual(spec.template.spec?.volumes, [{ name: "aws-token", projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 3600, path: "aws-token" } }] } }]);
        assert.equal(spec.template.metadata?.annotations?.[HASH], hashes["source-controller"]);
        assert.deepEqual(Object.keys(hashes).sort(), ["kustomize-controller", "source-controller"]);
        assert.deepEqual(applied, ["Deployment flux-system/source-controller", "Deployment flux-system/kustomize-controller"]);
        assert.deepEqual(warnings, []);
        assert.deepEqual(mocks.reads.sort(), [`${DEPLOYMENT_TYPE} flux-system/kustomize-controller`, `${DEPLOYMENT_TYPE} flux-system/source-controller`], "read only to detect a Flux Kustomization");
    });

    it("EKS IRSA: ServiceAccount patches with the role ARN, and a Deployment patch holding only the identity hash", async () => {
        await start();
        const set = irsaSet();
        const { hashes } = await run("eks", { layout: set, patchSet: set });
        const children = childrenOf(mocks, "eks");
        const sa = children.get("source-controller-serviceaccount");
        const roleArn = set.controllers.find((c) => c.controller === "source-controller")?.serviceAccountAnnotations["eks.amazonaws.com/role-arn"];
        assert.match(roleArn ?? "", /^arn:aws:iam::123456789012:role\//);
        assert.deepEqual(sa?.inputs, {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "source-controller", namespace: "flux-system", annotations: { "eks.amazonaws.com/role-arn": roleArn, [FM]: "flux-identity" } },
        });
        assert.equal(sa?.type, "kubernetes:core/v1:ServiceAccountPatch");
        const dep = children.get("source-controller-deployment");
        assert.deepEqual(dep?.inputs.spec, { template: { metadata: { annotations: { [HASH]: hashes["source-controller"] } } } }, "nothing but the hash");
        assert.ok(dep?.dependencies.includes(sa?.urn ?? "-"), "the ServiceAccount is annotated before the pods roll");
        for (const r of children.values()) assert.equal((r.inputs.metadata as { annotations: Record<string, string> }).annotations[FORCE], undefined, `${r.name} is not forced`);
    });

    it("rolls the Deployment when a role ARN changes on the ServiceAccount, and only that controller's", async () => {
        await start();
        const set = irsaSet();
        const before = (await run("a", { layout: set, patchSet: set })).hashes;
        await start();
        const changed = withRole(set, "source-controller", "arn:aws:iam::123456789012:role/another-role");
        const after = (await run("a", { layout: set, patchSet: changed })).hashes;
        assert.notEqual(after["source-controller"], before["source-controller"]);
        assert.equal(after["kustomize-controller"], before["kustomize-controller"]);
        const dep = childrenOf(mocks, "a").get("source-controller-deployment");
        assert.equal((dep?.inputs.spec as Spec).template.metadata?.annotations?.[HASH], after["source-controller"]);
    });

    it("object level: full arg list with the feature gate (forced, own manager, kept on delete), tenant ServiceAccounts and RBAC", async () => {
        await start();
        const set = tenantSet();
        const { c, applied } = await run("obj", { layout: set, patchSet: set });
        const children = childrenOf(mocks, "obj");
        assert.deepEqual([...children.keys()].sort(), [
            "kustomize-controller-args",
            "role-team-a-flux-source-controller-tenant-tokens",
            "role-team-b-flux-kustomize-controller-tenant-tokens",
            "rolebinding-team-a-flux-source-controller-tenant-tokens",
            "rolebinding-team-b-flux-kustomize-controller-tenant-tokens",
            "source-controller-args",
            "tenant-team-a-flux-aws",
            "tenant-team-b-sops",
        ]);
        const args = children.get("source-controller-args");
        assert.equal(args?.type, "kubernetes:apps/v1:DeploymentPatch");
        assert.deepEqual(args?.inputs, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: {
                name: "source-controller",
                namespace: "flux-system",
                annotations: { "flux-identity/added-args": JSON.stringify([GATE]), [FM]: "flux-identity-args", [FORCE]: "true" },
            },
            spec: { template: { spec: { containers: [{ name: "manager", args: [...shippedArgs("source-controller"), GATE] }] } } },
        });
        assert.ok(shippedArgs("source-controller").length >= 5, "Flux's own flags are kept");
        assert.deepEqual([...mocks.retainedOnDelete].sort(), ["obj-kustomize-controller-args", "obj-source-controller-args"], "only the args patches outlive their removal");
        const tenant = children.get("tenant-team-a-flux-aws");
        assert.equal(tenant?.type, "kubernetes:core/v1:ServiceAccountPatch");
        const annotations = (tenant?.inputs.metadata as { annotations: Record<string, string> }).annotations;
        assert.match(annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::123456789012:role\//);
        assert.equal(annotations[FM], "flux-identity");
        const rbac = tenantRbacObjects(set);
        const role = children.get("role-team-a-flux-source-controller-tenant-tokens");
        assert.equal(role?.type, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.deepEqual(role?.inputs.rules, rbac[0].rules);
        const binding = children.get("rolebinding-team-a-flux-source-controller-tenant-tokens");
        assert.deepEqual(binding?.inputs.subjects, [{ kind: "ServiceAccount", name: "source-controller", namespace: "flux-system" }]);
        assert.deepEqual(binding?.inputs.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "flux-source-controller-tenant-tokens" });
        assert.ok(binding?.dependencies.includes(role?.urn ?? "-"));
        assert.deepEqual(await valueOf(c.identityHashes), {}, "args roll the pods themselves; no hash patch for args alone");
        assert.ok(applied.includes("ServiceAccount team-b/sops") && applied.includes("Role team-a/flux-source-controller-tenant-tokens"), applied.join());
    });

    it("re-applies the same arg list when the live Deployment already carries it (no growth, no churn)", async () => {
        await start();
        const set = tenantSet();
        const applied = [...shippedArgs("source-controller"), GATE];
        const d = JSON.parse(JSON.stringify(flux.find((o) => o.kind === "Deployment" && o.metadata.name === "source-controller"))) as KubeObject;
        (d.spec as Spec).template.spec!.containers![0].args = applied;
        d.metadata.annotations = { "flux-identity/added-args": JSON.stringify([GATE]) };
        mocks.setLive(DEPLOYMENT_TYPE, "flux-system/source-controller", d);
        await run("again", { layout: set, patchSet: set });
        const spec = childrenOf(mocks, "again").get("source-controller-args")?.inputs.spec as Spec;
        assert.deepEqual(spec.template.spec?.containers?.[0].args, applied);
    });

    it("removes the feature gate it added once the patch set no longer wants it, keeping Flux's flags", async () => {
        await start();
        const d = JSON.parse(JSON.stringify(flux.find((o) => o.kind === "Deployment" && o.metadata.name === "source-controller"))) as KubeObject;
        (d.spec as Spec).template.spec!.containers![0].args = [...shippedArgs("source-controller"), GATE];
        d.metadata.annotations = { "flux-identity/added-args": JSON.stringify([GATE]) };
        mocks.setLive(DEPLOYMENT_TYPE, "flux-system/source-controller", d);
        const set = tenantSet();
        set.controllers.find((c) => c.controller === "source-controller")?.args.push("--concurrent=8");
        set.controllers.find((c) => c.controller === "source-controller")?.args.splice(0, 1);
        await run("drop", { layout: set, patchSet: set, applyTenantRbac: false, applyTenantServiceAccounts: false });
        const inputs = childrenOf(mocks, "drop").get("source-controller-args")?.inputs;
        assert.deepEqual((inputs?.spec as Spec).template.spec?.containers?.[0].args, [...shippedArgs("source-controller"), "--concurrent=8"]);
        assert.equal((inputs?.metadata as { annotations: Record<string, string> }).annotations["flux-identity/added-args"], JSON.stringify(["--concurrent=8"]));
    });

    it("ConfigMaps the controllers mount are applied first, with Flux's part-of label (GCP from kind)", async () => {
        await start();
        const set = gcpFluxPatchSet(planGcp(gcpInput(T.Generic)));
        assert.ok(set.configMaps.length > 0);
        await run("gcp", { layout: set, patchSet: set });
        const children = childrenOf(mocks, "gcp");
        const cm = children.get(`configmap-${set.configMaps[0].name}`);
        assert.equal(cm?.type, "kubernetes:core/v1:ConfigMap");
        assert.deepEqual(cm?.inputs, {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: set.configMaps[0].name, namespace: "flux-system", labels: { "app.kubernetes.io/part-of": "flux" }, annotations: { [FM]: "flux-identity" } },
            data: set.configMaps[0].data,
        });
        const mounting = set.controllers.find((c) => c.volumes.some((v) => v.configMapName === set.configMaps[0].name));
        const dep = children.get(`${mounting?.controller}-deployment`);
        assert.ok(dep?.dependencies.includes(cm?.urn ?? "-"), "pods restart onto a ConfigMap that exists");
    });

    it("takes real values from patchSet outputs while the layout's placeholders decide the objects (Azure on AKS)", async () => {
        await start();
        const plan = planAzure(azureInput(T.Aks));
        const layout = azureFluxPatchSet(plan);
        const refs = azureIdentityRefs(plan, Object.fromEntries(Object.keys(azureIdentityRefs(plan)).map((k, i) => [k, `1111111${i}-1111-4111-8111-111111111111`])));
        const real = azureFluxPatchSet(plan, refs);
        assert.notDeepEqual(real, layout);
        await run("aks", { layout, patchSet: pulumi.output(Promise.resolve(real)) });
        const sa = childrenOf(mocks, "aks").get("source-controller-serviceaccount");
        const annotations = (sa?.inputs.metadata as { annotations: Record<string, string> }).annotations;
        assert.equal(annotations["azure.workload.identity/client-id"], real.controllers[0].serviceAccountAnnotations["azure.workload.identity/client-id"]);
        assert.doesNotMatch(JSON.stringify(mocks.custom().map((r) => r.inputs)), /<client ID of/, "no placeholder reaches the cluster");
        const dep = childrenOf(mocks, "aks").get("source-controller-deployment");
        assert.deepEqual(dep?.inputs.metadata, { name: "source-controller", namespace: "flux-system", labels: { "azure.workload.identity/use": "true" }, annotations: { [FM]: "flux-identity" } });
        assert.equal((dep?.inputs.spec as Spec).template.metadata?.labels?.["azure.workload.identity/use"], "true");
    });

    it("the documented use: layout from the offline planner, patchSet from AwsFluxIdentity, applied after the roles exist", async () => {
        await start();
        const input = awsInput(T.Generic, { controllers: { ecr: [{ repositoryArns: [arns().repo] }] } });
        const aws = new AwsFluxIdentity("dev", { cluster: input.cluster, ...input.aws });
        await run("dev-flux", { layout: awsFluxPatchSet(planAws(input)), patchSet: aws.patchSet });
        const dep = childrenOf(mocks, "dev-flux").get("source-controller-deployment");
        const role = mocks.custom().find((r) => r.type === "aws:iam/role:Role" && r.name.includes("source"));
        assert.ok(dep && role);
        const env = ((dep.inputs.spec as Spec).template.spec?.containers?.[0].env as Array<{ name: string; value: string }>).find((e) => e.name === "AWS_ROLE_ARN");
        assert.equal(env?.value, `arn:aws:iam::123456789012:role/${role.inputs.name as string}`);
        assert.ok(dep.dependencies.includes(role.urn), "the Deployment patch waits for the role it names");
    });

    it("the documented use with Azure: placeholder client IDs in the layout, created ones from AzureFluxIdentity in the cluster", async () => {
        await start();
        const input = azureInput(T.Aks, { controllers: { acr: [{ scopes: [SCOPES.registry] }] } });
        const azure = new AzureFluxIdentity("aks", { cluster: input.cluster, ...input.azure });
        const layout = azureFluxPatchSet(planAzure(input));
        assert.match(JSON.stringify(layout), /<client ID of/);
        await run("aks-flux", { layout, patchSet: azure.patchSet });
        const sa = childrenOf(mocks, "aks-flux").get("source-controller-serviceaccount");
        const identity = mocks.custom().find((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity" && r.name.includes("source"));
        assert.ok(sa && identity);
        const annotations = (sa.inputs.metadata as { annotations: Record<string, string> }).annotations;
        assert.equal(annotations["azure.workload.identity/client-id"], RecordingMocks.azureIds(identity.inputs.resourceName as string).clientId);
    });

    it("fails with a clear error when the resolved patch set needs other objects than the layout planned", async () => {
        await start();
        const layout = irsaSet();
        const other = tenantSet();
        const errors = await failedRegistrations(() => {
            new FluxLiveCluster("mismatch", { layout, patchSet: pulumi.output(Promise.resolve(other)) });
        }, untilRejected);
        const text = errors.map(String).join("\n");
        assert.match(text, /patchSet: the patch set needs Deployment flux-system\/source-controller \(args\), which the layout does not plan/);
        assert.match(text, /build layout and patchSet from the same plan/);
    });

    it("refuses a plain mismatching patch set and bad options before registering anything", async () => {
        await start();
        assert.throws(
            () => new FluxLiveCluster("plain", { layout: irsaSet(), patchSet: tenantSet() }),
            (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.every((i) => i.path === "patchSet"),
        );
        assert.throws(
            () => new FluxLiveCluster("opts", { layout: { namespace: "flux-system" } as FluxPatchSet, patchSet: irsaSet(), fieldManager: "" }),
            (e: unknown) => e instanceof FluxIdentityValidationError && /fieldManager/.test(e.message) && /layout\.controllers/.test(e.message),
        );
        await settle();
        assert.equal(mocks.registrations.length, 0);
    });

    it("warns, names the Kustomization and puts the warning in the output when flux-system manages the Deployments", async () => {
        await start(FLUX_LABELS);
        const set = tenantSet();
        const { warnings } = await run("gitops", { layout: set, patchSet: set });
        assert.equal(warnings.length, 2);
        assert.match(warnings[0], /^source-controller: Deployment flux-system\/source-controller is applied by the Flux Kustomization flux-system\/flux-system/);
        assert.match(warnings[0], /feature gate/);
        assert.match(warnings[1], /^kustomize-controller: /);
    });

    it("with detection off, reads only what the args merge needs and warns about nothing", async () => {
        await start(FLUX_LABELS);
        const set = tenantSet();
        set.controllers.push(...irsaSet().controllers.filter((c) => c.controller === "helm-controller"));
        const { warnings } = await run("quiet", { layout: set, patchSet: set, detectFluxSystemKustomization: false });
        assert.deepEqual(warnings, []);
        assert.deepEqual(mocks.reads.sort(), [`${DEPLOYMENT_TYPE} flux-system/kustomize-controller`, `${DEPLOYMENT_TYPE} flux-system/source-controller`]);
    });

    it("without restarts: no identity hash, and no Deployment patch for annotation-only controllers", async () => {
        await start();
        const set = irsaSet();
        const { hashes } = await run("norestart", { layout: set, patchSet: set, restartOnIdentityChange: false });
        assert.deepEqual(hashes, {});
        assert.ok([...childrenOf(mocks, "norestart").keys()].every((k) => k.endsWith("-serviceaccount")));
        await start();
        const kind = kindSet();
        await run("norestart2", { layout: kind, patchSet: kind, restartOnIdentityChange: false });
        const spec = childrenOf(mocks, "norestart2").get("source-controller-deployment")?.inputs.spec as Spec;
        assert.equal(spec.template.metadata, undefined);
    });

    it("uses the given field manager, and leaves tenants alone when told to", async () => {
        await start();
        const set = tenantSet();
        await run("fm", { layout: set, patchSet: set, fieldManager: "platform", applyTenantServiceAccounts: false, applyTenantRbac: false });
        const children = childrenOf(mocks, "fm");
        assert.deepEqual([...children.keys()].sort(), ["kustomize-controller-args", "source-controller-args"]);
        assert.equal((children.get("source-controller-args")?.inputs.metadata as { annotations: Record<string, string> }).annotations[FM], "platform-args");
    });

    it("registers as flux-identity:index:FluxLiveCluster, parents every child and read, and passes the Kubernetes provider down", async () => {
        await start();
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const set = tenantSet();
        const { c } = await run("prov", { layout: set, patchSet: set }, { provider });
        const urn = await valueOf(c.urn);
        const component = mocks.registrations.find((r) => r.type === FLUX_LIVE_CLUSTER_TYPE);
        assert.ok(component && !component.custom);
        for (const r of childrenOf(mocks, "prov").values()) {
            assert.equal(r.parent, urn, `${r.name} parent`);
            assert.match(mocks.providers.get(r.name) ?? "", /pulumi:providers:kubernetes::cluster::/, `${r.name} provider`);
        }
        assert.match(mocks.providers.get("prov-source-controller-live") ?? "", /pulumi:providers:kubernetes::cluster::/, "the read uses the same cluster");
    });

    it("refuses a cluster whose Flux the Flux Operator manages: names the FluxInstance, applies nothing", async () => {
        // The labels flux-operator puts on what a FluxInstance applies (its getFluxReconciler reads them back).
        await start({ "app.kubernetes.io/managed-by": "flux-operator", "fluxcd.controlplane.io/name": "flux", "fluxcd.controlplane.io/namespace": "flux-system" });
        const set = tenantSet();
        const errors = await failedRegistrations(() => {
            new FluxLiveCluster("operator", { layout: set, patchSet: set });
        }, untilRejected);
        const text = errors.map(String).join("\n");
        assert.match(text, /Deployment flux-system\/source-controller: is managed by the Flux Operator \(FluxInstance flux-system\/flux\)/);
        assert.match(text, /merge the rendered flux-operator\/flux-instance\.yaml \(the fluxInstanceYaml output\)/);
        assert.deepEqual([...childrenOf(mocks, "operator").keys()], [], "no object is written, tenant ones included");
    });

    it("the same patch set on a cluster without the operator's labels is applied (the refusal is the labels' doing)", async () => {
        await start({ "app.kubernetes.io/managed-by": "kustomize" });
        const set = tenantSet();
        const { applied } = await run("nooperator", { layout: set, patchSet: set });
        assert.ok(applied.length > 0);
    });

    it("warns when the Deployments run another Flux minor than the patch set was made for", async () => {
        await start();
        const set = awsFluxPatchSet(planAws({ ...tenantInput(T.Eks), fluxVersion: "2.10" }));
        set.controllers.push(...irsaSet().controllers);
        const { warnings } = await run("newer", { layout: set, patchSet: set });
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /runs Flux v2\.9\.4, but the patch set was made for Flux 2\.10/);
    });

    it("applies the Flux 2.10 flux-object-identity ClusterRole and ClusterRoleBinding when the lockdown needs them", async () => {
        await start();
        const set = composeFluxSide([awsFluxPatchSet(planAws({ ...tenantInput(T.Eks), fluxVersion: "2.10" }))], { lockdown: { defaultWorkloadIdentityServiceAccount: "tenant-cloud" } }).patchSet;
        await run("defaults", { layout: set, patchSet: set });
        const children = childrenOf(mocks, "defaults");
        const role = children.get("clusterrole-flux-object-identity");
        assert.equal(role?.type, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
        assert.deepEqual(role?.inputs.rules, [{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["tenant-cloud"], verbs: ["create"] }]);
        assert.equal((role?.inputs.metadata as { namespace?: string }).namespace, undefined);
        const binding = children.get("clusterrolebinding-flux-object-identity");
        assert.equal(binding?.type, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
        assert.ok(binding?.dependencies.some((d) => d.endsWith("::defaults-clusterrole-flux-object-identity")));
    });

    it("fails clearly when the Deployment it must read has no manager container", async () => {
        await start();
        mocks.setLive(DEPLOYMENT_TYPE, "flux-system/source-controller", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "source-controller" }, spec: { template: { spec: { containers: [{ name: "app" }] } } } });
        const set = tenantSet();
        const errors = await failedRegistrations(() => {
            new FluxLiveCluster("nomanager", { layout: set, patchSet: set, applyTenantRbac: false, applyTenantServiceAccounts: false });
        }, untilRejected);
        assert.match(errors.map(String).join("\n"), /Deployment flux-system\/source-controller has no container named manager/);
    });
});
