/** Engine events (as the Automation API delivers them, literally) mapped to the runner's FleetEvents. */
import { strict as assert } from "node:assert";
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { EngineEventMapper, normalizeChanges, plainMessage, urnName } from "../../sdk/src/runner/events";
import type { FleetEvent } from "../../sdk/src/runner/types";

const ROLE_URN = "urn:pulumi:prod::flux-identity-fleet::flux-identity:index:FluxWorkloadIdentity$flux-identity:aws:AwsFluxIdentity$aws:iam/role:Role::prod-source-controller";
const STACK_URN = "urn:pulumi:prod::flux-identity-fleet::pulumi:pulumi:Stack::flux-identity-fleet-prod";

function step(op: OpType, urn: string, type: string) {
    return {
        op,
        urn,
        type,
        provider: "urn:pulumi:prod::flux-identity-fleet::pulumi:providers:aws::default_7_0_0::0b6a",
        new: { type, urn, id: "", parent: STACK_URN, inputs: { name: "prod-source-controller" }, outputs: {}, provider: "" },
    };
}

// Literal events in the shape the engine writes to its event log (pulumi/sdk/go/common/apitype/events.go).
const EVENTS: EngineEvent[] = [
    { sequence: 0, timestamp: 1700000000, preludeEvent: { config: { "aws:region": "eu-central-1" } } },
    { sequence: 1, timestamp: 1700000001, resourcePreEvent: { metadata: step("create", STACK_URN, "pulumi:pulumi:Stack"), planning: false } },
    { sequence: 2, timestamp: 1700000001, resourcePreEvent: { metadata: step("create", ROLE_URN, "aws:iam/role:Role") } },
    { sequence: 3, timestamp: 1700000002, diagnosticEvent: { urn: ROLE_URN, prefix: "warning: ", message: "<{%fg 3%}>role name is long<{%reset%}>\n", color: "raw", severity: "warning" } },
    { sequence: 4, timestamp: 1700000003, resOutputsEvent: { metadata: step("create", ROLE_URN, "aws:iam/role:Role") } },
    { sequence: 5, timestamp: 1700000003, resOutputsEvent: { metadata: step("create", ROLE_URN, "aws:iam/role:Role") } },
    { sequence: 6, timestamp: 1700000004, resOpFailedEvent: { metadata: step("create", STACK_URN, "pulumi:pulumi:Stack"), status: 1, steps: 1 } },
    { sequence: 7, timestamp: 1700000004, stdoutEvent: { message: "Updating (prod)", color: "never" } },
    { sequence: 8, timestamp: 1700000005, diagnosticEvent: { message: "update failed\n", color: "never", severity: "error" } },
    { sequence: 9, timestamp: 1700000006, summaryEvent: { maybeCorrupt: false, durationSeconds: 5, resourceChanges: { create: 1, same: 3 }, policyPacks: {} } },
    { sequence: 10, timestamp: 1700000006, cancelEvent: {} },
];

describe("runner: engine events", () => {
    it("maps each kind of engine event to the cluster's FleetEvents, in order", () => {
        const mapper = new EngineEventMapper("prod");
        const mapped: FleetEvent[] = EVENTS.flatMap((e) => mapper.map(e));
        assert.deepEqual(mapped, [
            { type: "resource", cluster: "prod", phase: "pre", op: "create", urn: STACK_URN, resourceType: "pulumi:pulumi:Stack", name: "flux-identity-fleet-prod" },
            { type: "resource", cluster: "prod", phase: "pre", op: "create", urn: ROLE_URN, resourceType: "aws:iam/role:Role", name: "prod-source-controller" },
            { type: "diagnostic", cluster: "prod", severity: "warning", message: "role name is long", urn: ROLE_URN },
            { type: "resource", cluster: "prod", phase: "outputs", op: "create", urn: ROLE_URN, resourceType: "aws:iam/role:Role", name: "prod-source-controller" },
            { type: "progress", cluster: "prod", done: 1 },
            { type: "resource", cluster: "prod", phase: "outputs", op: "create", urn: ROLE_URN, resourceType: "aws:iam/role:Role", name: "prod-source-controller" },
            { type: "progress", cluster: "prod", done: 1 },
            { type: "resource", cluster: "prod", phase: "failed", op: "create", urn: STACK_URN, resourceType: "pulumi:pulumi:Stack", name: "flux-identity-fleet-prod" },
            { type: "progress", cluster: "prod", done: 2 },
            { type: "diagnostic", cluster: "prod", severity: "error", message: "update failed" },
            { type: "changes", cluster: "prod", changes: { create: 1, same: 3 } },
            { type: "progress", cluster: "prod", done: 2, total: 2 },
        ]);
        assert.deepEqual(mapper.changes, { create: 1, same: 3 });
    });

    it("knows no summary before the summary event, and keeps counts per mapper", () => {
        const a = new EngineEventMapper("a");
        const b = new EngineEventMapper("b");
        assert.equal(a.changes, undefined);
        a.map(EVENTS[4]);
        assert.deepEqual(b.map(EVENTS[4])[1], { type: "progress", cluster: "b", done: 1 });
        assert.deepEqual(a.map({ sequence: 1, timestamp: 1, resOutputsEvent: { metadata: step("same", STACK_URN, "pulumi:pulumi:Stack") } })[1], { type: "progress", cluster: "a", done: 2 });
    });

    it("reads unknown severities as info, and debug as debug, which it drops unless asked", () => {
        const m = new EngineEventMapper("c", { debug: true });
        const sev = (severity: string) => (m.map({ diagnosticEvent: { message: "x", severity } })[0] as Extract<FleetEvent, { type: "diagnostic" }>).severity;
        assert.equal(sev("debug"), "debug");
        assert.deepEqual(new EngineEventMapper("c").map({ diagnosticEvent: { message: "x", severity: "debug" } }), []);
        assert.equal(sev("info#err"), "info#err");
        assert.equal(sev("trace"), "info");
    });

    it("reads the stack's changed outputs from the last outputs event of the stack resource", () => {
        const m = new EngineEventMapper("d");
        assert.deepEqual(m.outputChanges, []);
        const stackStep = (outputsBefore: Record<string, unknown> | null, outputsAfter: Record<string, unknown>) => ({ ...step("same", STACK_URN, "pulumi:pulumi:Stack"), old: outputsBefore && { ...step("same", STACK_URN, "pulumi:pulumi:Stack").new, outputs: outputsBefore }, new: { ...step("same", STACK_URN, "pulumi:pulumi:Stack").new, outputs: outputsAfter } });
        const old = { kustomizationYaml: "a", gone: 1, secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" } };
        // A preview first reports the old outputs as the new ones, then the program's.
        m.map({ resOutputsEvent: { metadata: stackStep(old, old) } });
        assert.deepEqual(m.outputChanges, []);
        m.map({ resOutputsEvent: { metadata: stackStep(old, { kustomizationYaml: "b", added: [1], secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" }, later: { x: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } }) } });
        assert.deepEqual(m.outputChanges, [
            { name: "kustomizationYaml", change: "update", before: "a", after: "b" },
            { name: "added", change: "create", after: [1] },
            { name: "later", change: "unknown" },
            { name: "gone", change: "delete", before: 1 },
        ]);
        // Other resources' outputs are not the stack's.
        m.map({ resOutputsEvent: { metadata: { ...step("update", ROLE_URN, "aws:iam/role:Role"), new: { ...step("update", ROLE_URN, "aws:iam/role:Role").new, outputs: { arn: "x" } } } } });
        assert.equal(m.outputChanges.length, 4);
    });

    it("names resources after the last URN part, keeping '::' inside names", () => {
        assert.equal(urnName(ROLE_URN), "prod-source-controller");
        assert.equal(urnName("urn:pulumi:s::p::t::a::b"), "a::b");
        assert.equal(urnName("not-a-urn"), "not-a-urn");
    });

    it("strips color directives and trailing line breaks, and drops non-numeric counts", () => {
        assert.equal(plainMessage("<{%bold%}>a<{%reset%}> b\n\n"), "a b");
        assert.deepEqual(normalizeChanges({ create: 2, update: undefined, same: Number.NaN }), { create: 2 });
        assert.deepEqual(normalizeChanges(undefined), {});
    });
});
