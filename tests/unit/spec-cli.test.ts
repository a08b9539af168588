/** The fleet spec (YAML + JSON Schema), offline render, and the CLI. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Cloud, FLUX_CONTROLLERS, FLUX_KINDS, integrationsOf } from "../../provider/src/core/catalog";
import { SOURCE_CLUSTER_TYPES } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { AWS_TARGET_FIELDS, AWS_TENANT_FIELDS } from "../../provider/src/aws/plan";
import { AZURE_TARGET_FIELDS, AZURE_TENANT_FIELDS } from "../../provider/src/azure/plan";
import { AzureCloud, AzureIdentityLayout } from "../../provider/src/azure/spec";
import { GCP_TARGET_FIELDS, GCP_TENANT_FIELDS } from "../../provider/src/gcp/plan";
import { GcpAuthMode, GcpServiceAccountLayout } from "../../provider/src/gcp/spec";
import { FLUX_LOCKDOWN_FIELDS } from "../../provider/src/flux/lockdown";
import { AwsAuthMethod, AwsRoleLayout, EksAccessScope } from "../../provider/src/aws/spec";
import { EXIT_INVALID_SPEC, EXIT_OK, runCli } from "../../sdk/src/cli/main";
import { renderFleet } from "../../sdk/src/render/render";
import { loadFleet, parseFleet } from "../../sdk/src/spec/fleet";
import fleetSchema from "../../sdk/schema/fleet.schema.json";
import { fromRoot } from "../helpers/paths";

const EXAMPLE = fromRoot("examples", "fleet.yaml");

function issuesOf(fn: () => unknown): Array<{ path: string; message: string; fix: string }> {
    try {
        fn();
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) return [...err.issues];
        throw err;
    }
    assert.fail("expected a validation error");
}

const HEADER = "apiVersion: flux-identity/v1alpha1\nkind: Fleet\nclusters:\n";
const CLUSTER = `  - name: kind-1
    type: generic
    issuerUrl: https://issuer.example.com
    aws:
      accountId: "123456789012"
      region: us-east-1
      controllers:
        s3:
          - bucketArns: [arn:aws:s3:::flux-bucket]
`;

describe("fleet spec", () => {
    it("loads and renders the example fleet", () => {
        const rendered = renderFleet(loadFleet(EXAMPLE));
        assert.deepEqual(rendered.map((c) => c.name), ["prod-eks", "staging-eks", "dev-kind", "analytics-gke", "prod-aks", "edge-kind", "prod-gke", "lab-kind"]);
        assert.deepEqual(Object.keys(rendered[2].files), ["flux-system/kustomization.yaml", "plan.json", "tenants/service-accounts.yaml", "tenants/rbac.yaml", "flux-objects.yaml", "diagram.md", "import.json"]);
    });

    const structural: Array<[string, string, string, RegExp]> = [
        ["unknown field", CLUSTER.replace("region:", "regoin:"), "clusters[0].aws.regoin", /unknown field/],
        ["missing required field", CLUSTER.replace("    issuerUrl: https://issuer.example.com\n", ""), "clusters[0].issuerUrl", /required/],
        ["unknown cluster type", CLUSTER.replace("type: generic", "type: openshift"), "clusters[0].type", /not allowed/],
        ["unquoted account ID", CLUSTER.replace('"123456789012"', "123456789012"), "clusters[0].aws.accountId", /expected a string, got the number 123456789012/],
        ["unknown Flux kind", CLUSTER.replace("bucketArns: [arn:aws:s3:::flux-bucket]", "bucketArns: [arn:aws:s3:::flux-bucket]\n            usedBy: [Buckets]"), "clusters[0].aws.controllers.s3[0].usedBy[0]", /not allowed/],
    ];
    for (const [name, cluster, at, message] of structural) {
        it(`reports ${name} at its field path`, () => {
            const issues = issuesOf(() => parseFleet(HEADER + cluster));
            const hit = issues.find((i) => i.path === at);
            assert.ok(hit, JSON.stringify(issues));
            assert.match(hit.message, message);
        });
    }

    it("reports YAML syntax errors with line and column", () => {
        const issues = issuesOf(() => parseFleet(HEADER + "  - name: [unclosed\n", "fleet.yaml"));
        assert.match(issues[0].path, /^fleet\.yaml:\d+:\d+$/);
        assert.match(issues[0].message, /YAML syntax error/);
    });

    it("refuses duplicate cluster names", () => {
        const issues = issuesOf(() => parseFleet(HEADER + CLUSTER + CLUSTER));
        assert.deepEqual(issues.map((i) => i.path), ["clusters[1].name"]);
    });

    it("reports value problems of every cluster with the cluster's path", () => {
        const bad = CLUSTER.replace("arn:aws:s3:::flux-bucket", "arn:aws:s3:::Flux_Bucket");
        const issues = issuesOf(() => renderFleet(parseFleet(HEADER + CLUSTER.replace("kind-1", "ok") + bad + bad.replace("kind-1", "kind-2").replace("region: us-east-1", "region: cn-north-1"))));
        assert.deepEqual(
            issues.map((i) => i.path),
            ["clusters[1].aws.controllers.s3[0].bucketArns[0]", "clusters[2].aws.controllers.s3[0].bucketArns[0]"],
        );
        assert.match(issues[1].message, /partition aws, but this target's region is in partition aws-cn/);
    });

    it("keeps the JSON Schema in step with the catalog and the planner", () => {
        const defs = fleetSchema.$defs;
        assert.deepEqual(defs.cluster.properties.type.enum, SOURCE_CLUSTER_TYPES);
        assert.deepEqual(Object.keys(defs.awsTarget.properties).sort(), [...AWS_TARGET_FIELDS].sort());
        assert.deepEqual(Object.keys(defs.awsTenant.properties).sort(), [...AWS_TENANT_FIELDS].sort());
        assert.deepEqual(defs.awsTenant.properties.usedBy.items.enum, FLUX_KINDS);
        assert.deepEqual(defs.awsTarget.properties.existingRoleArns.propertyNames.enum, FLUX_CONTROLLERS);
        assert.deepEqual(defs.awsTarget.properties.authMethod.enum, Object.values(AwsAuthMethod));
        assert.deepEqual(defs.awsTarget.properties.roleLayout.enum, Object.values(AwsRoleLayout));
        assert.deepEqual(Object.keys(defs.awsAccess.properties), integrationsOf(Cloud.Aws).map((i) => i.id));
        const access = defs.awsAccess.properties as Record<string, { items?: { properties: { usedBy: { items: { enum: string[] } } } }; properties?: { usedBy: { items: { enum: string[] } } } }>;
        for (const i of integrationsOf(Cloud.Aws)) {
            const entry = access[i.id].items?.properties ?? access[i.id].properties;
            assert.deepEqual(entry?.usedBy.items.enum, i.kinds, i.id);
        }
        const scope = (defs.awsAccess.properties.eks.items.properties.accessPolicies.items.properties as { scope: { enum: string[] } }).scope.enum;
        assert.deepEqual(scope, Object.values(EksAccessScope));
    });

    it("keeps the lockdown part of the JSON Schema in step with the lockdown options, and validates them", () => {
        const lockdown = fleetSchema.$defs.cluster.properties.flux.properties.lockdown;
        assert.deepEqual(Object.keys(lockdown.properties).sort(), [...FLUX_LOCKDOWN_FIELDS].sort());
        const fleet = loadFleet(EXAMPLE);
        const bad = { ...fleet, clusters: [{ ...fleet.clusters[0], flux: { lockdown: { defaultServiceAccount: "Not_A_Name" } } }] };
        const issues = issuesOf(() => renderFleet(parseFleet(JSON.stringify(bad))));
        assert.ok(issues.some((i) => i.path.startsWith("clusters[0].flux.lockdown")), JSON.stringify(issues));
    });

    it("keeps the GCP part of the JSON Schema in step with the catalog and the planner", () => {
        const defs = fleetSchema.$defs;
        assert.deepEqual(Object.keys(defs.gcpTarget.properties).sort(), [...GCP_TARGET_FIELDS].sort());
        assert.deepEqual(Object.keys(defs.gcpTenant.properties).sort(), [...GCP_TENANT_FIELDS].sort());
        assert.deepEqual(Object.keys(defs.gcpTarget.properties.workloadIdentityPool.properties).sort(), ["create", "displayName", "jwksJson", "poolId", "providerId"]);
        assert.deepEqual(defs.gcpTenant.properties.usedBy.items.enum, FLUX_KINDS);
        assert.deepEqual(defs.gcpTarget.properties.existingServiceAccountEmails.propertyNames.enum, FLUX_CONTROLLERS);
        assert.deepEqual(defs.gcpTarget.properties.authMode.enum, Object.values(GcpAuthMode));
        assert.deepEqual(defs.gcpTarget.properties.serviceAccountLayout.enum, Object.values(GcpServiceAccountLayout));
        assert.deepEqual(Object.keys(defs.gcpAccess.properties), integrationsOf(Cloud.Gcp).map((i) => i.id));
        const access = defs.gcpAccess.properties as Record<string, { items: { properties: { usedBy: { items: { enum: string[] } } } } }>;
        for (const i of integrationsOf(Cloud.Gcp)) assert.deepEqual(access[i.id].items.properties.usedBy.items.enum, i.kinds, i.id);
    });

    it("keeps the Azure part of the JSON Schema in step with the catalog and the planner", () => {
        const defs = fleetSchema.$defs;
        assert.deepEqual(Object.keys(defs.azureTarget.properties).sort(), [...AZURE_TARGET_FIELDS].sort());
        assert.deepEqual(Object.keys(defs.azureTenant.properties).sort(), [...AZURE_TENANT_FIELDS].sort());
        assert.deepEqual(defs.azureTenant.properties.usedBy.items.enum, FLUX_KINDS);
        assert.deepEqual(defs.azureTarget.properties.existingIdentities.propertyNames.enum, FLUX_CONTROLLERS);
        assert.deepEqual(defs.azureTarget.properties.cloud.enum, Object.values(AzureCloud));
        assert.deepEqual(defs.azureTarget.properties.identityLayout.enum, Object.values(AzureIdentityLayout));
        assert.deepEqual(Object.keys(defs.azureAccess.properties), integrationsOf(Cloud.Azure).map((i) => i.id));
        const access = defs.azureAccess.properties as Record<string, { items: { properties: { usedBy: { items: { enum: string[] } } } } }>;
        for (const i of integrationsOf(Cloud.Azure)) assert.deepEqual(access[i.id].items.properties.usedBy.items.enum, i.kinds, i.id);
    });
});

describe("flux-identity CLI", () => {
    let out: string;
    beforeEach(() => {
        out = mkdtempSync(path.join(tmpdir(), "flux-identity-cli-"));
    });
    afterEach(() => rmSync(out, { recursive: true, force: true }));

    const capture = () => {
        const io = { stdout: "", stderr: "", out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
        return io;
    };

    it("render writes each cluster's kustomization.yaml and plan.json and says where", async () => {
        const io = capture();
        assert.equal(await runCli(["render", EXAMPLE, "--out", out], io), EXIT_OK);
        for (const c of ["prod-eks", "staging-eks", "dev-kind", "analytics-gke", "prod-aks", "edge-kind", "prod-gke", "lab-kind"]) {
            assert.ok(existsSync(path.join(out, c, "flux-system", "kustomization.yaml")), c);
            const plan = JSON.parse(readFileSync(path.join(out, c, "plan.json"), "utf8"));
            assert.equal(plan.kind, "ClusterPlan");
            if (c === "edge-kind") assert.deepEqual(plan.azure.resources, [], "brought identities create nothing");
            else assert.ok((plan.aws ?? plan.azure ?? plan.gcp).resources.length > 0, c);
            assert.ok(io.stdout.includes(path.join(out, c, "flux-system", "kustomization.yaml")));
        }
        assert.ok(existsSync(path.join(out, "dev-kind", "tenants", "service-accounts.yaml")));
        assert.equal(io.stderr, "");
    });

    it("exits 2 on an invalid spec, naming the field, and writes nothing", async () => {
        const spec = path.join(out, "bad.yaml");
        writeFileSync(spec, HEADER + CLUSTER.replace("type: generic", "type: gke"));
        const io = capture();
        assert.equal(await runCli(["render", spec, "--out", path.join(out, "r")], io), EXIT_INVALID_SPEC);
        assert.match(io.stderr, /clusters\[0\]\.issuerUrl: .* is not a valid GKE issuer URL/);
        assert.equal(existsSync(path.join(out, "r")), false);
    });

    it("runs as a real process with the documented exit codes", () => {
        const bin = fromRoot("dist", "sdk", "src", "cli", "main.js");
        const ok = spawnSync(process.execPath, [bin, "render", EXAMPLE, "--out", out, "--json"], { encoding: "utf8" });
        assert.equal(ok.status, 0, ok.stderr);
        assert.deepEqual(JSON.parse(ok.stdout).clusters.map((c: { cluster: string }) => c.cluster), ["prod-eks", "staging-eks", "dev-kind", "analytics-gke", "prod-aks", "edge-kind", "prod-gke", "lab-kind"]);
        const missing = spawnSync(process.execPath, [bin, "render", path.join(out, "nope.yaml"), "--out", out], { encoding: "utf8" });
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /there is no file at this path/);
        const usage = spawnSync(process.execPath, [bin, "render", EXAMPLE], { encoding: "utf8" });
        assert.equal(usage.status, 1);
        assert.match(usage.stderr, /--out/);
    });
});
