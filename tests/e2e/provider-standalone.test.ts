// provider/ on its own, as a user installs the plugin from it: a copy of the folder (no repository around
// it), `npm install` (its own dependencies; `prepare` compiles it into provider/dist), then
// `pulumi plugin install resource flux-identity <version> --file <folder>`. The installed plugin alone
// (nothing on PATH, ambient plugins ignored) then serves the schema and runs examples/yaml-byo.

import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { ByoOutputs, CliRun, assertOutputsEqualRender, copyYamlProgram, languageEnv, pulumiIn, renderedByo } from "../helpers/byo-example";
import { FoundTool, findYamlHost } from "../helpers/language-tools";
import { fromRoot } from "../helpers/paths";
import { EngineScratch, PulumiCli, requirePulumiCli, requireTool } from "../helpers/pulumi-engine";

const run = promisify(execFile);

describe("end to end: provider/ installed on its own as a Pulumi plugin", function () {
    // npm installs the cloud SDKs (about 480 MB) and the plugin install copies them: minutes.
    this.timeout(1_200_000);
    let cli: PulumiCli;
    let yaml: FoundTool;
    let scratch: EngineScratch;
    let folder: string;
    let rendered: ByoOutputs;
    const { version } = JSON.parse(readFileSync(fromRoot("provider", "package.json"), "utf8")) as { version: string };

    before(async function () {
        cli = requirePulumiCli(this);
        yaml = requireTool(this, "the installed-plugin test", findYamlHost());
        scratch = new EngineScratch();
        rendered = renderedByo(path.join(scratch.dir, "render"));
        folder = path.join(scratch.dir, "flux-identity-provider");
        cpSync(fromRoot("provider"), folder, { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
        await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: folder, maxBuffer: 64 * 1024 * 1024 });
    });
    after(() => scratch?.dispose());

    /** The Pulumi CLI with no plugin executable on PATH (the scratch's PULUMI_HOME holds the installed plugins). */
    const pulumi = (cwd: string, ...args: string[]): Promise<CliRun> => {
        const env: Record<string, string | undefined> = { ...languageEnv(scratch, cli, [path.join(yaml.path, "bin")], false), PULUMI_BACKEND_URL: scratch.backendUrl };
        // An executable elsewhere on PATH (a global npm install, say) would be used instead of the installed plugin.
        env.PATH = (env.PATH ?? "").split(path.delimiter).filter((dir) => !existsSync(path.join(dir, "pulumi-resource-flux-identity"))).join(path.delimiter);
        return pulumiIn(cli, cwd, env, ...args);
    };

    it("builds with its own dependencies: `npm install` compiles provider/dist, and brings none of the fleet tooling", () => {
        assert.ok(existsSync(path.join(folder, "dist", "src", "plugin", "serve.js")), "prepare compiled the plugin");
        for (const dep of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes", "@kubernetes-models/flux-cd"]) {
            assert.ok(existsSync(path.join(folder, "node_modules", dep, "package.json")), dep);
        }
        for (const rootOnly of ["listr2", "mocha", "fast-check"]) assert.ok(!existsSync(path.join(folder, "node_modules", rootOnly)), `${rootOnly} is the root package's, not the provider's`);
    });

    it("installs with `pulumi plugin install resource flux-identity <version> --file` and serves the schema by name", async () => {
        const install = await pulumi(scratch.dir, "plugin", "install", "resource", "flux-identity", version, "--file", folder);
        assert.equal(install.code, 0, install.stdout + install.stderr);
        const schema = await pulumi(scratch.dir, "package", "get-schema", `flux-identity@${version}`);
        assert.equal(schema.code, 0, schema.stderr);
        assert.equal(schema.stdout, readFileSync(fromRoot("provider", "schema.json"), "utf8"));
    });

    it("runs examples/yaml-byo with the installed plugin alone: outputs equal render, then destroy", async () => {
        const dir = copyYamlProgram(path.join(scratch.dir, "yaml-byo"));
        assert.equal((await pulumi(dir, "stack", "init", "installed")).code, 0);
        const up = await pulumi(dir, "up", "--yes", "--skip-preview");
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const outputs = await pulumi(dir, "stack", "output", "--json", "--show-secrets");
        assertOutputsEqualRender(JSON.parse(outputs.stdout) as Record<string, unknown>, rendered);
        const destroy = await pulumi(dir, "destroy", "--yes");
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
    });
});
