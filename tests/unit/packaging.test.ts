/**
 * Packaging facts: Pulumi's schema inference accepts the components' public types (so Python, Go and
 * .NET users can consume them), the AWS entry point never loads the other clouds' SDKs, and render
 * loads no Pulumi code at all.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fromRoot } from "../helpers/paths";

interface AnalyzeResult {
    components: Record<string, { inputs: Record<string, { optional?: boolean; $ref?: string; type?: string }>; outputs: Record<string, unknown> }>;
    typeDefinitions: Record<string, { enum?: Array<{ value: string }>; properties?: Record<string, unknown> }>;
}

describe("packaging", () => {
    it("passes Pulumi's schema inference for component providers", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
            Analyzer: new (dir: string, name: string, pkg: unknown, names: Set<string>) => { analyze(): AnalyzeResult };
        };
        const dir = fromRoot("provider");
        const pkg = JSON.parse(readFileSync(fromRoot("provider", "package.json"), "utf8"));
        const result = new Analyzer(dir, "flux-identity", pkg, new Set(["AwsFluxIdentity"])).analyze();
        const c = result.components.AwsFluxIdentity;
        assert.deepEqual(Object.keys(c.inputs).sort(), [
            "accountId", "authMethod", "cluster", "controllers", "createOidcProvider", "existingRoleArns", "fluxNamespace", "maxSessionDurationSeconds",
            "namePrefix", "oidcProviderArn", "path", "permissionsBoundaryArn", "region", "roleLayout", "singleTenantManagedPolicies", "tags", "tenants",
        ]);
        assert.equal(c.inputs.accountId.optional, undefined, "accountId is required");
        assert.deepEqual(Object.keys(c.outputs).sort(), ["kustomizationYaml", "objectSettings", "oidcProviderArn", "patchSet", "roleArns", "tenantRoleArns", "tenantServiceAccountsYaml", "warnings"]);
        assert.deepEqual(result.typeDefinitions.AwsAuthMethod.enum?.map((e) => e.value), ["irsa", "podIdentity"]);
        assert.ok(result.typeDefinitions.AwsEcrAccess.properties?.repositoryArns);
    });

    it("infers the Azure component's schema too", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
            Analyzer: new (dir: string, name: string, pkg: unknown, names: Set<string>) => { analyze(): AnalyzeResult };
        };
        const pkg = JSON.parse(readFileSync(fromRoot("provider", "package.json"), "utf8"));
        const result = new Analyzer(fromRoot("provider"), "flux-identity", pkg, new Set(["AzureFluxIdentity"])).analyze();
        const c = result.components.AzureFluxIdentity;
        assert.deepEqual(Object.keys(c.inputs).sort(), [
            "cloud", "cluster", "controllers", "existingIdentities", "fluxNamespace", "identityLayout", "location", "namePrefix", "pinnedIdentityGroups", "privateCloud",
            "resourceGroupName", "subscriptionId", "tags", "tenantId", "tenants",
        ]);
        for (const required of ["tenantId", "subscriptionId", "resourceGroupName", "location", "cluster"]) assert.equal(c.inputs[required].optional, undefined, `${required} is required`);
        assert.deepEqual(Object.keys(c.outputs).sort(), [
            "azureDevOpsOnboarding", "clientIds", "identityNames", "kustomizationYaml", "objectSettings", "patchSet", "principalIds", "tenantClientIds", "tenantServiceAccountsYaml", "warnings",
        ]);
        assert.deepEqual(result.typeDefinitions.AzureCloud.enum?.map((e) => e.value), ["public", "china", "usGovernment", "private"]);
        assert.ok(result.typeDefinitions.AzureAksAccess.properties?.rbacRoles);
    });

    it("infers the FluxWorkloadIdentity schema: the cluster and each cloud's target as nested types", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
            Analyzer: new (dir: string, name: string, pkg: unknown, names: Set<string>) => { analyze(): AnalyzeResult };
        };
        const pkg = JSON.parse(readFileSync(fromRoot("provider", "package.json"), "utf8"));
        const result = new Analyzer(fromRoot("provider"), "flux-identity", pkg, new Set(["FluxWorkloadIdentity"])).analyze();
        const c = result.components.FluxWorkloadIdentity;
        assert.deepEqual(Object.keys(c.inputs).sort(), ["aws", "azure", "cluster", "fluxNamespace", "gcp"]);
        assert.equal(c.inputs.cluster.optional, undefined, "cluster is required");
        assert.deepEqual(Object.keys(c.outputs).sort(), [
            "awsRoleArns", "azureClientIds", "gcpRemoteClusterRbacYaml", "gcpServiceAccountEmails", "kustomizationYaml", "objectSettings", "patchSet", "tenantRbacYaml", "tenantServiceAccountsYaml", "warnings",
        ]);
        assert.ok(result.typeDefinitions.AwsTargetArgs?.properties?.oidcProviderArn, "the AWS target keeps its OIDC provider input");
    });

    function loadedModules(script: string): string[] {
        const r = spawnSync(process.execPath, ["-e", `${script};process.stdout.write(JSON.stringify(Object.keys(require.cache)))`], { cwd: fromRoot(), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as string[];
    }

    it("loads @pulumi/aws but never azure-native, gcp or kubernetes from the AWS entry point", () => {
        const mods = loadedModules("require('./dist/provider/src/aws')");
        assert.ok(mods.some((m) => m.includes("node_modules/@pulumi/aws/")), "loads the AWS SDK");
        for (const other of ["@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes"]) {
            assert.ok(!mods.some((m) => m.includes(`node_modules/${other}/`)), `loads ${other}`);
        }
    });

    it("loads azure-native's identity modules but never aws, gcp or kubernetes from the Azure entry point", () => {
        const mods = loadedModules("require('./dist/provider/src/azure')");
        assert.ok(mods.some((m) => m.includes("node_modules/@pulumi/azure-native/managedidentity/")), "loads the managed identity module");
        for (const other of ["@pulumi/aws", "@pulumi/gcp", "@pulumi/kubernetes"]) {
            assert.ok(!mods.some((m) => m.includes(`node_modules/${other}/`)), `loads ${other}`);
        }
    });

    it("loads @pulumi/gcp but never aws, azure-native or kubernetes from the GCP entry point", () => {
        const mods = loadedModules("require('./dist/provider/src/gcp')");
        assert.ok(mods.some((m) => m.includes("node_modules/@pulumi/gcp/")), "loads the GCP SDK");
        for (const other of ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/kubernetes"]) {
            assert.ok(!mods.some((m) => m.includes(`node_modules/${other}/`)), `loads ${other}`);
        }
    });

    it("serves all three components from the provider entry point", () => {
        const source = readFileSync(fromRoot("provider", "index.ts"), "utf8");
        assert.match(source, /components: \[AwsFluxIdentity, AzureFluxIdentity, GcpFluxIdentity, FluxWorkloadIdentity\b/);
    });

    it("render (the CLI) loads no Pulumi package at all", () => {
        const mods = loadedModules("require('./dist/sdk/src/cli/main')");
        assert.deepEqual(mods.filter((m) => m.includes("node_modules/@pulumi/")), []);
    });
});
