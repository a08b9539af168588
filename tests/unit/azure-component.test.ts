/**
 * AzureFluxIdentity under Pulumi's mock runtime: the resources it registers, their arguments, parents and
 * dependencies (credentials strictly one after another), and its outputs with the client IDs Azure
 * assigned, compared with what `render` plans for the same input.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { AzureFluxIdentity, AzureFluxIdentityArgs } from "../../provider/src/azure/component";
import { AzurePlanInput, planAzure } from "../../provider/src/azure/plan";
import { describeAzureResources } from "../../provider/src/azure/resources";
import { azureFluxIdentityResult } from "../../provider/src/azure/result";
import { AzureIdentityLayout } from "../../provider/src/azure/spec";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { isOutputRef } from "../../provider/src/core/resources";
import { SCOPES, azureInput, azureTenantInput } from "../helpers/azure-samples";
import { RecordingMocks, failedRegistrations, settle, untilRejected, useMocks, valueOf } from "../helpers/mocks";
import { ISSUERS } from "../helpers/samples";

const T = SourceClusterType;

function argsOf(input: AzurePlanInput): AzureFluxIdentityArgs {
    return { cluster: input.cluster, fluxNamespace: input.fluxNamespace, ...input.azure };
}

function byName(a: { type: string; name: string }, b: { type: string; name: string }): number {
    const x = `${a.type}/${a.name}`;
    const y = `${b.type}/${b.name}`;
    return x < y ? -1 : x > y ? 1 : 0;
}

function registered(mocks: RecordingMocks, component: string) {
    return mocks
        .custom()
        .map((r) => ({ type: r.type, name: r.name.slice(component.length + 1), inputs: r.inputs }))
        .sort(byName);
}

/** The planned list with output references replaced by what the mocked Azure returns for them. */
function expected(input: AzurePlanInput) {
    const plan = planAzure(input);
    const nameOf = new Map(plan.identities.map((i) => [i.logicalName, i.name]));
    return describeAzureResources(plan)
        .map((r) => {
            const inputs: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(r.properties)) {
                inputs[k] = isOutputRef(v) ? RecordingMocks.azureIds(nameOf.get(v.$ref) as string)[v.output as "principalId"] : v;
            }
            return { type: r.type, name: r.name, inputs };
        })
        .sort(byName);
}

/** What the mocked Azure assigned, by identity key. */
function assignedIds(input: AzurePlanInput) {
    const out: Record<string, { clientId: string; principalId: string }> = {};
    for (const i of planAzure(input).identities) out[i.key] = RecordingMocks.azureIds(i.name);
    return out;
}

describe("AzureFluxIdentity under Pulumi mocks", () => {
    it("registers exactly the resources render plans, with principal IDs from the identities", async () => {
        const input = { ...azureTenantInput(T.Generic), azure: { ...azureTenantInput(T.Generic).azure, controllers: azureInput(T.Generic).azure.controllers } };
        const mocks = await useMocks();
        const c = new AzureFluxIdentity("dev", argsOf(input));
        await valueOf(c.kustomizationYaml);
        await settle();
        const want = expected(input);
        assert.deepEqual(registered(mocks, "dev"), want);
        assert.ok(want.length >= 20, `${want.length} resources`);
    });

    it("parents every child to the component and creates one identity's credentials one after another", async () => {
        const input = azureInput(T.Generic, { identityLayout: AzureIdentityLayout.Shared });
        const mocks = await useMocks();
        const c = new AzureFluxIdentity("prod", argsOf(input));
        const componentUrn = await valueOf(c.urn);
        await valueOf(c.kustomizationYaml);
        await settle();
        const urnOf = new Map(mocks.custom().map((r) => [r.name, r.urn]));
        for (const r of mocks.custom()) assert.equal(r.parent, componentUrn, `${r.name} parent`);
        const planned = describeAzureResources(planAzure(input));
        for (const p of planned) {
            const reg = mocks.custom().find((r) => r.name === `prod-${p.name}`);
            assert.ok(reg, p.name);
            const want = p.dependsOn.map((d) => urnOf.get(`prod-${d}`)).sort();
            assert.deepEqual([...reg.dependencies].sort(), want, `${p.name} dependencies`);
        }
        const creds = planned.filter((p) => p.type === "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(creds.length, 6);
        for (let i = 1; i < creds.length; i++) {
            const reg = mocks.custom().find((r) => r.name === `prod-${creds[i].name}`);
            assert.ok(reg?.dependencies.includes(urnOf.get(`prod-${creds[i - 1].name}`) as string), `${creds[i].name} waits for ${creds[i - 1].name}`);
        }
    });

    it("outputs the client IDs Azure assigned, in the kustomization.yaml and tenant ServiceAccounts", async () => {
        const input = azureTenantInput(T.Aks);
        input.azure.controllers = { acr: [{ scopes: [SCOPES.registry] }], azureDevOps: [{ organization: "org", project: "p" }] };
        await useMocks();
        const c = new AzureFluxIdentity("aks", argsOf(input));
        const ids = assignedIds(input);
        const result = azureFluxIdentityResult(planAzure(input), ids);
        assert.equal(await valueOf(c.kustomizationYaml), result.kustomizationYaml);
        assert.equal(await valueOf(c.tenantServiceAccountsYaml), result.tenantServiceAccountsYaml);
        assert.deepEqual(await valueOf(c.clientIds), { "source-controller": ids["source-controller"].clientId });
        assert.deepEqual(await valueOf(c.principalIds), { "source-controller": ids["source-controller"].principalId });
        assert.deepEqual(Object.keys(await valueOf(c.tenantClientIds)), ["team-a/flux-azure", "team-b/sops"]);
        assert.ok(!(await valueOf(c.kustomizationYaml)).includes("<client ID"), "no placeholders once identities exist");
        const onboarding = await valueOf(c.azureDevOpsOnboarding);
        assert.equal(onboarding.length, 1);
        assert.equal(onboarding[0].principalId, ids["source-controller"].principalId);
        assert.ok((await valueOf(c.warnings)).some((w) => /currently unstable/.test(w)));
    });

    it("refuses bad input before registering anything, the component included", async () => {
        const mocks = await useMocks();
        assert.throws(
            () => new AzureFluxIdentity("bad", argsOf(azureInput(T.Generic, { controllers: { acr: [{ scopes: ["not-a-scope"] }] } }))),
            (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.some((i) => i.path === "controllers.acr[0].scopes[0]"),
        );
        await settle();
        assert.equal(mocks.registrations.filter((r) => r.name.startsWith("bad")).length, 0);
    });

    it("creates only the component for brought identities", async () => {
        const mocks = await useMocks();
        const c = new AzureFluxIdentity("byo", { ...azureInput(T.Generic).azure, controllers: undefined, cluster: { name: "kind", type: T.Generic, issuerUrl: ISSUERS.generic }, existingIdentities: { "source-controller": { clientId: "12345678-1234-4234-8234-123456789abc" } } });
        const yaml = await valueOf(c.kustomizationYaml);
        await settle();
        assert.deepEqual(mocks.custom(), []);
        assert.match(yaml, /value: 12345678-1234-4234-8234-123456789abc/);
    });

    it("takes the issuer as an output of another resource and plans once it resolves", async () => {
        const mocks = await useMocks();
        const input = azureInput(T.Aks);
        const c = new AzureFluxIdentity("later", { ...argsOf(input), cluster: { ...input.cluster, issuerUrl: pulumi.output(Promise.resolve(ISSUERS.aks)) } });
        const yaml = await valueOf(c.kustomizationYaml);
        await settle();
        assert.equal(yaml, azureFluxIdentityResult(planAzure(input), assignedIds(input)).kustomizationYaml);
        assert.deepEqual(registered(mocks, "later"), expected(input));
    });

    it("refuses to create anything with credentials of another subscription", async () => {
        const mocks = await useMocks();
        mocks.azureSubscription = "99999999-0000-4000-8000-000000000009";
        const errors = await failedRegistrations(() => new AzureFluxIdentity("wrong-sub", argsOf(azureInput(T.Generic))), untilRejected);
        assert.deepEqual(mocks.custom().map((r) => r.name), []);
        assert.ok(errors.some((e) => /credentials are for subscription 99999999-0000-4000-8000-000000000009/.test(String(e))), String(errors[0]));
    });
});
