/**
 * The published issuer's plan: every bad input named by its field path with a fix, all at once; the
 * resources each backend creates (S3's bucket policy allowing exactly the two documents, GCS's public
 * read, Azure's blob-only container); the issuer working as a cluster issuer for the other targets; and
 * the GCP alternative (uploading the JWKS to the pool provider) sharing the same JWKS check.
 */
import { strict as assert } from "node:assert";
import { planAws } from "../../provider/src/aws/plan";
import { describeAwsResources } from "../../provider/src/aws/resources";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { normalizeIssuerUrl } from "../../provider/src/core/cluster";
import { Issues } from "../../provider/src/core/errors";
import { planGcp } from "../../provider/src/gcp/plan";
import { GCP_TYPES, describeGcpResources } from "../../provider/src/gcp/resources";
import { planIssuer } from "../../provider/src/issuer/plan";
import { DISCOVERY_OBJECT, JWKS_OBJECT, describeIssuerResources } from "../../provider/src/issuer/resources";
import { IssuerStorage, PublicOidcIssuerSpec, S3IssuerUrlStyle } from "../../provider/src/issuer/spec";
import { POOL_ID, PROVIDER_ID, gcpInput } from "../helpers/gcp-samples";
import { JWKS, RSA_KEY, azureBlobSpec, gcsSpec, jwksOf, s3Spec, s3VirtualHostedSpec } from "../helpers/issuer-samples";
import { validationIssues } from "../helpers/issues";
import { ACCOUNT } from "../helpers/samples";

type Policy = { Version: string; Statement: Array<{ Effect: string; Principal: unknown; Action: unknown; Resource: unknown }> };

function resource(spec: PublicOidcIssuerSpec, name: string) {
    const r = describeIssuerResources(planIssuer(spec)).find((x) => x.name === name);
    assert.ok(r, `${name} is planned`);
    return r;
}

describe("issuer plan: bad input names the field and says how to fix it", () => {
    const cases: Array<[string, PublicOidcIssuerSpec, string[], RegExp]> = [
        ["no storage", { jwksJson: JWKS } as never, ["storage"], /storage is required/],
        ["an unknown storage", { storage: "r2", jwksJson: JWKS } as never, ["storage"], /not one of s3, gcs, azureBlob/],
        ["storage s3 without its settings", { storage: IssuerStorage.S3, jwksJson: JWKS }, ["s3"], /s3 settings are required/],
        ["settings of another storage", { ...s3Spec(), gcs: { bucketName: "flux-oidc-dev" } }, ["gcs"], /storage is "s3"/],
        ["an unknown top-level field", { ...s3Spec(), bucket: "x" } as never, ["bucket"], /unknown field "bucket"/],
        ["an unknown S3 field", s3Spec({ bucket: "x" } as never), ["s3.bucket"], /unknown field "bucket"/],
        ["an S3 bucket name in capitals", s3Spec({ bucketName: "Flux-OIDC" }), ["s3.bucketName"], /not a valid S3 bucket name/],
        ["an S3 bucket name of two characters", s3Spec({ bucketName: "ab" }), ["s3.bucketName"], /not a valid S3 bucket name/],
        ["an S3 bucket name formatted as an IP address", s3Spec({ bucketName: "192.168.5.4" }), ["s3.bucketName"], /IP address/],
        ["an S3 bucket name with a reserved prefix", s3Spec({ bucketName: "xn--flux" }), ["s3.bucketName"], /S3 reserves/],
        ["a dotted S3 bucket name with virtual-hosted URLs", s3Spec({ bucketName: "oidc.example.com", urlStyle: S3IssuerUrlStyle.VirtualHosted }), ["s3.bucketName"], /TLS certificate/],
        ["an S3 region that is not one", s3Spec({ region: "Frankfurt" }), ["s3.region"], /not an AWS region name/],
        ["the global path-style endpoint outside partition aws", s3Spec({ region: "cn-north-1" }), ["s3.urlStyle"], /partition aws only/],
        ["an unknown URL style", s3Spec({ urlStyle: "website" as never }), ["s3.urlStyle"], /not one of path, virtualHosted/],
        ["createBucket as a string", s3Spec({ createBucket: "no" as never }), ["s3.createBucket"], /true or false/],
        ["a GCS bucket name containing google", gcsSpec({ bucketName: "my-google-oidc" }), ["gcs.bucketName"], /contain "google"/],
        ["a GCS bucket name with a trailing dash", gcsSpec({ bucketName: "flux-oidc-" }), ["gcs.bucketName"], /not a valid Cloud Storage bucket name/],
        ["a GCS project number instead of ID", gcsSpec({ project: "123456789012" }), ["gcs.project"], /not a project ID/],
        ["a GCS location for an existing bucket", gcsSpec({ createBucket: false, location: "EU" }), ["gcs.location"], /createBucket is false/],
        ["a storage account name of 25 characters", azureBlobSpec({ storageAccountName: "a".repeat(25) }), ["azureBlob.storageAccountName"], /3 to 24 lowercase letters and digits/],
        ["a storage account name with a dash", azureBlobSpec({ storageAccountName: "flux-oidc" }), ["azureBlob.storageAccountName"], /3 to 24 lowercase letters and digits/],
        ["a container name with two dashes", azureBlobSpec({ containerName: "oidc--dev" }), ["azureBlob.containerName"], /without '--'/],
        ["a container name of two characters", azureBlobSpec({ containerName: "ab" }), ["azureBlob.containerName"], /3 to 63/],
        ["an endpoint suffix given as a URL", azureBlobSpec({ endpointSuffix: "https://blob.core.windows.net" }), ["azureBlob.endpointSuffix"], /not a blob endpoint suffix/],
        ["a resource group ending with a dot", azureBlobSpec({ resourceGroupName: "rg." }), ["azureBlob.resourceGroupName"], /not a valid resource group name/],
        ["a path prefix with a leading slash", s3Spec({}, { pathPrefix: "/clusters/dev" }), ["pathPrefix"], /not a path prefix/],
        ["a path prefix climbing out", s3Spec({}, { pathPrefix: "clusters/../x" }), ["pathPrefix"], /not a path prefix/],
        ["an issuer longer than AWS IAM accepts", s3Spec({ bucketName: "b".repeat(63) }, { pathPrefix: "p/".repeat(99) + "p" }), ["pathPrefix"], /at most 255/],
        ["a previous issuer with whitespace", s3Spec({}, { previousIssuerUrl: "https://old issuer" }), ["previousIssuerUrl"], /current issuer/],
        ["a private key in the JWKS", s3Spec({}, { jwksJson: jwksOf({ ...RSA_KEY, d: "x" }) }), ["jwksJson.keys[0].d"], /private/],
    ];
    for (const [what, spec, paths, message] of cases) {
        it(`${what}: ${paths.join(", ")}`, () => {
            const issues = validationIssues(() => planIssuer(spec));
            assert.deepEqual(issues.map((i) => i.path), paths);
            assert.match(issues[0].message, message);
            for (const i of issues) assert.ok(i.fix.length > 10, `${i.path} says how to fix it`);
        });
    }

    it("reports every problem at once, across backend settings, prefix and JWKS", () => {
        const spec = { ...s3Spec({ bucketName: "B", region: "x" }, { pathPrefix: "/x", jwksJson: "{}" }), azureBlob: {} } as never;
        const issues = validationIssues(() => planIssuer(spec));
        assert.deepEqual(issues.map((i) => i.path).sort(), ["azureBlob", "jwksJson", "pathPrefix", "s3.bucketName", "s3.region"]);
    });
});

describe("issuer plan: S3", () => {
    it("creates the bucket with ACLs disabled, a public access block allowing only a policy, the policy, and two JSON objects", () => {
        const list = describeIssuerResources(planIssuer(s3Spec()));
        assert.deepEqual(
            list.map((r) => `${r.type} ${r.name} <- ${r.dependsOn.join(",")}`),
            [
                "aws:s3/bucket:Bucket bucket <- ",
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls ownership-controls <- bucket",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock public-access-block <- bucket",
                "aws:s3/bucketPolicy:BucketPolicy bucket-policy <- public-access-block",
                "aws:s3/bucketObjectv2:BucketObjectv2 discovery-document <- bucket",
                "aws:s3/bucketObjectv2:BucketObjectv2 jwks-document <- bucket",
            ],
        );
        assert.deepEqual(resource(s3Spec(), "public-access-block").properties, {
            bucket: "flux-oidc-dev",
            region: "us-east-1",
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: false,
            restrictPublicBuckets: false,
        });
        assert.deepEqual(resource(s3Spec(), "ownership-controls").properties.rule, { objectOwnership: "BucketOwnerEnforced" });
        for (const r of list) assert.equal(r.properties.region, "us-east-1", `${r.name} names the bucket's region`);
    });

    it("the bucket policy allows s3:GetObject for anyone on exactly the two object ARNs, never the bucket or a wildcard", () => {
        const policy = JSON.parse(resource(s3Spec(), "bucket-policy").properties.policy as string) as Policy;
        assert.deepEqual(policy, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "PublicReadOidcIssuerDocuments",
                    Effect: "Allow",
                    Principal: "*",
                    Action: "s3:GetObject",
                    Resource: ["arn:aws:s3:::flux-oidc-dev/.well-known/openid-configuration", "arn:aws:s3:::flux-oidc-dev/openid/v1/jwks"],
                },
            ],
        });
    });

    it("the bucket policy follows the prefix and the partition, and is byte-identical across runs", () => {
        const spec = s3Spec({ region: "cn-northwest-1", urlStyle: S3IssuerUrlStyle.VirtualHosted }, { pathPrefix: "clusters/dev" });
        const text = resource(spec, "bucket-policy").properties.policy as string;
        assert.equal(text, resource(spec, "bucket-policy").properties.policy);
        assert.equal(
            text,
            '{"Version":"2012-10-17","Statement":[{"Sid":"PublicReadOidcIssuerDocuments","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws-cn:s3:::flux-oidc-dev/clusters/dev/.well-known/openid-configuration","arn:aws-cn:s3:::flux-oidc-dev/clusters/dev/openid/v1/jwks"]}]}',
        );
    });

    it("publishes the two documents as application/json under the docs' object keys", () => {
        const plan = planIssuer(s3Spec());
        const discovery = resource(s3Spec(), DISCOVERY_OBJECT).properties;
        const jwks = resource(s3Spec(), JWKS_OBJECT).properties;
        assert.deepEqual([discovery.key, discovery.contentType, discovery.content], [".well-known/openid-configuration", "application/json", plan.discoveryDocument]);
        assert.deepEqual([jwks.key, jwks.contentType, jwks.content], ["openid/v1/jwks", "application/json", plan.jwksDocument]);
    });

    it("an existing bucket gets the access block, the policy and the objects only, with a warning that its policy is replaced", () => {
        const spec = s3Spec({ createBucket: false });
        const list = describeIssuerResources(planIssuer(spec));
        assert.deepEqual(list.map((r) => r.name), ["public-access-block", "bucket-policy", "discovery-document", "jwks-document"]);
        assert.deepEqual(list.find((r) => r.name === JWKS_OBJECT)?.dependsOn, []);
        assert.ok(planIssuer(spec).warnings.some((w) => /policy is REPLACED/.test(w)));
    });

    it("warns about the global path-style endpoint only for buckets outside us-east-1", () => {
        const redirect = (spec: PublicOidcIssuerSpec) => planIssuer(spec).warnings.some((w) => /redirect/.test(w));
        assert.equal(redirect(s3Spec({ region: "eu-central-1" })), true);
        assert.equal(redirect(s3Spec({ region: "us-east-1" })), false);
        assert.equal(redirect(s3VirtualHostedSpec("eu-central-1")), false);
    });
});

describe("issuer plan: Cloud Storage", () => {
    it("creates a uniform-access bucket, grants allUsers objectViewer on it, and publishes two JSON objects", () => {
        const list = describeIssuerResources(planIssuer(gcsSpec()));
        assert.deepEqual(list.map((r) => `${r.type} ${r.name} <- ${r.dependsOn.join(",")}`), [
            "gcp:storage/bucket:Bucket bucket <- ",
            "gcp:storage/bucketIAMMember:BucketIAMMember public-read <- bucket",
            "gcp:storage/bucketObject:BucketObject discovery-document <- bucket",
            "gcp:storage/bucketObject:BucketObject jwks-document <- bucket",
        ]);
        assert.deepEqual(list[0].properties, { name: "flux-oidc-dev", project: "my-project", location: "US", uniformBucketLevelAccess: true, publicAccessPrevention: "inherited" });
        assert.deepEqual(list[1].properties, { bucket: "flux-oidc-dev", role: "roles/storage.objectViewer", member: "allUsers" });
        assert.deepEqual([list[3].properties.name, list[3].properties.contentType], ["openid/v1/jwks", "application/json"]);
    });

    it("warns that the whole bucket becomes public; an existing bucket gets only the grant and the objects", () => {
        const plan = planIssuer(gcsSpec({ createBucket: false }));
        assert.ok(plan.warnings.some((w) => /EVERY object in it is public/.test(w) && /Keep nothing else in this bucket/.test(w)));
        assert.deepEqual(describeIssuerResources(plan).map((r) => r.name), ["public-read", "discovery-document", "jwks-document"]);
    });
});

describe("issuer plan: Azure Blob Storage", () => {
    it("creates an account allowing public blob access, a container readable blob by blob (never listable), and two JSON block blobs", () => {
        const plan = planIssuer(azureBlobSpec());
        const list = describeIssuerResources(plan);
        assert.deepEqual(list.map((r) => `${r.type} ${r.name} <- ${r.dependsOn.join(",")}`), [
            "azure-native:storage:StorageAccount storage-account <- ",
            "azure-native:storage:BlobContainer container <- storage-account",
            "azure-native:storage:Blob discovery-document <- container",
            "azure-native:storage:Blob jwks-document <- container",
        ]);
        assert.equal(list[0].properties.allowBlobPublicAccess, true);
        assert.equal(list[0].properties.location, "westeurope");
        assert.equal(list[1].properties.publicAccess, "Blob");
        assert.deepEqual(list[2].properties, {
            resourceGroupName: "rg-flux",
            accountName: "fluxoidcdev",
            containerName: "oidc",
            blobName: ".well-known/openid-configuration",
            type: "Block",
            contentType: "application/json",
            source: { text: plan.discoveryDocument },
        });
        assert.deepEqual(list[3].properties.source, { text: plan.jwksDocument });
    });

    it("an existing account is not touched: only the container and blobs, with a warning to allow public blob access", () => {
        const plan = planIssuer(azureBlobSpec({ createAccount: false, location: undefined }));
        assert.deepEqual(describeIssuerResources(plan).map((r) => `${r.name} <- ${r.dependsOn.join(",")}`), ["container <- ", "discovery-document <- container", "jwks-document <- container"]);
        assert.ok(plan.warnings.some((w) => /allowBlobPublicAccess: true/.test(w)));
    });
});

describe("issuer plan: the published issuer is a cluster issuer", () => {
    const specs: Array<[string, PublicOidcIssuerSpec]> = [
        ["S3 path-style", s3Spec()],
        ["S3 virtual-hosted", s3VirtualHostedSpec()],
        ["GCS with a prefix", gcsSpec({}, { pathPrefix: "clusters/kind-dev" })],
        ["Azure Blob", azureBlobSpec()],
    ];
    for (const [what, spec] of specs) {
        it(`${what}: normalized as is, and trusted as is by an AWS OIDC provider`, () => {
            const issuer = planIssuer(spec).issuerUrl;
            assert.equal(normalizeIssuerUrl(issuer, Issues.root(), "issuerUrl"), issuer);
            const aws = planAws({ cluster: { name: "kind-dev", type: SourceClusterType.Generic, issuerUrl: issuer }, aws: { accountId: ACCOUNT, region: "us-east-1", controllers: { ecr: [{ repositoryArns: [`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/apps`] }] } } });
            const provider = describeAwsResources(aws).find((r) => r.name === "oidc-provider");
            assert.equal(provider?.properties.url, issuer);
        });
    }
});

describe("issuer plan: the GCP alternative uploads the JWKS to the pool provider", () => {
    it("a non-GKE cluster's provider carries the JWKS as given, so no public documents are needed", () => {
        const plan = planGcp(gcpInput(SourceClusterType.Generic, { workloadIdentityPool: { poolId: POOL_ID, providerId: PROVIDER_ID, jwksJson: JWKS } }));
        const provider = describeGcpResources(plan).find((r) => r.type === GCP_TYPES.workloadIdentityPoolProvider);
        assert.deepEqual((provider?.properties.oidc as Record<string, string>).jwksJson, JWKS);
    });

    it("refuses a private key there too, with the same field path and fix", () => {
        const input = gcpInput(SourceClusterType.Generic, { workloadIdentityPool: { poolId: POOL_ID, providerId: PROVIDER_ID, jwksJson: jwksOf({ ...RSA_KEY, qi: "x" }) } });
        const issues = validationIssues(() => planGcp(input));
        assert.deepEqual(issues.map((i) => i.path), ["workloadIdentityPool.jwksJson.keys[0].qi"]);
        assert.match(issues[0].fix, /never publish private keys/);
    });
});
