/**
 * The plugin executable's parts without the engine: the provider serving provider/schema.json and
 * constructing components (under Pulumi's mocks), the launcher's message when it finds no compiled
 * components, and provider/ as a package of its own (its dependencies, its version).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS } from "../../provider/src/plugin/components";
import { SchemaComponentProvider } from "../../provider/src/plugin/schema-provider";
import { renderCluster } from "../../sdk/src/render/render";
import { workloadIdentityArgsFromSpec } from "../../sdk/src/program/fleet-program";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { settle, useMocks, valueOf } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";

const SCHEMA_TEXT = readFileSync(fromRoot("provider", "schema.json"), "utf8");
const SCHEMA = JSON.parse(SCHEMA_TEXT) as { version: string; resources: Record<string, { properties: Record<string, unknown> }> };
const WORKLOAD_IDENTITY = "flux-identity:index:FluxWorkloadIdentity";

interface Manifest {
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
}
const manifest = (...parts: string[]): Manifest => JSON.parse(readFileSync(fromRoot(...parts), "utf8")) as Manifest;

describe("the plugin's provider", () => {
    it("serves provider/schema.json as is, at the package's version", async () => {
        const provider = new SchemaComponentProvider(SCHEMA_TEXT, COMPONENTS);
        assert.equal(await provider.getSchema(), SCHEMA_TEXT);
        assert.equal(provider.version, manifest("provider", "package.json").version);
        assert.equal(provider.version, manifest("package.json").version, "provider/package.json and package.json share one version: the npm package ships the plugin");
        assert.deepEqual(Object.keys(SCHEMA.resources).sort(), COMPONENTS.map((c) => `flux-identity:index:${c.name}`).sort());
    });

    it("refuses a schema listing a component this build lacks", () => {
        const schema = JSON.parse(SCHEMA_TEXT) as { resources: Record<string, unknown> };
        schema.resources["flux-identity:index:FluxTeleporter"] = { isComponent: true };
        assert.throws(() => new SchemaComponentProvider(JSON.stringify(schema), COMPONENTS), /the schema lists components this build lacks: flux-identity:index:FluxTeleporter/);
    });

    it("constructs FluxWorkloadIdentity from plain inputs; its state holds every output the schema declares, equal to render", async () => {
        await useMocks();
        const [cluster] = loadFleet(fromRoot("examples", "yaml-byo", "fleet.yaml")).clusters;
        const provider = new SchemaComponentProvider(SCHEMA_TEXT, COMPONENTS);
        const inputs = JSON.parse(JSON.stringify(workloadIdentityArgsFromSpec(cluster))) as pulumi.Inputs;
        const { state } = await provider.construct("kind", WORKLOAD_IDENTITY, inputs, {});
        assert.deepEqual(Object.keys(state).sort(), Object.keys(SCHEMA.resources[WORKLOAD_IDENTITY].properties).sort());
        assert.equal(await valueOf(state.kustomizationYaml as pulumi.Output<string>), renderCluster(cluster).files["flux-system/kustomization.yaml"]);
        await settle();
    });

    it("rejects a type it does not serve, listing those it does", async () => {
        const provider = new SchemaComponentProvider(SCHEMA_TEXT, COMPONENTS);
        await assert.rejects(provider.construct("x", "flux-identity:index:Nope", {}, {}), /has no component flux-identity:index:Nope \(it has .*FluxWorkloadIdentity/);
    });
});

describe("the plugin executable (provider/pulumi-resource-flux-identity)", () => {
    it("is executable and says what to build when it finds no compiled components", () => {
        const launcher = fromRoot("provider", "pulumi-resource-flux-identity");
        assert.ok((statSync(launcher).mode & 0o111) !== 0, "executable");
        const dir = mkdtempSync(path.join(tmpdir(), "flux-identity-launcher-"));
        try {
            copyFileSync(launcher, path.join(dir, "pulumi-resource-flux-identity"));
            const r = spawnSync(process.execPath, [path.join(dir, "pulumi-resource-flux-identity")], { encoding: "utf8" });
            assert.equal(r.status, 1);
            assert.match(r.stderr, /no compiled components next to .*Run `npm run build` in the repository, or `npm install` in provider\//);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the plugin in the flux-identity npm package", () => {
    it("ships the executable as a bin, with the schema and the compiled plugin it runs", function () {
        this.timeout(120_000);
        const bin = (JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { bin: Record<string, string> }).bin;
        assert.equal(bin["pulumi-resource-flux-identity"], "provider/pulumi-resource-flux-identity", "a global install puts the plugin on PATH");
        // --ignore-scripts: packing must not rebuild dist/ under the running tests.
        const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: fromRoot(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        assert.equal(r.status, 0, r.stderr);
        const files = new Set((JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path));
        for (const f of ["provider/pulumi-resource-flux-identity", "provider/schema.json", "dist/provider/src/plugin/serve.js", "dist/provider/src/plugin/schema-provider.js", "dist/provider/src/plugin/components.js"]) {
            assert.ok(files.has(f), `the package holds ${f} (package.json "files")`);
        }
    });
});

describe("provider/ as a package of its own", () => {
    /** The packages a TypeScript file under provider/ imports (not node: builtins, not relative paths). */
    function importedPackages(): Set<string> {
        const out = new Set<string>();
        const visit = (dir: string): void => {
            for (const entry of readdirSync(dir, { withFileTypes: true })) {
                const file = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    if (entry.name !== "node_modules" && entry.name !== "dist") visit(file);
                } else if (entry.name.endsWith(".ts")) {
                    // Code only: examples in doc comments import the package by its public name.
                    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
                    for (const m of code.matchAll(/(?:from |require\(|import\()"([^".][^"]*)"/g)) {
                        if (m[1].startsWith("node:")) continue;
                        out.add(m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0]);
                    }
                }
            }
        };
        visit(fromRoot("provider"));
        return out;
    }

    it("depends on every package its code imports, at a version or range package.json gives them", () => {
        const provider = manifest("provider", "package.json");
        const root = manifest("package.json");
        const rootEntries = (name: string): string[] =>
            [root.dependencies, root.devDependencies, root.peerDependencies, root.optionalDependencies].map((d) => d?.[name]).filter((r): r is string => r !== undefined);
        const imported = [...importedPackages()].sort();
        assert.ok(imported.includes("@pulumi/pulumi") && imported.includes("@pulumi/aws"), imported.join(", "));
        assert.deepEqual(Object.keys(provider.dependencies ?? {}).sort(), imported, "provider/package.json dependencies are exactly what provider/ imports");
        // The plugin is an application: it may pin what the package takes as a peer range, as long as
        // package.json says the same somewhere (the version tested, or the range users get).
        for (const [name, range] of Object.entries({ ...provider.dependencies, ...provider.devDependencies })) {
            assert.ok(rootEntries(name).includes(range), `${name}: provider/package.json has ${range}, package.json ${JSON.stringify(rootEntries(name))}; they must agree`);
        }
        assert.ok(provider.devDependencies?.typescript, "building provider/ on its own needs TypeScript");
    });
});
