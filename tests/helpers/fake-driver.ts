/**
 * A StackDriver test double: records what the runner asks of it, counts operations in flight, and runs
 * each operation through a script (by default: a few engine events, then success).
 */
import { StackOperationError } from "../../sdk/src/runner/errors";
import type { EngineEventLike } from "../../sdk/src/runner/events";
import type { DriverStack, OpenMode, StackDriver, StackOperation, StackOperationOptions, StackOperationResult, StackRunSettings, StackSession, StackTarget, UnchangedStack } from "../../sdk/src/runner/workspace";

export interface FakeCall {
    cluster: string;
    operation: StackOperation;
    options: StackOperationOptions;
}

export type FakeScript = (call: FakeCall, driver: FakeDriver) => Promise<StackOperationResult>;

/** Resolves after `ms`, or rejects with a `cancelled` StackOperationError when `signal` aborts first. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(new StackOperationError("cancelled", "cancelled before it started"));
        const timer = setTimeout(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(timer);
            reject(new StackOperationError("cancelled", "cancelled by the engine"));
        };
        signal.addEventListener("abort", onAbort, { once: true });
    });
}

/** Engine events of a stack with one created resource (and one engine debug line, as the engine sends many). */
export function sampleEngineEvents(cluster: string): EngineEventLike[] {
    const urn = `urn:pulumi:${cluster}::flux-identity-fleet::flux-identity:index:FluxWorkloadIdentity::${cluster}`;
    const metadata = { op: "create", urn, type: "flux-identity:index:FluxWorkloadIdentity" };
    return [
        { sequence: 1, timestamp: 1, resourcePreEvent: { metadata } },
        { sequence: 2, timestamp: 2, diagnosticEvent: { message: `hello from ${cluster}\n`, severity: "info", color: "never" } as EngineEventLike["diagnosticEvent"] },
        { sequence: 3, timestamp: 2, diagnosticEvent: { message: `RegisterResource RPC prepared: t=flux-identity:index:FluxWorkloadIdentity, name=${cluster}\n`, severity: "debug", color: "never" } as EngineEventLike["diagnosticEvent"] },
        { sequence: 4, timestamp: 3, resOutputsEvent: { metadata } },
        { sequence: 5, timestamp: 4, summaryEvent: { resourceChanges: { create: 1 }, maybeCorrupt: false, durationSeconds: 1 } },
    ];
}

/**
 * The stack resource's events of an update whose outputs go from `before` (undefined: a new stack) to
 * `after`, as the engine sends them: the step, then its outputs with the old and new values.
 */
export function stackOutputEvents(cluster: string, before: Record<string, unknown> | undefined, after: Record<string, unknown>): EngineEventLike[] {
    const urn = `urn:pulumi:${cluster}::flux-identity-fleet::pulumi:pulumi:Stack::flux-identity-fleet-${cluster}`;
    const op = before === undefined ? "create" : "same";
    const old = before === undefined ? null : { outputs: before };
    return [
        { sequence: 10, timestamp: 10, resourcePreEvent: { metadata: { op, urn, type: "pulumi:pulumi:Stack", old, new: { outputs: {} } } } },
        { sequence: 11, timestamp: 11, resOutputsEvent: { metadata: { op, urn, type: "pulumi:pulumi:Stack", old, new: { outputs: after } } } },
    ];
}

export const defaultScript: FakeScript = async (call) => {
    for (const e of sampleEngineEvents(call.cluster)) call.options.onEvent(e);
    await Promise.resolve();
    return { changes: { create: 1 }, outputs: { kustomizationYaml: `# ${call.cluster}` } };
};

export class FakeDriver implements StackDriver {
    readonly settings: StackRunSettings[] = [];
    readonly opened: Array<{ target: StackTarget; mode: OpenMode }> = [];
    readonly started: string[] = [];
    readonly finished: string[] = [];
    /** Clusters whose operation saw its signal aborted while running. */
    readonly abortedWhileRunning: string[] = [];
    closed = 0;
    inFlight = 0;
    maxInFlight = 0;
    /**
     * With `skips`, the double keeps what a backend would: per stack, the fingerprint of its last
     * successful up and its outputs; any other operation that ran (or an up that failed) clears it.
     */
    readonly records = new Map<string, { fingerprint: string; outputs: Record<string, unknown> }>();
    /** The checks the runner asked for: cluster and fingerprint. */
    readonly checked: Array<{ cluster: string; fingerprint: string; outputs: boolean }> = [];
    /** The engine the session reports (part of every fingerprint). */
    engine = "fake-engine 1";

    constructor(
        private readonly script: FakeScript = defaultScript,
        readonly maxConcurrency?: number,
        private readonly skips = false,
    ) {}

    async begin(settings: StackRunSettings): Promise<StackSession> {
        this.settings.push(settings);
        const open = async (target: StackTarget, _cluster: unknown, mode: OpenMode): Promise<DriverStack> => {
            this.opened.push({ target, mode });
            const run = (operation: StackOperation) => (options: StackOperationOptions) => this.run({ cluster: target.cluster, operation, options });
            return { preview: run("preview"), up: run("up"), destroy: run("destroy"), refresh: run("refresh"), outputs: run("outputs") };
        };
        const session: StackSession = {
            open,
            close: async () => {
                this.closed++;
            },
            engine: this.engine,
        };
        if (this.skips) {
            session.unchanged = async (target: StackTarget, fingerprint: string, options: { outputs: boolean; signal: AbortSignal }): Promise<UnchangedStack | undefined> => {
                this.checked.push({ cluster: target.cluster, fingerprint, outputs: options.outputs });
                const r = this.records.get(target.cluster);
                return r && r.fingerprint === fingerprint ? { outputs: options.outputs ? r.outputs : {} } : undefined;
            };
        }
        return session;
    }

    private async run(call: FakeCall): Promise<StackOperationResult> {
        this.started.push(call.cluster);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const onAbort = () => this.abortedWhileRunning.push(call.cluster);
        call.options.signal.addEventListener("abort", onAbort, { once: true });
        const writes = call.operation === "up" || call.operation === "destroy" || call.operation === "refresh";
        try {
            const result = await this.script(call, this);
            if (call.operation === "up" && call.options.fingerprint !== undefined) this.records.set(call.cluster, { fingerprint: call.options.fingerprint, outputs: result.outputs });
            else if (writes) this.records.delete(call.cluster);
            return result;
        } catch (err) {
            if (writes) this.records.delete(call.cluster);
            throw err;
        } finally {
            call.options.signal.removeEventListener("abort", onAbort);
            this.inFlight--;
            this.finished.push(call.cluster);
        }
    }
}

/** A driver whose begin must never be called. */
export const untouchableDriver: StackDriver = {
    begin: () => {
        throw new Error("the driver was touched");
    },
};
