/**
 * GcpFluxIdentity under Pulumi's mock runtime: the resources it registers, their arguments, parents and
 * dependencies, and its outputs, compared with what the planner describes for the same input; the
 * project-number guard; and the packaging facts of the GCP entry point.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { renderKustomization, renderTenantServiceAccounts } from "../../provider/src/flux/kustomization";
import { GCP_FLUX_IDENTITY_TYPE, GcpFluxIdentity, GcpFluxIdentityArgs } from "../../provider/src/gcp/component";
import { gcpFluxPatchSet } from "../../provider/src/gcp/patches";
import { GcpPlanInput, planGcp, plannedPrincipals } from "../../provider/src/gcp/plan";
import { GCP_TYPES, describeGcpResources } from "../../provider/src/gcp/resources";
import { GcpAuthMode } from "../../provider/src/gcp/spec";
import { GKE_ISSUER, NAMES, POOL_ID, PROVIDER_ID, gcpInput, gcpTenantInput } from "../helpers/gcp-samples";
import { RecordingMocks, failedRegistrations, settle, untilRejected, useMocks, valueOf } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";
import { ISSUERS } from "../helpers/samples";

const T = SourceClusterType;

function argsOf(input: GcpPlanInput): GcpFluxIdentityArgs {
    return { cluster: input.cluster, fluxNamespace: input.fluxNamespace, ...input.gcp };
}

/** Registered custom resources as {type, name, inputs}. */
function registered(mocks: RecordingMocks, component: string) {
    return mocks
        .custom()
        .map((r) => ({ type: r.type, name: r.name.slice(component.length + 1), inputs: r.inputs }))
        .sort(byName);
}

function planned(input: GcpPlanInput) {
    return describeGcpResources(planGcp(input))
        .map((r) => ({ type: r.type, name: r.name, inputs: r.properties }))
        .sort(byName);
}

/** Registration order follows dependency resolution, so compare as sets. */
function byName(a: { type: string; name: string }, b: { type: string; name: string }): number {
    const x = `${a.type}/${a.name}`;
    const y = `${b.type}/${b.name}`;
    return x < y ? -1 : x > y ? 1 : 0;
}

describe("GcpFluxIdentity under Pulumi mocks", () => {
    it("uses the Pulumi type tokens of the installed @pulumi/gcp", () => {
        const classes = [
            gcp.iam.WorkloadIdentityPool,
            gcp.iam.WorkloadIdentityPoolProvider,
            gcp.projects.IAMCustomRole,
            gcp.serviceaccount.Account,
            gcp.serviceaccount.IAMMember,
            gcp.projects.IAMMember,
            gcp.artifactregistry.RepositoryIamMember,
            gcp.storage.BucketIAMMember,
            gcp.kms.CryptoKeyIAMMember,
            gcp.kms.KeyRingIAMMember,
            gcp.pubsub.TopicIAMMember,
        ] as unknown as Array<{ __pulumiType: string }>;
        assert.deepEqual(Object.values(GCP_TYPES).sort(), classes.map((c) => c.__pulumiType).sort());
    });

    for (const type of [T.Generic, T.Gke]) {
        it(`${type}: registers exactly the resources the planner describes, with the same arguments`, async () => {
            const tenants = gcpTenantInput(type).gcp.tenants;
            const input = gcpInput(type, { authMode: GcpAuthMode.Impersonation, tenants, controllers: { ...gcpInput(type).gcp.controllers, gcs: [{ buckets: [NAMES.bucket], customRole: true }] } });
            const mocks = await useMocks();
            const c = new GcpFluxIdentity("dev", argsOf(input));
            await valueOf(c.kustomizationYaml);
            await settle();
            const want = planned(input);
            assert.deepEqual(registered(mocks, "dev"), want);
            assert.ok(want.length >= 15, `${want.length} resources`);
        });
    }

    it("parents every child to the component and orders dependencies as planned", async () => {
        const input = gcpInput(T.Aks, { authMode: GcpAuthMode.Impersonation, tenants: gcpTenantInput(T.Aks).gcp.tenants });
        const mocks = await useMocks();
        const c = new GcpFluxIdentity("prod", argsOf(input));
        const componentUrn = await valueOf(c.urn);
        await valueOf(c.kustomizationYaml);
        await settle();
        const component = mocks.registrations.find((r) => r.type === GCP_FLUX_IDENTITY_TYPE);
        assert.ok(component && !component.custom, "the component itself is registered as a component resource");
        const urnOf = new Map(mocks.custom().map((r) => [r.name, r.urn]));
        for (const r of mocks.custom()) {
            assert.equal(r.parent, componentUrn, `${r.name} parent`);
        }
        let withDependencies = 0;
        for (const p of describeGcpResources(planGcp(input))) {
            const reg = mocks.custom().find((r) => r.name === `prod-${p.name}`);
            assert.ok(reg, p.name);
            const want = p.dependsOn.map((d) => urnOf.get(`prod-${d}`)).sort();
            if (want.length > 0) withDependencies++;
            assert.deepEqual([...reg.dependencies].sort(), want, `${p.name} dependencies`);
        }
        assert.ok(withDependencies > 5, "members wait for the GSAs and the provider they name");
    });

    it("outputs emails, principals, the provider, the patch set and the same YAML the planner renders", async () => {
        // Controllers impersonate; tenant team-a keeps its own principal.
        const tenants = (gcpTenantInput(T.Generic).gcp.tenants ?? []).map((t) => (t.namespace === "team-a" ? { ...t, authMode: GcpAuthMode.Direct } : t));
        const input = gcpInput(T.Generic, { authMode: GcpAuthMode.Impersonation, tenants });
        await useMocks();
        const c = new GcpFluxIdentity("kind", argsOf(input));
        const plan = planGcp(input);
        const patchSet = gcpFluxPatchSet(plan);
        const principals = plannedPrincipals(plan);
        assert.equal(await valueOf(c.kustomizationYaml), renderKustomization(patchSet));
        assert.equal(await valueOf(c.tenantServiceAccountsYaml), renderTenantServiceAccounts(patchSet.tenantServiceAccounts));
        assert.deepEqual(await valueOf(c.patchSet), patchSet);
        assert.deepEqual(await valueOf(c.serviceAccountEmails), principals.serviceAccountEmails);
        assert.deepEqual(Object.keys(await valueOf(c.serviceAccountEmails)), ["helm-controller", "image-reflector-controller", "kustomize-controller", "notification-controller", "source-controller"]);
        assert.deepEqual(await valueOf(c.tenantServiceAccountEmails), principals.tenantServiceAccountEmails);
        const outPrincipals = await valueOf(c.principals);
        assert.equal(outPrincipals["team-a/flux-gcp"], `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/${POOL_ID}/subject/system:serviceaccount:team-a:flux-gcp`);
        assert.equal(outPrincipals["source-controller"], `serviceAccount:${principals.serviceAccountEmails["source-controller"]}`);
        assert.equal(await valueOf(c.workloadIdentityProvider), `projects/123456789012/locations/global/workloadIdentityPools/${POOL_ID}/providers/${PROVIDER_ID}`);
        assert.equal(await valueOf(c.remoteClusterRbacYaml), plan.remoteClusterRbacYaml);
        assert.deepEqual(await valueOf(c.objectSettings), plan.objectSettings);
        assert.deepEqual(await valueOf(c.warnings), plan.warnings);
    });

    it("outputs an empty provider on GKE, and principals of the GKE cluster's project", async () => {
        await useMocks();
        const c = new GcpFluxIdentity("gke", argsOf(gcpInput(T.Gke)));
        assert.equal(await valueOf(c.workloadIdentityProvider), "");
        assert.equal((await valueOf(c.principals))["source-controller"], "serviceAccount:gke-host-project.svc.id.goog[flux-system/source-controller]");
        assert.deepEqual(await valueOf(c.serviceAccountEmails), {});
    });

    it("refuses bad input before registering anything, the component included", async () => {
        const mocks = await useMocks();
        assert.throws(
            () => new GcpFluxIdentity("bad", argsOf(gcpInput(T.Generic, { workloadIdentityPool: { poolId: "gcp-reserved" } }))),
            (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.some((i) => i.path === "workloadIdentityPool.poolId"),
        );
        await settle();
        assert.equal(mocks.registrations.filter((r) => r.name.startsWith("bad")).length, 0);
    });

    for (const [type, issuer] of [
        [T.Gke, GKE_ISSUER],
        [T.Generic, ISSUERS.generic],
    ] as const) {
        it(`${type}: takes the issuer as an output of another resource and plans once it resolves`, async () => {
            const mocks = await useMocks();
            const input = gcpInput(type, { tenants: gcpTenantInput(type).gcp.tenants });
            const c = new GcpFluxIdentity("later", { ...argsOf(input), cluster: { ...input.cluster, issuerUrl: pulumi.output(Promise.resolve(issuer)) } });
            const yaml = await valueOf(c.kustomizationYaml);
            const principals = await valueOf(c.principals);
            await settle();
            assert.equal(yaml, renderKustomization(gcpFluxPatchSet(planGcp(input))));
            assert.deepEqual(principals, plannedPrincipals(planGcp(input)).principals);
            assert.deepEqual(registered(mocks, "later"), planned(input));
        });
    }

    it("reports an invalid issuer that arrives as an output, and registers no child", async () => {
        const mocks = await useMocks();
        let warnings: Promise<unknown> | undefined;
        await failedRegistrations(
            () => {
                const c = new GcpFluxIdentity("late-bad", { ...argsOf(gcpInput(T.Generic)), cluster: { name: "x", type: T.Generic, issuerUrl: pulumi.output("http://insecure.example.com") } });
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

    it("refuses to create anything when GCP reports another number for the project", async () => {
        // The mocked GCP reports its account as every project's number.
        const mocks = await useMocks("999999999999");
        const errors = await failedRegistrations(
            () => new GcpFluxIdentity("wrong-number", argsOf(gcpInput(T.Generic, { authMode: GcpAuthMode.Impersonation }))),
            untilRejected,
        );
        assert.deepEqual(mocks.custom().map((r) => r.name), []);
        assert.ok(errors.some((e) => /project my-project has number 999999999999, but projectNumber is 123456789012/.test(String(e))), String(errors[0]));
    });
});

describe("GCP packaging", () => {
    it("passes Pulumi's schema inference: GcpFluxIdentity's arguments and outputs, enums included", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
            Analyzer: new (dir: string, name: string, pkg: unknown, names: Set<string>) => {
                analyze(): {
                    components: Record<string, { inputs: Record<string, { optional?: boolean }>; outputs: Record<string, unknown> }>;
                    typeDefinitions: Record<string, { enum?: Array<{ value: string }>; properties?: Record<string, unknown> }>;
                };
            };
        };
        const pkg = { ...JSON.parse(readFileSync(fromRoot("provider", "package.json"), "utf8")), main: "src/gcp/component.ts" };
        const result = new Analyzer(fromRoot("provider"), "flux-identity", pkg, new Set(["GcpFluxIdentity"])).analyze();
        const c = result.components.GcpFluxIdentity;
        assert.deepEqual(Object.keys(c.inputs).sort(), [
            "authMode", "cluster", "controllers", "existingServiceAccountEmails", "fluxNamespace", "projectId", "projectNumber", "serviceAccountLayout", "serviceAccountPrefix", "tenants", "workloadIdentityPool",
        ]);
        assert.equal(c.inputs.projectNumber.optional, undefined, "projectNumber is required");
        assert.deepEqual(Object.keys(c.outputs).sort(), [
            "kustomizationYaml", "objectSettings", "patchSet", "principals", "remoteClusterRbacYaml", "serviceAccountEmails", "tenantServiceAccountEmails", "tenantServiceAccountsYaml", "warnings", "workloadIdentityProvider",
        ]);
        assert.deepEqual(result.typeDefinitions.GcpAuthMode.enum?.map((e) => e.value), ["direct", "impersonation"]);
        assert.deepEqual(result.typeDefinitions.GcpServiceAccountLayout.enum?.map((e) => e.value), ["perController", "shared"]);
        assert.ok(result.typeDefinitions.GcpGarAccess.properties?.repositories);
        assert.ok(result.typeDefinitions.GcpWorkloadIdentityPool.properties?.jwksJson);
    });
});
