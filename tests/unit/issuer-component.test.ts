/**
 * PublicOidcIssuer under Pulumi's mock runtime, per storage backend: the resources it registers with
 * their arguments, parents and dependencies (compared with the planner's list), its outputs, nothing
 * registered on bad input, a JWKS arriving as an output, and the issuer URL resolving only once the
 * documents and their public access exist, so trust built on it waits for them.
 */
import { strict as assert } from "node:assert";
import * as s3 from "@pulumi/aws/s3";
import * as azureStorage from "@pulumi/azure-native/storage";
import * as gcsStorage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { AwsFluxIdentity } from "../../provider/src/aws/component";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { GcpFluxIdentity } from "../../provider/src/gcp/component";
import { GCP_TYPES } from "../../provider/src/gcp/resources";
import { PUBLIC_OIDC_ISSUER_TYPE, PublicOidcIssuer, PublicOidcIssuerArgs } from "../../provider/src/issuer/component";
import { planIssuer } from "../../provider/src/issuer/plan";
import { ISSUER_TYPES, describeIssuerResources } from "../../provider/src/issuer/resources";
import { PublicOidcIssuerSpec } from "../../provider/src/issuer/spec";
import { POOL_ID, PROJECT_ID, PROJECT_NUMBER, PROVIDER_ID } from "../helpers/gcp-samples";
import { JWKS, KIND_ISSUER, RSA_KEY, RSA_KEY_2, azureBlobSpec, gcsSpec, jwksOf, s3Spec } from "../helpers/issuer-samples";
import { RecordingMocks, failedRegistrations, settle, useMocks, valueOf } from "../helpers/mocks";
import { ACCOUNT } from "../helpers/samples";

interface Seen {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** Pulumi's wire marker of a secret value (the GCP SDK marks object content secret). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function unsecret(value: unknown): unknown {
    return typeof value === "object" && value !== null && SECRET_SIG in value ? (value as unknown as { value: unknown }).value : value;
}

/** Registered custom resources under `component`, secrets unwrapped and an Azure blob's asset read back as its planned text. */
async function registered(mocks: RecordingMocks, component: string): Promise<Seen[]> {
    const out: Seen[] = [];
    for (const r of mocks.custom().filter((x) => x.name.startsWith(`${component}-`))) {
        const inputs = Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, unsecret(v)]));
        const source = inputs.source as { text?: Promise<string> } | undefined;
        if (source?.text !== undefined) inputs.source = { text: await source.text };
        out.push({ type: r.type, name: r.name.slice(component.length + 1), inputs });
    }
    return out.sort(byName);
}

function planned(spec: PublicOidcIssuerSpec): Seen[] {
    return describeIssuerResources(planIssuer(spec))
        .map((r) => ({ type: r.type, name: r.name, inputs: r.properties }))
        .sort(byName);
}

function byName(a: { type: string; name: string }, b: { type: string; name: string }): number {
    const x = `${a.type}/${a.name}`;
    const y = `${b.type}/${b.name}`;
    return x < y ? -1 : x > y ? 1 : 0;
}

/** The resources an output carries (what Pulumi makes a consumer depend on). */
async function resourcesOf(output: pulumi.Output<unknown>): Promise<Set<pulumi.Resource>> {
    return (output as unknown as { resources(): Promise<Set<pulumi.Resource>> }).resources();
}

const BACKENDS: Array<[string, PublicOidcIssuerSpec]> = [
    ["S3", s3Spec({}, { previousIssuerUrl: KIND_ISSUER })],
    ["Cloud Storage", gcsSpec()],
    ["Azure Blob", azureBlobSpec({}, { pathPrefix: "clusters/dev" })],
];

describe("PublicOidcIssuer under Pulumi mocks", () => {
    it("uses the Pulumi type tokens of the installed SDKs", () => {
        const classes = [
            s3.Bucket,
            s3.BucketOwnershipControls,
            s3.BucketPublicAccessBlock,
            s3.BucketPolicy,
            s3.BucketObjectv2,
            gcsStorage.Bucket,
            gcsStorage.BucketIAMMember,
            gcsStorage.BucketObject,
            azureStorage.StorageAccount,
            azureStorage.BlobContainer,
            azureStorage.Blob,
        ] as unknown as Array<{ __pulumiType: string }>;
        assert.deepEqual(Object.values(ISSUER_TYPES).sort(), classes.map((c) => c.__pulumiType).sort());
    });

    for (const [backend, spec] of BACKENDS) {
        it(`${backend}: registers exactly the planned resources with the same arguments, parented to the component, dependencies as planned`, async () => {
            const mocks = await useMocks();
            const c = new PublicOidcIssuer("dev", spec as PublicOidcIssuerArgs);
            const componentUrn = await valueOf(c.urn);
            await valueOf(c.issuerUrl);
            await settle();
            const want = planned(spec);
            assert.deepEqual(await registered(mocks, "dev"), want);
            assert.ok(want.length >= 4);
            const component = mocks.registrations.find((r) => r.type === PUBLIC_OIDC_ISSUER_TYPE);
            assert.ok(component && !component.custom, "the component itself is registered as a component resource");
            const urnOf = new Map(mocks.custom().map((r) => [r.name, r.urn]));
            for (const p of describeIssuerResources(planIssuer(spec))) {
                const reg = mocks.custom().find((r) => r.name === `dev-${p.name}`);
                assert.ok(reg, p.name);
                assert.equal(reg.parent, componentUrn, `${p.name} parent`);
                assert.deepEqual([...reg.dependencies].sort(), p.dependsOn.map((d) => urnOf.get(`dev-${d}`)).sort(), `${p.name} dependencies`);
            }
        });

        it(`${backend}: outputs the planned URLs, documents, flags and warnings`, async () => {
            await useMocks();
            const c = new PublicOidcIssuer("out", spec as PublicOidcIssuerArgs);
            const plan = planIssuer(spec);
            assert.equal(await valueOf(c.issuerUrl), plan.issuerUrl);
            assert.equal(await valueOf(c.jwksUri), plan.jwksUri);
            assert.equal(await valueOf(c.discoveryUrl), plan.discoveryUrl);
            assert.equal(await valueOf(c.discoveryDocument), plan.discoveryDocument);
            assert.deepEqual(await valueOf(c.apiServerFlags), plan.apiServerFlags);
            assert.deepEqual(await valueOf(c.warnings), plan.warnings);
        });

        it(`${backend}: the issuer URL carries every child, so it resolves only after the documents and their public access exist`, async () => {
            const mocks = await useMocks();
            const c = new PublicOidcIssuer("wait", spec as PublicOidcIssuerArgs);
            let seenWhenResolved: string[] = [];
            const url = await new Promise<string>((resolve) =>
                c.issuerUrl.apply((u) => {
                    seenWhenResolved = mocks.custom().map((r) => r.name);
                    resolve(u);
                }),
            );
            assert.equal(url, planIssuer(spec).issuerUrl);
            const names = describeIssuerResources(planIssuer(spec)).map((r) => `wait-${r.name}`);
            assert.deepEqual([...seenWhenResolved].sort(), [...names].sort());
            const carried = await resourcesOf(c.issuerUrl);
            const carriedUrns = await Promise.all([...carried].map((r) => valueOf(r.urn)));
            await settle();
            for (const n of names) {
                const urn = mocks.custom().find((r) => r.name === n)?.urn;
                assert.ok(urn && carriedUrns.includes(urn), `issuerUrl depends on ${n}`);
            }
        });
    }

    it("an AWS OIDC provider built on the issuer URL depends on both documents and the bucket policy", async () => {
        const mocks = await useMocks();
        const issuer = new PublicOidcIssuer("kind-issuer", s3Spec() as PublicOidcIssuerArgs);
        const aws = new AwsFluxIdentity("kind", {
            cluster: { name: "kind-dev", type: SourceClusterType.Generic, issuerUrl: issuer.issuerUrl },
            accountId: ACCOUNT,
            region: "us-east-1",
            controllers: { ecr: [{ repositoryArns: [`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/apps`] }] },
        });
        await valueOf(aws.kustomizationYaml);
        await settle();
        const urn = (name: string) => mocks.custom().find((r) => r.name === name)?.urn;
        const provider = mocks.custom().find((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        assert.ok(provider, "the OIDC provider is registered");
        assert.equal(provider.inputs.url, "https://s3.amazonaws.com/flux-oidc-dev");
        for (const child of ["kind-issuer-discovery-document", "kind-issuer-jwks-document", "kind-issuer-bucket-policy"]) {
            assert.ok(provider.dependencies.includes(urn(child) as string), `the OIDC provider waits for ${child}`);
        }
    });

    it("refuses bad input before registering anything, the component included, listing every problem", async () => {
        const mocks = await useMocks();
        const bad = { ...s3Spec({ bucketName: "Bad_Bucket" }), jwksJson: jwksOf({ ...RSA_KEY, d: "secret" }) } as PublicOidcIssuerArgs;
        assert.throws(
            () => new PublicOidcIssuer("bad", bad),
            (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.map((i) => i.path).join(",") === "s3.bucketName,jwksJson.keys[0].d",
        );
        await settle();
        assert.equal(mocks.registrations.filter((r) => r.name.startsWith("bad")).length, 0);
    });

    it("takes the JWKS as an output and publishes it once it resolves", async () => {
        const mocks = await useMocks();
        const jwks = jwksOf(RSA_KEY, RSA_KEY_2);
        const spec = gcsSpec({}, { jwksJson: jwks });
        const c = new PublicOidcIssuer("later", { ...spec, jwksJson: pulumi.output(Promise.resolve(jwks)) });
        assert.equal(await valueOf(c.discoveryDocument), planIssuer(spec).discoveryDocument);
        await settle();
        assert.deepEqual(await registered(mocks, "later"), planned(spec));
    });

    it("reports a JWKS output holding a private key, and registers no child", async () => {
        const mocks = await useMocks();
        let outcome: Promise<unknown> | undefined;
        await failedRegistrations(
            () => {
                const c = new PublicOidcIssuer("late-bad", { ...s3Spec(), jwksJson: pulumi.output(jwksOf({ ...RSA_KEY, p: "x" })) });
                outcome = (c.issuerUrl as unknown as { promise(): Promise<unknown> }).promise();
            },
            async () => {
                await assert.rejects(outcome as Promise<unknown>, (e: unknown) => e instanceof FluxIdentityValidationError && e.issues[0].path === "jwksJson.keys[0].p");
                // Registrations whose arguments depend on the failed plan never reach the monitor; give them time to try.
                await new Promise((r) => setTimeout(r, 200));
            },
        );
        assert.deepEqual(mocks.custom().map((r) => r.name), []);
    });
});

describe("GcpFluxIdentity: the JWKS-upload alternative for clusters without a public issuer", () => {
    const args = (jwksJson: string) => ({
        cluster: { name: "kind-dev", type: SourceClusterType.Generic, issuerUrl: KIND_ISSUER },
        projectId: PROJECT_ID,
        projectNumber: PROJECT_NUMBER,
        workloadIdentityPool: { poolId: POOL_ID, providerId: PROVIDER_ID, jwksJson },
        controllers: { gcs: [{ buckets: ["flux-bucket"] }] },
    });

    it("passes the JWKS to the pool's OIDC provider for the cluster's own (private) issuer", async () => {
        const mocks = await useMocks();
        const c = new GcpFluxIdentity("kind", args(JWKS));
        await valueOf(c.workloadIdentityProvider);
        await settle();
        const provider = mocks.custom().find((r) => r.type === GCP_TYPES.workloadIdentityPoolProvider);
        assert.deepEqual(provider?.inputs.oidc, { issuerUri: KIND_ISSUER, jwksJson: JWKS });
        assert.ok((await valueOf(c.warnings)).some((w) => /update jwksJson whenever/.test(w)));
    });

    it("refuses a JWKS with a private key before registering anything", async () => {
        const mocks = await useMocks();
        assert.throws(
            () => new GcpFluxIdentity("kind-bad", args(jwksOf({ ...RSA_KEY, dq: "x" }))),
            (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.some((i) => i.path === "workloadIdentityPool.jwksJson.keys[0].dq" && /never publish private keys/.test(i.fix)),
        );
        await settle();
        assert.equal(mocks.registrations.filter((r) => r.name.startsWith("kind-bad")).length, 0);
    });
});
