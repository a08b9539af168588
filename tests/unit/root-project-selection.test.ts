/**
 * The root Pulumi project's selection fails closed: its program (dist/index.js, under Pulumi's mocks) and
 * the pure reading of its config (sdk/src/program/root-config.ts). An empty program would make the
 * stack's `pulumi up` delete every cluster's identities.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { declareFleet } from "../../sdk/src/program/fleet-program";
import { rootClusters, rootSelection, unreadConfigIssues } from "../../sdk/src/program/root-config";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { useMocks } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";

const FLEET_FILE = fromRoot("examples", "fleet.yaml");
const PROGRAM = fromRoot("dist", "index.js");

function issuesOf(fn: () => unknown): Array<{ path: string; message: string; fix: string }> {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof FluxIdentityValidationError, String(err));
        return [...err.issues];
    }
    return assert.fail("expected a validation error");
}

describe("root project: the stack's selection fails closed", () => {
    const fleet = loadFleet(FLEET_FILE);

    it("refuses the program when the selection is empty, wrong or read by nothing, declaring no resource", async () => {
        const cases: Array<[Record<string, string>, string, RegExp]> = [
            [{ "flux-identity:selector": JSON.stringify({ env: "prod" }) }, "flux-identity:selector", /pulumi destroy/],
            [{ "flux-identity:clusters": JSON.stringify([]) }, "flux-identity:clusters", /non-empty list/],
            [{ "flux-identity:clusters": "prod-eks" }, "flux-identity:clusters", /not a list or an object/],
            [{ "flux-identity:clusters": JSON.stringify(["prod-eks", "prod-ekz"]) }, "flux-identity:clusters[1]", /no cluster named "prod-ekz"/],
            [{ "flux-identity:selector": JSON.stringify("env=prod") }, "flux-identity:selector", /non-empty object/],
            [{ "flux-identity:selector": JSON.stringify({}) }, "flux-identity:selector", /non-empty object/],
            [{ "flux-identity:cluster": JSON.stringify(["prod-eks"]) }, "flux-identity:cluster", /nothing would read it/],
            [{ "flux-identity:selectors": JSON.stringify({ env: "prod" }) }, "flux-identity:selectors", /flux-identity:selector/],
        ];
        for (const [config, at, message] of cases) {
            const mocks = await useMocks("111122223333");
            pulumi.runtime.setAllConfig({ "flux-identity:fleetFile": FLEET_FILE, ...config });
            delete require.cache[PROGRAM];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const issues = issuesOf(() => require(PROGRAM));
            assert.ok(issues.some((i) => i.path === at && message.test(`${i.message} ${i.fix}`)), `${JSON.stringify(config)}: ${JSON.stringify(issues)}`);
            assert.deepEqual(mocks.registrations, [], `${JSON.stringify(config)}: nothing declared`);
        }
        delete require.cache[PROGRAM];
    });

    it("reads the settings and the fleet's ${config:...} references as the keys it knows", () => {
        const withRef = { ...fleet, clusters: [{ ...fleet.clusters[0], aws: { ...fleet.clusters[0].aws!, accountId: "${config:awsAccountId}" } }] };
        assert.deepEqual(unreadConfigIssues(["flux-identity:fleetFile", "flux-identity:clusters", "flux-identity:awsAccountId", "aws:region"], withRef), []);
        assert.deepEqual(unreadConfigIssues(["flux-identity:awsAccountId"], fleet).map((i) => i.path), ["flux-identity:awsAccountId"]);
    });

    it("selects by names and labels, and refuses a selection matching nothing", () => {
        assert.deepEqual(rootSelection({}), {});
        assert.deepEqual(rootSelection({ clusters: '["prod-eks"]', selector: '{"env":"prod"}' }), { names: ["prod-eks"], labels: { env: "prod" } });
        assert.deepEqual(rootClusters(fleet, { clusters: '["dev-kind","prod-eks"]' }).map((c) => c.name), ["prod-eks", "dev-kind"]);
        assert.equal(rootClusters(fleet, {}).length, fleet.clusters.length);
        const issues = issuesOf(() => rootClusters(fleet, { selector: '{"env":"prod"}' }));
        assert.deepEqual(issues.map((i) => i.path), ["flux-identity:selector", "flux-identity:selector"]);
    });

    it("declareFleet refuses an empty list rather than declaring every cluster or none", () => {
        assert.throws(() => declareFleet(fleet, []), /list of clusters is empty/);
    });
});
