// `flux-identity up|outputs|destroy` on examples/byo-fleet, from the command line, with the real Pulumi
// CLI on PATH and the fleet's default backend (file://<spec folder>/.flux-identity/state).

import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { renderCluster } from "../../sdk/src/render/render";
import type { FleetEvent } from "../../sdk/src/runner/types";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { fromRoot } from "../helpers/paths";
import { EngineScratch, PulumiCli, requirePulumiCli } from "../helpers/pulumi-engine";

const run = promisify(execFile);

describe("end to end: flux-identity up on a brought-identity fleet from the command line", function () {
    this.timeout(300_000);
    let cli: PulumiCli;
    let scratch: EngineScratch;
    let fleetFile: string;

    before(function () {
        cli = requirePulumiCli(this);
        scratch = new EngineScratch();
        fleetFile = path.join(scratch.dir, "fleet.yaml");
        copyFileSync(fromRoot("examples", "byo-fleet", "fleet.yaml"), fleetFile);
    });
    after(() => scratch?.dispose());

    const flux = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
        const env = { ...scratch.env(), PATH: `${path.join(cli.root, "bin")}${path.delimiter}${process.env.PATH ?? ""}` };
        try {
            const { stdout, stderr } = await run(process.execPath, [fromRoot("dist", "sdk", "src", "cli", "main.js"), ...args], { env, cwd: scratch.dir, maxBuffer: 64 * 1024 * 1024 });
            return { code: 0, stdout, stderr };
        } catch (err) {
            const e = err as { code: number; stdout: string; stderr: string };
            return { code: e.code, stdout: e.stdout, stderr: e.stderr };
        }
    };

    it("provisions every cluster, then reads outputs equal to render and writes them into a Flux repository", async () => {
        const clusters = loadFleet(fleetFile).clusters;
        const up = await flux("up", fleetFile);
        assert.equal(up.code, 0, up.stdout + up.stderr);
        assert.match(up.stdout + up.stderr, new RegExp(`up: ${clusters.length} succeeded, 0 failed, 0 cancelled`));

        const repo = path.join(scratch.dir, "flux-repo");
        const outputs = await flux("outputs", fleetFile, "--json", "--write", repo);
        assert.equal(outputs.code, 0, outputs.stderr);
        const events = outputs.stdout.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent);
        const finished = events.find((e) => e.type === "run-finished");
        assert.ok(finished?.type === "run-finished");
        assert.deepEqual(finished.summary.succeeded, clusters.map((c) => c.name));
        for (const c of clusters) {
            const text = renderCluster(c).files["flux-system/kustomization.yaml"];
            assert.equal(finished.summary.results.find((r) => r.cluster === c.name)?.outputs.kustomizationYaml, text, c.name);
            assert.equal(readFileSync(path.join(repo, "clusters", c.name, "flux-system", "kustomization.yaml"), "utf8"), text, c.name);
        }
        // The stacks live where the fleet says by default: next to the spec.
        assert.ok(scratch.stackResourcesAt(path.join(scratch.dir, ".flux-identity", "state"), "flux-identity-byo", "byo-eks-aws").length > 0);
    });

    it("reports no changes on a second up, and destroys the stacks", async () => {
        const again = await flux("up", fleetFile, "--json");
        assert.equal(again.code, 0, again.stderr);
        const summary = again.stdout.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent).find((e) => e.type === "run-finished");
        assert.ok(summary?.type === "run-finished");
        for (const r of summary.summary.results) assert.deepEqual(Object.keys(r.changes), ["same"], r.cluster);
        const destroy = await flux("destroy", fleetFile);
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.deepEqual(scratch.stackResourcesAt(path.join(scratch.dir, ".flux-identity", "state"), "flux-identity-byo", "byo-eks-aws"), []);
    });

    it("takes a ^C on the terminal as one graceful cancel, leaving stacks the next up recovers", async () => {
        // The command runs as the leader of its own process group, as in a terminal; ^C goes to the whole group.
        const env = { ...scratch.env(), PATH: `${path.join(cli.root, "bin")}${path.delimiter}${process.env.PATH ?? ""}` };
        const child = spawn(process.execPath, [fromRoot("dist", "sdk", "src", "cli", "main.js"), "up", fleetFile, "--json"], { env, cwd: scratch.dir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let interrupted = false;
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
            stdout += d;
            if (!interrupted && /"type":"resource","cluster":"[^"]+","phase":"pre"/.test(stdout)) {
                interrupted = true;
                process.kill(-(child.pid as number), "SIGINT");
            }
        });
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        assert.ok(interrupted, "the update never started");
        assert.equal(code, 1, stderr);
        const summary = stdout.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent).find((e) => e.type === "run-finished");
        assert.ok(summary?.type === "run-finished");
        const messages = summary.summary.results.map((r) => r.error?.message ?? "");
        assert.ok(summary.summary.cancelled.length > 0, JSON.stringify(messages));
        for (const m of messages) assert.doesNotMatch(m, /killed with SIGINT|terminat/i, "a second interrupt reached the Pulumi CLI");
        assert.ok(messages.some((m) => /update canceled/.test(m)), JSON.stringify(messages));
        assert.deepEqual(scratch.lockFilesAt(path.join(scratch.dir, ".flux-identity", "state")), []);

        const again = await flux("up", fleetFile);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        const destroy = await flux("destroy", fleetFile);
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
    });
});
