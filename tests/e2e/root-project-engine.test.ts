// The root Pulumi project (Pulumi.yaml, index.ts) on the real engine: a stack whose config names
// examples/byo-fleet and selects its AWS clusters provisions exactly those, with outputs equal to render.
// See tests/helpers/root-project-stack.ts for why its program runs inline.

import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { renderCluster } from "../../sdk/src/render/render";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { fromRoot } from "../helpers/paths";
import { EngineScratch, PulumiCli, requirePulumiCli } from "../helpers/pulumi-engine";
import type { RootProjectRequest, RootProjectResult } from "../helpers/root-project-stack";

const run = promisify(execFile);

describe("end to end: the root Pulumi project on the real engine", function () {
    this.timeout(300_000);
    let cli: PulumiCli;
    let scratch: EngineScratch;

    before(function () {
        cli = requirePulumiCli(this);
        scratch = new EngineScratch();
    });
    after(() => scratch?.dispose());

    const fleetFile = fromRoot("examples", "byo-fleet", "fleet.yaml");
    const operate = async (operation: RootProjectRequest["operation"], selector: Record<string, string> = { cloud: "aws" }): Promise<RootProjectResult> => {
        const request: RootProjectRequest = {
            operation,
            location: scratch.stackLocation(cli.root, "flux-identity", "byo-aws"),
            config: { "flux-identity:fleetFile": fleetFile, "flux-identity:selector": JSON.stringify(selector) },
        };
        const { stdout } = await run(process.execPath, [path.join(__dirname, "..", "helpers", "root-project-stack.js"), JSON.stringify(request)], { env: scratch.env(), maxBuffer: 64 * 1024 * 1024 });
        return JSON.parse(stdout.trim().split("\n").pop() as string) as RootProjectResult;
    };

    it("provisions the clusters its config selects, with the files render writes", async () => {
        const selected = loadFleet(fleetFile).clusters.filter((c) => c.labels?.cloud === "aws");
        assert.ok(selected.length >= 2, "the example has several AWS clusters");
        const up = await operate("up");
        const fleet = up.outputs.fleet as Record<string, { kustomizationYaml: string; awsRoleArns: Record<string, string> }>;
        assert.deepEqual(Object.keys(fleet).sort(), selected.map((c) => c.name).sort());
        for (const c of selected) assert.equal(fleet[c.name].kustomizationYaml, renderCluster(c).files["flux-system/kustomization.yaml"], c.name);
        assert.ok((up.changes.create ?? 0) > selected.length, JSON.stringify(up.changes));
        assert.deepEqual(scratch.stackResources("flux-identity", "byo-aws").filter((r) => r.custom), [], "only component resources");
    });

    it("refuses an update whose selection matches nothing, keeping every resource of the stack", async () => {
        const before = scratch.stackResources("flux-identity", "byo-aws");
        assert.ok(before.length > 0);
        // With no cluster declared, the update would have deleted every cluster's identities.
        await assert.rejects(operate("up", { cloud: "awz" }), (err: Error & { stderr?: string }) => /flux-identity:selector: no cluster carries the labels cloud=awz/.test(err.stderr ?? "") && /pulumi destroy/.test(err.stderr ?? ""));
        assert.deepEqual(scratch.stackResources("flux-identity", "byo-aws"), before);
    });

    it("reports no changes on a second up, and destroys down to nothing", async () => {
        const again = await operate("up");
        assert.deepEqual(Object.keys(again.changes), ["same"], JSON.stringify(again.changes));
        await operate("destroy");
        assert.deepEqual(scratch.stackResources("flux-identity", "byo-aws"), []);
    });
});
