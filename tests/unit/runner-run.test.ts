/**
 * runFleet with a StackDriver test double (no engine): validation before any stack is touched, render
 * without stacks, bounded concurrency, failure isolation, cancellation, error kinds, events, and runs that
 * share nothing.
 */
import { strict as assert } from "node:assert";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { renderFleet } from "../../sdk/src/render/render";
import { FleetConfirmationError, FleetSelectionError, StackOperationError } from "../../sdk/src/runner/errors";
import { planFleetRun, runFleet } from "../../sdk/src/runner/runner";
import type { ClusterResult, FleetEvent, FleetRunSummary } from "../../sdk/src/runner/types";
import type { StackOperationResult } from "../../sdk/src/runner/workspace";
import { shardOf as planIndexOf } from "../../sdk/src/runner/selection";
import { FleetClusterSpec, FleetSpec, loadFleet } from "../../sdk/src/spec/fleet";
import { FakeDriver, abortableDelay, defaultScript, sampleEngineEvents, stackOutputEvents, untouchableDriver } from "../helpers/fake-driver";
import { fromRoot } from "../helpers/paths";

function cluster(i: number, labels?: Record<string, string>): FleetClusterSpec {
    const c: FleetClusterSpec = {
        name: `c${i}`,
        type: SourceClusterType.Generic,
        issuerUrl: `https://issuer-${i}.example.com`,
        aws: { accountId: "123456789012", region: "us-east-1", controllers: { s3: [{ bucketArns: ["arn:aws:s3:::flux-bucket"] }] } },
    };
    if (labels) c.labels = labels;
    return c;
}

function fleetOf(n: number, labels?: (i: number) => Record<string, string>): FleetSpec {
    return { apiVersion: "flux-identity/v1alpha1", kind: "Fleet", clusters: Array.from({ length: n }, (_, i) => cluster(i, labels?.(i))) };
}

const PASS = { PULUMI_CONFIG_PASSPHRASE: "test" };
const statuses = (s: FleetRunSummary) => Object.fromEntries(s.results.map((r) => [r.cluster, r.status]));
const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function validationIssues(run: Promise<unknown>): Promise<string[]> {
    try {
        await run;
    } catch (err) {
        assert.ok(err instanceof FluxIdentityValidationError, `expected a validation error, got ${String(err)}`);
        return err.issues.map((i) => i.path);
    }
    return assert.fail("expected a validation error");
}

describe("runner: runFleet", () => {
    describe("validation before touching anything", () => {
        it("throws every cluster's spec problems at once, and never calls the driver", async () => {
            const fleet = fleetOf(3);
            fleet.clusters[0].issuerUrl = "http://insecure.example.com";
            (fleet.clusters[2].aws as { accountId: string }).accountId = "12";
            const paths = await validationIssues(runFleet({ operation: "up", fleet, env: PASS }, { driver: untouchableDriver }));
            assert.deepEqual(paths, ["clusters[0].issuerUrl", "clusters[2].aws.accountId"]);
        });

        it("validates only the selected clusters, with their paths in the fleet", async () => {
            const fleet = fleetOf(3);
            fleet.clusters[0].issuerUrl = "http://insecure.example.com";
            fleet.clusters[2].issuerUrl = "http://insecure.example.com";
            const paths = await validationIssues(runFleet({ operation: "preview", fleet, selection: { names: ["c2", "c1"] }, env: PASS }, { driver: untouchableDriver }));
            assert.deepEqual(paths, ["clusters[2].issuerUrl"]);
            const driver = new FakeDriver();
            const ok = await runFleet({ operation: "preview", fleet, selection: { names: ["c1"] }, env: PASS }, { driver });
            assert.deepEqual(ok.succeeded, ["c1"]);
        });

        it("refuses unknown cluster names, bad options and shared stack names before the driver", async () => {
            await assert.rejects(runFleet({ operation: "up", fleet: fleetOf(2), selection: { names: ["c9"] } }, { driver: untouchableDriver }), FleetSelectionError);
            assert.deepEqual(await validationIssues(runFleet({ operation: "up", fleet: fleetOf(2), concurrency: 0 }, { driver: untouchableDriver })), ["concurrency"]);
            assert.deepEqual(await validationIssues(runFleet({ operation: "apply" as "up", fleet: fleetOf(2) }, { driver: untouchableDriver })), ["operation"]);
            // A naming that gives two clusters one stack is refused by the runner itself...
            const sameStack = () => ({ project: "p", stack: "fleet", fullyQualified: "fleet" });
            assert.deepEqual(await validationIssues(runFleet({ operation: "up", fleet: fleetOf(3), selection: { names: ["c0"] } }, { driver: untouchableDriver, naming: sameStack })), ["clusters[1].name", "clusters[2].name"]);
            // ...and a spec template that cannot tell clusters apart by the settings rules.
            assert.deepEqual(await validationIssues(runFleet({ operation: "up", fleet: { ...fleetOf(3), stacks: { name: "fleet" } } }, { driver: untouchableDriver })), ["stacks.name"]);
        });

        it("throws the driver's setup error (no passphrase) before any stack is opened", async () => {
            const { createLocalStackDriver } = await import("../../sdk/src/runner/workspace");
            const dir = mkdtempSync(path.join(tmpdir(), "runner-setup-"));
            try {
                await assert.rejects(runFleet({ operation: "up", fleet: fleetOf(1), env: {}, workDir: dir }, { driver: createLocalStackDriver() }), (err: Error) => err.name === "FleetSetupError" && /PULUMI_CONFIG_PASSPHRASE/.test(err.message));
                assert.deepEqual(readdirSync(dir), [], "nothing written");
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("selection fails closed", () => {
        it("refuses the selections that used to select the whole fleet, for every operation, before the driver", async () => {
            for (const operation of ["destroy", "up", "preview", "refresh", "outputs", "render"] as const) {
                for (const [selection, at] of [[{ name: ["c0"] }, "selection.name"], [{ selector: "env=prod" }, "selection.selector"], ["prod", "selection"], [{ names: [] }, "selection.names"], [{ labels: {} }, "selection.labels"]] as const) {
                    const paths = await validationIssues(runFleet({ operation, fleet: fleetOf(3), selection: selection as never, env: PASS, confirmDestroy: ["c0", "c1", "c2"] }, { driver: untouchableDriver }));
                    assert.ok(paths.includes(at), `${operation} ${JSON.stringify(selection)}: ${paths.join(", ")}`);
                }
            }
        });

        it("refuses an unknown option rather than ignoring it", async () => {
            const options = { operation: "destroy", fleet: fleetOf(2), selector: { labels: { env: "prod" } }, env: PASS, confirmDestroy: ["c0", "c1"] };
            assert.deepEqual(await validationIssues(runFleet(options as never, { driver: untouchableDriver })), ["selector"]);
        });

        it("refuses a selection that matches no cluster, for every operation", async () => {
            const fleet = fleetOf(3, (i) => ({ env: i === 0 ? "prod" : "dev" }));
            for (const operation of ["up", "destroy", "refresh", "preview", "outputs"] as const) {
                await assert.rejects(runFleet({ operation, fleet, selection: { labels: { env: "prd" } }, env: PASS, confirmDestroy: [] }, { driver: untouchableDriver }), (err: Error) => err instanceof FleetSelectionError && err.matchesNothing && /env=dev, env=prod/.test(err.message), operation);
            }
        });

        it("runs an empty shard as zero clusters: nothing touched, nothing failed", async () => {
            const fleet = fleetOf(2);
            const empty = [0, 1, 2, 3, 4, 5, 6, 7].find((index) => fleet.clusters.every((c) => planIndexOf(c.name, 8) !== index)) as number;
            const summary = await runFleet({ operation: "destroy", fleet, selection: { shard: { index: empty, count: 8 } }, env: PASS, confirmDestroy: [] }, { driver: untouchableDriver });
            assert.deepEqual(summary.results, []);
        });
    });

    describe("destroy needs a confirmation naming exactly the selected clusters", () => {
        const fleet = fleetOf(4, (i) => ({ env: i < 2 ? "prod" : "dev" }));

        it("refuses a destroy without it, listing the clusters and stacks, before the driver", async () => {
            await assert.rejects(runFleet({ operation: "destroy", fleet, selection: { labels: { env: "prod" } }, env: PASS }, { driver: untouchableDriver }), (err: Error) => {
                assert.ok(err instanceof FleetConfirmationError, String(err));
                assert.ok(err instanceof FluxIdentityValidationError, "a validation error: the CLI's exit code 2");
                assert.deepEqual(err.targets, [
                    { cluster: "c0", stack: "c0" },
                    { cluster: "c1", stack: "c1" },
                ]);
                assert.match(err.message, /confirmDestroy: destroy needs a confirmation naming the 2 selected cluster\(s\): c0 \(stack c0\), c1 \(stack c1\)/);
                return true;
            });
        });

        it("refuses a confirmation that names fewer or more clusters than selected", async () => {
            for (const confirmDestroy of [["c0"], ["c0", "c1", "c2"], ["c1", "c3"], []]) {
                await assert.rejects(runFleet({ operation: "destroy", fleet, selection: { labels: { env: "prod" } }, env: PASS, confirmDestroy }, { driver: untouchableDriver }), FleetConfirmationError, JSON.stringify(confirmDestroy));
            }
            await assert.rejects(runFleet({ operation: "destroy", fleet, env: PASS, confirmDestroy: "c0" as never }, { driver: untouchableDriver }), FluxIdentityValidationError);
        });

        it("destroys once the confirmation names them, in any order", async () => {
            const driver = new FakeDriver();
            const summary = await runFleet({ operation: "destroy", fleet, selection: { labels: { env: "prod" } }, env: PASS, confirmDestroy: ["c1", "c0"] }, { driver });
            assert.deepEqual(summary.succeeded, ["c0", "c1"]);
            assert.deepEqual(driver.started.sort(), ["c0", "c1"]);
        });

        it("planFleetRun lists what a run would touch without touching it", async () => {
            const plan = await planFleetRun({ operation: "destroy", fleet, selection: { labels: { env: "dev" } }, env: PASS }, { driver: untouchableDriver });
            assert.deepEqual(plan, { operation: "destroy", targets: [{ cluster: "c2", stack: "c2" }, { cluster: "c3", stack: "c3" }] });
            await assert.rejects(planFleetRun({ operation: "destroy", fleet, selection: { name: ["c0"] } as never }), FleetSelectionError);
        });
    });

    describe("changed outputs and debug lines", () => {
        const before = { kustomizationYaml: "role: a\n", awsRoleArns: { source: "arn:aws:iam::123456789012:role/a" }, warnings: [] };
        const after = { kustomizationYaml: "role: b\n", awsRoleArns: { source: "arn:aws:iam::123456789012:role/b" }, warnings: [] };
        const script = (b: Record<string, unknown> | undefined, a: Record<string, unknown>) => async (call: { cluster: string; options: { onEvent: (e: object) => void } }): Promise<StackOperationResult> => {
            for (const e of stackOutputEvents(call.cluster, b, a)) call.options.onEvent(e);
            call.options.onEvent({ summaryEvent: { resourceChanges: { same: 3 } } });
            return { changes: { same: 3 }, outputs: {} };
        };

        it("reports the outputs preview and up change although every resource stays the same", async () => {
            for (const operation of ["preview", "up"] as const) {
                const events: FleetEvent[] = [];
                const summary = await runFleet({ operation, fleet: fleetOf(1), env: PASS, onEvent: (e) => events.push(e) }, { driver: new FakeDriver(script(before, after)) });
                const expected = [
                    { name: "kustomizationYaml", change: "update", before: "role: a\n", after: "role: b\n" },
                    { name: "awsRoleArns", change: "update", before: before.awsRoleArns, after: after.awsRoleArns },
                ];
                assert.deepEqual(summary.results[0].changes, { same: 3 });
                assert.deepEqual(summary.results[0].outputChanges, expected, operation);
                const finished = events.find((e) => e.type === "cluster-finished") as Extract<FleetEvent, { type: "cluster-finished" }>;
                assert.deepEqual(finished.result.outputChanges, expected);
            }
            const same = await runFleet({ operation: "up", fleet: fleetOf(1), env: PASS }, { driver: new FakeDriver(script(before, before)) });
            assert.deepEqual(same.results[0].outputChanges, []);
            const refresh = await runFleet({ operation: "refresh", fleet: fleetOf(1), env: PASS }, { driver: new FakeDriver(script(before, after)) });
            assert.deepEqual(refresh.results[0].outputChanges, [], "only preview and up report output changes");
        });

        it("says which outputs a preview cannot know (they depend on identities up creates)", async () => {
            const unknown = { ...after, awsRoleArns: { source: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, kustomizationYaml: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" };
            const summary = await runFleet({ operation: "preview", fleet: fleetOf(1), env: PASS }, { driver: new FakeDriver(script(before, unknown)) });
            assert.deepEqual(summary.results[0].outputChanges, [
                { name: "kustomizationYaml", change: "unknown", before: "role: a\n" },
                { name: "awsRoleArns", change: "unknown", before: before.awsRoleArns },
            ]);
            const created = await runFleet({ operation: "up", fleet: fleetOf(1), env: PASS }, { driver: new FakeDriver(script(undefined, after)) });
            assert.deepEqual(created.results[0].outputChanges.map((c) => [c.name, c.change]), [["kustomizationYaml", "create"], ["awsRoleArns", "create"], ["warnings", "create"]]);
        });

        it("passes the engine's debug lines on only when asked", async () => {
            for (const debug of [false, true]) {
                const events: FleetEvent[] = [];
                await runFleet({ operation: "up", fleet: fleetOf(1), env: PASS, debug, onEvent: (e) => events.push(e) }, { driver: new FakeDriver() });
                assert.equal(events.filter((e) => e.type === "diagnostic" && e.severity === "debug").length, debug ? 1 : 0, String(debug));
                assert.equal(events.filter((e) => e.type === "diagnostic" && e.severity === "info").length, 1);
            }
        });
    });

    describe("render", () => {
        it("returns each selected cluster's files as outputs, with no driver and no stack", async () => {
            const fleet = fleetOf(3);
            const events: FleetEvent[] = [];
            const summary = await runFleet({ operation: "render", fleet, selection: { names: ["c0", "c2"] }, concurrency: 1, onEvent: (e) => events.push(e) }, { driver: untouchableDriver });
            const expected = renderFleet(fleet);
            assert.deepEqual(summary.succeeded, ["c0", "c2"]);
            assert.deepEqual(summary.results[1].outputs, expected[2].files);
            assert.equal(summary.results[0].stack, "c0");
            assert.deepEqual(events.map((e) => e.type), ["run-started", "cluster-started", "cluster-finished", "cluster-started", "cluster-finished", "run-finished"]);
        });

        it("loads a fleet file through the loader, with env and config", async () => {
            const seen: unknown[] = [];
            const summary = await runFleet(
                { operation: "render", fleet: fromRoot("examples", "fleet.yaml"), env: { A: "1" }, config: { b: "2" }, selection: { names: ["dev-kind"] } },
                {
                    loadFleet: (file, opts) => {
                        seen.push(file, opts);
                        return loadFleet(file);
                    },
                },
            );
            assert.deepEqual(seen, [fromRoot("examples", "fleet.yaml"), { env: { A: "1" }, config: { b: "2" } }]);
            assert.deepEqual(summary.succeeded, ["dev-kind"]);
        });
    });

    describe("settings given to the driver", () => {
        it("defaults to a passphrase-encrypted file backend under the work folder, and passes the env on", async () => {
            const dir = mkdtempSync(path.join(tmpdir(), "runner-settings-"));
            try {
                const file = path.join(dir, "fleet.yaml");
                writeFileSync(file, readFileSync(fromRoot("examples", "fleet.yaml"), "utf8"));
                const driver = new FakeDriver();
                await runFleet({ operation: "preview", fleet: file, env: { ...PASS, EXTRA: "x", UNSET: undefined }, selection: { names: ["dev-kind"] } }, { driver });
                assert.deepEqual(driver.settings, [
                    { operation: "preview", backendUrl: `file://${path.join(dir, ".flux-identity", "state")}`, secretsProvider: "passphrase", envVars: { ...PASS, EXTRA: "x" }, env: { ...PASS, EXTRA: "x", UNSET: undefined }, workDir: dir },
                ]);
                assert.deepEqual(driver.opened.map((o) => o.target), [{ cluster: "dev-kind", project: "flux-identity-fleet", stack: "dev-kind", fullyQualified: "dev-kind" }]);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("takes the backend override, the spec's stack settings and Pulumi Cloud's own secrets", async () => {
            const driver = new FakeDriver();
            const fleet: FleetSpec = { ...fleetOf(1), name: "blue", stacks: { project: "fi", name: "{fleet}-{cluster}", organization: "acme" } };
            await runFleet({ operation: "up", fleet, backendUrl: "https://api.pulumi.com", env: {} }, { driver });
            assert.equal(driver.settings[0].backendUrl, "https://api.pulumi.com");
            assert.equal(driver.settings[0].secretsProvider, undefined);
            assert.deepEqual(driver.opened[0].target, { cluster: "c0", project: "fi", stack: "blue-c0", fullyQualified: "acme/fi/blue-c0" });
        });

        it("takes injected naming and backend resolution", async () => {
            const driver = new FakeDriver();
            const summary = await runFleet(
                { operation: "up", fleet: fleetOf(2), env: PASS, workDir: "/srv/fleet" },
                {
                    driver,
                    naming: (_f, c) => ({ project: "p", stack: c.name.toUpperCase(), fullyQualified: `o/p/${c.name.toUpperCase()}` }),
                    resolveBackendUrl: (_f, o) => `s3://bucket/${o.specDir}`,
                },
            );
            assert.equal(driver.settings[0].backendUrl, "s3://bucket//srv/fleet");
            assert.deepEqual(summary.results.map((r) => r.stack), ["o/p/C0", "o/p/C1"]);
        });

        it("creates stacks for preview and up only; destroy, refresh and outputs select existing ones", async () => {
            for (const [operation, mode] of [["preview", "create-or-select"], ["up", "create-or-select"], ["destroy", "select"], ["refresh", "select"], ["outputs", "select"]] as const) {
                const driver = new FakeDriver();
                await runFleet({ operation, fleet: fleetOf(1), env: PASS, confirmDestroy: operation === "destroy" ? ["c0"] : undefined }, { driver });
                assert.equal(driver.opened[0].mode, mode, operation);
            }
        });
    });

    describe("concurrency", () => {
        it("keeps at most `concurrency` clusters in flight, starts them in fleet order and returns results in fleet order", async () => {
            // Earlier clusters take longer, so they finish last.
            const driver = new FakeDriver(async (call) => {
                await tick(2 * (12 - Number(call.cluster.slice(1))));
                return { changes: { same: 1 }, outputs: {} };
            });
            const events: FleetEvent[] = [];
            const summary = await runFleet({ operation: "up", fleet: fleetOf(12), concurrency: 3, env: PASS, onEvent: (e) => events.push(e) }, { driver });
            assert.equal(driver.maxInFlight, 3);
            assert.deepEqual(driver.started, fleetOf(12).clusters.map((c) => c.name));
            assert.notDeepEqual(driver.finished, driver.started, "finished in another order");
            assert.deepEqual(summary.results.map((r) => r.cluster), driver.started);
            assert.deepEqual(events[0], { type: "run-started", operation: "up", clusters: driver.started, concurrency: 3 });
            assert.equal(driver.closed, 1);
        });

        it("defaults to 4 and lowers the concurrency to the driver's maximum", async () => {
            const slow = async () => {
                await tick(3);
                return { changes: {}, outputs: {} };
            };
            const d4 = new FakeDriver(slow);
            await runFleet({ operation: "up", fleet: fleetOf(10), env: PASS }, { driver: d4 });
            assert.equal(d4.maxInFlight, 4);
            const d2 = new FakeDriver(slow, 2);
            const events: FleetEvent[] = [];
            await runFleet({ operation: "up", fleet: fleetOf(10), concurrency: 8, env: PASS, onEvent: (e) => events.push(e) }, { driver: d2 });
            assert.equal(d2.maxInFlight, 2);
            assert.equal((events[0] as Extract<FleetEvent, { type: "run-started" }>).concurrency, 2);
        });
    });

    describe("failure isolation", () => {
        it("keeps going when clusters fail, and says which failed and why", async () => {
            const driver: FakeDriver = new FakeDriver(async (call) => {
                if (call.cluster === "c1") throw new StackOperationError("engine", "error: AccessDenied: iam:CreateRole");
                if (call.cluster === "c3") throw new TypeError("driver bug");
                if (call.cluster === "c4") throw new StackOperationError("lock", "stack organization/flux-identity-fleet/c4 is locked by another update");
                return defaultScript(call, driver);
            });
            const summary = await runFleet({ operation: "up", fleet: fleetOf(6), concurrency: 2, env: PASS }, { driver });
            assert.deepEqual(statuses(summary), { c0: "succeeded", c1: "failed", c2: "succeeded", c3: "failed", c4: "failed", c5: "succeeded" });
            assert.deepEqual(summary.succeeded, ["c0", "c2", "c5"]);
            assert.deepEqual(summary.failed, [
                { cluster: "c1", error: { kind: "engine", message: "error: AccessDenied: iam:CreateRole" } },
                { cluster: "c3", error: { kind: "internal", message: "driver bug" } },
                { cluster: "c4", error: { kind: "lock", message: "stack organization/flux-identity-fleet/c4 is locked by another update" } },
            ]);
            assert.deepEqual(summary.cancelled, []);
            assert.deepEqual(summary.results[0].changes, { create: 1 });
            assert.deepEqual(summary.results[0].outputs, { kustomizationYaml: "# c0" });
            assert.equal(summary.results[1].error?.kind, "engine");
        });

        it("isolates failures to open a stack too, and keeps the engine's summary of a failed update", async () => {
            const driver = new FakeDriver(async (call) => {
                for (const e of sampleEngineEvents(call.cluster)) call.options.onEvent(e);
                throw new StackOperationError("engine", "error: update failed");
            });
            const original = driver.begin.bind(driver);
            driver.begin = async (settings) => {
                const session = await original(settings);
                return {
                    open: async (target, cluster, mode) => {
                        if (target.cluster === "c0") throw new StackOperationError("engine", "error: could not create stack");
                        return session.open(target, cluster, mode);
                    },
                    close: session.close,
                };
            };
            const summary = await runFleet({ operation: "up", fleet: fleetOf(2), env: PASS }, { driver });
            assert.deepEqual(summary.failed.map((f) => [f.cluster, f.error.message]), [["c0", "error: could not create stack"], ["c1", "error: update failed"]]);
            assert.deepEqual(summary.results[1].changes, { create: 1 });
        });

        it("counts destroying a stack that does not exist as done", async () => {
            const driver = new FakeDriver(async () => {
                throw new StackOperationError("engine", "stack o/p/c0 does not exist in this backend.", { stackNotFound: true });
            });
            const events: FleetEvent[] = [];
            const destroy = await runFleet({ operation: "destroy", fleet: fleetOf(1), env: PASS, confirmDestroy: ["c0"], onEvent: (e) => events.push(e) }, { driver });
            assert.deepEqual(destroy.succeeded, ["c0"]);
            assert.ok(events.some((e) => e.type === "diagnostic" && /nothing to destroy/.test(e.message)));
            const outputs = await runFleet({ operation: "outputs", fleet: fleetOf(1), env: PASS }, { driver });
            assert.deepEqual(outputs.failed.map((f) => f.error.kind), ["engine"]);
        });

        it("survives a listener that throws", async () => {
            const summary = await runFleet({ operation: "up", fleet: fleetOf(3), env: PASS, onEvent: () => { throw new Error("listener bug"); } }, { driver: new FakeDriver() });
            assert.deepEqual(summary.succeeded, ["c0", "c1", "c2"]);
        });
    });

    describe("cancellation", () => {
        it("aborts the running operations, starts no new cluster and marks the rest cancelled", async () => {
            const controller = new AbortController();
            const driver = new FakeDriver(async (call) => {
                await abortableDelay(60_000, call.options.signal);
                return { changes: {}, outputs: {} };
            });
            const events: FleetEvent[] = [];
            const run = runFleet({ operation: "up", fleet: fleetOf(6), concurrency: 2, env: PASS, signal: controller.signal, onEvent: (e) => events.push(e) }, { driver });
            while (driver.started.length < 2) await tick();
            controller.abort();
            const summary = await run;
            assert.deepEqual(driver.started, ["c0", "c1"], "queued clusters never start");
            assert.deepEqual(driver.opened.map((o) => o.target.cluster), ["c0", "c1"], "queued clusters' stacks are never opened");
            assert.deepEqual(driver.abortedWhileRunning.sort(), ["c0", "c1"], "running operations got the cancel");
            assert.deepEqual(summary.cancelled, ["c0", "c1", "c2", "c3", "c4", "c5"]);
            assert.deepEqual(summary.succeeded, []);
            assert.deepEqual(summary.failed, []);
            assert.deepEqual(summary.results.map((r) => r.error?.kind), Array(6).fill("cancelled"));
            assert.match(summary.results[0].error?.message ?? "", /cancelled by the engine/);
            assert.match(summary.results[5].error?.message ?? "", /not started/);
            assert.deepEqual(events.filter((e) => e.type === "cluster-started").map((e) => (e as { cluster: string }).cluster), ["c0", "c1"]);
            assert.equal(events.filter((e) => e.type === "cluster-finished").length, 6);
            assert.equal(events[events.length - 1].type, "run-finished");
            assert.equal(driver.closed, 1);
        });

        it("keeps what finished before the abort", async () => {
            const controller = new AbortController();
            const driver = new FakeDriver(async (call): Promise<StackOperationResult> => {
                if (call.cluster === "c0") return { changes: { same: 2 }, outputs: {} };
                await abortableDelay(60_000, call.options.signal);
                return { changes: {}, outputs: {} };
            });
            const run = runFleet({ operation: "up", fleet: fleetOf(4), concurrency: 2, env: PASS, signal: controller.signal }, { driver });
            while (driver.started.length < 3) await tick();
            controller.abort(new Error("Ctrl-C"));
            const summary = await run;
            assert.deepEqual(statuses(summary), { c0: "succeeded", c1: "cancelled", c2: "cancelled", c3: "cancelled" });
        });

        it("touches nothing when aborted before the start", async () => {
            const controller = new AbortController();
            controller.abort();
            const summary = await runFleet({ operation: "up", fleet: fleetOf(3), signal: controller.signal }, { driver: untouchableDriver });
            assert.deepEqual(summary.cancelled, ["c0", "c1", "c2"]);
        });

        it("cancels a cluster whose start event's listener aborts the run", async () => {
            const controller = new AbortController();
            const driver = new FakeDriver();
            const summary = await runFleet(
                {
                    operation: "up",
                    fleet: fleetOf(3),
                    concurrency: 1,
                    env: PASS,
                    signal: controller.signal,
                    onEvent: (e) => {
                        if (e.type === "cluster-started" && e.cluster === "c1") controller.abort();
                    },
                },
                { driver },
            );
            assert.deepEqual(statuses(summary), { c0: "succeeded", c1: "cancelled", c2: "cancelled" });
            assert.deepEqual(driver.started, ["c0"], "the aborted cluster's operation never ran");
            assert.deepEqual(driver.opened.map((o) => o.target.cluster), ["c0"], "nor was its stack opened");
        });

        it("counts an unclassified failure after the abort as a cancellation", async () => {
            const controller = new AbortController();
            const driver = new FakeDriver(async (call) => {
                await new Promise((resolve) => call.options.signal.addEventListener("abort", resolve));
                throw new Error("SIGINT");
            });
            const run = runFleet({ operation: "preview", fleet: fleetOf(1), env: PASS, signal: controller.signal }, { driver });
            while (driver.started.length < 1) await tick();
            controller.abort();
            const summary = await run;
            assert.deepEqual(summary.results[0].error, { kind: "cancelled", message: "cancelled while running: SIGINT" });
        });
    });

    describe("events", () => {
        it("streams mapped engine events per cluster, between its start and finish", async () => {
            const events: FleetEvent[] = [];
            const summary = await runFleet({ operation: "up", fleet: fleetOf(3), concurrency: 3, env: PASS, onEvent: (e) => events.push(e) }, { driver: new FakeDriver() });
            assert.equal(events[0].type, "run-started");
            assert.deepEqual(events[events.length - 1], { type: "run-finished", summary });
            for (const name of ["c0", "c1", "c2"]) {
                const own = events.filter((e) => "cluster" in e && e.cluster === name);
                assert.deepEqual(own.map((e) => e.type), ["cluster-started", "resource", "diagnostic", "resource", "progress", "changes", "progress", "cluster-finished"]);
                assert.deepEqual(own[2], { type: "diagnostic", cluster: name, severity: "info", message: `hello from ${name}` });
                const finished = own[own.length - 1] as { result: ClusterResult };
                assert.equal(finished.result, summary.results.find((r) => r.cluster === name));
            }
        });
    });

    describe("independent runs", () => {
        it("shares nothing between two sequential runs with the same driver", async () => {
            let failC0 = true;
            const driver: FakeDriver = new FakeDriver(async (call) => {
                if (call.cluster === "c0" && failC0) throw new StackOperationError("engine", "first run fails c0");
                return defaultScript(call, driver);
            });
            const first: FleetEvent[] = [];
            const second: FleetEvent[] = [];
            const a = await runFleet({ operation: "up", fleet: fleetOf(2), env: PASS, onEvent: (e) => first.push(e) }, { driver });
            failC0 = false;
            const b = await runFleet({ operation: "preview", fleet: fleetOf(3), env: PASS, onEvent: (e) => second.push(e) }, { driver });
            assert.deepEqual(statuses(a), { c0: "failed", c1: "succeeded" });
            assert.deepEqual(statuses(b), { c0: "succeeded", c1: "succeeded", c2: "succeeded" });
            assert.ok(first.every((e) => e.type !== "run-started" || e.operation === "up"));
            assert.equal((second[0] as Extract<FleetEvent, { type: "run-started" }>).operation, "preview");
            assert.equal(first.filter((e) => e.type === "cluster-finished").length, 2);
            assert.equal(second.filter((e) => e.type === "cluster-finished").length, 3);
            assert.equal(driver.settings.length, 2);
            assert.equal(driver.closed, 2);
        });

        it("keeps two concurrent runs apart, cancelling one leaves the other alone", async () => {
            const controller = new AbortController();
            const slow = (ms: number) => async (call: { options: { signal: AbortSignal } }) => {
                await abortableDelay(ms, call.options.signal);
                return { changes: { same: 1 }, outputs: {} };
            };
            const d1 = new FakeDriver(slow(60_000));
            const d2 = new FakeDriver(slow(5));
            const e1: FleetEvent[] = [];
            const e2: FleetEvent[] = [];
            const r1 = runFleet({ operation: "up", fleet: fleetOf(4), concurrency: 2, env: PASS, signal: controller.signal, onEvent: (e) => e1.push(e) }, { driver: d1 });
            const r2 = runFleet({ operation: "up", fleet: fleetOf(4), concurrency: 2, env: PASS, onEvent: (e) => e2.push(e) }, { driver: d2 });
            while (d1.started.length < 2) await tick();
            controller.abort();
            const [s1, s2] = await Promise.all([r1, r2]);
            assert.deepEqual(s1.cancelled, ["c0", "c1", "c2", "c3"]);
            assert.deepEqual(s2.succeeded, ["c0", "c1", "c2", "c3"]);
            assert.equal(e1.filter((e) => e.type === "cluster-finished").length, 4);
            assert.equal(e2.filter((e) => e.type === "cluster-finished").length, 4);
            assert.ok(e2.every((e) => e.type !== "cluster-finished" || e.result.status === "succeeded"));
        });
    });
});
