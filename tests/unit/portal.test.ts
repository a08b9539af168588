/**
 * examples/portal over real HTTP, with the real runner and a test double at the workspace boundary: the
 * token on every request, the loopback default, selections that fail closed, the destroy confirmation,
 * events, results and cancellation.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DEFAULT_HOST, authorized, startPortal } from "../../examples/portal/server";
import { runFleet } from "../../sdk/src/runner";
import { FakeDriver, abortableDelay } from "../helpers/fake-driver";
import { fromRoot } from "../helpers/paths";

const FLEET = fromRoot("examples", "fleet.yaml");
const ENV = { PULUMI_CONFIG_PASSPHRASE: "test" };
const TOKEN = "portal-test-token-0123456789";

describe("examples/portal: the runner behind HTTP", function () {
    this.timeout(60000);

    async function withPortal(driver: FakeDriver, body: (call: (route: string, init?: RequestInit & { token?: string | null }) => Promise<Response>, server: Server) => Promise<void>): Promise<void> {
        const { server, url } = await startPortal({
            fleetFile: FLEET,
            port: 0,
            token: TOKEN,
            run: (o) => runFleet({ ...o, env: ENV, workDir: mkdtempSync(path.join(tmpdir(), "fi-portal-")) }, { driver }),
        });
        const call = (route: string, init: RequestInit & { token?: string | null } = {}) => {
            const { token, ...rest } = init;
            const headers = new Headers(rest.headers);
            if (token !== null) headers.set("authorization", `Bearer ${token ?? TOKEN}`);
            return fetch(`${url}${route}`, { ...rest, headers });
        };
        try {
            await body(call, server);
        } finally {
            server.close();
        }
    }

    const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });

    it("listens on 127.0.0.1 unless told otherwise", async () => {
        const { server, url, generated, token } = await startPortal({ fleetFile: FLEET, port: 0 });
        try {
            assert.equal(DEFAULT_HOST, "127.0.0.1");
            assert.equal((server.address() as { address: string }).address, "127.0.0.1");
            assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
            assert.ok(generated, "no token given: one is made");
            assert.ok(token.length >= 32, token);
        } finally {
            server.close();
        }
        const other = await startPortal({ fleetFile: FLEET, port: 0, host: "::1", token: TOKEN }).catch(() => undefined);
        if (other) {
            // Where the machine has IPv6 loopback, the host setting is honoured.
            assert.equal((other.server.address() as { address: string }).address, "::1");
            other.server.close();
        }
        await assert.rejects(startPortal({ fleetFile: FLEET, port: 0, token: "short" }), /at least 16 characters/);
    });

    it("answers 401 to every request without the right token, the event stream included, and runs nothing", async () => {
        const driver = new FakeDriver();
        await withPortal(driver, async (call) => {
            const { id } = (await (await call("/runs", post({ operation: "preview", selection: { names: ["dev-kind"] } }))).json()) as { id: string };
            for (const token of [null, "wrong-token-wrong-token", `${TOKEN}x`, TOKEN.slice(0, -1), ""]) {
                for (const [route, init] of [["/runs", post({ operation: "up" })], [`/runs/${id}`, {}], [`/runs/${id}/events`, {}], [`/runs/${id}`, { method: "DELETE" }], ["/runs/unknown", {}]] as const) {
                    const res = await call(route, { ...init, token });
                    assert.equal(res.status, 401, `${init && "method" in init ? init.method : "GET"} ${route} with ${JSON.stringify(token)}`);
                    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
                }
            }
            // Basic credentials or a token in another scheme are no Bearer token either.
            assert.equal((await call("/runs", { ...post({ operation: "up" }), token: null, headers: { authorization: `Basic ${TOKEN}` } })).status, 401);
        });
        assert.deepEqual(driver.started, ["dev-kind"], "only the authorized preview ran");
        assert.ok(authorized(`Bearer ${TOKEN}`, TOKEN));
        assert.ok(!authorized(`Bearer ${TOKEN} extra`, TOKEN));
    });

    it("refuses misspelled, wrongly typed and empty selections with 400, touching nothing", async () => {
        const driver = new FakeDriver();
        await withPortal(driver, async (call) => {
            const cases: Array<[unknown, string]> = [
                [{ operation: "destroy", selection: { name: ["prod-eks"] } }, "selection.name"],
                [{ operation: "destroy", selection: { selector: "env=prod" } }, "selection.selector"],
                [{ operation: "destroy", selection: "prod" }, "selection"],
                [{ operation: "up", selection: { names: [] } }, "selection.names"],
                [{ operation: "up", selection: { names: "prod-eks" } }, "selection.names"],
                [{ operation: "up", selection: { labels: { env: "prod" } } }, "selection.labels"],
                [{ operation: "up", selection: { shard: { index: 0, count: 2, of: 4 } } }, "selection.shard.of"],
                [{ operation: "destroy", selector: { labels: { env: "prod" } } }, "selector"],
                [{ operation: "explode" }, "operation"],
            ];
            for (const [body, field] of cases) {
                const res = await call("/runs", post(body));
                const answer = (await res.json()) as { error: string; issues: Array<{ path: string; fix: string }> };
                assert.equal(res.status, 400, JSON.stringify(body));
                assert.ok(answer.issues.some((i) => i.path === field), `${JSON.stringify(body)}: ${JSON.stringify(answer.issues)}`);
            }
            const misspelled = (await (await call("/runs", post({ operation: "destroy", selection: { name: ["prod-eks"] } }))).json()) as { issues: Array<{ fix: string }> };
            assert.match(misspelled.issues[0].fix, /names, labels, shard/, "the valid keys are named");
            assert.equal((await call("/runs", { method: "POST", body: "{not json" })).status, 400);
            assert.equal((await call("/runs/unknown")).status, 404);
        });
        assert.equal(driver.settings.length, 0, "no run reached the driver");
    });

    it("asks for the destroy confirmation with a 409 listing the clusters, and destroys exactly those once it comes", async () => {
        const driver = new FakeDriver();
        await withPortal(driver, async (call) => {
            const selection = { names: ["prod-eks", "prod-aks"] };
            const first = await call("/runs", post({ operation: "destroy", selection }));
            assert.equal(first.status, 409);
            const asked = (await first.json()) as { targets: Array<{ cluster: string; stack: string }>; confirmDestroy: string[]; error: string };
            assert.deepEqual(asked.targets, [
                { cluster: "prod-eks", stack: "prod-eks" },
                { cluster: "prod-aks", stack: "prod-aks" },
            ]);
            assert.deepEqual(asked.confirmDestroy, ["prod-eks", "prod-aks"]);
            assert.equal(driver.settings.length, 0, "nothing touched before the confirmation");

            for (const wrong of [["prod-eks"], ["prod-eks", "prod-aks", "prod-gke"], []]) {
                const res = await call("/runs", post({ operation: "destroy", selection, confirmDestroy: wrong }));
                assert.equal(res.status, 409, JSON.stringify(wrong));
            }
            assert.equal(driver.settings.length, 0);

            const confirmed = await call("/runs", post({ operation: "destroy", selection, confirmDestroy: asked.confirmDestroy }));
            assert.equal(confirmed.status, 202);
            const { id } = (await confirmed.json()) as { id: string };
            await (await call(`/runs/${id}/events`)).text();
            const result = (await (await call(`/runs/${id}`)).json()) as { state: string; summary: { succeeded: string[] } };
            assert.equal(result.state, "finished");
            assert.deepEqual(result.summary.succeeded, ["prod-eks", "prod-aks"]);
        });
        assert.deepEqual(driver.started.sort(), ["prod-aks", "prod-eks"]);
    });

    it("starts a run, streams its events as server-sent events, and returns the summary", async () => {
        await withPortal(new FakeDriver(), async (call) => {
            const started = await call("/runs", post({ operation: "preview", selection: { names: ["prod-eks", "dev-kind"] } }));
            assert.equal(started.status, 202);
            const { id } = (await started.json()) as { id: string };
            const stream = await (await call(`/runs/${id}/events`)).text();
            const types = [...stream.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
            assert.equal(types[0], "run-started");
            assert.equal(types[types.length - 1], "run-finished");
            assert.equal(types.filter((t) => t === "cluster-finished").length, 2);
            const result = (await (await call(`/runs/${id}`)).json()) as { state: string; summary: { succeeded: string[] } };
            assert.equal(result.state, "finished");
            assert.deepEqual(result.summary.succeeded.sort(), ["dev-kind", "prod-eks"]);
        });
    });

    it("cancels a running run on DELETE", async () => {
        const driver = new FakeDriver(async (call) => {
            await abortableDelay(10000, call.options.signal as AbortSignal);
            return { changes: {}, outputs: {} };
        });
        await withPortal(driver, async (call) => {
            const { id } = (await (await call("/runs", post({ operation: "up", concurrency: 1 }))).json()) as { id: string };
            while (driver.started.length < 1) await new Promise((r) => setTimeout(r, 10));
            assert.equal((await call(`/runs/${id}`, { method: "DELETE" })).status, 202);
            let state = "running";
            let summary: { cancelled: string[] } | undefined;
            while (state === "running") {
                const r = (await (await call(`/runs/${id}`)).json()) as { state: string; summary?: { cancelled: string[] } };
                state = r.state;
                summary = r.summary;
                await new Promise((x) => setTimeout(x, 10));
            }
            assert.equal(summary?.cancelled.length, 8);
            assert.equal(driver.started.length, 1);
        });
    });
});
