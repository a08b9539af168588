/**
 * Skipping unchanged stacks without an engine: the fingerprint (what goes in, what stays out), the record
 * of a stack's last update (pure rules over the Pulumi CLI's JSON), this machine's cache of records, and
 * the runner's use of them through a driver double that keeps records as a backend would; the CLI's and
 * the portal's --force and --refresh.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { runCli } from "../../sdk/src/cli/main";
import { startPortal } from "../../examples/portal/server";
import { planFleetRun, runFleet } from "../../sdk/src/runner";
import { canonicalJson } from "../../provider/src/core/canonical-json";
import { clusterFingerprint, fingerprintMessage, fingerprintOfMessage, programIdentity } from "../../sdk/src/runner/fingerprint";
import { LastUpdateCache, lastUpdateCacheFile } from "../../sdk/src/runner/last-update-cache";
import { HistoryEntry, ListedStack, findListed, recordsFingerprint, writtenDuring } from "../../sdk/src/runner/last-update";
import type { FleetEvent, FleetRunOptions } from "../../sdk/src/runner/types";
import type { FleetClusterSpec, FleetSpec } from "../../sdk/src/spec/fleet";
import { FakeDriver } from "../helpers/fake-driver";
import { fromRoot } from "../helpers/paths";

const PASS = { PULUMI_CONFIG_PASSPHRASE: "test" };

function cluster(i: number, bucket = "flux-bucket"): FleetClusterSpec {
    return {
        name: `c${i}`,
        labels: { env: "prod" },
        type: SourceClusterType.Generic,
        issuerUrl: `https://issuer-${i}.example.com`,
        aws: { accountId: "123456789012", region: "us-east-1", controllers: { s3: [{ bucketArns: [`arn:aws:s3:::${bucket}`] }] } },
    };
}
const fleetOf = (clusters: FleetClusterSpec[]): FleetSpec => ({ apiVersion: "flux-identity/v1alpha1", kind: "Fleet", clusters });
const statuses = (s: { results: Array<{ cluster: string; status: string }> }) => Object.fromEntries(s.results.map((r) => [r.cluster, r.status]));

describe("runner: skipping unchanged stacks", () => {
    describe("the fingerprint", () => {
        const inputs = { cluster: cluster(0), program: programIdentity(), engine: "pulumi v3.248.0", env: {} };
        const fp = clusterFingerprint(inputs);

        it("is the same for the same inputs in any key order, and leaves labels and credentials out", () => {
            assert.match(fp, /^[0-9a-f]{64}$/);
            const reverse = (v: unknown): unknown =>
                Array.isArray(v) ? v.map(reverse) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
            const reordered = reverse(inputs.cluster) as FleetClusterSpec;
            assert.notEqual(JSON.stringify(reordered), JSON.stringify(inputs.cluster));
            assert.equal(clusterFingerprint({ ...inputs, cluster: reordered }), fp);
            assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: undefined } }), '{"a":{"d":[1,{"e":2,"f":1}]},"b":1}');
            assert.equal(clusterFingerprint({ ...inputs, cluster: { ...inputs.cluster, labels: { env: "dev", team: "a" } } }), fp, "labels only select clusters");
            assert.equal(clusterFingerprint({ ...inputs, env: { AWS_SECRET_ACCESS_KEY: "x", AWS_SESSION_TOKEN: "y", PULUMI_CONFIG_PASSPHRASE: "z" } }), fp, "credentials rotate without changing the stack");
        });

        it("changes with the spec, the program, the engine and the variables that choose regions and projects", () => {
            const changed = [
                clusterFingerprint({ ...inputs, cluster: cluster(0, "other-bucket") }),
                clusterFingerprint({ ...inputs, program: { ...inputs.program, package: "flux-identity@9.9.9" } }),
                clusterFingerprint({ ...inputs, program: { ...inputs.program, code: "0".repeat(64) } }),
                clusterFingerprint({ ...inputs, program: { ...inputs.program, packages: { ...inputs.program.packages, "@pulumi/aws": "0.0.1" } } }),
                clusterFingerprint({ ...inputs, engine: "pulumi v3.249.0" }),
                clusterFingerprint({ ...inputs, env: { AWS_REGION: "eu-west-1" } }),
                clusterFingerprint({ ...inputs, env: { KUBECONFIG: "/other" } }),
            ];
            for (const [i, c] of changed.entries()) assert.notEqual(c, fp, `input ${i}`);
            assert.equal(new Set(changed).size, changed.length);
        });

        it("knows this package and the installed Pulumi SDKs", () => {
            const id = programIdentity();
            const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
            assert.equal(id.package, `flux-identity@${pkg.version}`);
            assert.equal(id.packages["@pulumi/pulumi"], pkg.devDependencies["@pulumi/pulumi"]);
            assert.equal(id.packages["@pulumi/aws"], pkg.devDependencies["@pulumi/aws"]);
            assert.match(id.code, /^[0-9a-f]{64}$/);
        });

        it("is recorded as an update message, and only such a message gives one back", () => {
            assert.equal(fingerprintOfMessage(fingerprintMessage(fp)), fp);
            assert.equal(fingerprintOfMessage(""), undefined);
            assert.equal(fingerprintOfMessage(`deployed ${fp}`), undefined);
            assert.equal(fingerprintOfMessage(fingerprintMessage("abc")), undefined);
            assert.equal(fingerprintOfMessage(undefined), undefined);
        });
    });

    describe("the record of a stack's last update", () => {
        const fp = "a".repeat(64);
        const entry: HistoryEntry = { kind: "update", result: "succeeded", message: fingerprintMessage(fp), startTime: "2026-01-01T10:00:00.000Z", endTime: "2026-01-01T10:00:04.000Z" };
        const listed: ListedStack = { name: "c0", lastUpdate: "2026-01-01T10:00:04.617Z", resourceCount: 3 };

        it("holds for a succeeded update with the fingerprint, whose state write is the last one", () => {
            assert.equal(recordsFingerprint(entry, listed, fp), true);
        });

        it("does not hold after a failed update, another operation, another fingerprint, or a later state write", () => {
            assert.equal(recordsFingerprint({ ...entry, result: "failed" }, listed, fp), false);
            assert.equal(recordsFingerprint({ ...entry, result: "in-progress" }, listed, fp), false);
            assert.equal(recordsFingerprint({ ...entry, kind: "refresh" }, listed, fp), false);
            assert.equal(recordsFingerprint({ ...entry, kind: "destroy" }, listed, fp), false);
            assert.equal(recordsFingerprint({ ...entry, message: "" }, listed, fp), false);
            assert.equal(recordsFingerprint(entry, listed, "b".repeat(64)), false);
            // `pulumi state delete` or `stack import` write the state without a history entry.
            assert.equal(recordsFingerprint(entry, { ...listed, lastUpdate: "2026-01-01T10:00:06.000Z" }, fp), false);
            assert.equal(recordsFingerprint(entry, { ...listed, lastUpdate: "2026-01-01T09:58:00.000Z" }, fp), false);
            assert.equal(recordsFingerprint(entry, { ...listed, updateInProgress: true }, fp), false);
            assert.equal(recordsFingerprint(entry, { name: "c0" }, fp), false);
            assert.equal(recordsFingerprint(undefined, listed, fp), false);
            assert.equal(recordsFingerprint(entry, undefined, fp), false);
        });

        it("tells an update's own state write from an earlier or later one", () => {
            const start = Date.parse("2026-01-01T10:00:00.300Z");
            const end = Date.parse("2026-01-01T10:00:05.000Z");
            assert.equal(writtenDuring("2026-01-01T10:00:04.617Z", start, end), true);
            assert.equal(writtenDuring("2026-01-01T10:00:00Z", start, end), true, "a listing in whole seconds");
            assert.equal(writtenDuring("2026-01-01T10:00:05.100Z", start, end), false, "after the update ended: someone else's");
            assert.equal(writtenDuring("2026-01-01T09:59:59.000Z", start, end), false);
            assert.equal(writtenDuring("2026-01-01T10:00:04.617Z", start, end, "2026-01-01T10:00:04.617Z"), false, "unchanged since before the update");
            assert.equal(writtenDuring(undefined, start, end), false);
        });

        it("finds a stack in a listing by its short or fully qualified name", () => {
            const list: ListedStack[] = [{ name: "prod" }, { name: "acme/flux/staging" }, { name: "other/flux/dev" }];
            assert.equal(findListed(list, { project: "flux", stack: "prod", fullyQualified: "prod" })?.name, "prod");
            assert.equal(findListed(list, { project: "flux", stack: "staging", fullyQualified: "acme/flux/staging" })?.name, "acme/flux/staging");
            assert.equal(findListed(list, { project: "flux", stack: "dev", fullyQualified: "acme/flux/dev" }), undefined, "another organization's stack");
            assert.equal(findListed(list, { project: "other", stack: "staging", fullyQualified: "acme/other/staging" }), undefined);
        });
    });

    describe("this machine's records", () => {
        let dir: string;
        beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "fi-cache-"))));
        afterEach(() => rmSync(dir, { recursive: true, force: true }));
        const entry = (n: number) => ({ fingerprint: String(n).repeat(64), lastUpdate: `2026-01-01T10:00:0${n}.000Z`, outputs: { kustomizationYaml: `# ${n}` } });

        it("are kept per backend and merged with what another run saved meanwhile", () => {
            const url = "file:///state";
            const file = lastUpdateCacheFile(dir, url);
            assert.notEqual(file, lastUpdateCacheFile(dir, "s3://bucket"));
            const a = new LastUpdateCache(file, url);
            const b = new LastUpdateCache(file, url);
            a.set("s1", entry(1));
            a.set("s2", entry(2));
            a.save();
            b.set("s3", entry(3));
            b.delete("s2");
            b.save();
            const read = new LastUpdateCache(file, url);
            assert.deepEqual([read.get("s1"), read.get("s2"), read.get("s3")], [entry(1), undefined, entry(3)]);
            assert.equal(new LastUpdateCache(file, "s3://bucket").get("s1"), undefined, "another backend's records are not this one's");
        });

        it("count as absent when the file is unreadable or malformed", () => {
            const url = "file:///state";
            const file = lastUpdateCacheFile(dir, url);
            const c = new LastUpdateCache(file, url);
            c.set("s1", entry(1));
            c.save();
            writeFileSync(file, "{ not json");
            assert.equal(new LastUpdateCache(file, url).get("s1"), undefined);
            writeFileSync(file, JSON.stringify({ format: 1, backendUrl: url, stacks: { s1: { fingerprint: 1 } } }));
            assert.equal(new LastUpdateCache(file, url).get("s1"), undefined);
        });
    });

    describe("runFleet", () => {
        const run = (driver: FakeDriver, fleet: FleetSpec, extra: Partial<FleetRunOptions> = {}) => runFleet({ operation: "up", fleet, env: PASS, ...extra }, { driver });

        it("runs every stack once, then skips the unchanged ones and runs only a changed one", async () => {
            const driver = new FakeDriver(undefined, undefined, true);
            const fleet = fleetOf([cluster(0), cluster(1), cluster(2)]);
            const first = await run(driver, fleet);
            assert.deepEqual(first.succeeded, ["c0", "c1", "c2"]);
            assert.equal(driver.records.size, 3, "each up recorded its fingerprint");

            const events: FleetEvent[] = [];
            const second = await run(driver, fleet, { onEvent: (e) => events.push(e) });
            assert.deepEqual(statuses(second), { c0: "skipped", c1: "skipped", c2: "skipped" });
            assert.deepEqual(second.skipped, ["c0", "c1", "c2"]);
            assert.deepEqual(second.succeeded, []);
            assert.deepEqual(driver.started.length, 3, "no stack operation ran the second time");
            for (const r of second.results) {
                assert.deepEqual(r.outputs, { kustomizationYaml: `# ${r.cluster}` }, "a skipped up returns the stack's outputs");
                assert.deepEqual(r.changes, {});
                assert.deepEqual(r.outputChanges, []);
            }
            const finished = events.filter((e) => e.type === "cluster-finished") as Array<Extract<FleetEvent, { type: "cluster-finished" }>>;
            assert.deepEqual(finished.map((e) => e.result.status), ["skipped", "skipped", "skipped"]);

            const changed = fleetOf([cluster(0), cluster(1, "other-bucket"), { ...cluster(2), labels: { env: "dev" } }]);
            const third = await run(driver, changed);
            assert.deepEqual(statuses(third), { c0: "skipped", c1: "succeeded", c2: "skipped" }, "a label is no change");
            assert.deepEqual(driver.started.slice(3), ["c1"]);
        });

        it("checks preview the same way, without asking for outputs; refresh and destroy never check", async () => {
            const driver = new FakeDriver(undefined, undefined, true);
            const fleet = fleetOf([cluster(0)]);
            await run(driver, fleet);
            const preview = await run(driver, fleet, { operation: "preview" });
            assert.deepEqual(preview.skipped, ["c0"]);
            assert.deepEqual(preview.results[0].outputs, {});
            assert.equal(driver.checked.at(-1)?.outputs, false);
            const checks = driver.checked.length;
            const refresh = await run(driver, fleet, { operation: "refresh" });
            assert.deepEqual(refresh.succeeded, ["c0"]);
            const destroy = await run(driver, fleet, { operation: "destroy", confirmDestroy: ["c0"] });
            assert.deepEqual(destroy.succeeded, ["c0"]);
            assert.equal(driver.checked.length, checks, "refresh and destroy asked for no check");
            const after = await run(driver, fleet);
            assert.deepEqual(after.succeeded, ["c0"], "after a destroy the record is gone: up runs");
        });

        it("runs every stack with force or refresh, and passes refresh on to the engine", async () => {
            const driver = new FakeDriver(undefined, undefined, true);
            const fleet = fleetOf([cluster(0), cluster(1)]);
            await run(driver, fleet);
            const checks = driver.checked.length;
            assert.deepEqual((await run(driver, fleet, { force: true })).succeeded, ["c0", "c1"]);
            const refreshing: boolean[] = [];
            const spy = new FakeDriver(async (call) => (refreshing.push(call.options.refresh === true), { changes: {}, outputs: {} }), undefined, true);
            await run(spy, fleet);
            assert.deepEqual((await run(spy, fleet, { operation: "preview", refresh: true })).succeeded, ["c0", "c1"]);
            assert.deepEqual(refreshing, [false, false, true, true]);
            assert.equal(driver.checked.length, checks, "forced runs check nothing");
            assert.ok(driver.records.size === 2 && [...driver.records.values()].every((r) => /^[0-9a-f]{64}$/.test(r.fingerprint)), "a forced up records its fingerprint too");
        });

        it("runs a stack again when the engine changes", async () => {
            const driver = new FakeDriver(undefined, undefined, true);
            const fleet = fleetOf([cluster(0)]);
            await run(driver, fleet);
            driver.engine = "fake-engine 2";
            assert.deepEqual((await run(driver, fleet)).succeeded, ["c0"]);
        });

        it("runs the stack when the check fails, and cancels when aborted during the check", async () => {
            const driver = new FakeDriver(undefined, undefined, true);
            const fleet = fleetOf([cluster(0)]);
            await run(driver, fleet);
            const failing = new FakeDriver(undefined, undefined, false);
            const session = await failing.begin.bind(failing);
            failing.begin = async (settings) => ({ ...(await session(settings)), unchanged: async () => Promise.reject(new Error("backend unreachable")) });
            assert.deepEqual((await run(failing, fleet)).succeeded, ["c0"], "not knowing is no reason to skip");

            const controller = new AbortController();
            const slow = new FakeDriver(undefined, undefined, true);
            const begin = slow.begin.bind(slow);
            slow.begin = async (settings) => ({
                ...(await begin(settings)),
                unchanged: async () => {
                    controller.abort();
                    return { outputs: {} };
                },
            });
            const cancelled = await run(slow, fleet, { signal: controller.signal });
            assert.deepEqual(cancelled.cancelled, ["c0"]);
        });

        it("refuses force and refresh where they do not apply, before touching anything", async () => {
            const fleet = fleetOf([cluster(0)]);
            for (const [extra, path] of [
                [{ operation: "destroy", confirmDestroy: ["c0"], force: true }, "force"],
                [{ operation: "refresh", refresh: true }, "refresh"],
                [{ operation: "outputs", force: true }, "force"],
                [{ force: "yes" }, "force"],
            ] as const) {
                await assert.rejects(
                    runFleet({ operation: "up", fleet, env: PASS, ...(extra as object) } as FleetRunOptions, { driver: new FakeDriver(async () => assert.fail("touched")) }),
                    (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.some((i) => i.path === path),
                );
            }
            // `false` is always fine.
            await planFleetRun({ operation: "destroy", fleet, force: false });
        });
    });

    describe("the CLI and the portal", () => {
        const FLEET = fromRoot("examples", "fleet.yaml");
        const captured = () => ({ out: "", err: "" });
        const io = (c: { out: string; err: string }) => ({ out: (t: string) => void (c.out += t), err: (t: string) => void (c.err += t), isTTY: false });
        const deps = (driver: FakeDriver, seen: FleetRunOptions[] = []) => ({
            run: (o: FleetRunOptions) => (seen.push(o), runFleet({ ...o, env: PASS, workDir: mkdtempSync(path.join(tmpdir(), "fi-run-")) }, { driver })),
            plan: (o: FleetRunOptions) => planFleetRun({ ...o, env: PASS }),
        });

        it("says which clusters were skipped, exits 0, and runs them with --force or --refresh", async () => {
            const driver = new FakeDriver(undefined, undefined, true);
            const first = captured();
            assert.equal(await runCli(["up", FLEET, "--yes", "--select", "prod-eks", "--select", "prod-aks"], io(first), deps(driver)), 0, first.err);
            const second = captured();
            assert.equal(await runCli(["up", FLEET, "--yes", "--select", "prod-eks", "--select", "prod-aks"], io(second), deps(driver)), 0, second.err);
            assert.match(second.out, /^prod-eks: skipped \(unchanged since its last successful up\)$/m);
            assert.match(second.out, /^up: 0 succeeded, 2 unchanged \(skipped\), 0 failed, 0 cancelled/m);
            assert.match(second.out, /skipped, unchanged since its last successful up: prod-eks, prod-aks \(--force to up them anyway, --refresh to check them against the clouds\)/);
            const json = captured();
            assert.equal(await runCli(["preview", FLEET, "--json", "--select", "prod-eks"], io(json), deps(driver)), 0);
            const finished = json.out.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent).find((e) => e.type === "run-finished");
            assert.ok(finished?.type === "run-finished");
            assert.deepEqual(finished.summary.skipped, ["prod-eks"]);
            for (const flag of ["--force", "--refresh"]) {
                const seen: FleetRunOptions[] = [];
                const forced = captured();
                assert.equal(await runCli(["up", FLEET, "--yes", "--select", "prod-eks", flag], io(forced), deps(driver, seen)), 0);
                assert.match(forced.out, /^up: 1 succeeded, 0 failed/m, flag);
                assert.equal(seen[0][flag.slice(2) as "force" | "refresh"], true);
            }
            // Only preview and up take them: elsewhere they are unknown options (exit 2, nothing run).
            for (const op of ["destroy", "refresh", "outputs"]) {
                const refused = captured();
                assert.equal(await runCli([op, FLEET, "--yes", "--force"], io(refused), deps(new FakeDriver(async () => assert.fail("touched")))), 2, op);
            }
        });

        it("takes force and refresh in the portal's run requests, checked as booleans", async () => {
            const seen: FleetRunOptions[] = [];
            const driver = new FakeDriver(undefined, undefined, true);
            const { server, url } = await startPortal({ fleetFile: FLEET, port: 0, token: "portal-test-token-0123456789", run: (o) => (seen.push(o), runFleet({ ...o, env: PASS, workDir: mkdtempSync(path.join(tmpdir(), "fi-portal-")) }, { driver })) });
            const post = (body: unknown) => fetch(`${url}/runs`, { method: "POST", body: JSON.stringify(body), headers: { authorization: "Bearer portal-test-token-0123456789" } });
            try {
                const ok = await post({ operation: "preview", selection: { names: ["prod-eks"] }, force: true, refresh: false });
                assert.equal(ok.status, 202, await ok.text());
                assert.equal(seen[0].force, true);
                assert.equal(seen[0].refresh, false);
                const bad = await post({ operation: "up", force: "yes" });
                assert.equal(bad.status, 400);
                assert.match(await bad.text(), /force/);
                const wrongOp = await post({ operation: "destroy", force: true, confirmDestroy: [] });
                assert.equal(wrongOp.status, 400, "the runner refuses force for destroy");
            } finally {
                server.close();
            }
        });
    });
});
