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

    it("infers the live-cluster component's schema, with the patch set as a typed input", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
            Analyzer: new (dir: string, name: string, pkg: unknown, names: Set<string>) => { analyze(): AnalyzeResult };
        };
        const pkg = JSON.parse(readFileSync(fromRoot("provider", "package.json"), "utf8"));
        const result = new Analyzer(fromRoot("provider"), "flux-identity", pkg, new Set(["FluxLiveCluster"])).analyze();
        const c = result.components.FluxLiveCluster;
        assert.deepEqual(Object.keys(c.inputs).sort(), ["applyTenantRbac", "applyTenantServiceAccounts", "detectFluxSystemKustomization", "fieldManager", "layout", "patchSet", "restartOnIdentityChange"]);
        for (const required of ["layout", "patchSet"]) {
            assert.equal(c.inputs[required].optional, undefined, `${required} is required`);
            assert.equal(c.inputs[required].$ref, "#/types/flux-identity:index:FluxPatchSet", `${required} is a FluxPatchSet`);
        }
        assert.equal((c.inputs.layout as { plain?: boolean }).plain, true, "the layout is plain data: it decides which resources exist");
        assert.equal((c.inputs.patchSet as { plain?: boolean }).plain, undefined, "the patch set may be an output");
        for (const flag of ["restartOnIdentityChange", "applyTenantServiceAccounts", "applyTenantRbac", "detectFluxSystemKustomization"]) {
            assert.equal(c.inputs[flag].type, "boolean");
            assert.equal(c.inputs[flag].optional, true);
        }
        assert.deepEqual(Object.keys(c.outputs).sort(), ["appliedObjects", "identityHashes", "warnings"]);
        for (const t of ["FluxPatchSet", "FluxControllerPatch", "FluxVolume", "FluxProjectedToken", "FluxVolumeMount", "FluxEnvVar", "FluxTenantServiceAccount", "FluxConfigMap"]) {
            assert.ok(result.typeDefinitions[t]?.properties, `${t} is a schema type`);
        }
        assert.deepEqual(
            result.typeDefinitions.FluxController.enum?.map((e) => e.value),
            ["source-controller", "kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"],
        );
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

    it("loads @pulumi/kubernetes but never aws, azure-native or gcp from the live entry point", () => {
        const mods = loadedModules("require('./dist/provider/src/live')");
        assert.ok(mods.some((m) => m.includes("node_modules/@pulumi/kubernetes/")), "loads the Kubernetes SDK");
        for (const other of ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp"]) {
            assert.ok(!mods.some((m) => m.includes(`node_modules/${other}/`)), `loads ${other}`);
        }
    });

    it("serves the three cloud components and the live-cluster component from the provider entry point", () => {
        const source = readFileSync(fromRoot("provider", "index.ts"), "utf8");
        assert.match(source, /components: \[AwsFluxIdentity, AzureFluxIdentity, GcpFluxIdentity, FluxLiveCluster\]/);
    });

    it("exports the live entry point from the package like the others", () => {
        const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { exports: Record<string, { types: string; default: string }> };
        assert.deepEqual(pkg.exports["./live"], { types: "./dist/provider/src/live/index.d.ts", default: "./dist/provider/src/live/index.js" });
        const r = spawnSync(process.execPath, ["-e", "const l=require('flux-identity/live');process.stdout.write(typeof l.FluxLiveCluster+' '+typeof l.mergeContainerArgs)"], { cwd: fromRoot(), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "function function");
    });

    it("render (the CLI) loads no Pulumi package at all", () => {
        const mods = loadedModules("require('./dist/sdk/src/cli/main')");
        assert.deepEqual(mods.filter((m) => m.includes("node_modules/@pulumi/")), []);
    });
});
