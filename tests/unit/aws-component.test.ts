/**
 * AwsFluxIdentity under Pulumi's mock runtime: the resources it registers, their arguments, parents and
 * dependencies, and its outputs, compared with what `render` plans for the same input.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { AwsFluxIdentity, AwsFluxIdentityArgs } from "../../provider/src/aws/component";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { awsFluxPatchSet } from "../../provider/src/aws/patches";
import { AwsPlanInput, planAws } from "../../provider/src/aws/plan";
import { POLICY_PROPERTIES, describeAwsResources } from "../../provider/src/aws/resources";
import { AwsAuthMethod } from "../../provider/src/aws/spec";
import { renderKustomization, renderTenantServiceAccounts } from "../../provider/src/flux/kustomization";
import { RecordingMocks, failedRegistrations, settle, untilRejected, useMocks, valueOf } from "../helpers/mocks";
import { ACCOUNT, ISSUERS, awsInput, tenantInput } from "../helpers/samples";

const T = SourceClusterType;

function argsOf(input: AwsPlanInput): AwsFluxIdentityArgs {
    return { cluster: input.cluster, fluxNamespace: input.fluxNamespace, ...input.aws };
}

/** Registered custom resources as {type, name, inputs}, policies parsed back into objects. */
function registered(mocks: RecordingMocks, component: string) {
    return mocks.custom().map((r) => {
        const inputs: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r.inputs)) inputs[k] = POLICY_PROPERTIES.includes(k) && typeof v === "string" ? JSON.parse(v) : v;
        return { type: r.type, name: r.name.slice(component.length + 1), inputs };
    }).sort(byName);
}

/** Registration order follows dependency resolution, so compare as sets. */
function byName(a: { type: string; name: string }, b: { type: string; name: string }): number {
    const x = `${a.type}/${a.name}`;
    const y = `${b.type}/${b.name}`;
    return x < y ? -1 : x > y ? 1 : 0;
}

describe("AwsFluxIdentity under Pulumi mocks", () => {
    it("registers exactly the resources render plans, with the same arguments", async () => {
        const input = { ...tenantInput(T.Generic), aws: { ...tenantInput(T.Generic).aws, controllers: awsInput(T.Generic).aws.controllers } };
        const mocks = await useMocks();
        const c = new AwsFluxIdentity("dev", argsOf(input));
        await valueOf(c.kustomizationYaml);
        await settle();
        const planned = describeAwsResources(planAws(input)).map((r) => ({ type: r.type, name: r.name, inputs: r.properties })).sort(byName);
        assert.deepEqual(registered(mocks, "dev"), planned);
        assert.ok(planned.length >= 15, `${planned.length} resources`);
    });

    it("parents every child to the component and orders dependencies as planned", async () => {
        const mocks = await useMocks();
        const c = new AwsFluxIdentity("prod", argsOf(awsInput(T.Generic)));
        const componentUrn = await valueOf(c.urn);
        await valueOf(c.kustomizationYaml);
        await settle();
        const component = mocks.registrations.find((r) => r.type === "flux-identity:index:AwsFluxIdentity");
        assert.ok(component && !component.custom, "the component itself is registered as a component resource");
        const urnOf = new Map(mocks.custom().map((r) => [r.name, r.urn]));
        for (const r of mocks.custom()) {
            assert.equal(r.parent, componentUrn, `${r.name} parent`);
        }
        for (const p of describeAwsResources(planAws(awsInput(T.Generic)))) {
            const reg = mocks.custom().find((r) => r.name === `prod-${p.name}`);
            assert.ok(reg, p.name);
            const want = p.dependsOn.map((d) => urnOf.get(`prod-${d}`)).sort();
            assert.deepEqual([...reg.dependencies].sort(), want, `${p.name} dependencies`);
        }
    });

    it("outputs role ARNs, the patch set and the same kustomization.yaml render writes", async () => {
        const input = tenantInput(T.Eks);
        input.aws.controllers = awsInput(T.Eks).aws.controllers;
        await useMocks();
        const c = new AwsFluxIdentity("eks", argsOf(input));
        const plan = planAws(input);
        const patchSet = awsFluxPatchSet(plan);
        assert.equal(await valueOf(c.kustomizationYaml), renderKustomization(patchSet));
        assert.equal(await valueOf(c.tenantServiceAccountsYaml), renderTenantServiceAccounts(patchSet.tenantServiceAccounts));
        assert.deepEqual(await valueOf(c.patchSet), patchSet);
        const roleArns = await valueOf(c.roleArns);
        assert.deepEqual(Object.keys(roleArns), ["helm-controller", "image-automation-controller", "image-reflector-controller", "kustomize-controller", "source-controller"]);
        assert.equal(roleArns["source-controller"], plan.roles.find((r) => r.key === "source-controller")?.arn);
        assert.deepEqual(Object.keys(await valueOf(c.tenantRoleArns)), ["team-a/flux-aws", "team-b/sops"]);
        assert.equal(await valueOf(c.oidcProviderArn), `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUERS.eks.slice(8)}`);
        assert.deepEqual(await valueOf(c.objectSettings), plan.objectSettings);
        assert.deepEqual(await valueOf(c.warnings), plan.warnings);
    });

    it("refuses bad input before registering anything, the component included", async () => {
        const mocks = await useMocks();
        assert.throws(
            () => new AwsFluxIdentity("bad", argsOf(awsInput(T.Gke, { authMethod: AwsAuthMethod.PodIdentity }))),
            (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.some((i) => i.path === "authMethod"),
        );
        await settle();
        assert.equal(mocks.registrations.filter((r) => r.name.startsWith("bad")).length, 0);
    });

    it("creates only component resources for brought roles", async () => {
        const mocks = await useMocks();
        const c = new AwsFluxIdentity("byo", {
            cluster: { name: "kind", type: T.Generic, issuerUrl: ISSUERS.generic },
            accountId: ACCOUNT,
            region: "us-east-1",
            existingRoleArns: { "source-controller": `arn:aws:iam::${ACCOUNT}:role/src` },
        });
        const yaml = await valueOf(c.kustomizationYaml);
        await settle();
        assert.deepEqual(mocks.custom(), []);
        assert.match(yaml, /value: arn:aws:iam::123456789012:role\/src/);
    });

    it("takes the issuer and OIDC provider as outputs of other resources and plans once they resolve", async () => {
        const mocks = await useMocks();
        const hostPath = ISSUERS.eks.slice(8);
        const c = new AwsFluxIdentity("later", {
            cluster: { name: "eks-1", type: T.Eks, issuerUrl: pulumi.output(Promise.resolve(ISSUERS.eks)) },
            oidcProviderArn: pulumi.output(`arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`),
            ...awsInput(T.Eks).aws,
        });
        const yaml = await valueOf(c.kustomizationYaml);
        await settle();
        const known = planAws(awsInput(T.Eks, { oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}` }));
        assert.equal(yaml, renderKustomization(awsFluxPatchSet(known)));
        assert.deepEqual(
            registered(mocks, "later"),
            describeAwsResources(known).map((r) => ({ type: r.type, name: r.name, inputs: r.properties })).sort(byName),
        );
    });

    it("reports an invalid issuer that arrives as an output, and registers no child", async () => {
        const mocks = await useMocks();
        let warnings: Promise<unknown> | undefined;
        await failedRegistrations(
            () => {
                const c = new AwsFluxIdentity("late-bad", { ...awsInput(T.Generic).aws, cluster: { name: "x", type: T.Generic, issuerUrl: pulumi.output("http://insecure.example.com") } });
                warnings = (c.warnings as unknown as { promise(): Promise<unknown> }).promise();
            },
            async () => {
                await assert.rejects(warnings as Promise<unknown>, (e: unknown) => e instanceof FluxIdentityValidationError && e.issues[0].path === "cluster.issuerUrl");
                // Registrations whose arguments depend on the failed plan never reach the monitor; give them time to try.
                await new Promise((r) => setTimeout(r, 200));
            },
        );
        assert.deepEqual(mocks.custom().map((r) => r.name), []);
    });

    it("refuses to create anything with credentials of another account", async () => {
        const mocks = await useMocks("999999999999");
        // The failed registrations are what the engine reports; wait for them.
        const errors = await failedRegistrations(() => new AwsFluxIdentity("wrong-account", argsOf(awsInput(T.Generic))), untilRejected);
        assert.deepEqual(mocks.custom().map((r) => r.name), []);
        assert.ok(errors.some((e) => /credentials are for account 999999999999 in partition aws, but the roles are planned in 123456789012/.test(String(e))), String(errors[0]));
    });
});
