/**
 * FluxWorkloadIdentity under Pulumi's mock runtime: it composes the per-cloud components, validates the
 * whole cluster before registering anything, merges every cloud's patches into one kustomization.yaml
 * equal to what render writes (created identities filled in), and, when asked, applies the same patch
 * set to a live cluster.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { ClusterSpec, planCluster } from "../../provider/src/plan/cluster";
import { FluxWorkloadIdentity, FluxWorkloadIdentityArgs } from "../../provider/src/workload-identity/component";
import { workloadIdentityArgsFromSpec } from "../../sdk/src/program/fleet-program";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { fluxFixture } from "../helpers/kustomize";
import { fluxComponents, serveDeployments } from "../helpers/live";
import { RecordingMocks, settle, useKubernetesMocks, useMocks, valueOf } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";

/** A matrix cell's cluster, moved into the mocked AWS account and GCP project number. */
function cell(file: string, mocks: RecordingMocks): ClusterSpec {
    const text = JSON.stringify(loadFleet(fromRoot("examples", "matrix", file)).clusters[0]).replace(/111122223333/g, mocks.account);
    const spec = JSON.parse(text) as ClusterSpec;
    if (spec.gcp) spec.gcp.projectNumber = mocks.account;
    if (spec.azure) {
        mocks.azureSubscription = spec.azure.subscriptionId;
        mocks.azureTenant = spec.azure.tenantId;
    }
    return spec;
}

describe("FluxWorkloadIdentity (Pulumi mocks)", function () {
    this.timeout(60000);

    it("composes the three clouds as children and outputs one kustomization.yaml, render's with the created client IDs", async () => {
        const mocks = await useMocks();
        const spec = cell("kind-to-all-clouds-controller.yaml", mocks);
        const flux = new FluxWorkloadIdentity(spec.name, workloadIdentityArgsFromSpec(spec));
        const yaml = await valueOf(flux.kustomizationYaml);
        const clientIds = await valueOf(flux.azureClientIds);
        await settle();
        const components = mocks.registrations.filter((r) => !r.custom);
        assert.deepEqual(components.map((r) => r.type).sort(), [
            "flux-identity:index:AwsFluxIdentity", "flux-identity:index:AzureFluxIdentity", "flux-identity:index:FluxWorkloadIdentity", "flux-identity:index:GcpFluxIdentity",
        ]);
        const parent = components.find((r) => r.type === "flux-identity:index:FluxWorkloadIdentity")?.urn;
        for (const c of components.filter((r) => r.type !== "flux-identity:index:FluxWorkloadIdentity")) assert.equal(c.parent, parent, `${c.type} is a child`);

        // Render's YAML with the placeholders replaced by the identities the mocked Azure created.
        let expected = planCluster(spec).kustomizationYaml;
        const identities = mocks.registrations.filter((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity");
        for (const i of identities) expected = expected.split(`<client ID of ${i.inputs.resourceName as string}>`).join(RecordingMocks.azureIds(i.inputs.resourceName as string).clientId);
        assert.equal(yaml, expected);
        assert.ok(!yaml.includes("<client ID of"));
        assert.match(yaml, new RegExp(`value: ${clientIds["source-controller"]}`));
        assert.match(yaml, /name: cloud-tokens/);
        assert.equal(flux.targets().aws !== undefined && flux.targets().azure !== undefined && flux.targets().gcp !== undefined, true);
    });

    it("refuses bad input in two clouds with one error naming both fields, and registers nothing", async () => {
        const mocks = await useMocks();
        const spec = cell("kind-to-all-clouds-controller.yaml", mocks);
        const args = workloadIdentityArgsFromSpec(spec);
        const bad: FluxWorkloadIdentityArgs = { ...args, aws: { ...args.aws!, accountId: "12345" }, gcp: { ...args.gcp!, projectNumber: "not-a-number" } };
        assert.throws(
            () => new FluxWorkloadIdentity("bad", bad),
            (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.some((i) => i.path === "aws.accountId") && e.issues.some((i) => i.path === "gcp.projectNumber"),
        );
        await settle();
        assert.deepEqual(mocks.registrations, []);
    });

    it("takes the issuer as an output and plans once it resolves", async () => {
        const mocks = await useMocks();
        const spec = cell("kind-to-aws-controller.yaml", mocks);
        const args = workloadIdentityArgsFromSpec(spec);
        const flux = new FluxWorkloadIdentity("pending", { ...args, cluster: { ...args.cluster, issuerUrl: pulumi.output(spec.issuerUrl) } });
        const yaml = await valueOf(flux.kustomizationYaml);
        await settle();
        assert.equal(yaml, planCluster(spec).kustomizationYaml);
        assert.ok(mocks.registrations.some((r) => r.type === "aws:iam/role:Role"));
    });

    it("takes the Flux version: fluxInstanceYaml and kustomizationYaml are render's for it, and each child renders for the same minor", async () => {
        const mocks = await useMocks();
        const spec = cell("eks-to-aws-object.yaml", mocks);
        const flux = new FluxWorkloadIdentity("v29", { ...workloadIdentityArgsFromSpec(spec), fluxVersion: "2.9.4" });
        const [instance, yaml, childInstance] = await Promise.all([valueOf(flux.fluxInstanceYaml), valueOf(flux.kustomizationYaml), valueOf(flux.targets().aws!.fluxInstanceYaml)]);
        await settle();
        const planned = planCluster({ ...spec, flux: { ...spec.flux, version: "2.9" } });
        assert.equal(instance, planned.fluxInstanceYaml);
        assert.equal(yaml, planned.kustomizationYaml);
        assert.match(yaml, /--feature-gates=ObjectLevelWorkloadIdentity=true/);
        assert.match(instance, /version: 2\.9\.x/);
        assert.match(childInstance, /objectLevelWorkloadIdentity: true/, "the AWS child renders its own FluxInstance");
        const defaulted = new FluxWorkloadIdentity("v210", workloadIdentityArgsFromSpec(spec));
        assert.ok(!(await valueOf(defaulted.kustomizationYaml)).includes("feature-gates"));
        assert.throws(() => new FluxWorkloadIdentity("v25", { ...workloadIdentityArgsFromSpec(spec), fluxVersion: "2.5" }), (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.some((i) => i.path === "flux.version"));
    });

    it("adds the lockdown flags and writes example Flux objects", async () => {
        const mocks = await useMocks();
        const spec = cell("kind-to-aws-object.yaml", mocks);
        const flux = new FluxWorkloadIdentity(spec.name, { ...workloadIdentityArgsFromSpec(spec), lockdown: { noCrossNamespaceRefs: true, defaultServiceAccount: "default" } });
        const yaml = await valueOf(flux.kustomizationYaml);
        const objects = await valueOf(flux.fluxObjectsYaml);
        await settle();
        assert.match(yaml, /--no-cross-namespace-refs=true/);
        assert.match(yaml, /--default-service-account=default/);
        assert.match(objects, /serviceAccountName: flux-aws/);
        assert.ok(mocks.registrations.some((r) => r.type === "aws:iam/role:Role"));
    });

    it("live-cluster mode applies the same patch set, with the created identities, to the cluster", async () => {
        const mocks = await useKubernetesMocks();
        serveDeployments(mocks, fluxComponents(fluxFixture("flux-v2.9.4")));
        const spec = cell("kind-to-all-clouds-controller.yaml", mocks);
        const flux = new FluxWorkloadIdentity(spec.name, { ...workloadIdentityArgsFromSpec(spec), liveCluster: { enabled: true } });
        const clientIds = await valueOf(flux.azureClientIds);
        const roleArns = await valueOf(flux.awsRoleArns);
        await valueOf(flux.kustomizationYaml);
        await settle();
        const live = mocks.registrations.find((r) => r.type === "flux-identity:index:FluxLiveCluster");
        assert.ok(live, "a FluxLiveCluster child");
        const patch = mocks.registrations.find((r) => r.type === "kubernetes:apps/v1:DeploymentPatch" && JSON.stringify(r.inputs).includes('"source-controller"'));
        assert.ok(patch, "a Deployment patch for source-controller");
        const text = JSON.stringify(patch.inputs);
        assert.ok(text.includes(roleArns["source-controller"]), "the AWS role ARN");
        assert.ok(text.includes(clientIds["source-controller"]), "the created Azure client ID, not a placeholder");
        assert.ok(text.includes("cloud-tokens"), "the shared token volume");
        assert.ok(!text.includes("<client ID of"));
    });
});
