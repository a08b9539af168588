// `flux-identity up|outputs|destroy` on examples/byo-fleet, from the command line, with the real Pulumi
// CLI on PATH and the fleet's default backend (file://<spec folder>/.flux-identity/state).

import { strict as assert } from "node:assert";
import { execFile, spawn } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
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
        // Without --yes and without a terminal to ask on, up changes nothing.
        const refused = await flux("up", fleetFile);
        assert.equal(refused.code, 2, refused.stdout + refused.stderr);
        assert.match(refused.stderr, /up will create or update the identities of 4 cluster stacks/);
        assert.match(refused.stderr, /--yes/);
        assert.ok(!scratch.hasStackAt(path.join(scratch.dir, ".flux-identity", "state"), "flux-identity-byo", "byo-eks-aws"), "no stack was created");
        const up = await flux("up", fleetFile, "--yes");
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

    it("reports a brought role's new ARN as a changed kustomization in preview and up, with its diff", async () => {
        const original = readFileSync(fleetFile, "utf8");
        const oldArn = "arn:aws:iam::111122223333:role/flux-source";
        const newArn = "arn:aws:iam::111122223333:role/flux-source-v2";
        assert.ok(original.includes(`source-controller: ${oldArn}\n`));
        writeFileSync(fleetFile, original.replace(`source-controller: ${oldArn}\n`, `source-controller: ${newArn}\n`));
        try {
            for (const operation of ["preview", "up"]) {
                const extra = operation === "up" ? ["--yes"] : [];
                const json = operation === "preview" ? await flux(operation, fleetFile, "--json") : undefined;
                if (json) {
                    assert.equal(json.code, 0, json.stderr);
                    const finished = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent).find((e) => e.type === "run-finished");
                    assert.ok(finished?.type === "run-finished");
                    for (const r of finished.summary.results) {
                        // The other clusters did not change since their last up: left alone.
                        if (r.cluster !== "eks-aws") {
                            assert.equal(r.status, "skipped", r.cluster);
                            assert.deepEqual(r.outputChanges, [], r.cluster);
                            continue;
                        }
                        // No resource changes: the engine counts every one the same, but the Flux side changed.
                        assert.deepEqual(Object.keys(r.changes), ["same"], r.cluster);
                    }
                    const eks = finished.summary.results.find((r) => r.cluster === "eks-aws");
                    const kustomization = eks?.outputChanges.find((c) => c.name === "kustomizationYaml");
                    assert.equal(kustomization?.change, "update");
                    assert.match(String(kustomization?.before), new RegExp(`role-arn: ${oldArn}\n`));
                    assert.match(String(kustomization?.after), new RegExp(`role-arn: ${newArn}\n`));
                    // broughtIdentities: what the owner of the brought role must now put in its trust policy.
                    assert.deepEqual(eks?.outputChanges.map((c) => c.name).sort(), ["awsRoleArns", "broughtIdentities", "kustomizationYaml"]);
                }
                const text = await flux(operation, fleetFile, "--diff", ...extra);
                assert.equal(text.code, 0, text.stdout + text.stderr);
                assert.match(text.stdout, new RegExp(`eks-aws ${operation === "preview" ? "would change" : "changed"} outputs: awsRoleArns \\(update\\), broughtIdentities \\(update\\), kustomizationYaml \\(update\\)`));
                assert.match(text.stdout, /--- eks-aws\/kustomizationYaml\t/);
                assert.match(text.stdout, new RegExp(`\n-\\s+eks\\.amazonaws\\.com/role-arn: ${oldArn}\n\\+\\s+eks\\.amazonaws\\.com/role-arn: ${newArn}\n`));
            }
            // The up took it: the stack's kustomization is the new one, and nothing changes any more.
            const again = await flux("preview", fleetFile);
            assert.equal(again.code, 0, again.stderr);
            assert.doesNotMatch(again.stdout, /outputs/);
        } finally {
            writeFileSync(fleetFile, original);
        }
        const back = await flux("up", fleetFile, "--yes", "--json");
        assert.equal(back.code, 0, back.stderr);
    });

    it("skips unchanged stacks on a second up (--force runs them, to no changes), and destroys the stacks only when confirmed", async () => {
        const skipped = await flux("up", fleetFile, "--yes");
        assert.equal(skipped.code, 0, skipped.stdout + skipped.stderr);
        assert.match(skipped.stdout, new RegExp(`up: 0 succeeded, ${loadFleet(fleetFile).clusters.length} unchanged \\(skipped\\), 0 failed, 0 cancelled`));
        assert.match(skipped.stdout, /eks-aws: skipped \(unchanged since its last successful up\)/);
        assert.match(skipped.stdout, /--force to up them anyway/);
        const again = await flux("up", fleetFile, "--json", "--yes", "--force");
        assert.equal(again.code, 0, again.stderr);
        const events = again.stdout.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent);
        const summary = events.find((e) => e.type === "run-finished");
        assert.ok(summary?.type === "run-finished");
        for (const r of summary.summary.results) assert.deepEqual(Object.keys(r.changes), ["same"], r.cluster);
        assert.deepEqual(events.filter((e) => e.type === "diagnostic" && e.severity === "debug"), [], "no engine debug lines without --debug");
        const state = path.join(scratch.dir, ".flux-identity", "state");
        // A misspelled selection and an unconfirmed destroy change nothing.
        for (const [args, code, message] of [
            [["--selector", "cloud=awz", "--yes"], 2, /no cluster carries the labels cloud=awz/],
            [["--selector", "cloud=aws"], 2, /destroy will DELETE every resource of 2 cluster stacks:\n\s+eks-aws\s+stack byo-eks-aws\n\s+kind-tenants\s+stack byo-kind-tenants\n/],
        ] as const) {
            const refused = await flux("destroy", fleetFile, ...args);
            assert.equal(refused.code, code, refused.stdout + refused.stderr);
            assert.match(refused.stderr, message);
            assert.ok(scratch.stackResourcesAt(state, "flux-identity-byo", "byo-eks-aws").length > 0, "the stacks are untouched");
        }
        const destroy = await flux("destroy", fleetFile, "--yes");
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.deepEqual(scratch.stackResourcesAt(state, "flux-identity-byo", "byo-eks-aws"), []);
    });

    it("takes a ^C on the terminal as one graceful cancel, leaving stacks the next up recovers", async () => {
        // The command runs as the leader of its own process group, as in a terminal; ^C goes to the whole group.
        const env = { ...scratch.env(), PATH: `${path.join(cli.root, "bin")}${path.delimiter}${process.env.PATH ?? ""}` };
        const child = spawn(process.execPath, [fromRoot("dist", "sdk", "src", "cli", "main.js"), "up", fleetFile, "--json", "--yes"], { env, cwd: scratch.dir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
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
        assert.equal(code, 130, `a ^C exits 130: ${stderr}`);
        const summary = stdout.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent).find((e) => e.type === "run-finished");
        assert.ok(summary?.type === "run-finished");
        const messages = summary.summary.results.map((r) => r.error?.message ?? "");
        assert.ok(summary.summary.cancelled.length > 0, JSON.stringify(messages));
        for (const m of messages) assert.doesNotMatch(m, /killed with SIGINT|terminat/i, "a second interrupt reached the Pulumi CLI");
        assert.ok(messages.some((m) => /update canceled/.test(m)), JSON.stringify(messages));
        assert.deepEqual(scratch.lockFilesAt(path.join(scratch.dir, ".flux-identity", "state")), []);

        const again = await flux("up", fleetFile, "--yes");
        assert.equal(again.code, 0, again.stdout + again.stderr);
        const destroy = await flux("destroy", fleetFile, "--yes");
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
    });
});
