/**
 * The fleet commands (`preview|up|destroy|refresh|outputs`) and the portal, over the real runner with a
 * test double at the workspace boundary: exit codes, NDJSON events, --write into a Flux repository,
 * selection, cancellation by signal, and the portal's HTTP API.
 */
import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runCli } from "../../sdk/src/cli/main";
import { FleetCommandDeps } from "../../sdk/src/cli/fleet-commands";
import { runFleet } from "../../sdk/src/runner";
import { StackOperationError } from "../../sdk/src/runner/errors";
import { FleetEvent, FleetRunOptions } from "../../sdk/src/runner/types";
import { createPortal } from "../../examples/portal/server";
import { FakeDriver, abortableDelay, defaultScript } from "../helpers/fake-driver";
import { fromRoot } from "../helpers/paths";

const FLEET = fromRoot("examples", "fleet.yaml");
const ENV = { PULUMI_CONFIG_PASSPHRASE: "test" };

interface Captured {
    out: string;
    err: string;
}

function io(captured: Captured) {
    return { out: (t: string) => void (captured.out += t), err: (t: string) => void (captured.err += t), isTTY: false };
}

function deps(driver: FakeDriver, signals?: FleetCommandDeps["signals"]): FleetCommandDeps {
    const d: FleetCommandDeps = { run: (o: FleetRunOptions) => runFleet({ ...o, env: ENV, workDir: mkdtempSync(path.join(tmpdir(), "fi-run-")) }, { driver }) };
    if (signals) d.signals = signals;
    return d;
}

describe("CLI fleet commands (runner with a test double at the workspace boundary)", function () {
    this.timeout(60000);
    let repo: string;
    beforeEach(() => {
        repo = mkdtempSync(path.join(tmpdir(), "fi-flux-repo-"));
    });
    afterEach(() => rmSync(repo, { recursive: true, force: true }));

    it("up --json prints one typed event per line, exits 0, and --write fills clusters/<name>/flux-system only", async () => {
        const gotk = path.join(repo, "clusters", "prod-eks", "flux-system", "gotk-components.yaml");
        mkdirSync(path.dirname(gotk), { recursive: true });
        writeFileSync(gotk, "# owned by flux bootstrap\n");
        const captured = { out: "", err: "" };
        // Stack outputs as the cluster program exports them: the Flux side is written whole or not at all.
        const driver = new FakeDriver(async (call, d) => {
            const result = await defaultScript(call, d);
            return { ...result, outputs: { ...result.outputs, tenantServiceAccountsYaml: "", tenantRbacYaml: "" } };
        });
        const code = await runCli(["up", FLEET, "--json", "--write", repo, "--select", "prod-eks", "--select", "prod-aks"], io(captured), deps(driver));
        assert.equal(code, 0, captured.err);
        const lines = captured.out.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent | { type: "flux-repo-written"; clusters: Array<{ cluster: string; changes: Array<{ path: string; action: string }> }> });
        const written = lines.pop();
        assert.ok(written?.type === "flux-repo-written", "the write is reported after the run, as one more JSON line");
        assert.deepEqual(written.clusters.map((c) => c.cluster).sort(), ["prod-aks", "prod-eks"]);
        assert.ok(written.clusters.every((c) => c.changes.some((x) => x.path === `clusters/${c.cluster}/flux-system/kustomization.yaml` && x.action === "created")));
        const events = lines as FleetEvent[];
        assert.equal(events[0].type, "run-started");
        assert.equal(events[events.length - 1].type, "run-finished");
        assert.deepEqual(events.filter((e) => e.type === "cluster-finished").map((e) => (e as { cluster: string }).cluster).sort(), ["prod-aks", "prod-eks"]);
        assert.ok(events.some((e) => e.type === "resource" && e.cluster === "prod-eks"));
        assert.equal(readFileSync(path.join(repo, "clusters", "prod-eks", "flux-system", "kustomization.yaml"), "utf8"), "# prod-eks");
        assert.equal(readFileSync(gotk, "utf8"), "# owned by flux bootstrap\n", "gotk files are never touched");
        assert.ok(!existsSync(path.join(repo, "clusters", "dev-kind")), "unselected clusters are not written");
    });

    it("exits 1 naming the failed cluster while the others succeed", async () => {
        const captured = { out: "", err: "" };
        const driver = new FakeDriver(async (call, d) => {
            if (call.cluster === "prod-gke") throw new StackOperationError("engine", "quota exceeded");
            return defaultScript(call, d);
        });
        const code = await runCli(["up", FLEET, "--concurrency", "2"], io(captured), deps(driver));
        assert.equal(code, 1);
        assert.match(captured.out, /prod-gke failed \(engine\): .*quota exceeded/);
        assert.match(captured.out, /up: 7 succeeded, 1 failed, 0 cancelled/);
    });

    it("exits 2 on an invalid spec or option, without touching a stack", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fi-bad-"));
        const bad = path.join(dir, "fleet.yaml");
        writeFileSync(bad, readFileSync(FLEET, "utf8").replace('accountId: "111122223333"', 'accountId: "12345"'));
        for (const argv of [["preview", bad], ["up", FLEET, "--concurrency", "0"], ["up", FLEET, "--shard", "5/4"], ["up", FLEET, "--select", "nope"]]) {
            const captured = { out: "", err: "" };
            const driver = new FakeDriver();
            assert.equal(await runCli(argv, io(captured), deps(driver)), 2, `${argv.join(" ")}: ${captured.err}`);
            assert.equal(driver.opened.length, 0, argv.join(" "));
            assert.match(captured.err, /flux-identity: /);
        }
        rmSync(dir, { recursive: true, force: true });
    });

    it("selects by shard: the shards of a fleet partition it", async () => {
        const seen: string[] = [];
        for (const shard of ["1/3", "2/3", "3/3"]) {
            const driver = new FakeDriver();
            const captured = { out: "", err: "" };
            assert.equal(await runCli(["preview", FLEET, "--shard", shard, "--json"], io(captured), deps(driver)), 0, captured.err);
            seen.push(...driver.opened.map((o) => o.target.cluster));
        }
        assert.equal(seen.length, 8);
        assert.equal(new Set(seen).size, 8);
    });

    it("SIGINT cancels the run cleanly: running clusters get the cancel, queued ones never start, exit 1", async () => {
        const signals = new EventEmitter();
        const driver = new FakeDriver(async (call) => {
            await abortableDelay(10000, call.options.signal as AbortSignal);
            return { changes: {}, outputs: {} };
        });
        const captured = { out: "", err: "" };
        const run = runCli(["up", FLEET, "--concurrency", "2"], io(captured), deps(driver, signals as unknown as FleetCommandDeps["signals"]));
        while (driver.started.length < 2) await new Promise((r) => setTimeout(r, 10));
        signals.emit("SIGINT");
        assert.equal(await run, 1);
        assert.equal(driver.started.length, 2, "no cluster started after the cancel");
        assert.match(captured.out, /up: 0 succeeded, 0 failed, 8 cancelled/);
        assert.equal(signals.listenerCount("SIGINT"), 0, "the handler is removed after the run");
    });
});

describe("examples/portal: the runner behind HTTP", function () {
    this.timeout(60000);

    async function withPortal(driver: FakeDriver, body: (base: string) => Promise<void>): Promise<void> {
        const server = createPortal({ fleetFile: FLEET, run: (o) => runFleet({ ...o, env: ENV, workDir: mkdtempSync(path.join(tmpdir(), "fi-portal-")) }, { driver }) });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        } finally {
            server.close();
        }
    }

    it("starts a run, streams its events as server-sent events, and returns the summary", async () => {
        await withPortal(new FakeDriver(), async (base) => {
            const started = await fetch(`${base}/runs`, { method: "POST", body: JSON.stringify({ operation: "preview", selection: { names: ["prod-eks", "dev-kind"] } }) });
            assert.equal(started.status, 202);
            const { id } = (await started.json()) as { id: string };
            const stream = await (await fetch(`${base}/runs/${id}/events`)).text();
            const types = [...stream.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
            assert.equal(types[0], "run-started");
            assert.equal(types[types.length - 1], "run-finished");
            assert.equal(types.filter((t) => t === "cluster-finished").length, 2);
            const result = (await (await fetch(`${base}/runs/${id}`)).json()) as { state: string; summary: { succeeded: string[] } };
            assert.equal(result.state, "finished");
            assert.deepEqual(result.summary.succeeded.sort(), ["dev-kind", "prod-eks"]);
        });
    });

    it("refuses a bad request, and cancels a running run on DELETE", async () => {
        const driver = new FakeDriver(async (call) => {
            await abortableDelay(10000, call.options.signal as AbortSignal);
            return { changes: {}, outputs: {} };
        });
        await withPortal(driver, async (base) => {
            assert.equal((await fetch(`${base}/runs`, { method: "POST", body: JSON.stringify({ operation: "explode" }) })).status, 400);
            assert.equal((await fetch(`${base}/runs/unknown`)).status, 404);
            const { id } = (await (await fetch(`${base}/runs`, { method: "POST", body: JSON.stringify({ operation: "up", concurrency: 1 }) })).json()) as { id: string };
            while (driver.started.length < 1) await new Promise((r) => setTimeout(r, 10));
            assert.equal((await fetch(`${base}/runs/${id}`, { method: "DELETE" })).status, 202);
            let state = "running";
            let summary: { cancelled: string[] } | undefined;
            while (state === "running") {
                const r = (await (await fetch(`${base}/runs/${id}`)).json()) as { state: string; summary?: { cancelled: string[] } };
                state = r.state;
                summary = r.summary;
                await new Promise((x) => setTimeout(x, 10));
            }
            assert.equal(summary?.cancelled.length, 8);
            assert.equal(driver.started.length, 1);
        });
    });
});
