// Pulumi YAML on the real engine: examples/yaml-byo as a project (`runtime: yaml`, served by the YAML
// language host scripts/build-pulumi-yaml.sh builds), with the flux-identity plugin executable found on
// PATH and a file:// backend. No Node.js language host anywhere.

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ByoOutputs, CliRun, assertOutputsEqualRender, copyYamlProgram, languageEnv, pulumiIn, renderedByo } from "../helpers/byo-example";
import { FoundTool, findYamlHost } from "../helpers/language-tools";
import { fromRoot } from "../helpers/paths";
import { EngineScratch, PulumiCli, requirePulumiCli, requireTool } from "../helpers/pulumi-engine";

const PROJECT = "flux-identity-yaml-byo";

describe("end to end: a Pulumi YAML program through the plugin", function () {
    this.timeout(300_000);
    let cli: PulumiCli;
    let yaml: FoundTool;
    let scratch: EngineScratch;
    let rendered: ByoOutputs;

    before(function () {
        cli = requirePulumiCli(this);
        yaml = requireTool(this, "YAML end-to-end tests", findYamlHost());
        scratch = new EngineScratch();
        rendered = renderedByo(path.join(scratch.dir, "render"));
    });
    after(() => scratch?.dispose());

    /** Runs the Pulumi CLI in `cwd` against the scratch backend, with the YAML host and the plugin on PATH. */
    const pulumi = (cwd: string, ...args: string[]): Promise<CliRun> =>
        pulumiIn(cli, cwd, { ...languageEnv(scratch, cli, [path.join(yaml.path, "bin")]), PULUMI_BACKEND_URL: scratch.backendUrl }, ...args);

    /** A copy of the example's Pulumi.yaml in its own folder, with `edit` applied, and a stack named `name`. */
    const project = async (name: string, edit?: (text: string) => string): Promise<string> => {
        const dir = copyYamlProgram(path.join(scratch.dir, name), edit);
        const init = await pulumi(dir, "stack", "init", name);
        assert.equal(init.code, 0, init.stderr);
        return dir;
    };

    it("serves provider/schema.json byte for byte (`pulumi package get-schema` on the plugin)", async () => {
        const got = await pulumi(scratch.dir, "package", "get-schema", fromRoot("provider", "pulumi-resource-flux-identity"));
        assert.equal(got.code, 0, got.stderr);
        assert.equal(got.stdout, readFileSync(fromRoot("provider", "schema.json"), "utf8"));
    });

    let dir: string;
    it("runs `pulumi up` on examples/yaml-byo: the outputs are the files render writes, and no cloud resource", async () => {
        dir = await project("byo");
        const up = await pulumi(dir, "up", "--yes", "--skip-preview");
        assert.equal(up.code, 0, up.stdout + up.stderr);
        const outputs = await pulumi(dir, "stack", "output", "--json", "--show-secrets");
        assert.equal(outputs.code, 0, outputs.stderr);
        assertOutputsEqualRender(JSON.parse(outputs.stdout) as Record<string, unknown>, rendered);
        const resources = scratch.stackResources(PROJECT, "byo");
        assert.deepEqual(resources.filter((r) => r.type.startsWith("flux-identity:")).map((r) => r.type).sort(), [
            "flux-identity:index:AwsFluxIdentity", "flux-identity:index:AzureFluxIdentity", "flux-identity:index:FluxWorkloadIdentity",
        ]);
        assert.deepEqual(resources.filter((r) => r.custom).map((r) => r.type), ["pulumi:providers:flux-identity"], "only the plugin's provider is a custom resource");
    });

    it("reports no changes on a second `pulumi up`, then destroys the stack", async () => {
        const again = await pulumi(dir, "up", "--yes", "--expect-no-changes");
        assert.equal(again.code, 0, again.stdout + again.stderr);
        const destroy = await pulumi(dir, "destroy", "--yes");
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.deepEqual(scratch.stackResources(PROJECT, "byo"), []);
    });

    it("fails a program with bad input with the component's error naming the field, creating nothing", async () => {
        const bad = await project("bad", (t) => t.replace('accountId: "111122223333"', 'accountId: "1111-2222"'));
        const up = await pulumi(bad, "up", "--yes", "--skip-preview");
        assert.notEqual(up.code, 0, up.stdout);
        assert.match(up.stdout + up.stderr, /aws\.accountId/);
        assert.deepEqual(scratch.stackResources(PROJECT, "bad").filter((r) => r.type.startsWith("flux-identity:")), []);
    });
});
