/** The runner's cluster selection: names, labels, shards, and the parsers of `--shard` and `--selector`. */
import { strict as assert } from "node:assert";
import { SourceClusterType } from "../../provider/src/core/cluster";
import fc from "fast-check";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { FleetSelectionError } from "../../sdk/src/runner/errors";
import { clusterHash, parseSelection, parseSelector, parseShard, selectClusters, shardOf } from "../../sdk/src/runner/selection";
import type { ClusterSelection } from "../../sdk/src/runner/types";
import type { FleetClusterSpec, FleetSpec } from "../../sdk/src/spec/fleet";

function cluster(name: string, labels?: Record<string, string>): FleetClusterSpec {
    const c: FleetClusterSpec = { name, type: SourceClusterType.Generic, issuerUrl: `https://${name}.example.com`, aws: { accountId: "123456789012", region: "us-east-1" } };
    if (labels) c.labels = labels;
    return c;
}

function fleet(clusters: FleetClusterSpec[]): FleetSpec {
    return { apiVersion: "flux-identity/v1alpha1", kind: "Fleet", clusters };
}

const FLEET = fleet([
    cluster("prod-eu", { env: "prod", region: "eu" }),
    cluster("prod-us", { env: "prod", region: "us" }),
    cluster("dev-eu", { env: "dev", region: "eu" }),
    cluster("bare"),
]);

function selectionIssues(fn: () => unknown): Array<{ path: string; message: string; fix: string }> {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof FleetSelectionError, `expected a FleetSelectionError, got ${String(err)}`);
        assert.ok(err instanceof FluxIdentityValidationError, "selection errors are validation errors (exit code 2)");
        return [...err.issues];
    }
    return assert.fail("expected a selection error");
}

const names = (cs: FleetClusterSpec[]) => cs.map((c) => c.name);

describe("runner: cluster selection", () => {
    it("selects everything without criteria, in fleet order", () => {
        assert.deepEqual(names(selectClusters(FLEET)), ["prod-eu", "prod-us", "dev-eu", "bare"]);
        assert.deepEqual(names(selectClusters(FLEET, {})), ["prod-eu", "prod-us", "dev-eu", "bare"]);
    });

    it("fails closed on a selection given as data: non-objects, unknown keys, wrong types, empty lists", () => {
        // Each of these would have been ignored, selecting the whole fleet.
        const cases: Array<[unknown, string, RegExp]> = [
            [{ name: ["prod-eu"] }, "selection.name", /names, labels, shard/],
            [{ selector: "env=prod" }, "selection.selector", /names, labels, shard/],
            ["prod", "selection", /names.*labels.*shard/],
            [null, "selection", /leave the selection out/],
            [["prod-eu"], "selection", /names/],
            [42, "selection", /names/],
            [{ names: "prod-eu" }, "selection.names", /"names": \["prod-eks"\]/],
            [{ names: [] }, "selection.names", /leave names out/],
            [{ names: ["prod-eu", 7] }, "selection.names[1]", /cluster of the fleet/],
            [{ labels: {} }, "selection.labels", /leave labels out/],
            [{ labels: "env=prod" }, "selection.labels", /"labels": \{"env": "prod"\}/],
            [{ labels: { env: ["prod"] } }, "selection.labels.env", /strings/],
            [{ shard: "1/2" }, "selection.shard", /0-based/],
            [{ shard: { index: 0, count: 2, total: 2 } }, "selection.shard.total", /index.*count/],
            [{ shard: { index: "0", count: 2 } }, "selection.shard.index", /"index": 0/],
        ];
        for (const [selection, at, fix] of cases) {
            for (const run of [() => parseSelection(selection), () => selectClusters(FLEET, selection as ClusterSelection)]) {
                const issues = selectionIssues(run);
                assert.ok(issues.some((i) => i.path === at && fix.test(i.fix)), `${JSON.stringify(selection)}: ${JSON.stringify(issues)}`);
            }
        }
        assert.deepEqual(parseSelection(undefined), {});
        assert.deepEqual(parseSelection({ names: ["a"], labels: { env: "x" }, shard: { index: 0, count: 1 } }), { names: ["a"], labels: { env: "x" }, shard: { index: 0, count: 1 } });
    });

    it("refuses names and labels that match no cluster, listing the labels the fleet carries", () => {
        const [issue] = selectionIssues(() => selectClusters(FLEET, { labels: { env: "prd" } }));
        assert.equal(issue.path, "selection.labels");
        assert.match(issue.message, /no cluster carries the labels env=prd: the selection matches nothing/);
        assert.match(issue.fix, /env=dev, env=prod, region=eu, region=us/);
        const [combined] = selectionIssues(() => selectClusters(FLEET, { names: ["dev-eu"], labels: { env: "prod" } }));
        assert.match(combined.message, /no cluster among dev-eu carries the labels env=prod/);
        assert.equal(selectionIssues(() => selectClusters(fleet([]), {}))[0].path, "clusters");
    });

    it("lets a shard come out empty: the other shards hold the selected clusters", () => {
        const two = fleet([cluster("a"), cluster("b")]);
        const sizes = [0, 1, 2, 3, 4, 5, 6, 7].map((index) => selectClusters(two, { shard: { index, count: 8 } }).length);
        assert.equal(sizes.reduce((x, y) => x + y), 2);
        assert.ok(sizes.includes(0));
    });

    it("selects by name, in fleet order whatever order the names come in", () => {
        assert.deepEqual(names(selectClusters(FLEET, { names: ["bare", "prod-eu", "bare"] })), ["prod-eu", "bare"]);
    });

    it("refuses unknown names, listing the valid ones", () => {
        const issues = selectionIssues(() => selectClusters(FLEET, { names: ["prod-eu", "prod-ap", "qa"] }));
        assert.deepEqual(issues.map((i) => i.path), ["selection.names[1]", "selection.names[2]"]);
        assert.match(issues[0].message, /"prod-ap"/);
        assert.match(issues[0].fix, /prod-eu, prod-us, dev-eu, bare/);
    });

    it("selects by labels: every label must match, clusters without labels never do", () => {
        assert.deepEqual(names(selectClusters(FLEET, { labels: { env: "prod" } })), ["prod-eu", "prod-us"]);
        assert.deepEqual(names(selectClusters(FLEET, { labels: { env: "prod", region: "eu" } })), ["prod-eu"]);
        assert.ok(selectionIssues(() => selectClusters(FLEET, { labels: { env: "prod", region: "ap" } })).length > 0, "matches nothing");
        assert.ok(selectionIssues(() => selectClusters(FLEET, { labels: { toString: "x" } })).length > 0, "inherited properties are not labels");
    });

    it("combines names, labels and shard: all must hold", () => {
        const all = selectClusters(FLEET, { labels: { region: "eu" }, names: ["prod-eu", "dev-eu", "prod-us"] });
        assert.deepEqual(names(all), ["prod-eu", "dev-eu"]);
        const shards = [0, 1, 2].map((index) => names(selectClusters(FLEET, { labels: { region: "eu" }, names: ["prod-eu", "dev-eu", "prod-us"], shard: { index, count: 3 } })));
        assert.deepEqual(shards.flat().sort(), ["dev-eu", "prod-eu"]);
    });

    it("refuses impossible shards", () => {
        assert.equal(selectionIssues(() => selectClusters(FLEET, { shard: { index: 3, count: 3 } }))[0].path, "selection.shard.index");
        assert.equal(selectionIssues(() => selectClusters(FLEET, { shard: { index: -1, count: 3 } }))[0].path, "selection.shard.index");
        assert.equal(selectionIssues(() => selectClusters(FLEET, { shard: { index: 0, count: 0 } }))[0].path, "selection.shard.count");
        assert.equal(selectionIssues(() => selectClusters(FLEET, { shard: { index: 0.5, count: 2 } }))[0].path, "selection.shard.index");
    });

    it("keeps the shard hash stable across releases and machines (pinned values)", () => {
        assert.equal(clusterHash("prod-eks"), 2494008542);
        assert.equal(clusterHash("dev-kind"), 2113721262);
        assert.equal(clusterHash("a"), 444641715);
        assert.equal(clusterHash(""), 2872998923);
        assert.equal(shardOf("prod-eks", 5), 2494008542 % 5);
    });

    it("spreads 1,000 names evenly enough over 5 shards", () => {
        const counts = [0, 0, 0, 0, 0];
        for (let i = 0; i < 1000; i++) counts[shardOf(`cluster-${i}`, 5)]++;
        for (const c of counts) assert.ok(c > 150 && c < 250, `shard sizes ${counts.join(", ")}`);
    });

    const fleetArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30, unit: "grapheme" }), { minLength: 1, maxLength: 60 }).map((ns) => fleet(ns.map((n) => cluster(n))));

    it("shards partition any selection: every cluster in exactly one shard, each shard in fleet order", () => {
        fc.assert(
            fc.property(fleetArb, fc.integer({ min: 1, max: 12 }), (f, count) => {
                const shards = Array.from({ length: count }, (_, index) => names(selectClusters(f, { shard: { index, count } })));
                const all = names(f.clusters);
                assert.deepEqual(shards.flat().sort(), [...all].sort());
                assert.equal(new Set(shards.flat()).size, all.length);
                for (const s of shards) assert.deepEqual(s, all.filter((n) => s.includes(n)), "fleet order within a shard");
            }),
        );
    });

    it("shards are stable: the same across calls, fleet orders and fleet growth", () => {
        fc.assert(
            fc.property(fleetArb, fc.integer({ min: 1, max: 12 }), fc.string({ minLength: 1, maxLength: 20 }), (f, count, extra) => {
                const shardsOf = (g: FleetSpec) => new Map(g.clusters.map((c) => [c.name, Array.from({ length: count }, (_, index) => index).find((index) => names(selectClusters(g, { shard: { index, count } })).includes(c.name))]));
                const first = shardsOf(f);
                assert.deepEqual(shardsOf(f), first, "deterministic");
                assert.deepEqual(new Map([...shardsOf(fleet([...f.clusters].reverse()))].sort()), new Map([...first].sort()), "independent of order");
                if (!f.clusters.some((c) => c.name === extra)) {
                    const grown = shardsOf(fleet([...f.clusters, cluster(extra)]));
                    for (const [n, s] of first) assert.equal(grown.get(n), s, "adding a cluster moves no other");
                }
            }),
            { numRuns: 50 },
        );
    });

    it("parses --shard i/n (1-based) into the 0-based selection", () => {
        assert.deepEqual(parseShard("2/5"), { index: 1, count: 5 });
        assert.deepEqual(parseShard(" 1 / 1 "), { index: 0, count: 1 });
        assert.deepEqual(parseShard("5/5"), { index: 4, count: 5 });
        for (const bad of ["0/5", "6/5", "1/0", "a/b", "2", "-1/3", "1.5/3", ""]) {
            const issues = selectionIssues(() => parseShard(bad));
            assert.equal(issues[0].path, "shard", bad);
        }
        assert.match(selectionIssues(() => parseShard("0/5"))[0].fix, /1\/5 to 5\/5/);
    });

    it("parses --selector key=value lists", () => {
        assert.deepEqual(parseSelector("env=prod,team=a"), { env: "prod", team: "a" });
        assert.deepEqual(parseSelector(" env == prod , example.com/team=a "), { env: "prod", "example.com/team": "a" });
        assert.deepEqual(parseSelector("env="), { env: "" });
        assert.deepEqual(parseSelector("env=prod,env=prod"), { env: "prod" });
    });

    it("refuses selectors it cannot honour exactly", () => {
        // An empty selector (an unset shell variable) would select every cluster.
        for (const bad of ["env!=prod", "env in (prod,dev)", "!env", "env", "=prod", "bad key=x", "", "  "]) {
            assert.ok(selectionIssues(() => parseSelector(bad)).length > 0, bad);
        }
        const issues = selectionIssues(() => parseSelector("env=prod,team,env=dev"));
        assert.deepEqual(issues.map((i) => i.path), ["selector[1]", "selector[2]"]);
        assert.match(issues[1].message, /both "prod" and "dev"/);
    });
});
