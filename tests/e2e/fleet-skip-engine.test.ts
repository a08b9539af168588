// Skipping unchanged stacks, on the real Pulumi engine (a file:// backend, the passphrase provider, the
// brought-identity fleet of examples/byo-fleet, which needs no provider plugin). What the engine did to
// each stack is read from the stacks' own history (`pulumi stack history`), not from the runner's results.

import { strict as assert } from "node:assert";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dump } from "js-yaml";
import { renderCluster } from "../../sdk/src/render/render";
import { fingerprintOfMessage } from "../../sdk/src/runner/fingerprint";
import { runFleet } from "../../sdk/src/runner/runner";
import { StackProcessPool } from "../../sdk/src/runner/stack-process";
import type { FleetRunOptions } from "../../sdk/src/runner/types";
import { createLocalStackDriver } from "../../sdk/src/runner/workspace";
import { FleetClusterSpec, loadFleet } from "../../sdk/src/spec/fleet";
import { fromRoot } from "../helpers/paths";
import { EngineScratch, PulumiCli, requirePulumiCli, statusByCluster } from "../helpers/pulumi-engine";

const PROJECT = "flux-identity-skip";
const NEW_ROLE = "arn:aws:iam::111122223333:role/flux-source-v2";

describe("end to end: runs skip stacks unchanged since their last successful up", function () {
    this.timeout(600_000);
    let cli: PulumiCli;
    let scratch: EngineScratch;
    let fleetFile: string;
    let clusters: FleetClusterSpec[];
    let names: string[];

    before(function () {
        cli = requirePulumiCli(this);
        scratch = new EngineScratch();
        fleetFile = path.join(scratch.dir, "fleet.yaml");
        clusters = loadFleet(fromRoot("examples", "byo-fleet", "fleet.yaml")).clusters;
        names = clusters.map((c) => c.name);
        writeClusters(clusters);
    });
    after(() => scratch?.dispose());

    function writeClusters(list: FleetClusterSpec[]): void {
        writeFileSync(fleetFile, dump({ apiVersion: "flux-identity/v1alpha1", kind: "Fleet", name: "skip", backend: { secretsProvider: "passphrase" }, stacks: { project: PROJECT, name: "{fleet}-{cluster}" }, clusters: list }));
    }
    /**
     * The fleet with eks-aws's source-controller role replaced, or (undefined) with roles flux-identity
     * creates for it instead: then its stack needs the aws plugin, which is not there, and its up fails.
     */
    const withEksRole = (role: string | undefined): FleetClusterSpec[] =>
        clusters.map((c) => {
            if (c.name !== "eks-aws") return c;
            const copy = JSON.parse(JSON.stringify(c)) as FleetClusterSpec;
            const aws = copy.aws as { existingRoleArns?: Record<string, string>; controllers?: unknown };
            if (role === undefined) {
                delete aws.existingRoleArns;
                aws.controllers = { ecr: [{ repositoryArns: ["arn:aws:ecr:eu-west-1:111122223333:repository/platform/*"], usedBy: ["OCIRepository"] }] };
            } else aws.existingRoleArns = { ...aws.existingRoleArns, "source-controller": role };
            return copy;
        });
    const run = (operation: FleetRunOptions["operation"], extra: Partial<FleetRunOptions> = {}) =>
        runFleet(
            { operation, fleet: fleetFile, backendUrl: scratch.backendUrl, env: scratch.env(), workDir: scratch.dir, concurrency: 4, ...extra },
            { driver: createLocalStackDriver({ cliRoot: cli.root, pulumiHome: scratch.pulumiHome }) },
        );
    /** How many operations the engine ran on each stack, from the stacks' history. */
    const operations = () => Object.fromEntries(names.map((n) => [n, scratch.stackHistory(cli.root, PROJECT, `skip-${n}`).length]));
    const plus = (before: Record<string, number>, changed: Record<string, number>) => Object.fromEntries(Object.entries(before).map(([n, k]) => [n, k + (changed[n] ?? 0)]));
    const cacheDir = () => path.join(scratch.dir, ".flux-identity", "last-updates");

    it("records a fingerprint with each up, then leaves unchanged stacks alone and updates only the changed one", async () => {
        const first = await run("up");
        assert.deepEqual(first.succeeded, names, JSON.stringify(first.failed));
        const history = scratch.stackHistory(cli.root, PROJECT, "skip-eks-aws");
        assert.equal(history.length, 1);
        assert.equal(history[0].result, "succeeded");
        assert.ok(fingerprintOfMessage(history[0].message), `the update's message records the fingerprint: ${history[0].message}`);
        const afterFirst = operations();

        const unchanged = await run("up");
        assert.deepEqual(unchanged.skipped, names, JSON.stringify(unchanged.results.map((r) => [r.cluster, r.status, r.error?.message])));
        assert.deepEqual(operations(), afterFirst, "a skipped stack gets no update");
        // A skipped stack's outputs are its current ones, as an up would have returned them.
        for (const r of unchanged.results) assert.equal(r.outputs.kustomizationYaml, renderCluster(clusters.find((c) => c.name === r.cluster) as FleetClusterSpec).files["flux-system/kustomization.yaml"], r.cluster);

        writeClusters(withEksRole(NEW_ROLE));
        const changed = await run("up");
        assert.deepEqual(statusByCluster(changed), Object.fromEntries(names.map((n) => [n, n === "eks-aws" ? "succeeded" : "skipped"])));
        assert.deepEqual(operations(), plus(afterFirst, { "eks-aws": 1 }), "up touched only the changed cluster's stack");
        assert.match(changed.results.find((r) => r.cluster === "eks-aws")?.outputs.kustomizationYaml as string, /flux-source-v2/);
    });

    it("tells from the backend alone, without this machine's records, which stacks are unchanged", async () => {
        rmSync(cacheDir(), { recursive: true, force: true });
        const before = operations();
        const summary = await run("up");
        assert.deepEqual(summary.skipped, names);
        assert.deepEqual(operations(), before);
        const eks = summary.results.find((r) => r.cluster === "eks-aws");
        assert.match(eks?.outputs.kustomizationYaml as string, /flux-source-v2/, "a skipped stack's outputs, read from the backend");
        const preview = await run("preview");
        assert.deepEqual(preview.skipped, names, "preview skips them too");
    });

    it("never skips a stack whose last update failed, even when the spec returns to what last succeeded", async () => {
        writeClusters(withEksRole(undefined));
        const failed = await run("up", { selection: { names: ["eks-aws"] } });
        assert.equal(failed.results[0].status, "failed");
        assert.match(failed.results[0].error?.message ?? "", /no resource plugin 'pulumi-resource-aws'/);
        const before = operations();
        // Back to the spec of the last successful update: its fingerprint, but the failed update came after.
        writeClusters(withEksRole(NEW_ROLE));
        const recovered = await run("up");
        assert.deepEqual(statusByCluster(recovered), Object.fromEntries(names.map((n) => [n, n === "eks-aws" ? "succeeded" : "skipped"])));
        assert.deepEqual(operations(), plus(before, { "eks-aws": 1 }));
        // The same without this machine's records: the backend's history says the same.
        writeClusters(withEksRole(undefined));
        assert.equal((await run("up", { selection: { names: ["eks-aws"] } })).results[0].status, "failed");
        rmSync(cacheDir(), { recursive: true, force: true });
        writeClusters(withEksRole(NEW_ROLE));
        assert.equal((await run("up", { selection: { names: ["eks-aws"] } })).results[0].status, "succeeded");
    });

    it("runs a stack again after a refresh or a destroy, and always with force or refresh", async () => {
        // From another machine (its own workDir, so none of this machine's records): this one's record of
        // kind-tenants then no longer matches the backend's listing, and the backend's history decides.
        assert.deepEqual((await run("up")).skipped, names, "this machine records every stack as unchanged");
        const elsewhere = path.join(scratch.dir, "other-machine");
        const refreshed = await run("refresh", { selection: { names: ["kind-tenants"] }, workDir: elsewhere });
        assert.deepEqual(refreshed.succeeded, ["kind-tenants"], "refresh never skips");
        const before = operations();
        const afterRefresh = await run("up");
        assert.deepEqual(statusByCluster(afterRefresh), Object.fromEntries(names.map((n) => [n, n === "kind-tenants" ? "succeeded" : "skipped"])));
        assert.deepEqual(operations(), plus(before, { "kind-tenants": 1 }));

        const forced = await run("up", { force: true });
        assert.deepEqual(forced.succeeded, names);
        const refreshing = await run("preview", { refresh: true });
        assert.deepEqual(refreshing.succeeded, names, "preview --refresh runs every stack");
        assert.deepEqual(operations(), plus(before, Object.fromEntries(names.map((n) => [n, n === "kind-tenants" ? 2 : 1]))), "a preview is no update");

        const destroyed = await run("destroy", { confirmDestroy: names });
        assert.deepEqual(destroyed.succeeded, names, "destroy never skips");
        const again = await run("up");
        assert.deepEqual(again.succeeded, names, "emptied stacks are provisioned again");
        await run("destroy", { confirmDestroy: names });
    });

    it("reuses a stack process after a clean operation and replaces it after a failed one", async () => {
        const pool = new StackProcessPool({ cliRoot: cli.root });
        const request = (stack: string) => ({
            ...scratch.stackLocation(cli.root, PROJECT, stack),
            mode: "select" as const,
            envVars: { PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true", PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase" },
            cluster: clusters[0],
            operation: "outputs" as const,
        });
        const opts = () => ({ onEvent: () => undefined, signal: new AbortController().signal });
        try {
            await pool.run(request("skip-eks-aws"), opts());
            await pool.run(request("skip-aks-azure"), opts());
            assert.equal(pool.started, 1, "the second operation ran in the first one's process");
            await assert.rejects(pool.run(request("skip-no-such-stack"), opts()), /does not exist/);
            await pool.run(request("skip-eks-aws"), opts());
            assert.equal(pool.started, 2, "the failed operation's process took no further operation");
        } finally {
            await pool.close();
        }
    });
});
