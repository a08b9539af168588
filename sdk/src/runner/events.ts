/**
 * Engine events (the Automation API's `EngineEvent`) mapped to the runner's FleetEvents. Pure: the only
 * state is the per-cluster progress count, kept in the mapper instance.
 *
 * The engine event types are described structurally here (only the fields read), so this module needs no
 * Pulumi code and its users no `any`: the Automation API's EngineEvent is assignable to EngineEventLike
 * (workspace.ts checks it at compile time).
 */

import { outputChangesOf } from "./output-changes";
import type { FleetEvent, OutputChange } from "./types";

/** A resource's state in a step (the fields the mapping reads). */
export interface StepStateLike {
    outputs?: Record<string, unknown>;
}

/** The step metadata the mapping reads. */
export interface StepMetadataLike {
    op: string;
    urn: string;
    type: string;
    old?: StepStateLike | null;
    new?: StepStateLike | null;
}

/** The type of the root resource of every stack, whose outputs are the stack's outputs. */
export const STACK_RESOURCE_TYPE = "pulumi:pulumi:Stack";

/** An engine event as the Automation API delivers it (the fields the runner reads). */
export interface EngineEventLike {
    sequence?: number;
    timestamp?: number;
    diagnosticEvent?: { urn?: string; prefix?: string; message: string; severity: string; ephemeral?: boolean };
    summaryEvent?: { resourceChanges: Partial<Record<string, number>>; maybeCorrupt?: boolean; durationSeconds?: number };
    resourcePreEvent?: { metadata: StepMetadataLike; planning?: boolean };
    resOutputsEvent?: { metadata: StepMetadataLike; planning?: boolean };
    resOpFailedEvent?: { metadata: StepMetadataLike; status?: number; steps?: number };
}

type Severity = Extract<FleetEvent, { type: "diagnostic" }>["severity"];
const SEVERITIES: ReadonlySet<string> = new Set<Severity>(["debug", "info", "info#err", "warning", "error"]);

/** The resource name of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`; names may contain `::`). */
export function urnName(urn: string): string {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

/** Removes the engine's color directives (`<{%reset%}>`) and trailing line breaks. */
export function plainMessage(message: string): string {
    return message.replace(/<\{%[^%]*%\}>/g, "").replace(/\s+$/, "");
}

/** Resource operation counts, without absent or non-numeric entries. */
export function normalizeChanges(changes: Partial<Record<string, number>> | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [op, n] of Object.entries(changes ?? {})) {
        if (typeof n === "number" && Number.isFinite(n)) out[op] = n;
    }
    return out;
}

/**
 * Maps one cluster's engine events, in order, to FleetEvents:
 * - resourcePreEvent → `resource` phase `pre`;
 * - resOutputsEvent → `resource` phase `outputs`, then `progress`;
 * - resOpFailedEvent → `resource` phase `failed`, then `progress`;
 * - diagnosticEvent → `diagnostic` (color directives removed); `debug` ones only when asked;
 * - summaryEvent → `changes`, then a final `progress` whose `total` equals `done`.
 * The stack resource's outputs events also give `outputChanges`: the last one holds the outputs before
 * and after (a preview sends one with the old values first).
 * Other events (prelude, stdout, policy, cancel) map to nothing. `progress.done` counts the resources
 * (distinct URNs) whose step finished or failed; the engine does not announce a total up front.
 */
export class EngineEventMapper {
    private readonly finished = new Set<string>();
    private summary: Record<string, number> | undefined;
    private stackOutputs: OutputChange[] | undefined;
    private readonly debug: boolean;

    constructor(
        private readonly cluster: string,
        options: { debug?: boolean } = {},
    ) {
        this.debug = options.debug === true;
    }

    /** The stack outputs the operation changed, once the stack resource's outputs were reported; else empty. */
    get outputChanges(): OutputChange[] {
        return this.stackOutputs ?? [];
    }

    /** The engine's summary, once its summary event arrived. */
    get changes(): Record<string, number> | undefined {
        return this.summary === undefined ? undefined : { ...this.summary };
    }

    map(event: EngineEventLike): FleetEvent[] {
        const { cluster } = this;
        if (event.resourcePreEvent) {
            return [this.resource("pre", event.resourcePreEvent.metadata)];
        }
        if (event.resOutputsEvent) {
            const m = event.resOutputsEvent.metadata;
            if (m.type === STACK_RESOURCE_TYPE && m.new?.outputs) this.stackOutputs = outputChangesOf(m.old?.outputs ?? undefined, m.new.outputs);
            return [this.resource("outputs", m), this.progress(m.urn)];
        }
        if (event.resOpFailedEvent) {
            const m = event.resOpFailedEvent.metadata;
            return [this.resource("failed", m), this.progress(m.urn)];
        }
        if (event.diagnosticEvent) {
            const d = event.diagnosticEvent;
            // Most of an update's events are the engine's debug lines: noise unless asked for.
            if (d.severity === "debug" && !this.debug) return [];
            const severity = (SEVERITIES.has(d.severity) ? d.severity : "info") as Severity;
            const mapped: FleetEvent = { type: "diagnostic", cluster, severity, message: plainMessage(d.message) };
            if (d.urn) mapped.urn = d.urn;
            return [mapped];
        }
        if (event.summaryEvent) {
            this.summary = normalizeChanges(event.summaryEvent.resourceChanges);
            const done = this.finished.size;
            return [
                { type: "changes", cluster, changes: { ...this.summary } },
                { type: "progress", cluster, done, total: done },
            ];
        }
        return [];
    }

    private resource(phase: "pre" | "outputs" | "failed", m: StepMetadataLike): FleetEvent {
        return { type: "resource", cluster: this.cluster, phase, op: m.op, urn: m.urn, resourceType: m.type, name: urnName(m.urn) };
    }

    private progress(urn: string): FleetEvent {
        this.finished.add(urn);
        return { type: "progress", cluster: this.cluster, done: this.finished.size };
    }
}
