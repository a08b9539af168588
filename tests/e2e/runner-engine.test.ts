// The runner against the real Pulumi engine: a Pulumi CLI (see tests/helpers/pulumi-engine.ts), a
// file:// backend in a temporary folder and the passphrase secrets provider. The clusters bring their own
// identities, so their stacks hold only component resources and need no provider plugin; one cluster
// (gke-plugin) needs the gcp plugin, which is not installed, and fails at run time.

import { strict as assert } from "node:assert";
import { fork } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dump } from "js-yaml";
import { renderCluster } from "../../sdk/src/render/render";
import { CLUSTER_STACK_OUTPUTS } from "../../sdk/src/runner/cluster-program";
import { runFleet } from "../../sdk/src/runner/runner";
import type { FleetEvent } from "../../sdk/src/runner/types";
import { createLocalStackDriver } from "../../sdk/src/runner/workspace";
import { FleetClusterSpec, FleetSpec, loadFleet } from "../../sdk/src/spec/fleet";
import { EngineScratch, PulumiCli, requirePulumiCli, statusByCluster } from "../helpers/pulumi-engine";
import type { HolderMessage, HolderRequest } from "../helpers/stack-holder";

const PROJECT = "flux-identity-e2e";
const ACCOUNT = "111122223333";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBSCRIPTION = "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090";
const EKS_ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/5C64A1B2C3D4E5F60718293A4B5C6D7E";
const AKS_ISSUER = `https://westeurope.oic.prod-aks.azure.com/${TENANT}/8d2f5c1e-3b4a-4c5d-9e6f-7a8b9c0d1e2f/`;
const GKE_ISSUER = "https://container.googleapis.com/v1/projects/fleet-prod/locations/europe-west1/clusters/prod";

const awsByo = (role: string) => ({ accountId: ACCOUNT, region: "eu-west-1", existingRoleArns: { "source-controller": `arn:aws:iam::${ACCOUNT}:role/${role}` } });
const azureByo = (clientId: string) => ({
    tenantId: TENANT,
    subscriptionId: SUBSCRIPTION,
    resourceGroupName: "flux-identities",
    location: "westeurope",
    existingIdentities: { "source-controller": { clientId } },
});

/** Clusters with brought identities only: their stacks need no provider plugin. */
const BYO_CLUSTERS = [
    { name: "eks-aws", labels: { byo: "yes" }, type: "eks", issuerUrl: EKS_ISSUER, aws: awsByo("flux-source") },
    { name: "aks-azure", labels: { byo: "yes" }, type: "aks", issuerUrl: AKS_ISSUER, azure: azureByo("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d") },
    {
        name: "kind-multi",
        labels: { byo: "yes" },
        type: "generic",
        issuerUrl: "https://kind-multi.example.com",
        aws: awsByo("flux-kind"),
        azure: azureByo("1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"),
    },
    {
        name: "kind-tenants",
        labels: { byo: "yes" },
        type: "generic",
        issuerUrl: "https://kind-tenants.example.com",
        aws: {
            accountId: ACCOUNT,
            region: "eu-west-1",
            tenants: [{ namespace: "team-a", serviceAccount: "flux-aws", existingRoleArn: `arn:aws:iam::${ACCOUNT}:role/team-a`, usedBy: ["OCIRepository", "Kustomization"] }],
        },
    },
];

/** Passes the schema and the planner; at run time its stack needs the gcp provider plugin, which is not there. */
const PLUGIN_CLUSTER = {
    name: "gke-plugin",
    labels: { byo: "no" },
    type: "gke",
    issuerUrl: GKE_ISSUER,
    gcp: { projectId: "fleet-prod", projectNumber: "123456789012", existingServiceAccountEmails: { "source-controller": "flux-source@fleet-prod.iam.gserviceaccount.com" } },
};

const BYO = BYO_CLUSTERS.map((c) => c.name);

function fleetDoc(name: string, clusters: object[]): object {
    return { apiVersion: "flux-identity/v1alpha1", kind: "Fleet", name, backend: { secretsProvider: "passphrase" }, stacks: { project: PROJECT, name: "{fleet}-{cluster}" }, clusters };
}

describe("end to end: the runner on the real Pulumi engine", function () {
    this.timeout(300_000);
    let cli: PulumiCli;
    let scratch: EngineScratch;
    let fleetFile: string;
    let fleet: FleetSpec;

    before(function () {
        cli = requirePulumiCli(this);
        scratch = new EngineScratch();
        fleetFile = path.join(scratch.dir, "fleet.yaml");
        writeFileSync(fleetFile, dump(fleetDoc("e2e", [...BYO_CLUSTERS, PLUGIN_CLUSTER])));
        fleet = loadFleet(fleetFile);
    });
    after(() => scratch?.dispose());

    const specOf = (name: string): FleetClusterSpec => fleet.clusters.find((c) => c.name === name) as FleetClusterSpec;
    /** The workspace settings files in the suite's PULUMI_HOME (`pulumi stack select` writes one per workspace folder). */
    const workspaceFiles = () => {
        const dir = path.join(scratch.pulumiHome, "workspaces");
        return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith("-workspace.json")) : [];
    };
    const run = (operation: "up" | "destroy" | "outputs" | "preview", extra: Partial<Parameters<typeof runFleet>[0]> = {}) =>
        runFleet(
            { operation, fleet: fleetFile, backendUrl: scratch.backendUrl, env: scratch.env(), selection: { labels: { byo: "yes" } }, concurrency: 4, ...extra },
            { driver: createLocalStackDriver({ cliRoot: cli.root, pulumiHome: scratch.pulumiHome }) },
        );

    it("provisions four stacks at once, whose outputs are the files render writes", async () => {
        const events: Array<{ at: number; event: FleetEvent }> = [];
        const workspacesBefore = workspaceFiles();
        const summary = await run("up", { onEvent: (event) => events.push({ at: performance.now(), event }) });
        // `pulumi stack select` wrote a settings file per stack's workspace folder; the driver removed each.
        assert.deepEqual(workspaceFiles(), workspacesBefore, "no workspace settings file is left in PULUMI_HOME");
        assert.deepEqual(statusByCluster(summary), Object.fromEntries(BYO.map((c) => [c, "succeeded"])), JSON.stringify(summary.failed));

        for (const result of summary.results) {
            const rendered = renderCluster(specOf(result.cluster));
            assert.deepEqual(Object.keys(result.outputs).sort(), [...CLUSTER_STACK_OUTPUTS].sort());
            assert.equal(result.outputs.kustomizationYaml, rendered.files["flux-system/kustomization.yaml"], result.cluster);
            assert.match(result.outputs.kustomizationYaml as string, /kind: Kustomization/);
            assert.equal(result.outputs.tenantServiceAccountsYaml, rendered.files["tenants/service-accounts.yaml"] ?? "", result.cluster);
            // What the brought identities' owners must add: the same list plan.json holds.
            assert.deepEqual(result.outputs.broughtIdentities, rendered.plan.broughtIdentities, result.cluster);
            assert.ok((result.changes.create ?? 0) >= 3, `${result.cluster}: ${JSON.stringify(result.changes)}`);
            // What the engine saved: the stack, the cluster's FluxWorkloadIdentity and its cloud components; no cloud resource.
            const saved = scratch.stackResources(PROJECT, `e2e-${result.cluster}`);
            assert.ok(saved.some((r) => r.type === "flux-identity:index:FluxWorkloadIdentity"), result.cluster);
            assert.deepEqual(saved.filter((r) => r.custom), [], "only component resources");
        }
        assert.deepEqual(summary.results.find((r) => r.cluster === "kind-multi")?.outputs.azureClientIds, { "source-controller": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e" });
        // A new stack's outputs are all created.
        for (const r of summary.results) assert.deepEqual(r.outputChanges.map((c) => c.change), CLUSTER_STACK_OUTPUTS.map(() => "create"), r.cluster);
        // The engine's debug lines stay out of the events unless asked for.
        assert.deepEqual(events.filter((e) => e.event.type === "diagnostic" && e.event.severity === "debug"), []);
        assert.match(summary.results.find((r) => r.cluster === "kind-tenants")?.outputs.tenantServiceAccountsYaml as string, /name: flux-aws\n\s+namespace: team-a/);

        // Four stacks were worked on at the same moment: each cluster's window, from its stack process
        // starting to its result, overlaps the others'.
        const spans = new Map<string, { first: number; last: number }>();
        for (const { at, event } of events) {
            if (event.type === "cluster-started") spans.set(event.cluster, { first: at, last: Infinity });
            if (event.type === "cluster-finished") (spans.get(event.cluster) as { last: number }).last = at;
        }
        const latestStart = Math.max(...[...spans.values()].map((s) => s.first));
        const earliestEnd = Math.min(...[...spans.values()].map((s) => s.last));
        assert.equal(spans.size, 4);
        assert.ok(latestStart < earliestEnd, `the four operations did not overlap (last start ${latestStart.toFixed(0)} ms, first end ${earliestEnd.toFixed(0)} ms)`);
        const started = events.find((e) => e.event.type === "run-started")?.event;
        assert.equal(started?.type === "run-started" && started.concurrency, 4);
    });

    it("leaves every stack alone on a second up (unchanged since its last up), with the same outputs; --force runs them to no changes", async () => {
        const workspacesBefore = workspaceFiles();
        const again = await run("up");
        for (const r of again.results) {
            assert.equal(r.status, "skipped", r.error?.message);
            assert.deepEqual(r.changes, {}, r.cluster);
            assert.deepEqual(r.outputChanges, [], r.cluster);
            // A skipped stack's outputs are its current ones, as after an up.
            assert.equal(r.outputs.kustomizationYaml, renderCluster(specOf(r.cluster)).files["flux-system/kustomization.yaml"], r.cluster);
        }
        assert.deepEqual(again.skipped, BYO);
        const forced = await run("up", { force: true });
        for (const r of forced.results) {
            assert.equal(r.status, "succeeded", r.error?.message);
            assert.deepEqual(Object.keys(r.changes), ["same"], `${r.cluster}: ${JSON.stringify(r.changes)}`);
            assert.deepEqual(r.outputChanges, [], r.cluster);
        }
        const read = await run("outputs");
        for (const r of read.results) {
            assert.equal(r.outputs.kustomizationYaml, renderCluster(specOf(r.cluster)).files["flux-system/kustomization.yaml"]);
        }
        const preview = await run("preview");
        assert.deepEqual(preview.skipped, BYO, "preview skips unchanged stacks too");
        const previewForced = await run("preview", { force: true });
        for (const r of previewForced.results) assert.deepEqual(Object.keys(r.changes), ["same"], `${r.cluster}: ${JSON.stringify(r.changes)}`);
        for (const r of previewForced.results) assert.deepEqual(r.outputChanges, [], r.cluster);
        assert.deepEqual(workspaceFiles(), workspacesBefore, "up, outputs and preview left no workspace settings file");
    });

    it("isolates a cluster that passes the schema but fails at run time, and reports why", async () => {
        const summary = await run("up", { selection: {}, concurrency: 5, force: true });
        assert.deepEqual(statusByCluster(summary), { ...Object.fromEntries(BYO.map((c) => [c, "succeeded"])), "gke-plugin": "failed" });
        assert.equal(summary.failed.length, 1);
        assert.equal(summary.failed[0].error.kind, "engine");
        assert.match(summary.failed[0].error.message, /no resource plugin 'pulumi-resource-gcp'/);
        for (const r of summary.results.filter((x) => x.cluster !== "gke-plugin")) assert.deepEqual(Object.keys(r.changes), ["same"], r.cluster);
    });

    it("isolates the failure from the stacks that run after it in the same stack processes", async () => {
        // One at a time, the failing cluster first: the stacks after it run where its process would have.
        const file = path.join(scratch.dir, "isolation.yaml");
        writeFileSync(file, dump(fleetDoc("iso", [PLUGIN_CLUSTER, ...BYO_CLUSTERS.slice(0, 2)])));
        const summary = await run("up", { fleet: file, selection: {}, concurrency: 1 });
        assert.deepEqual(statusByCluster(summary), { "gke-plugin": "failed", "eks-aws": "succeeded", "aks-azure": "succeeded" }, JSON.stringify(summary.failed));
        const destroyed = await run("destroy", { fleet: file, selection: {}, concurrency: 1, confirmDestroy: ["gke-plugin", "eks-aws", "aks-azure"] });
        assert.deepEqual(destroyed.failed, []);
    });

    it("refuses a second run on a stack another update holds, with a lock error, and works once it is free", async () => {
        const target = "eks-aws";
        const holder = fork(path.join(__dirname, "..", "helpers", "stack-holder.js"), [], { execArgv: [], env: scratch.env(), stdio: ["ignore", "inherit", "inherit", "ipc"] });
        const messages: HolderMessage[] = [];
        const next = (type: HolderMessage["type"]) =>
            new Promise<HolderMessage>((resolve, reject) => {
                const found = messages.find((m) => m.type === type);
                if (found) return resolve(found);
                holder.on("message", (m: HolderMessage) => m.type === type && resolve(m));
                holder.on("exit", (code) => reject(new Error(`the holder exited (${code}) before ${type}`)));
            });
        holder.on("message", (m: HolderMessage) => messages.push(m));
        const request: HolderRequest = {
            location: scratch.stackLocation(cli.root, PROJECT, `e2e-${target}`),
            cluster: specOf(target),
        };
        holder.send({ request });
        try {
            await next("holding");
            // Forced: an update running elsewhere is not in the stack's record yet (a self-managed backend's
            // listing does not show it), so an unforced up would see the stack unchanged and leave it alone.
            const blocked = await run("up", { selection: { names: [target] }, force: true });
            assert.equal(blocked.results[0].status, "failed");
            assert.equal(blocked.results[0].error?.kind, "lock");
            assert.match(blocked.results[0].error?.message ?? "", /stack e2e-eks-aws is locked by another update \(error: the stack is currently locked by 1 lock\(s\)/);
            assert.match(blocked.results[0].error?.message ?? "", /pulumi cancel --stack e2e-eks-aws/);
        } finally {
            holder.send({ type: "release" });
        }
        const done = await next("done");
        assert.equal(done.type === "done" && done.error, undefined);
        const after = await run("up", { selection: { names: [target] }, force: true });
        assert.equal(after.results[0].status, "succeeded", after.results[0].error?.message);
        assert.deepEqual(scratch.lockFiles(), []);
    });

    it("cancels running updates on abort: each cluster cancelled, never started or done, none half-done; the next up recovers", async () => {
        const cancelFile = path.join(scratch.dir, "cancel.yaml");
        const names = BYO.map((c) => `${c}-c`);
        writeFileSync(cancelFile, dump(fleetDoc("cancel", BYO_CLUSTERS.map((c) => ({ ...c, name: `${c.name}-c` })))));
        const controller = new AbortController();
        const started = new Set<string>();
        const cancelled = await run("up", {
            fleet: cancelFile,
            concurrency: 2,
            signal: controller.signal,
            // Abort as soon as an engine has begun an update: the stacks are locked and half-written.
            onEvent: (e) => {
                if (e.type === "cluster-started") started.add(e.cluster);
                if (e.type === "resource" && e.phase === "pre") controller.abort();
            },
        });
        const outcomes = JSON.stringify(cancelled.results.map((r) => [r.cluster, r.status, r.error?.message]));
        // Which clusters the abort caught, and where, depends on the machine's speed; what holds on any machine:
        // every cluster is cancelled (before it started, before its engine ran, or by the engine's own
        // graceful cancel) or, if its engine finished before the abort reached it, succeeded.
        assert.deepEqual(cancelled.failed, [], outcomes);
        assert.ok(cancelled.cancelled.length > 0, `the abort stopped nothing: ${outcomes}`);
        for (const r of cancelled.results) {
            if (r.status === "succeeded") {
                assert.ok(started.has(r.cluster), `${r.cluster} succeeded without starting`);
                continue;
            }
            assert.equal(r.status, "cancelled", outcomes);
            const message = r.error?.message ?? "";
            assert.match(message, /^(not started: the run was cancelled|cancelled before the stack was opened|cancelled before the operation started|cancelled while running)/, outcomes);
            if (message.startsWith("cancelled while running")) assert.match(message, /update canceled/, `the CLI cancelled gracefully rather than being killed: ${message}`);
            if (message.startsWith("not started")) assert.ok(!started.has(r.cluster), `${r.cluster} started after the abort`);
        }
        // None is left half-done: no lock, no operation the engine began and did not finish.
        assert.deepEqual(scratch.lockFiles(), [], "no lock is left behind");
        for (const r of cancelled.results) {
            if (scratch.hasStack(PROJECT, r.stack)) assert.deepEqual(scratch.pendingOperations(PROJECT, r.stack), [], r.stack);
        }

        const recovered = await run("up", { fleet: cancelFile });
        assert.deepEqual(recovered.succeeded, names, JSON.stringify(recovered.failed));
        for (const r of recovered.results) {
            assert.equal(r.outputs.kustomizationYaml, renderCluster({ ...specOf(r.cluster.replace(/-c$/, "")), name: r.cluster }).files["flux-system/kustomization.yaml"]);
        }
        const steady = await run("up", { fleet: cancelFile });
        assert.deepEqual(steady.skipped, names, "unchanged since the recovering up");
        const destroyed = await run("destroy", { fleet: cancelFile, confirmDestroy: names });
        assert.deepEqual(destroyed.succeeded, names);
    });

    it("destroys every stack down to nothing", async () => {
        // A destroy names exactly the clusters it may destroy; less is refused before any stack is touched.
        const all = [...BYO, PLUGIN_CLUSTER.name];
        await assert.rejects(run("destroy", { selection: {}, confirmDestroy: BYO }), /selected but not confirmed: gke-plugin/);
        for (const c of BYO) assert.ok(scratch.stackResources(PROJECT, `e2e-${c}`).length > 0, c);
        const summary = await run("destroy", { selection: {}, concurrency: 5, confirmDestroy: all });
        assert.deepEqual(summary.failed, []);
        for (const c of all) assert.deepEqual(scratch.stackResources(PROJECT, `e2e-${c}`), [], c);
        for (const r of summary.results.filter((x) => BYO.includes(x.cluster))) assert.ok((r.changes.delete ?? 0) >= 3, `${r.cluster}: ${JSON.stringify(r.changes)}`);
        const outputs = await run("outputs");
        for (const r of outputs.results) assert.deepEqual(r.outputs, {}, r.cluster);
    });
});
