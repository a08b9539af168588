// Go on the real engine: an inline Go Automation API program (tests/e2e/languages/go) built against the
// generated Go SDK (sdk/go, by a replace directive) and the pinned Pulumi Go SDK, declaring
// examples/yaml-byo's cluster through the plugin.

import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { ByoOutputs, ProgramResult, itProvisionsTheExample, languageEnv, renderedByo } from "../helpers/byo-example";
import { FoundTool, findGo } from "../helpers/language-tools";
import { fromRoot } from "../helpers/paths";
import { EngineScratch, PulumiCli, requirePulumiCli, requireTool } from "../helpers/pulumi-engine";

const run = promisify(execFile);

describe("end to end: a Go program through the generated SDK and the plugin", function () {
    // The first build compiles the Pulumi Go SDK: minutes on a cold build cache.
    this.timeout(900_000);
    let cli: PulumiCli;
    let go: FoundTool;
    let scratch: EngineScratch;
    let binary: string;
    let rendered: ByoOutputs;

    before(async function () {
        cli = requirePulumiCli(this);
        go = requireTool(this, "Go end-to-end tests", findGo());
        scratch = new EngineScratch();
        rendered = renderedByo(path.join(scratch.dir, "render"));
        binary = path.join(scratch.dir, "flux-byo");
        // go.sum pins every module: the build downloads (or reuses) exactly those, and edits no file.
        const env = { ...process.env, CGO_ENABLED: "0", GOFLAGS: `${process.env.GOFLAGS ?? ""} -mod=readonly`.trim(), GOSUMDB: process.env.GOSUMDB ?? "off" };
        await run(go.path, ["build", "-trimpath", "-o", binary, "."], { cwd: fromRoot("tests", "e2e", "languages", "go"), env, maxBuffer: 64 * 1024 * 1024 });
    });
    after(() => scratch?.dispose());

    const program = async (operation: "up" | "destroy"): Promise<ProgramResult> => {
        const { stdout } = await run(binary, [scratch.backendUrl, operation], { cwd: scratch.dir, env: languageEnv(scratch, cli), maxBuffer: 64 * 1024 * 1024 });
        return JSON.parse(stdout) as ProgramResult;
    };

    itProvisionsTheExample(() => ({ program, rendered, scratch, project: "flux-identity-go-byo" }));
});
