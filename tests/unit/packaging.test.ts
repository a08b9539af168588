/**
 * Packaging facts: Pulumi's schema inference accepts the components' public types (so Python, Go and
 * .NET users can consume them), no entry point loads a cloud SDK at import, each component loads only its
 * own SDK when built (and names it when it is missing), the issuer loads only its backend's storage
 * module, and render loads no Pulumi code at all. tests/e2e/package-install.test.ts installs the package.
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
            "accountId", "authMethod", "cluster", "controllers", "createOidcProvider", "existingRoleArns", "fluxNamespace", "fluxVersion", "maxSessionDurationSeconds",
            "namePrefix", "oidcProviderArn", "path", "permissionsBoundaryArn", "podIdentity", "region", "roleLayout", "singleTenantManagedPolicies", "stsEndpoint", "tags", "tenants",
        ]);
        assert.equal(c.inputs.accountId.optional, undefined, "accountId is required");
        assert.deepEqual(Object.keys(c.outputs).sort(), ["broughtIdentities", "fluxInstanceYaml", "kustomizationYaml", "objectSettings", "oidcProviderArn", "patchSet", "roleArns", "tenantRoleArns", "tenantServiceAccountsYaml", "warnings"]);
        assert.deepEqual(Object.keys(result.typeDefinitions.BroughtIdentityRequirement?.properties ?? {}).sort(), ["apply", "check", "cloud", "controllers", "document", "identity", "identityKey", "kind", "managed", "resource", "tenant"]);
        assert.ok(result.typeDefinitions.AwsPodIdentityOptions?.properties?.targetRoleArns);
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
            "cloud", "cluster", "controllers", "existingIdentities", "fluxNamespace", "fluxVersion", "identityLayout", "location", "namePrefix", "pinnedIdentityGroups", "privateCloud",
            "resourceGroupName", "subscriptionId", "tags", "tenantId", "tenants",
        ]);
        for (const required of ["tenantId", "subscriptionId", "resourceGroupName", "location", "cluster"]) assert.equal(c.inputs[required].optional, undefined, `${required} is required`);
        assert.deepEqual(Object.keys(c.outputs).sort(), [
            "azureDevOpsOnboarding", "broughtIdentities", "clientIds", "fluxInstanceYaml", "identityNames", "kustomizationYaml", "objectSettings", "patchSet", "principalIds", "tenantClientIds", "tenantServiceAccountsYaml", "warnings",
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
        assert.deepEqual(Object.keys(c.inputs).sort(), ["aws", "azure", "cluster", "fluxNamespace", "fluxVersion", "gcp", "kubernetes", "liveCluster", "lockdown", "vault"]);
        assert.equal(c.inputs.cluster.optional, undefined, "cluster is required");
        assert.deepEqual(Object.keys(c.outputs).sort(), [
            "awsRoleArns", "azureClientIds", "broughtIdentities", "fluxInstanceYaml", "fluxObjectsYaml", "gcpRemoteClusterRbacYaml", "gcpServiceAccountEmails",
            "kubernetesAuthenticationConfigurationYaml", "kubernetesRemoteClusterRbacYaml", "kustomizationYaml", "objectSettings", "patchSet", "tenantRbacYaml", "tenantServiceAccountsYaml", "vaultRoleNames", "warnings",
        ]);
        assert.ok(result.typeDefinitions.AwsTargetArgs?.properties?.oidcProviderArn, "the AWS target keeps its OIDC provider input");
        assert.deepEqual(Object.keys(result.typeDefinitions.KubernetesRemoteClusterAccess?.properties ?? {}).sort(), ["address", "audiences", "caCert", "clusterRole", "name", "namespaces", "usedBy"]);
        assert.deepEqual(Object.keys(result.typeDefinitions.VaultTargetOptions?.properties ?? {}).sort(), ["address", "controllers", "jwtAuth", "namespace", "tenants", "tokenTtlSeconds"]);
        assert.ok(result.typeDefinitions.AwsEksAccess?.properties?.caCert && result.typeDefinitions.AzureAksAccess?.properties?.address && result.typeDefinitions.GcpGkeAccess?.properties?.caCert, "remote cluster endpoints in every cloud's schema");
    });

    it("infers the PublicOidcIssuer component's schema too", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
            Analyzer: new (dir: string, name: string, pkg: unknown, names: Set<string>) => { analyze(): AnalyzeResult };
        };
        const pkg = JSON.parse(readFileSync(fromRoot("provider", "package.json"), "utf8"));
        const result = new Analyzer(fromRoot("provider"), "flux-identity", pkg, new Set(["PublicOidcIssuer"])).analyze();
        const c = result.components.PublicOidcIssuer;
        assert.deepEqual(Object.keys(c.inputs).sort(), ["azureBlob", "gcs", "jwksJson", "pathPrefix", "previousIssuerUrl", "s3", "storage"]);
        for (const required of ["storage", "jwksJson"]) assert.equal(c.inputs[required].optional, undefined, `${required} is required`);
        assert.deepEqual(Object.keys(c.outputs).sort(), ["apiServerFlags", "discoveryDocument", "discoveryUrl", "issuerUrl", "jwksUri", "warnings"]);
        assert.deepEqual(result.typeDefinitions.IssuerStorage.enum?.map((e) => e.value), ["s3", "gcs", "azureBlob"]);
        assert.deepEqual(result.typeDefinitions.S3IssuerUrlStyle.enum?.map((e) => e.value), ["path", "virtualHosted"]);
        assert.deepEqual(Object.keys(result.typeDefinitions.IssuerS3Settings.properties ?? {}).sort(), ["bucketName", "createBucket", "region", "urlStyle"]);
        assert.deepEqual(Object.keys(result.typeDefinitions.IssuerGcsSettings.properties ?? {}).sort(), ["bucketName", "createBucket", "location", "project"]);
        assert.deepEqual(Object.keys(result.typeDefinitions.IssuerAzureBlobSettings.properties ?? {}).sort(), [
            "containerName", "createAccount", "endpointSuffix", "location", "resourceGroupName", "storageAccountName",
        ]);
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

    const SDKS = ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes"];
    const loads = (mods: string[], sdk: string) => mods.some((m) => m.includes(`node_modules/${sdk}/`));

    /**
     * In a fresh process: requires `entry`, then builds `build` (an expression of the entry's module `m`
     * and the args `a` of the matrix cell's cluster, or of `cell` given as `<fleet file under examples>#<cluster>`)
     * under flux-identity/testing's mocks. Returns the modules loaded by the import and once the component
     * is built. `hideSdk` makes one SDK missing.
     */
    function modulesAround(entry: string, cell: string, build: string, hideSdk?: string): { atImport: string[]; built: string[]; error?: string } {
        const [file, cluster] = cell.includes("#") ? cell.split("#") : [`matrix/${cell}.yaml`, undefined];
        const script = [
            "const Module = require('node:module');",
            `const hidden = ${JSON.stringify(hideSdk ?? null)};`,
            "const resolve = Module._resolveFilename;",
            "Module._resolveFilename = function (request, ...rest) {",
            "  if (hidden && (request === hidden || request.startsWith(hidden + '/'))) throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });",
            "  return resolve.call(this, request, ...rest);",
            "};",
            "const pulumi = require('@pulumi/pulumi');",
            "const { fluxIdentityMocks } = require('./dist/provider/src/testing');",
            "const { loadFleet } = require('./dist/sdk/src/spec/fleet');",
            "const { workloadIdentityArgsFromSpec } = require('./dist/sdk/src/program/fleet-program');",
            `const spec = loadFleet('examples/${file}').clusters.find((c) => ${JSON.stringify(cluster ?? null)} === null || c.name === ${JSON.stringify(cluster ?? null)});`,
            "const a = workloadIdentityArgsFromSpec(spec);",
            "pulumi.runtime.setMocks(fluxIdentityMocks(), 'p', 's', false).then(() => {",
            `  const m = require('./dist/provider/src${entry}');`,
            "  const atImport = Object.keys(require.cache);",
            "  let error;",
            `  try { ${build}; } catch (e) { error = e.message; }`,
            // The modules a component loads, it loads while it is built; its outputs are not needed.
            "  process.stdout.write(JSON.stringify({ atImport, built: Object.keys(require.cache), error }));",
            "  process.exit(0);",
            "});",
        ].join("\n");
        const r = spawnSync(process.execPath, ["-e", script], { cwd: fromRoot(), encoding: "utf8", timeout: 120000 });
        // The exit code is not asked for: Pulumi's runtime reports the registrations left pending at exit.
        assert.ok(r.stdout.startsWith("{"), `status ${r.status}: ${r.stderr}`);
        return JSON.parse(r.stdout) as { atImport: string[]; built: string[]; error?: string };
    }

    const components: Array<[string, string, string, string, string]> = [
        ["AwsFluxIdentity", "/aws", "kind-to-aws-controller", "new m.AwsFluxIdentity('x', { cluster: a.cluster, ...a.aws })", "@pulumi/aws"],
        ["AzureFluxIdentity", "/azure", "kind-to-azure-controller", "new m.AzureFluxIdentity('x', { cluster: a.cluster, ...a.azure })", "@pulumi/azure-native"],
        ["GcpFluxIdentity", "/gcp", "kind-to-gcp-controller", "new m.GcpFluxIdentity('x', { cluster: a.cluster, ...a.gcp })", "@pulumi/gcp"],
        ["FluxWorkloadIdentity reaching AWS only", "", "kind-to-aws-controller", "new m.FluxWorkloadIdentity('x', a)", "@pulumi/aws"],
        ["FluxWorkloadIdentity reaching GCP only", "", "eks-to-gcp-controller", "new m.FluxWorkloadIdentity('x', a)", "@pulumi/gcp"],
    ];
    for (const [component, entry, cell, build, sdk] of components) {
        it(`${component}: its entry point (flux-identity${entry}) loads no cloud SDK; building it loads ${sdk} and no other`, () => {
            const { atImport, built, error } = modulesAround(entry, cell, build);
            assert.equal(error, undefined);
            for (const s of SDKS) assert.ok(!loads(atImport, s), `importing flux-identity${entry} loads ${s}`);
            assert.ok(loads(built, sdk), `building ${component} loads ${sdk}`);
            for (const other of SDKS.filter((s) => s !== sdk)) assert.ok(!loads(built, other), `building ${component} loads ${other}`);
        });

        it(`${component}: without ${sdk} installed, building it says which package to install`, () => {
            const { error } = modulesAround(entry, cell, build, sdk);
            const usedBy = component.startsWith("FluxWorkloadIdentity") ? (sdk === "@pulumi/aws" ? "AwsFluxIdentity" : "GcpFluxIdentity") : component;
            assert.equal(
                error,
                `flux-identity: ${usedBy} needs ${sdk}, which is not installed. Fix: npm install "${sdk}@${(JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { peerDependencies: Record<string, string> }).peerDependencies[sdk]}" (an optional peer dependency of flux-identity: install the SDKs of the clouds your program uses).`,
            );
        });
    }

    // Brought identities alone create nothing: their components must work without the cloud's SDK.
    for (const [component, cell, build, sdk] of [
        ["AwsFluxIdentity", "byo-fleet/fleet.yaml#eks-aws", "new m.AwsFluxIdentity('x', { cluster: a.cluster, ...a.aws })", "@pulumi/aws"],
        ["AzureFluxIdentity", "byo-fleet/fleet.yaml#aks-azure", "new m.AzureFluxIdentity('x', { cluster: a.cluster, ...a.azure })", "@pulumi/azure-native"],
    ]) {
        it(`${component} with brought identities only (examples/${cell}) loads no cloud SDK and builds without ${sdk} installed`, () => {
            const entry = sdk === "@pulumi/aws" ? "/aws" : "/azure";
            const { built, error } = modulesAround(entry, cell, build);
            assert.equal(error, undefined);
            for (const s of SDKS) assert.ok(!loads(built, s), `building ${component} for brought identities loads ${s}`);
            assert.equal(modulesAround(entry, cell, build, sdk).error, undefined);
        });
    }

    it("building Azure's component loads azure-native's identity and authorization modules, not its whole index", () => {
        const { built } = modulesAround("/azure", "kind-to-azure-controller", "new m.AzureFluxIdentity('x', { cluster: a.cluster, ...a.azure })");
        assert.ok(loads(built, "@pulumi/azure-native/managedidentity"), "loads the managed identity module");
        assert.ok(!built.some((m) => m.endsWith("node_modules/@pulumi/azure-native/index.js")), "loads azure-native's whole index");
    });

    it("loads no cloud SDK from the root entry point or the sdk entry point", () => {
        for (const entry of ["./dist/provider/src", "./dist/sdk/src", "./dist/provider/src/testing", "./dist/provider/src/core"]) {
            const mods = loadedModules(`require('${entry}')`);
            for (const sdk of SDKS) assert.ok(!loads(mods, sdk), `${entry} loads ${sdk}`);
        }
    });

    it("loads no cloud SDK from the issuer entry point", () => {
        const mods = loadedModules("require('./dist/provider/src/issuer')");
        for (const sdk of ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes"]) {
            assert.ok(!mods.some((m) => m.includes(`node_modules/${sdk}/`)), `loads ${sdk}`);
        }
    });

    // Builds an issuer under Pulumi's mocks in a fresh process and reports the modules loaded by then.
    function modulesAfterBuilding(settings: string): string[] {
        const script = [
            "const pulumi = require('@pulumi/pulumi');",
            "pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + '-id', state: a.inputs }), call: () => ({}) }, 'p', 's', false).then(() => {",
            "  const { PublicOidcIssuer } = require('./dist/provider/src/issuer');",
            `  const issuer = new PublicOidcIssuer('i', Object.assign(${settings}, { jwksJson: JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k', n: 'qN1i', e: 'AQAB' }] }) }));`,
            "  const loaded = Object.keys(require.cache);",
            // Exits once the registrations settle, so the runtime reports no pending work.
            "  issuer.issuerUrl.apply(() => process.stdout.write(JSON.stringify(loaded)));",
            "});",
        ].join("\n");
        const r = spawnSync(process.execPath, ["-e", script], { cwd: fromRoot(), encoding: "utf8", timeout: 60000 });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as string[];
    }

    const backends: Array<[string, string, string, string[]]> = [
        ["S3", "{ storage: 's3', s3: { bucketName: 'flux-oidc', region: 'us-east-1' } }", "@pulumi/aws/s3/", ["@pulumi/aws/index.js", "@pulumi/aws/ec2/", "@pulumi/azure-native/", "@pulumi/gcp/"]],
        ["Cloud Storage", "{ storage: 'gcs', gcs: { bucketName: 'flux-oidc' } }", "@pulumi/gcp/storage/", ["@pulumi/gcp/index.js", "@pulumi/gcp/compute/", "@pulumi/aws/", "@pulumi/azure-native/"]],
        ["Azure Blob", "{ storage: 'azureBlob', azureBlob: { resourceGroupName: 'rg', storageAccountName: 'fluxoidc', containerName: 'oidc' } }", "@pulumi/azure-native/storage/", ["@pulumi/azure-native/index.js", "@pulumi/azure-native/managedidentity/", "@pulumi/aws/", "@pulumi/gcp/"]],
    ];
    for (const [backend, settings, wanted, unwanted] of backends) {
        it(`${backend}: building an issuer loads ${wanted}, not the whole SDK, and no other cloud's SDK`, () => {
            const mods = modulesAfterBuilding(settings);
            assert.ok(mods.some((m) => m.includes(`node_modules/${wanted}`)), `loads ${wanted}`);
            for (const other of [...unwanted, "@pulumi/kubernetes/"]) {
                assert.ok(!mods.some((m) => m.includes(`node_modules/${other}`)), `loads ${other}`);
            }
        });
    }

    it("serves every component from the provider entry point and the plugin", () => {
        const source = readFileSync(fromRoot("provider", "index.ts"), "utf8");
        assert.match(source, /componentProviderHost\(\{ components: COMPONENTS,/);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { COMPONENTS } = require("../../provider/src/plugin/components") as { COMPONENTS: Array<{ name: string }> };
        assert.deepEqual(COMPONENTS.map((c) => c.name).sort(), ["AwsFluxIdentity", "AzureFluxIdentity", "FluxLiveCluster", "FluxWorkloadIdentity", "GcpFluxIdentity", "KubernetesFluxIdentity", "PublicOidcIssuer", "VaultFluxIdentity"]);
    });

    it("FluxLiveCluster: the live entry point loads no SDK; building it loads @pulumi/kubernetes's apps, core and rbac modules and no cloud SDK", () => {
        const build = "const { planCluster } = require('./dist/provider/src/plan/cluster'); const layout = planCluster(spec).patchSet; new m.FluxLiveCluster('x', { layout, patchSet: layout })";
        const { atImport, built, error } = modulesAround("/live", "kind-to-aws-controller", build);
        assert.equal(error, undefined);
        for (const s of SDKS) assert.ok(!loads(atImport, s), `importing flux-identity/live loads ${s}`);
        assert.ok(loads(built, "@pulumi/kubernetes/apps/v1"), "loads the Kubernetes SDK's apps/v1");
        assert.ok(!built.some((m) => m.endsWith("node_modules/@pulumi/kubernetes/index.js")), "loads the Kubernetes SDK's whole index");
        for (const other of ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp"]) assert.ok(!loads(built, other), `loads ${other}`);
        const missing = modulesAround("/live", "kind-to-aws-controller", build, "@pulumi/kubernetes").error;
        assert.match(missing ?? "", /^flux-identity: FluxLiveCluster \(live-cluster mode\) needs @pulumi\/kubernetes, which is not installed\. Fix: npm install "@pulumi\/kubernetes@/);
    });

    it("exports the live entry point from the package like the others", () => {
        const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { exports: Record<string, { types: string; default: string }> };
        assert.deepEqual(pkg.exports["./live"], { types: "./dist/provider/src/live/index.d.ts", default: "./dist/provider/src/live/index.js" });
        const r = spawnSync(process.execPath, ["-e", "const l=require('flux-identity/live');process.stdout.write(typeof l.FluxLiveCluster+' '+typeof l.mergeContainerArgs)"], { cwd: fromRoot(), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "function function");
    });

    it("loads no cloud SDK from the remote-cluster and Vault entry points; the Vault SDK loads with the first VaultFluxIdentity", () => {
        const kube = loadedModules("require('./dist/provider/src/kubernetes')");
        for (const sdk of ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/vault"]) {
            assert.ok(!kube.some((m) => m.includes(`node_modules/${sdk}/`)), `kubernetes entry loads ${sdk}`);
        }
        const vault = loadedModules("require('./dist/provider/src/vault')");
        for (const sdk of ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/vault"]) {
            assert.ok(!vault.some((m) => m.includes(`node_modules/${sdk}/`)), `vault entry loads ${sdk}`);
        }
        const built = loadedModules("require('./dist/provider/src/vault/sdk')");
        assert.ok(built.some((m) => m.includes("node_modules/@pulumi/vault/")), "the Vault factories load @pulumi/vault");
    });

    it("@pulumi/vault is an optional peer dependency that the main entry point never loads", () => {
        const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as {
            peerDependencies?: Record<string, string>;
            peerDependenciesMeta?: Record<string, { optional?: boolean }>;
            devDependencies?: Record<string, string>;
            dependencies?: Record<string, string>;
        };
        assert.ok(pkg.peerDependencies?.["@pulumi/vault"], "a peer dependency");
        assert.equal(pkg.peerDependenciesMeta?.["@pulumi/vault"]?.optional, true);
        assert.match(pkg.devDependencies?.["@pulumi/vault"] ?? "", /^\d+\.\d+\.\d+$/, "an exact dev dependency for the tests");
        assert.equal(pkg.dependencies?.["@pulumi/vault"], undefined);
        const main = loadedModules("require('./dist/provider/src')");
        assert.ok(!main.some((m) => m.includes("node_modules/@pulumi/vault/")), "the main entry point loads @pulumi/vault");
    });

    it("render (the CLI) loads no Pulumi package at all", () => {
        const mods = loadedModules("require('./dist/sdk/src/cli/main')");
        assert.deepEqual(mods.filter((m) => m.includes("node_modules/@pulumi/")), []);
    });
});
