/**
 * The credential checks' invokes are asked once per program run and provider (sharedInvoke), under
 * Pulumi's mock runtime: components sharing a provider share the answer, another provider or another run
 * asks again, and each component still checks the answer against its own plan.
 */
import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsFluxIdentity } from "../../provider/src/aws/component";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FLUX_IDENTITY_INVOKES } from "../../provider/src/pulumi/invokes";
import { sharedInvoke } from "../../provider/src/pulumi/shared-invoke";
import { RecordingMocks, failedRegistrations, settle, untilRejected, useMocks, valueOf } from "../helpers/mocks";
import { awsInput } from "../helpers/samples";
import { fromRoot } from "../helpers/paths";
import { FluxWorkloadIdentity } from "../../provider/src/workload-identity/component";
import { workloadIdentityArgsFromSpec } from "../../sdk/src/program/fleet-program";
import { loadFleet } from "../../sdk/src/spec/fleet";

/** Counts the invokes per token the mocks answer. */
function countCalls(mocks: RecordingMocks): Map<string, number> {
    const counts = new Map<string, number>();
    const call = mocks.call.bind(mocks);
    mocks.call = (args) => {
        counts.set(args.token, (counts.get(args.token) ?? 0) + 1);
        return call(args);
    };
    return counts;
}

const argsOf = (name: string) => {
    const input = awsInput(SourceClusterType.Generic);
    return { cluster: { ...input.cluster, issuerUrl: `https://${name}.example.com` }, ...input.aws };
};

describe("shared credential checks", () => {
    it("asks once per run and provider, and checks every component against its own plan", async () => {
        const mocks = await useMocks();
        const calls = countCalls(mocks);
        const a = new AwsFluxIdentity("a", argsOf("a"));
        const b = new AwsFluxIdentity("b", argsOf("b"));
        const other = new aws.Provider("other", { region: "eu-west-1" });
        const c = new AwsFluxIdentity("c", argsOf("c"), { providers: [other] });
        await Promise.all([a, b, c].map((x) => valueOf(x.kustomizationYaml)));
        await settle();
        assert.equal(calls.get(FLUX_IDENTITY_INVOKES.awsCallerIdentity), 2, "the default provider once, the other provider once");
        assert.ok(mocks.custom().some((r) => r.name.startsWith("c-")), "the component with its own provider created its resources");

        const next = await useMocks();
        const nextCalls = countCalls(next);
        await valueOf(new AwsFluxIdentity("d", argsOf("d")).kustomizationYaml);
        await settle();
        assert.equal(nextCalls.get(FLUX_IDENTITY_INVOKES.awsCallerIdentity), 1, "a new run asks again");
    });

    it("keeps each cloud's answer apart when their components all use default providers", async () => {
        const mocks = await useMocks();
        const calls = countCalls(mocks);
        const spec = loadFleet(fromRoot("examples", "matrix", "kind-to-all-clouds-controller.yaml")).clusters[0];
        mocks.azureSubscription = spec.azure?.subscriptionId as string;
        mocks.azureTenant = spec.azure?.tenantId as string;
        const args = workloadIdentityArgsFromSpec(JSON.parse(JSON.stringify(spec).replaceAll(spec.aws?.accountId as string, mocks.account).replaceAll(spec.gcp?.projectNumber as string, mocks.account)));
        const flux = new FluxWorkloadIdentity(spec.name, args);
        const twin = new FluxWorkloadIdentity(`${spec.name}-2`, { ...args, cluster: { ...args.cluster, issuerUrl: "https://twin.example.com" } });
        const [aws1, azure1] = await Promise.all([valueOf(flux.awsRoleArns), valueOf(flux.azureClientIds), valueOf(twin.kustomizationYaml)]);
        assert.ok(Object.keys(aws1).length > 0 && Object.keys(azure1).length > 0);
        assert.equal(calls.get(FLUX_IDENTITY_INVOKES.awsCallerIdentity), 1);
        assert.equal(calls.get(FLUX_IDENTITY_INVOKES.azureClientConfig), 1);
        assert.equal(calls.get(FLUX_IDENTITY_INVOKES.gcpProject), 1);
    });

    it("still refuses a component planned in another account than the shared answer's", async () => {
        const mocks = await useMocks();
        const right = new AwsFluxIdentity("right", argsOf("right"));
        await valueOf(right.kustomizationYaml);
        const errors = await failedRegistrations(() => new AwsFluxIdentity("wrong", JSON.parse(JSON.stringify(argsOf("wrong")).replaceAll("123456789012", "999999999999"))), untilRejected);
        assert.ok(errors.some((e) => /credentials are for account 123456789012 in partition aws, but the roles are planned in 999999999999/.test(String(e))), String(errors[0]));
        assert.deepEqual(mocks.custom().filter((r) => r.name.startsWith("wrong-")).map((r) => r.name), []);
    });

    it("invokes every time outside a program run (no resource monitor)", () => {
        let made = 0;
        const parent = { getProvider: () => undefined } as unknown as pulumi.Resource;
        const monitor = pulumi.runtime.getMonitor;
        (pulumi.runtime as { getMonitor: () => unknown }).getMonitor = () => undefined;
        try {
            sharedInvoke(parent, FLUX_IDENTITY_INVOKES.awsCallerIdentity, "", () => (made++, pulumi.output(1)));
            sharedInvoke(parent, FLUX_IDENTITY_INVOKES.awsCallerIdentity, "", () => (made++, pulumi.output(1)));
        } finally {
            (pulumi.runtime as { getMonitor: unknown }).getMonitor = monitor;
        }
        assert.equal(made, 2);
    });
});
