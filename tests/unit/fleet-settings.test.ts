/**
 * The fleet's provisioning settings (name, backend, stacks, labels) and references (`${env:NAME}`,
 * `${config:key}`): the schema, resolution, stack names, backend URLs, and loading a fleet for a run.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { dump } from "js-yaml";
import { FluxIdentityValidationError, ValidationIssue } from "../../provider/src/core/errors";
import { EXIT_FAILED, EXIT_INVALID_SPEC, EXIT_OK, runCli } from "../../sdk/src/cli/main";
import { renderFleet } from "../../sdk/src/render/render";
import {
    DEFAULT_STACK_PROJECT,
    FleetClusterSpec,
    FleetSpec,
    LABEL_KEY,
    LABEL_VALUE,
    REFERENCE_FIELDS,
    REFERENCE_PATTERN,
    checkFleetSettings,
    findFleetReferences,
    fleetSettingsIssues,
    loadFleet,
    loadFleetForRun,
    parseConfigPair,
    parseFleet,
    resolveBackendUrl,
    resolveFleetReferences,
    schemaIssues,
    secretsProviderFor,
    stackNameFor,
} from "../../sdk/src/spec";
import fleetSchema from "../../sdk/schema/fleet.schema.json";
import { fromRoot } from "../helpers/paths";

const EXAMPLE = fromRoot("examples", "fleet.yaml");
const PROVISIONING = fromRoot("examples", "fleet-provisioning.yaml");
const PROVISIONING_ENV = { PROD_AWS_ACCOUNT_ID: "111122223333", GCP_PROJECT_ID: "fleet-prod" };
const PROVISIONING_CONFIG = { azureTenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", azureSubscriptionId: "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090", gcpProjectNumber: "123456789012" };

function issuesOf(fn: () => unknown): ValidationIssue[] {
    try {
        fn();
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) return [...err.issues];
        throw err;
    }
    assert.fail("expected a validation error");
}

function awsCluster(name: string, extra: Partial<FleetClusterSpec> = {}): FleetClusterSpec {
    return {
        name,
        type: "generic",
        issuerUrl: `https://${name}-issuer.example.com`,
        aws: { accountId: "123456789012", region: "us-east-1", controllers: { s3: [{ bucketArns: [`arn:aws:s3:::${name}-bucket`] }] } },
        ...extra,
    } as FleetClusterSpec;
}

function fleetOf(clusters: FleetClusterSpec[], settings: Partial<FleetSpec> = {}): FleetSpec {
    return { apiVersion: "flux-identity/v1alpha1", kind: "Fleet", ...settings, clusters };
}

/** A fleet using every reference field: AWS, Azure (target, brought controller and tenant identities) and GCP. */
function referenceFleet(): FleetSpec {
    const example = loadFleet(EXAMPLE);
    const aks = example.clusters.find((c) => c.name === "prod-aks") as FleetClusterSpec;
    const gke = example.clusters.find((c) => c.name === "prod-gke") as FleetClusterSpec;
    const edge = example.clusters.find((c) => c.name === "edge-kind") as FleetClusterSpec;
    return fleetOf([
        awsCluster("one", { aws: { ...awsCluster("one").aws!, accountId: "${env:AWS_ACCOUNT_ID}" } }),
        { ...aks, azure: { ...aks.azure!, tenantId: "${config:azure:tenantId}", subscriptionId: "${env:AZURE_SUBSCRIPTION_ID}" } },
        {
            ...edge,
            azure: {
                ...edge.azure!,
                existingIdentities: { "source-controller": { clientId: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", tenantId: "${config:azure:tenantId}" } },
                tenants: [{ namespace: "team-a", serviceAccount: "flux", existingIdentity: { clientId: "6a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", tenantId: "${env:TEAM_A_TENANT_ID}" }, usedBy: ["OCIRepository"] }],
            },
        } as FleetClusterSpec,
        { ...gke, gcp: { ...gke.gcp!, projectId: "${env:GCP_PROJECT_ID}", projectNumber: "${config:gcp.projectNumber}" } },
    ]);
}
const REFERENCE_ENV = { AWS_ACCOUNT_ID: "111122223333", AZURE_SUBSCRIPTION_ID: "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090", TEAM_A_TENANT_ID: "0a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", GCP_PROJECT_ID: "fleet-prod" };
const REFERENCE_CONFIG = { "azure:tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "gcp.projectNumber": "123456789012" };

describe("fleet settings: schema", () => {
    const settings: Partial<FleetSpec> = {
        name: "platform",
        backend: { url: "s3://fleet-state/flux", secretsProvider: "awskms://alias/fleet?region=eu-west-1" },
        stacks: { project: "fleet", name: "{fleet}-{cluster}", organization: "organization" },
    };
    const labelled = awsCluster("one", { labels: { env: "prod", "app.kubernetes.io/part-of": "fleet", empty: "" } });

    it("accepts name, backend, stacks and labels", () => {
        assert.deepEqual(schemaIssues(fleetOf([labelled], settings)), []);
        const fleet = parseFleet(dump(fleetOf([labelled], settings)));
        assert.equal(fleet.stacks?.name, "{fleet}-{cluster}");
        assert.deepEqual(fleet.clusters[0].labels, { env: "prod", "app.kubernetes.io/part-of": "fleet", empty: "" });
    });

    const refused: Array<[string, Partial<FleetSpec>, FleetClusterSpec, string, RegExp]> = [
        ["an unknown backend field", { backend: { url: "s3://b-1/x", bucket: "x" } as unknown as FleetSpec["backend"] }, labelled, "backend.bucket", /unknown field/],
        ["an unknown stacks field", { stacks: { names: "{cluster}" } as unknown as FleetSpec["stacks"] }, labelled, "stacks.names", /unknown field/],
        ["an unsupported backend scheme", { backend: { url: "ftp://state" } }, labelled, "backend.url", /expected form/],
        ["a junk secrets provider", { backend: { secretsProvider: "vault" } }, labelled, "backend.secretsProvider", /expected form/],
        ["a template without {cluster}", { stacks: { name: "{fleet}" } }, labelled, "stacks.name", /expected form/],
        ["an invalid project name", { stacks: { project: "my project" } }, labelled, "stacks.project", /expected form/],
        ["an invalid organization", { stacks: { organization: "-org" } }, labelled, "stacks.organization", /expected form/],
        ["an invalid fleet name", { name: "a/b" }, labelled, "name", /expected form/],
        ["an invalid label key", {}, awsCluster("one", { labels: { "-bad": "x" } }), "clusters[0].labels.-bad", /not a valid Kubernetes label key/],
        ["a prefixed label key with an invalid prefix", {}, awsCluster("one", { labels: { "Example.com/x": "x" } }), 'clusters[0].labels["Example.com/x"]', /label key/],
        ["an invalid label value", {}, awsCluster("one", { labels: { env: "prod env" } }), "clusters[0].labels.env", /expected form/],
        ["a label value that is not a string", {}, awsCluster("one", { labels: { replicas: 3 as unknown as string } }), "clusters[0].labels.replicas", /expected a string, got the number 3/],
    ];
    for (const [what, s, cluster, at, message] of refused) {
        it(`refuses ${what} at its field path`, () => {
            const issues = issuesOf(() => parseFleet(dump(fleetOf([cluster], s))));
            const hit = issues.find((i) => i.path === at);
            assert.ok(hit, JSON.stringify(issues));
            assert.match(hit.message, message);
            assert.ok(hit.fix.length > 0);
        });
    }

    it("describes every new field for editors, and keeps additionalProperties false", () => {
        const p = fleetSchema.properties;
        assert.ok(fleetSchema.$schema && fleetSchema.$id);
        for (const d of [p.name, p.backend, p.backend.properties.url, p.backend.properties.secretsProvider, p.stacks, p.stacks.properties.project, p.stacks.properties.name, p.stacks.properties.organization, fleetSchema.$defs.cluster.properties.labels]) {
            assert.ok(typeof d.description === "string" && d.description.length > 20, JSON.stringify(d));
        }
        assert.equal(fleetSchema.additionalProperties, false);
        assert.equal(p.backend.additionalProperties, false);
        assert.equal(p.stacks.additionalProperties, false);
        assert.deepEqual(Object.keys(p.backend.properties).sort(), ["secretsProvider", "url"]);
        assert.deepEqual(Object.keys(p.stacks.properties).sort(), ["name", "organization", "project"]);
    });

    it("takes its label syntax from the same patterns as the settings checks", () => {
        const labels = fleetSchema.$defs.cluster.properties.labels;
        assert.equal(labels.propertyNames.pattern, LABEL_KEY.source.replace(/\\\//g, "/"));
        assert.equal(labels.additionalProperties.pattern, LABEL_VALUE.source);
    });

    it("accepts the reference form in exactly the reference fields, and still refuses junk there", () => {
        const d = fleetSchema.$defs;
        const patterns: Record<string, string> = {
            "clusters[*].aws.accountId": d.awsTarget.properties.accountId.pattern,
            "clusters[*].azure.tenantId": d.azureTarget.properties.tenantId.pattern,
            "clusters[*].azure.subscriptionId": d.azureTarget.properties.subscriptionId.pattern,
            "clusters[*].azure.existingIdentities.*.tenantId": d.azureTarget.properties.existingIdentities.additionalProperties.properties.tenantId.pattern,
            "clusters[*].azure.tenants[*].existingIdentity.tenantId": d.azureTenant.properties.existingIdentity.properties.tenantId.pattern,
            "clusters[*].gcp.projectId": d.gcpTarget.properties.projectId.pattern,
            "clusters[*].gcp.projectNumber": d.gcpTarget.properties.projectNumber.pattern,
        };
        assert.deepEqual(Object.keys(patterns).sort(), [...REFERENCE_FIELDS].sort());
        const schemaText = JSON.stringify(fleetSchema);
        assert.equal(schemaText.split(JSON.stringify(REFERENCE_PATTERN).slice(1, -1)).length - 1, REFERENCE_FIELDS.length, "no other field takes references");
        for (const [field, pattern] of Object.entries(patterns)) {
            const re = new RegExp(pattern, "u");
            for (const ok of ["${env:AWS_ACCOUNT_ID}", "${env:_x1}", "${config:azure:tenantId}", "${config:gcp.projectNumber}"]) assert.ok(re.test(ok), `${field} ${ok}`);
            for (const junk of ["${env:1X}", "${HOME}", "$AWS_ACCOUNT_ID", "${env:X} ", "${env:X}${env:Y}", "${secret:X}", "${config:}", "abc"]) assert.ok(!re.test(junk), `${field} ${junk}`);
        }
        assert.deepEqual(schemaIssues(referenceFleet()), []);
        const junk = referenceFleet();
        junk.clusters[0].aws!.accountId = "${env:not valid}";
        junk.clusters[3].gcp!.projectNumber = "0123";
        assert.deepEqual(schemaIssues(junk).map((i) => i.path), ["clusters[0].aws.accountId", "clusters[3].gcp.projectNumber"]);
    });
});

describe("fleet references", () => {
    it("resolves every reference from the environment and config into a deep copy", () => {
        const fleet = referenceFleet();
        const before = JSON.stringify(fleet);
        const resolved = resolveFleetReferences(fleet, { env: REFERENCE_ENV, config: REFERENCE_CONFIG });
        assert.equal(JSON.stringify(fleet), before, "the input is not changed");
        assert.equal(resolved.clusters[0].aws!.accountId, "111122223333");
        assert.equal(resolved.clusters[1].azure!.tenantId, "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert.equal(resolved.clusters[1].azure!.subscriptionId, "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090");
        assert.equal(resolved.clusters[2].azure!.existingIdentities!["source-controller"].tenantId, "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert.equal(resolved.clusters[2].azure!.tenants![0].existingIdentity!.tenantId, "0a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d");
        assert.equal(resolved.clusters[3].gcp!.projectId, "fleet-prod");
        assert.equal(resolved.clusters[3].gcp!.projectNumber, "123456789012");
        assert.deepEqual(findFleetReferences(resolved), []);
        assert.equal(renderFleet(resolved).length, 4);
    });

    it("lists the references a fleet holds", () => {
        assert.deepEqual(
            findFleetReferences(referenceFleet()).map((r) => `${r.path} ${r.source}:${r.name}`),
            [
                "clusters[0].aws.accountId env:AWS_ACCOUNT_ID",
                "clusters[1].azure.tenantId config:azure:tenantId",
                "clusters[1].azure.subscriptionId env:AZURE_SUBSCRIPTION_ID",
                "clusters[2].azure.existingIdentities.source-controller.tenantId config:azure:tenantId",
                "clusters[2].azure.tenants[0].existingIdentity.tenantId env:TEAM_A_TENANT_ID",
                "clusters[3].gcp.projectId env:GCP_PROJECT_ID",
                "clusters[3].gcp.projectNumber config:gcp.projectNumber",
            ],
        );
        assert.deepEqual(findFleetReferences(loadFleet(EXAMPLE)), [], "examples/fleet.yaml stays literal");
    });

    it("reports every reference it cannot resolve, with its field path and a fix", () => {
        const issues = issuesOf(() => resolveFleetReferences(referenceFleet(), { env: { AWS_ACCOUNT_ID: "", GCP_PROJECT_ID: "fleet-prod" }, config: { "gcp.projectNumber": "123456789012" } }));
        assert.deepEqual(issues.map((i) => i.path), [
            "clusters[0].aws.accountId",
            "clusters[1].azure.tenantId",
            "clusters[1].azure.subscriptionId",
            "clusters[2].azure.existingIdentities.source-controller.tenantId",
            "clusters[2].azure.tenants[0].existingIdentity.tenantId",
        ]);
        assert.match(issues[0].message, /AWS_ACCOUNT_ID is empty/);
        assert.match(issues[0].fix, /export AWS_ACCOUNT_ID=/);
        assert.match(issues[1].message, /config value "azure:tenantId" is not set/);
        assert.match(issues[1].fix, /--config azure:tenantId=<value>/);
        assert.match(issues[2].message, /AZURE_SUBSCRIPTION_ID is not set/);
    });

    it("does not take inherited properties for values", () => {
        const fleet = fleetOf([awsCluster("one", { aws: { ...awsCluster("one").aws!, accountId: "${env:constructor}" } })]);
        assert.match(issuesOf(() => resolveFleetReferences(fleet, { env: {}, config: {} }))[0].message, /constructor is not set/);
    });

    it("refuses references in other fields, and malformed ones in reference fields", () => {
        const fleet = fleetOf([
            awsCluster("one", { aws: { ...awsCluster("one").aws!, region: "${env:AWS_REGION}", tags: { owner: "team-${config:team}" } } }),
            awsCluster("two", { issuerUrl: "${ENV:ISSUER}", aws: { ...awsCluster("two").aws!, accountId: "${env:ACCOUNT}-x" } }),
        ]);
        const expected = ["clusters[0].aws.region", "clusters[0].aws.tags.owner", "clusters[1].issuerUrl", "clusters[1].aws.accountId"];
        const issues = issuesOf(() => resolveFleetReferences(fleet, { env: { AWS_REGION: "us-east-1", ACCOUNT: "1" }, config: { team: "a" } }));
        assert.deepEqual(issues.map((i) => i.path), expected);
        assert.match(issues[0].message, /does not take references; it would be used as literal text/);
        assert.match(issues[0].fix, /clusters\[\*\]\.aws\.accountId/);
        assert.match(issues[3].message, /not a valid reference/);
        // The loader refuses them too, without needing any value.
        const parsed = issuesOf(() => parseFleet(dump(fleet)));
        assert.deepEqual(parsed.map((i) => i.path).filter((p) => expected.includes(p)).sort(), [...expected].sort());
    });

    it("leaves loading and rendering without references alone: no environment needed", () => {
        const fleet = loadFleet(PROVISIONING);
        assert.equal(fleet.clusters[0].aws!.accountId, "${env:PROD_AWS_ACCOUNT_ID}");
        assert.equal(renderFleet(loadFleet(EXAMPLE)).length, 8);
    });

    it("has the offline render report references it was not given resolved, and plan the other clusters", () => {
        const fleet = referenceFleet();
        fleet.clusters.push(awsCluster("bad", { aws: { ...awsCluster("bad").aws!, region: "nowhere-1" } }));
        const issues = issuesOf(() => renderFleet(fleet));
        assert.ok(issues.slice(0, 7).every((i) => /has not been resolved/.test(i.message) && /resolveFleetReferences/.test(i.fix)), JSON.stringify(issues));
        assert.ok(issues.slice(7).length > 0 && issues.slice(7).every((i) => i.path.startsWith("clusters[4]")), JSON.stringify(issues.slice(7)));
    });

    it("parses --config pairs", () => {
        assert.deepEqual(parseConfigPair("gcp.projectNumber=12=3"), { key: "gcp.projectNumber", value: "12=3" });
        assert.deepEqual(parseConfigPair("a="), { key: "a", value: "" });
        assert.equal(parseConfigPair("novalue"), undefined);
        assert.equal(parseConfigPair("=x"), undefined);
        assert.equal(parseConfigPair("bad key=x"), undefined);
    });
});

describe("fleet settings: stack names", () => {
    it("names stacks {cluster} in project flux-identity-fleet by default", () => {
        const fleet = fleetOf([awsCluster("one")]);
        assert.deepEqual(stackNameFor(fleet, "one"), { project: DEFAULT_STACK_PROJECT, stack: "one", fullyQualified: "one" });
        assert.deepEqual(stackNameFor(fleet, fleet.clusters[0]), stackNameFor(fleet, "one"));
    });

    it("renders the template with {cluster} and {fleet}, qualified by the organization", () => {
        const fleet = fleetOf([awsCluster("one")], { name: "platform", stacks: { project: "fleet", name: "{fleet}.{cluster}-{cluster}", organization: "acme" } });
        assert.deepEqual(stackNameFor(fleet, "one"), { project: "fleet", stack: "platform.one-one", fullyQualified: "acme/fleet/platform.one-one" });
    });

    const templates: Array<[string, Partial<FleetSpec>, RegExp]> = [
        ["no {cluster}", { stacks: { name: "prod" } }, /has no \{cluster\}/],
        ["{fleet} without a fleet name", { stacks: { name: "{fleet}-{cluster}" } }, /uses \{fleet\}, but the fleet has no name/],
        ["an unknown placeholder", { stacks: { name: "{cluster}-{region}" } }, /unknown placeholder \{region\}/],
        ["characters stack names cannot hold", { stacks: { name: "fleet/{cluster}" } }, /characters Pulumi stack names cannot hold/],
        ["an empty template", { stacks: { name: "" } }, /expected a stack name template/],
    ];
    for (const [what, settings, message] of templates) {
        it(`refuses a template with ${what}`, () => {
            const issues = fleetSettingsIssues(fleetOf([awsCluster("one"), awsCluster("two")], settings));
            assert.equal(issues.length, 1, JSON.stringify(issues));
            assert.equal(issues[0].path, "stacks.name");
            assert.match(issues[0].message, message);
        });
    }

    it("reports clusters whose stack names collide after templating (without case) or are too long", () => {
        const long = "a".repeat(60);
        const fleet = fleetOf([awsCluster("edge"), awsCluster("Edge"), awsCluster(long), awsCluster("EDGE")], { name: "f", stacks: { name: "{cluster}-{fleet}-{cluster}" } });
        const issues = fleetSettingsIssues(fleet);
        assert.deepEqual(issues.map((i) => i.path), ["clusters[1].name", "clusters[2].name", "clusters[3].name"]);
        assert.match(issues[0].message, /"Edge-f-Edge" is the same as clusters\[0\]'s/);
        assert.match(issues[1].message, /is not a valid Pulumi stack name/);
        assert.match(issues[2].message, /same as clusters\[0\]'s/);
    });

    it("checks project and organization names, and the organization against the backend", () => {
        const one = [awsCluster("one")];
        assert.deepEqual(fleetSettingsIssues(fleetOf(one, { stacks: { project: "a".repeat(101) } })).map((i) => i.path), ["stacks.project"]);
        assert.deepEqual(fleetSettingsIssues(fleetOf(one, { stacks: { organization: "ab" } })).map((i) => i.path), ["stacks.organization"]);
        const selfManaged = fleetSettingsIssues(fleetOf(one, { stacks: { organization: "acme" } }));
        assert.deepEqual(selfManaged.map((i) => i.path), ["stacks.organization"]);
        assert.match(selfManaged[0].message, /self-managed backends have no organizations/);
        assert.deepEqual(fleetSettingsIssues(fleetOf(one, { stacks: { organization: "organization" } })), []);
        assert.deepEqual(fleetSettingsIssues(fleetOf(one, { backend: { url: "https://api.pulumi.com" }, stacks: { organization: "acme" } })), []);
        assert.deepEqual(fleetSettingsIssues(fleetOf(one, { stacks: { organization: "acme" } }), { backendUrl: "https://pulumi.example.com" }), []);
    });
});

describe("fleet settings: backend and secrets", () => {
    const one = [awsCluster("one")];
    const accepted = [
        "file://.flux-identity/state",
        "file:///var/lib/fleet-state",
        "file://~",
        "s3://fleet-state",
        "s3://fleet-state/prefix/path?region=eu-west-1&awssdk=v2",
        "azblob://fleet-state",
        "azblob://fleet-state?storage_account=fleetstate",
        "gs://fleet-state/flux",
        "https://api.pulumi.com",
        "https://pulumi.example.com:8443/api",
    ];
    for (const url of accepted) {
        it(`accepts the backend ${url}`, () => assert.deepEqual(fleetSettingsIssues(fleetOf(one, { backend: { url } })), []));
    }
    const refused: Array<[string, RegExp]> = [
        ["file://", /names no folder/],
        ["s3://Fleet_State", /not a valid S3 bucket name/],
        ["azblob://a--b", /not a valid Azure Blob container name/],
        ["gs://x", /not a valid Cloud Storage bucket name/],
        ["http://pulumi.example.com", /plain http backend/],
        ["https://", /not a valid https URL/],
        ["postgres://db/state", /not supported/],
        ["./state", /no scheme/],
        [" s3://fleet-state", /expected a Pulumi backend URL/],
    ];
    for (const [url, message] of refused) {
        it(`refuses the backend ${JSON.stringify(url)} with a fix`, () => {
            const issues = fleetSettingsIssues(fleetOf(one, { backend: { url } }));
            assert.deepEqual(issues.map((i) => i.path), ["backend.url"]);
            assert.match(issues[0].message, message);
            const overridden = fleetSettingsIssues(fleetOf(one), { backendUrl: url });
            assert.deepEqual(overridden.map((i) => i.path), ["backendUrl"]);
        });
    }

    const providers: Array<[string, string | undefined]> = [
        ["passphrase", undefined],
        ["awskms://alias/fleet-secrets?region=eu-west-1", undefined],
        ["awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=us-east-1", undefined],
        ["awskms:///arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", undefined],
        ["azurekeyvault://fleet-vault.vault.azure.net/keys/pulumi", undefined],
        ["gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k", undefined],
        ["hashivault://pulumi", undefined],
        ["awskms://", "not a valid AWS KMS secrets provider"],
        ["azurekeyvault://fleet-vault", "not a valid Azure Key Vault secrets provider"],
        ["gcpkms://projects/p/keyRings/r", "not a valid Cloud KMS secrets provider"],
        ["hashivault://", "not a valid HashiCorp Vault secrets provider"],
        ["vault://x", "not a secrets provider Pulumi knows"],
        ["", "expected a secrets provider"],
    ];
    for (const [provider, problem] of providers) {
        it(`${problem ? "refuses" : "accepts"} the secrets provider ${JSON.stringify(provider)}`, () => {
            const issues = fleetSettingsIssues(fleetOf(one, { backend: { secretsProvider: provider } }));
            if (!problem) return assert.deepEqual(issues, []);
            assert.deepEqual(issues.map((i) => i.path), ["backend.secretsProvider"]);
            assert.ok(issues[0].message.includes(problem), issues[0].message);
        });
    }

    it("takes the default secrets provider only with a Pulumi Cloud backend, and defaults to it there", () => {
        const fileBackend = fleetOf(one, { backend: { secretsProvider: "default" } });
        const issues = fleetSettingsIssues(fileBackend);
        assert.deepEqual(issues.map((i) => i.path), ["backend.secretsProvider"]);
        assert.match(issues[0].fix, /passphrase/);
        assert.deepEqual(fleetSettingsIssues(fleetOf(one, { backend: { url: "https://api.pulumi.com", secretsProvider: "default" } })), []);
        assert.deepEqual(fleetSettingsIssues(fileBackend, { backendUrl: "https://api.pulumi.com" }), []);
        assert.deepEqual(fleetSettingsIssues(fleetOf(one, { backend: { url: "https://api.pulumi.com", secretsProvider: "default" } }), { backendUrl: "s3://fleet-state" }).map((i) => i.path), ["backend.secretsProvider"]);
        assert.equal(secretsProviderFor(fleetOf(one)), "passphrase");
        assert.equal(secretsProviderFor(fleetOf(one, { backend: { url: "https://api.pulumi.com" } })), "default");
        assert.equal(secretsProviderFor(fleetOf(one), "https://api.pulumi.com"), "default");
        assert.equal(secretsProviderFor(fleetOf(one, { backend: { secretsProvider: "hashivault://k" } })), "hashivault://k");
    });

    it("resolves the backend URL: relative file paths against the spec's folder, others as they are", () => {
        const specDir = "/work/fleets";
        const url = (backend?: string, backendUrl?: string) => resolveBackendUrl(fleetOf(one, backend ? { backend: { url: backend } } : {}), backendUrl !== undefined ? { backendUrl, specDir } : { specDir });
        assert.equal(url(), "file:///work/fleets/.flux-identity/state");
        assert.equal(url("file://state/fleet"), "file:///work/fleets/state/fleet");
        assert.equal(url("file://../shared/state?no_checksum=true"), "file:///work/shared/state?no_checksum=true");
        assert.equal(url("file:///var/lib/state"), "file:///var/lib/state");
        assert.equal(url("file://~/.pulumi-state"), "file://~/.pulumi-state");
        assert.equal(url("s3://fleet-state/flux"), "s3://fleet-state/flux");
        assert.equal(url("https://api.pulumi.com"), "https://api.pulumi.com");
        assert.equal(url("s3://fleet-state", "file://override"), "file:///work/fleets/override", "the override wins");
        assert.equal(url(undefined, "gs://fleet-state"), "gs://fleet-state");
        assert.deepEqual(issuesOf(() => url(undefined, "ftp://x")).map((i) => i.path), ["backendUrl"]);
        assert.deepEqual(issuesOf(() => url("file://")).map((i) => i.path), ["backend.url"]);
    });
});

describe("loading a fleet for a run", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "flux-identity-run-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("loads the provisioning example: references resolved, every cluster planned, stacks named", () => {
        const run = loadFleetForRun(PROVISIONING, { env: PROVISIONING_ENV, config: PROVISIONING_CONFIG });
        assert.equal(run.file, PROVISIONING);
        assert.equal(run.backendUrl, "s3://fleet-pulumi-state/flux-identity");
        assert.equal(run.secretsProvider, "awskms://alias/fleet-pulumi-secrets?region=eu-west-1");
        assert.deepEqual(run.clusters.map((c) => c.stack.fullyQualified), ["platform-prod-eks", "platform-prod-aks", "platform-prod-gke", "platform-staging-kind"]);
        assert.deepEqual(run.clusters.map((c) => c.plan.name), ["prod-eks", "prod-aks", "prod-gke", "staging-kind"]);
        assert.equal(run.clusters[0].plan.aws!.accountId, "111122223333");
        assert.equal(run.clusters[2].plan.gcp!.projectNumber, "123456789012");
        assert.deepEqual(run.clusters[1].spec.labels, { env: "prod", cloud: "azure", region: "westeurope" });
        assert.equal(run.references.length, 5);
        assert.equal(run.fleet.clusters[1].azure!.tenantId, PROVISIONING_CONFIG.azureTenantId);
    });

    it("loads a literal fleet without any environment, with the default file backend next to the spec", () => {
        const run = loadFleetForRun(EXAMPLE, { env: {} });
        assert.equal(run.backendUrl, `file://${fromRoot("examples", ".flux-identity", "state")}`);
        assert.equal(run.secretsProvider, "passphrase");
        assert.equal(run.clusters.length, 8);
        assert.equal(loadFleetForRun(EXAMPLE, { env: {}, workDir: dir }).backendUrl, `file://${path.join(dir, ".flux-identity", "state")}`);
        assert.equal(loadFleetForRun(EXAMPLE, { env: {}, backendUrl: "https://api.pulumi.com" }).secretsProvider, "default");
    });

    it("refuses the run with the problems of every cluster and of the settings, all at once", () => {
        const fleet = referenceFleet();
        fleet.backend = { secretsProvider: "default" };
        fleet.stacks = { name: "{cluster}" };
        fleet.clusters[0].aws!.region = "nowhere-1";
        const spec = path.join(dir, "fleet.yaml");
        writeFileSync(spec, dump(fleet));
        const env = { ...REFERENCE_ENV, GCP_PROJECT_ID: "Not_A_Project" };
        const issues = issuesOf(() => loadFleetForRun(spec, { env, config: { "gcp.projectNumber": "123456789012" } }));
        const paths = issues.map((i) => i.path);
        assert.ok(paths.includes("backend.secretsProvider"), JSON.stringify(paths));
        assert.ok(paths.includes("clusters[1].azure.tenantId"), "unresolved reference");
        assert.ok(paths.includes("clusters[2].azure.existingIdentities.source-controller.tenantId"), "unresolved reference");
        assert.ok(paths.includes("clusters[0].aws.region"), "planner issue of another cluster");
        const project = issues.find((i) => i.path === "clusters[3].gcp.projectId");
        assert.ok(project, JSON.stringify(paths));
        assert.match(project.message, /"Not_A_Project".*came from \$\{env:GCP_PROJECT_ID\}/);
        assert.ok(!paths.some((p) => p.startsWith("clusters[1].azure.") && p !== "clusters[1].azure.tenantId"), "clusters with unresolved references are not planned");
    });

    it("refuses an unreadable file and an invalid backend override", () => {
        assert.match(issuesOf(() => loadFleetForRun(path.join(dir, "missing.yaml")))[0].message, /there is no file at this path/);
        assert.deepEqual(issuesOf(() => loadFleetForRun(EXAMPLE, { env: {}, backendUrl: "ftp://x" })).map((i) => i.path), ["backendUrl"]);
    });
});

describe("render CLI with references", () => {
    let out: string;
    beforeEach(() => {
        out = mkdtempSync(path.join(tmpdir(), "flux-identity-cli-refs-"));
    });
    afterEach(() => rmSync(out, { recursive: true, force: true }));
    const bin = fromRoot("dist", "sdk", "src", "cli", "main.js");
    const configArgs = Object.entries(PROVISIONING_CONFIG).flatMap(([k, v]) => ["--config", `${k}=${v}`]);

    it("resolves ${env:...} from the environment and ${config:...} from --config", () => {
        const r = spawnSync(process.execPath, [bin, "render", PROVISIONING, "--out", out, "--json", ...configArgs], { encoding: "utf8", env: { ...process.env, ...PROVISIONING_ENV } });
        assert.equal(r.status, EXIT_OK, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout).clusters.map((c: { cluster: string }) => c.cluster), ["prod-eks", "prod-aks", "prod-gke", "staging-kind"]);
        const plan = JSON.parse(readFileSync(path.join(out, "prod-gke", "plan.json"), "utf8"));
        assert.equal(plan.gcp.projectId, "fleet-prod");
    });

    it("exits 2 naming every missing reference, and writes nothing", () => {
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.PROD_AWS_ACCOUNT_ID;
        delete env.GCP_PROJECT_ID;
        const r = spawnSync(process.execPath, [bin, "render", PROVISIONING, "--out", path.join(out, "r"), "--config", "azureTenantId=72f988bf-86f1-41af-91ab-2d7cd011db47"], { encoding: "utf8", env });
        assert.equal(r.status, EXIT_INVALID_SPEC);
        for (const p of ["clusters[0].aws.accountId", "clusters[1].azure.subscriptionId", "clusters[2].gcp.projectId", "clusters[2].gcp.projectNumber"]) assert.ok(r.stderr.includes(`${p}: `), p);
        assert.ok(!r.stderr.includes("clusters[1].azure.tenantId"));
        assert.equal(existsSync(path.join(out, "r")), false);
    });

    it("refuses a malformed --config", async () => {
        const io = { stdout: "", stderr: "", out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
        assert.equal(await runCli(["render", EXAMPLE, "--out", out, "--config", "novalue"], io), EXIT_FAILED);
        assert.match(io.stderr, /expected key=value/);
        assert.equal(await runCli(["render", EXAMPLE, "--out", out, "--config", "unused=1"], io), EXIT_OK);
    });
});

const dnsLabel = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
const labelName = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/);
const labelKey = fc.tuple(fc.option(fc.array(dnsLabel, { minLength: 1, maxLength: 3 }).map((p) => p.join(".")), { nil: undefined }), labelName).map(([prefix, n]) => (prefix ? `${prefix}/${n}` : n));
const labelValue = fc.oneof(fc.constant(""), labelName);
const labelsArb = fc.option(fc.dictionary(labelKey, labelValue, { maxKeys: 4 }), { nil: undefined });
const templatePiece = fc.constantFrom("{fleet}", "-", "_", ".", "x", "env", "0");
const templateArb = fc.tuple(fc.array(templatePiece, { maxLength: 3 }), fc.array(templatePiece, { maxLength: 2 })).map(([before, after]) => [...before, "{cluster}", ...after].join(""));
const backendArb = fc.option(
    fc.constantFrom<NonNullable<FleetSpec["backend"]>>(
        { url: "file://state" },
        { url: "s3://fleet-state/flux", secretsProvider: "awskms://alias/k?region=us-east-1" },
        { url: "https://api.pulumi.com", secretsProvider: "default" },
        { url: "https://api.pulumi.com" },
        { url: "gs://fleet-state", secretsProvider: "gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k" },
        { url: "azblob://fleet-state", secretsProvider: "passphrase" },
    ),
    { nil: undefined },
);
/** Valid fleets: unique cluster names, random labels, templates, projects and backends. */
const fleetArb: fc.Arbitrary<FleetSpec> = fc
    .record({
        names: fc.uniqueArray(dnsLabel, { minLength: 1, maxLength: 8 }),
        labels: fc.array(labelsArb, { minLength: 8, maxLength: 8 }),
        fleetName: fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/),
        template: fc.option(templateArb, { nil: undefined }),
        project: fc.option(fc.stringMatching(/^[A-Za-z0-9_.-]{1,30}$/), { nil: undefined }),
        backend: backendArb,
    })
    .map(({ names, labels, fleetName, template, project, backend }) => {
        const stacks: NonNullable<FleetSpec["stacks"]> = {};
        if (template !== undefined) stacks.name = template;
        if (project !== undefined) stacks.project = project;
        if (backend?.url?.startsWith("https://")) stacks.organization = "acme";
        const settings: Partial<FleetSpec> = { name: fleetName, stacks };
        if (backend) settings.backend = backend;
        // Plain JSON data, as loaded from YAML (fast-check's dictionaries have no prototype).
        return JSON.parse(JSON.stringify(fleetOf(names.map((n, i) => (labels[i] ? awsCluster(n, { labels: labels[i] }) : awsCluster(n))), settings))) as FleetSpec;
    });

/** Replaces or deletes one node under the settings (name, backend, stacks, labels), chosen by index. */
function mutateSettings(fleet: FleetSpec, index: number, replacement: unknown, remove: boolean): FleetSpec {
    const copy = JSON.parse(JSON.stringify(fleet)) as Record<string, unknown> & { clusters: Array<Record<string, unknown>> };
    const nodes: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
    const walk = (node: unknown) => {
        if (Array.isArray(node)) node.forEach((v, i) => (nodes.push({ parent: node, key: i }), walk(v)));
        else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) nodes.push({ parent: node as Record<string, unknown>, key: k }), walk(v);
    };
    for (const k of ["name", "backend", "stacks"]) {
        nodes.push({ parent: copy, key: k });
        walk(copy[k]);
    }
    for (const c of copy.clusters) {
        nodes.push({ parent: c, key: "labels" }, { parent: c, key: "name" });
        walk(c.labels);
    }
    const { parent, key } = nodes[index % nodes.length];
    if (remove && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = replacement;
    return copy as unknown as FleetSpec;
}

describe("fleet settings: properties", () => {
    it("random valid fleets pass the schema and the settings checks, with unique stack names that do not depend on order", () => {
        fc.assert(
            fc.property(fleetArb, fc.integer(), (fleet, seed) => {
                assert.deepEqual(schemaIssues(fleet), []);
                assert.deepEqual(fleetSettingsIssues(fleet), []);
                const names = fleet.clusters.map((c) => stackNameFor(fleet, c));
                assert.equal(new Set(names.map((n) => n.stack.toLowerCase())).size, names.length, "unique");
                for (const n of names) assert.ok(/^[A-Za-z0-9_.-]{1,100}$/.test(n.stack), n.stack);
                const shuffled: FleetSpec = JSON.parse(JSON.stringify(fleet));
                shuffled.clusters.sort((a, b) => ((a.name.length * 31 + seed) % 7) - ((b.name.length * 31 + seed) % 7));
                for (const c of shuffled.clusters) assert.deepEqual(stackNameFor(shuffled, c), names[fleet.clusters.findIndex((x) => x.name === c.name)], "stable");
                assert.deepEqual(parseFleet(dump(fleet)), fleet);
            }),
            { numRuns: 300 },
        );
    });

    it("agrees with the schema on label keys and values", () => {
        const key = fc.oneof(labelKey, fc.string({ maxLength: 80 }), labelKey.map((k) => `${k}${"x".repeat(60)}`));
        fc.assert(
            fc.property(key, fc.oneof(labelValue, fc.string({ maxLength: 70 })), (k, v) => {
                const fleet = fleetOf([awsCluster("one", { labels: { [k]: v } })]);
                const settingsOk = fleetSettingsIssues(fleet).length === 0;
                const schemaOk = schemaIssues(fleet).length === 0;
                assert.equal(settingsOk, schemaOk, `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
            }),
            { numRuns: 500 },
        );
    });

    it("mutated settings end in a validation error with field paths, never another exception", () => {
        fc.assert(
            fc.property(fleetArb, fc.nat(), fc.anything(), fc.boolean(), (fleet, index, replacement, remove) => {
                const mutated = mutateSettings(fleet, index, replacement, remove);
                const check = (fn: () => unknown) => {
                    try {
                        fn();
                    } catch (err) {
                        if (!(err instanceof FluxIdentityValidationError)) throw err;
                        assert.ok(err.issues.length > 0);
                        for (const i of err.issues) assert.ok(i.path.length > 0 && i.message.length > 0 && i.fix.length > 0, JSON.stringify(i));
                    }
                };
                check(() => checkFleetSettings(mutated));
                check(() => resolveBackendUrl(mutated, { specDir: "/fleet" }));
                check(() => stackNameFor(mutated, "x"));
                check(() => secretsProviderFor(mutated));
                check(() => resolveFleetReferences(mutated, { env: {}, config: {} }));
                check(() => {
                    const parsed = parseFleet(dump(mutated, { skipInvalid: true }));
                    checkFleetSettings(parsed);
                });
            }),
            { numRuns: 1000 },
        );
    });

    it("random environments resolve every reference, or name exactly the missing ones", () => {
        const names = ["AWS_ACCOUNT_ID", "AZURE_SUBSCRIPTION_ID", "TEAM_A_TENANT_ID", "GCP_PROJECT_ID"];
        fc.assert(
            fc.property(fc.subarray(names), fc.subarray(Object.keys(REFERENCE_CONFIG)), (envNames, configKeys) => {
                const env = Object.fromEntries(envNames.map((n) => [n, REFERENCE_ENV[n as keyof typeof REFERENCE_ENV]]));
                const config = Object.fromEntries(configKeys.map((k) => [k, REFERENCE_CONFIG[k as keyof typeof REFERENCE_CONFIG]]));
                const refs = findFleetReferences(referenceFleet());
                const missing = refs.filter((r) => (r.source === "env" ? !envNames.includes(r.name) : !configKeys.includes(r.name))).map((r) => r.path);
                try {
                    const resolved = resolveFleetReferences(referenceFleet(), { env, config });
                    assert.deepEqual(missing, []);
                    assert.deepEqual(findFleetReferences(resolved), []);
                } catch (err) {
                    if (!(err instanceof FluxIdentityValidationError)) throw err;
                    assert.deepEqual(err.issues.map((i) => i.path), missing);
                }
            }),
            { numRuns: 200 },
        );
    });
});
