// Python on the real engine: the generated SDK (sdk/python) and pulumi==<the pinned version> installed
// with pip in a fresh virtual environment, and an inline Automation API program
// (tests/e2e/languages/python/main.py) declaring examples/yaml-byo's cluster through the plugin.

import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { ByoOutputs, ProgramResult, itProvisionsTheExample, languageEnv, renderedByo } from "../helpers/byo-example";
import { FoundTool, findPythonWheels } from "../helpers/language-tools";
import { fromRoot } from "../helpers/paths";
import { EngineScratch, PulumiCli, pinnedPulumiVersion, requirePulumiCli, requireTool } from "../helpers/pulumi-engine";

const run = promisify(execFile);
const PROGRAM = fromRoot("tests", "e2e", "languages", "python", "main.py");

describe("end to end: a Python program through the generated SDK and the plugin", function () {
    this.timeout(300_000);
    let cli: PulumiCli;
    let wheels: FoundTool;
    let scratch: EngineScratch;
    let python: string;
    let rendered: ByoOutputs;

    before(function () {
        cli = requirePulumiCli(this);
        wheels = requireTool(this, "Python end-to-end tests", findPythonWheels());
        scratch = new EngineScratch();
        rendered = renderedByo(path.join(scratch.dir, "render"));
        // pip builds the SDK in its folder; a copy keeps the repository clean.
        const sdk = path.join(scratch.dir, "sdk-python");
        cpSync(fromRoot("sdk", "python"), sdk, { recursive: true });
        const venv = path.join(scratch.dir, "venv");
        execFileSync(process.env.PYTHON ?? "python3", ["-m", "venv", venv]);
        python = path.join(venv, "bin", "python");
        execFileSync(python, ["-m", "pip", "install", "--quiet", "--no-index", "--find-links", wheels.path, `pulumi==${pinnedPulumiVersion().slice(1)}`, sdk], { stdio: ["ignore", "ignore", "pipe"] });
    });
    after(() => scratch?.dispose());

    const program = async (operation: "up" | "destroy"): Promise<ProgramResult> => {
        const { stdout } = await run(python, [PROGRAM, scratch.backendUrl, operation], { cwd: scratch.dir, env: languageEnv(scratch, cli), maxBuffer: 64 * 1024 * 1024 });
        return JSON.parse(stdout) as ProgramResult;
    };

    it("installs the SDK next to the pinned Pulumi Python SDK", () => {
        const versions = execFileSync(python, ["-c", "import importlib.metadata as m; print(m.version('pulumi'), m.version('pulumi_flux_identity'))"], { encoding: "utf8" }).trim();
        const { version } = JSON.parse(readFileSync(fromRoot("provider", "schema.json"), "utf8")) as { version: string };
        assert.equal(versions, `${pinnedPulumiVersion().slice(1)} ${version}`);
    });

    itProvisionsTheExample(() => ({ program, rendered, scratch, project: "flux-identity-python-byo" }));
});
