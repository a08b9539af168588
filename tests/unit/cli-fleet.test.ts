/**
 * The fleet commands (`preview|up|destroy|refresh|outputs`) and the command line's exit codes, over the
 * real runner with a test double at the workspace boundary: exit codes, NDJSON events and error
 * documents, --write into a Flux repository, selection, confirmation of changes, changed outputs and
 * --diff, cancellation by signal.
 */
import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { dump, load } from "js-yaml";
import { EXIT_CODE_TABLE, EXIT_INTERRUPTED, runCli } from "../../sdk/src/cli/main";
import { FleetCommandDeps } from "../../sdk/src/cli/fleet-commands";
import { planFleetRun, runFleet } from "../../sdk/src/runner";
import { StackOperationError } from "../../sdk/src/runner/errors";
import { FleetEvent, FleetRunOptions } from "../../sdk/src/runner/types";
import { FakeDriver, abortableDelay, defaultScript, sampleEngineEvents, stackOutputEvents } from "../helpers/fake-driver";
import { fromRoot } from "../helpers/paths";

const FLEET = fromRoot("examples", "fleet.yaml");
const ENV = { PULUMI_CONFIG_PASSPHRASE: "test" };

/** examples/fleet.yaml with labels: env=prod on the prod-* clusters, env=dev on the others. */
function labelledFleet(dir: string): string {
    const doc = load(readFileSync(FLEET, "utf8")) as { clusters: Array<{ name: string; labels?: Record<string, string> }> };
    for (const c of doc.clusters) c.labels = { env: c.name.startsWith("prod-") ? "prod" : "dev" };
    const file = path.join(dir, "labelled-fleet.yaml");
    writeFileSync(file, dump(doc));
    return file;
}

const LABELLED = labelledFleet(mkdtempSync(path.join(tmpdir(), "fi-labelled-")));

interface Captured {
    out: string;
    err: string;
}

function io(captured: Captured, answer?: string) {
    const base = { out: (t: string) => void (captured.out += t), err: (t: string) => void (captured.err += t), isTTY: false };
    if (answer === undefined) return base;
    // An interactive terminal whose user types `answer`.
    return { ...base, interactive: true, ask: async (question: string) => ((captured.err += question), answer) };
}

function deps(driver: FakeDriver, signals?: FleetCommandDeps["signals"]): FleetCommandDeps {
    const d: FleetCommandDeps = {
        run: (o: FleetRunOptions) => runFleet({ ...o, env: ENV, workDir: mkdtempSync(path.join(tmpdir(), "fi-run-")) }, { driver }),
        plan: (o: FleetRunOptions) => planFleetRun({ ...o, env: ENV }),
    };
    if (signals) d.signals = signals;
    return d;
}

const eventsOf = (out: string) => out.trim().split("\n").map((l) => JSON.parse(l) as FleetEvent | { type: "error"; kind: string; exitCode: number; message: string; issues: Array<{ path: string; fix: string }> });

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
        const code = await runCli(["up", FLEET, "--yes", "--json", "--write", repo, "--select", "prod-eks", "--select", "prod-aks"], io(captured), deps(driver));
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
        const code = await runCli(["up", FLEET, "--concurrency", "2", "--yes"], io(captured), deps(driver));
        assert.equal(code, 1);
        assert.match(captured.out, /prod-gke failed \(engine\): .*quota exceeded/);
        assert.match(captured.out, /up: 7 succeeded, 1 failed, 0 cancelled/);
    });

    it("exits 2 on an invalid spec or option, without touching a stack", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fi-bad-"));
        const bad = path.join(dir, "fleet.yaml");
        writeFileSync(bad, readFileSync(FLEET, "utf8").replace('accountId: "111122223333"', 'accountId: "12345"'));
        for (const argv of [["preview", bad], ["up", FLEET, "--concurrency", "0"], ["up", FLEET, "--shard", "5/4"], ["up", FLEET, "--select", "nope", "--yes"], ["destroy", LABELLED, "--selector", "env=prd", "--yes"], ["destroy", LABELLED, "--selector", "", "--yes"], ["up", bad, "--yes"]]) {
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

    for (const [signal, code, operation] of [["SIGINT", 130, "up"], ["SIGTERM", 143, "refresh"]] as const) {
        it(`${signal} cancels the run cleanly: running clusters get the cancel, queued ones never start, exit ${code}`, async () => {
            const signals = new EventEmitter();
            const driver = new FakeDriver(async (call) => {
                await abortableDelay(10000, call.options.signal as AbortSignal);
                return { changes: {}, outputs: {} };
            });
            const captured = { out: "", err: "" };
            const run = runCli([operation, FLEET, "--concurrency", "2", "--yes"], io(captured), deps(driver, signals as unknown as FleetCommandDeps["signals"]));
            while (driver.started.length < 2) await new Promise((r) => setTimeout(r, 10));
            signals.emit(signal);
            assert.equal(await run, code);
            assert.equal(driver.started.length, 2, "no cluster started after the cancel");
            assert.match(captured.out, new RegExp(`${operation}: 0 succeeded, 0 failed, 8 cancelled`));
            assert.equal(signals.listenerCount(signal), 0, "the handler is removed after the run");
        });
    }
});

describe("CLI: exit codes and machine output", function () {
    this.timeout(60000);

    it("exits 2 on a misspelled option, an unknown command, a missing argument, option value or spec file, touching nothing", async () => {
        const cases: Array<[string[], RegExp]> = [
            [["up", FLEET, "--selct", "prod-eks"], /unknown option '--selct'/],
            [["render", FLEET], /required option '-o, --out <dir>' not specified/],
            [["render", FLEET, "--out"], /option '-o, --out <dir>' argument missing/],
            [["up"], /missing required argument 'spec'/],
            [["preview", "/nonexistent/fleet.yaml"], /there is no file at this path/],
            [["render", "/nonexistent/fleet.yaml", "--out", tmpdir()], /there is no file at this path/],
            [["provision", FLEET], /unknown command 'provision'/],
        ];
        for (const [argv, message] of cases) {
            const captured = { out: "", err: "" };
            const driver = new FakeDriver();
            assert.equal(await runCli(argv, io(captured), deps(driver)), 2, `${argv.join(" ")}: ${captured.err}`);
            assert.match(captured.err, message, argv.join(" "));
            assert.equal(driver.settings.length, 0, argv.join(" "));
        }
        const help = { out: "", err: "" };
        assert.equal(await runCli(["up", "--help"], io(help), deps(new FakeDriver())), 0);
        assert.match(help.out, /-y, --yes/);
        assert.match(help.out, /--diff/);
        assert.match(help.out, /--debug/);
    });

    it("lists the same exit codes in --help and in the README's Provisioning fleets section as the code uses", async () => {
        const help = { out: "", err: "" };
        assert.equal(await runCli(["destroy", "--help"], io(help), deps(new FakeDriver())), 0);
        const readme = readFileSync(fromRoot("README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Provisioning fleets"), readme.indexOf("### Getting the Pulumi CLI"));
        const documented = /\*\*Exit codes\*\*[^]*?(?=\n- \*\*)/.exec(section)?.[0] ?? "";
        assert.deepEqual(EXIT_CODE_TABLE.map(([code]) => code), [0, 1, 2, 130, 143]);
        for (const [code, meaning] of EXIT_CODE_TABLE) {
            assert.ok(help.out.includes(`  ${String(code).padEnd(4)} ${meaning}`), `--help lists ${code}`);
            assert.match(documented, new RegExp(`(^|[;:]\\s+)${code} `), `the README lists ${code}`);
        }
        assert.equal(EXIT_INTERRUPTED, 130);
    });

    it("prints one JSON error document on stdout with --json: an invalid spec, a misspelled option, a refused selection", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fi-bad-"));
        const bad = path.join(dir, "fleet.yaml");
        writeFileSync(bad, readFileSync(FLEET, "utf8").replace('accountId: "111122223333"', 'accountId: "12345"'));
        try {
            const render = { out: "", err: "" };
            assert.equal(await runCli(["render", bad, "--out", path.join(dir, "out"), "--json"], io(render), deps(new FakeDriver())), 2);
            const doc = JSON.parse(render.out) as { type: string; kind: string; exitCode: number; issues: Array<{ path: string; message: string; fix: string }> };
            assert.equal(doc.type, "error");
            assert.equal(doc.kind, "validation");
            assert.equal(doc.exitCode, 2);
            assert.ok(doc.issues.some((i) => /^clusters\[\d+\]\.aws\.accountId$/.test(i.path) && i.fix.length > 0), JSON.stringify(doc.issues));
            assert.ok(!existsSync(path.join(dir, "out")), "nothing written");

            const option = { out: "", err: "" };
            assert.equal(await runCli(["render", FLEET, "--out", path.join(dir, "out"), "--json", "--jsno"], io(option), deps(new FakeDriver())), 2);
            assert.deepEqual(eventsOf(option.out).map((e) => [e.type, (e as { kind: string }).kind]), [["error", "usage"]]);

            const selection = { out: "", err: "" };
            const driver = new FakeDriver();
            assert.equal(await runCli(["destroy", LABELLED, "--selector", "env=prd", "--json", "--yes"], io(selection), deps(driver)), 2);
            const [e] = eventsOf(selection.out) as Array<{ type: string; kind: string; issues: Array<{ path: string; fix: string }> }>;
            assert.equal(e.kind, "validation");
            assert.equal(e.issues[0].path, "selection.labels");
            assert.match(e.issues[0].fix, /env=prod/, "the fix lists the labels the clusters carry");
            assert.equal(driver.settings.length, 0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("render --json counts the planned resources per cloud, as plan.json lists them", async () => {
        const out = mkdtempSync(path.join(tmpdir(), "fi-render-"));
        try {
            const captured = { out: "", err: "" };
            assert.equal(await runCli(["render", FLEET, "--out", out, "--json"], io(captured), deps(new FakeDriver())), 0, captured.err);
            const summary = JSON.parse(captured.out) as { clusters: Array<{ cluster: string; resources: Record<string, number> }> };
            let clouds = new Set<string>();
            for (const c of summary.clusters) {
                const plan = JSON.parse(readFileSync(path.join(out, c.cluster, "plan.json"), "utf8")) as Record<string, { resources?: Array<{ type: string }> }>;
                const types = ["aws", "azure", "gcp", "vault"].flatMap((cloud) => plan[cloud]?.resources ?? []).map((r) => r.type);
                const count = (pkg: string) => types.filter((t) => t.startsWith(`${pkg}:`)).length;
                assert.deepEqual(c.resources, { aws: count("aws"), azure: count("azure-native"), gcp: count("gcp"), kubernetes: count("kubernetes"), vault: count("vault") }, c.cluster);
                clouds = new Set([...clouds, ...Object.entries(c.resources).filter(([, n]) => n > 0).map(([k]) => k)]);
            }
            assert.deepEqual([...clouds].sort(), ["aws", "azure", "gcp"], "the example fleet plans resources in every cloud");
            const eks = summary.clusters.find((c) => c.cluster === "prod-eks");
            const eksPlan = JSON.parse(readFileSync(path.join(out, "prod-eks", "plan.json"), "utf8")) as { aws: { identities: unknown[] } };
            assert.ok((eks?.resources.aws ?? 0) > eksPlan.aws.identities.length, "more than the role count: policies, attachments, the OIDC provider...");
        } finally {
            rmSync(out, { recursive: true, force: true });
        }
    });

    it("leaves the engine's debug lines out of --json events unless --debug", async () => {
        for (const [flags, expected] of [[[], 0], [["--debug"], 2]] as const) {
            const captured = { out: "", err: "" };
            assert.equal(await runCli(["preview", FLEET, "--json", "--select", "prod-eks", "--select", "dev-kind", ...flags], io(captured), deps(new FakeDriver())), 0, captured.err);
            const debug = eventsOf(captured.out).filter((e) => e.type === "diagnostic" && e.severity === "debug");
            assert.equal(debug.length, expected, flags.join(" "));
            assert.ok(eventsOf(captured.out).some((e) => e.type === "diagnostic" && e.severity === "info"), "other diagnostics stay");
        }
    });
});

describe("CLI: confirming changes", function () {
    this.timeout(60000);

    it("refuses destroy, up and refresh without --yes where no terminal can answer: exit 2, the clusters listed, nothing touched", async () => {
        for (const operation of ["destroy", "up", "refresh"]) {
            const captured = { out: "", err: "" };
            const driver = new FakeDriver();
            assert.equal(await runCli([operation, LABELLED, "--selector", "env=prod"], io(captured), deps(driver)), 2, operation);
            assert.equal(driver.settings.length, 0, `${operation}: the driver was not even started`);
            assert.match(captured.err, /prod-eks\s+stack prod-eks/);
            assert.match(captured.err, /--yes/);
            assert.doesNotMatch(captured.err, /dev-kind/, "only the selected clusters are listed");
        }
        const preview = { out: "", err: "" };
        assert.equal(await runCli(["preview", LABELLED, "--selector", "env=prod"], io(preview), deps(new FakeDriver())), 0, "preview changes nothing and needs no confirmation");
    });

    it("asks on a terminal, listing the clusters and stacks; anything but yes changes nothing (exit 1)", async () => {
        for (const answer of ["no", "", "yess"]) {
            const captured = { out: "", err: "" };
            const driver = new FakeDriver();
            assert.equal(await runCli(["destroy", FLEET, "--select", "prod-eks", "--select", "prod-aks"], io(captured, answer), deps(driver)), 1, JSON.stringify(answer));
            assert.equal(driver.settings.length, 0);
            assert.match(captured.err, /destroy will DELETE every resource of 2 cluster stacks:\n\s+prod-eks\s+stack prod-eks\n\s+prod-aks\s+stack prod-aks/);
            assert.match(captured.err, /Do you want to destroy these 2 stacks\?/);
            assert.match(captured.err, /Not confirmed: nothing was changed/);
        }
    });

    it("destroys exactly the listed clusters once confirmed, on the terminal or with --yes", async () => {
        for (const [flags, answer] of [[[], "yes"], [["--yes"], undefined]] as const) {
            const captured = { out: "", err: "" };
            const driver = new FakeDriver();
            const code = await runCli(["destroy", LABELLED, "--selector", "env=prod", ...flags], io(captured, answer), deps(driver));
            assert.equal(code, 0, captured.out + captured.err);
            assert.deepEqual(driver.started.sort(), ["prod-aks", "prod-eks", "prod-gke"], flags.join(" "));
        }
        // up asks the same way.
        const up = { out: "", err: "" };
        const driver = new FakeDriver();
        assert.equal(await runCli(["up", FLEET, "--select", "dev-kind"], io(up, "y"), deps(driver)), 0);
        assert.match(up.err, /up will create or update the identities of 1 cluster stack:\n\s+dev-kind\s+stack dev-kind/);
        assert.deepEqual(driver.started, ["dev-kind"]);
    });

    it("stops when the fleet changed between the confirmation and the run", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fi-moved-"));
        const file = path.join(dir, "fleet.yaml");
        writeFileSync(file, readFileSync(LABELLED, "utf8"));
        try {
            const captured = { out: "", err: "" };
            const driver = new FakeDriver();
            const d = deps(driver);
            const plan = d.plan;
            // Between the question and the run, a cluster is relabelled into the selection.
            d.plan = async (o) => {
                const p = await plan(o);
                writeFileSync(file, readFileSync(LABELLED, "utf8").replace("env: dev", "env: prod"));
                return p;
            };
            assert.equal(await runCli(["destroy", file, "--selector", "env=prod"], io(captured, "yes"), d), 2, captured.err);
            assert.match(captured.err, /selected but not confirmed: /);
            assert.equal(driver.settings.length, 0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("CLI: changed outputs", function () {
    this.timeout(60000);
    const KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\npatches:\n  - patch: |\n      role-arn: arn:aws:iam::111122223333:role/flux-source\n";
    const changed = KUSTOMIZATION.replace("role/flux-source", "role/flux-source-v2");
    const before = { kustomizationYaml: KUSTOMIZATION, awsRoleArns: { "source-controller": "arn:aws:iam::111122223333:role/flux-source" } };
    const after = { kustomizationYaml: changed, awsRoleArns: { "source-controller": "arn:aws:iam::111122223333:role/flux-source-v2" } };
    // An update that changes no resource but the stack's outputs: a brought role's new ARN.
    const driver = () =>
        new FakeDriver(async (call) => {
            for (const e of [...sampleEngineEvents(call.cluster).slice(0, 2), ...stackOutputEvents(call.cluster, before, after)]) call.options.onEvent(e);
            call.options.onEvent({ summaryEvent: { resourceChanges: { same: 3 } } });
            return { changes: { same: 3 }, outputs: call.operation === "up" ? after : {} };
        });

    it("names the changed outputs per cluster in the text output and the --json events, for preview and up", async () => {
        for (const operation of ["preview", "up"]) {
            const text = { out: "", err: "" };
            assert.equal(await runCli([operation, FLEET, "--select", "prod-eks", "--yes"].filter((a) => operation === "up" || a !== "--yes"), io(text), deps(driver())), 0, text.err);
            assert.match(text.out, /prod-eks: succeeded; no resource changes; outputs: kustomizationYaml \(update\), awsRoleArns \(update\)/);
            assert.match(text.out, new RegExp(`prod-eks ${operation === "preview" ? "would change" : "changed"} outputs: kustomizationYaml \\(update\\)`));
            const json = { out: "", err: "" };
            assert.equal(await runCli([operation, FLEET, "--select", "prod-eks", "--json", ...(operation === "up" ? ["--yes"] : [])], io(json), deps(driver())), 0);
            const finished = eventsOf(json.out).find((e) => e.type === "cluster-finished") as Extract<FleetEvent, { type: "cluster-finished" }>;
            assert.deepEqual(finished.result.changes, { same: 3 });
            assert.deepEqual(finished.result.outputChanges, [
                { name: "kustomizationYaml", change: "update", before: KUSTOMIZATION, after: changed },
                { name: "awsRoleArns", change: "update", before: before.awsRoleArns, after: after.awsRoleArns },
            ]);
        }
    });

    it("shows the kustomization.yaml diff with --diff", async () => {
        const captured = { out: "", err: "" };
        assert.equal(await runCli(["preview", FLEET, "--select", "prod-eks", "--diff"], io(captured), deps(driver())), 0, captured.err);
        assert.match(captured.out, /--- prod-eks\/kustomizationYaml\tin the stack\n\+\+\+ prod-eks\/kustomizationYaml\tafter up\n@@ .* @@\n/);
        assert.match(captured.out, /\n-      role-arn: arn:aws:iam::111122223333:role\/flux-source\n\+      role-arn: arn:aws:iam::111122223333:role\/flux-source-v2\n/);
        const quiet = { out: "", err: "" };
        assert.equal(await runCli(["preview", FLEET, "--select", "prod-eks"], io(quiet), deps(driver())), 0);
        assert.doesNotMatch(quiet.out, /^@@/m, "no diff unless asked");
    });
});
