/**
 * Stack processes: child Node.js processes (stack-process-main.ts) that run stack operations, one at a
 * time each, relaying their engine events, result or error, and the run's abort.
 *
 * Why operations run in processes of their own: while an inline program runs, @pulumi/pulumi counts every
 * `uncaughtException` and `unhandledRejection` of the whole process as that program's failure. A resource
 * that fails in one cluster's program (a missing provider plugin, a rejected registration) is an
 * unhandled rejection, so every other program running in the same process failed with it ("Resource
 * monitor is terminating"), as the end-to-end tests showed. In a process of its own, a program's failure
 * is its own.
 *
 * Why a process runs several operations, one after another: starting one cost about a second (Node.js,
 * @pulumi/pulumi, the components, `pulumi version`), more than the engine needs for a small stack. It is
 * about 0.35 s of CPU now (deferred-modules.ts; the runner passes the CLI's version), still worth sharing. The
 * SDK gives every inline program run its own state (its async-local store, its error handlers, removed
 * when the run ends), so a process that finished an operation cleanly takes the next one. A process whose
 * operation failed or was cancelled is never given another: it exits, and the next operation gets a new
 * process. So is one that ran `maxOperations`.
 *
 * Each process is started in its own process group (`detached`), so a ^C on the terminal reaches the
 * runner only. The runner then forwards one abort, which the child turns into one SIGINT to its Pulumi
 * CLI: a graceful cancel. (The CLI takes a second SIGINT as "terminate now", which a ^C delivered to the
 * whole group plus the runner's own forwarding would have been.) If the runner goes away, the child
 * cancels its operation and exits.
 */

import { ChildProcess, fork } from "node:child_process";
import * as path from "node:path";
import type { EngineEventLike } from "./events";
import { StackOperationError } from "./errors";
import type { LocalStackRequest } from "./local-stack";
import { StackOperationResult, Tail } from "./workspace";

/** Runner → stack process. */
export type StackProcessCommand = { type: "run"; id: number; request: LocalStackRequest } | { type: "abort"; id: number };

/** Stack process → runner. */
export type StackProcessReport =
    | { type: "event"; id: number; event: EngineEventLike }
    | { type: "result"; id: number; result: StackOperationResult }
    | { type: "error"; id: number; kind: StackOperationError["kind"]; message: string; stackNotFound: boolean };

/** The compiled child entry point, next to this file. */
export const STACK_PROCESS_MAIN = path.join(__dirname, "stack-process-main.js");

/** Operations one stack process runs before it is replaced (bounds what a long run could accumulate). */
export const DEFAULT_MAX_OPERATIONS = 25;

interface RunningOperation {
    id: number;
    settled?: StackProcessReport;
    onEvent: (event: EngineEventLike) => void;
    finish: (outcome: { result: StackOperationResult } | { error: StackOperationError }) => void;
    aborted: () => boolean;
}

let nextId = 1;

/** One stack process, seen from the runner. */
class StackProcess {
    readonly child: ChildProcess;
    /** Operations started here. */
    operations = 0;
    /** False once the process failed an operation, exited, or was retired: it takes no new operation. */
    usable = true;
    readonly exited: Promise<void>;
    private current: RunningOperation | undefined;
    private readonly output = new Tail(16 * 1024);

    constructor(args: readonly string[]) {
        // No inherited execArgv (an --inspect port would clash); the child loads compiled JavaScript only.
        this.child = fork(STACK_PROCESS_MAIN, [...args], { detached: true, execArgv: [], stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "json" });
        this.child.stdout?.setEncoding("utf8").on("data", (d: string) => this.output.push(d));
        this.child.stderr?.setEncoding("utf8").on("data", (d: string) => this.output.push(d));
        this.child.on("message", (report: StackProcessReport) => this.onReport(report));
        // "exit", then the rest of its output: a child the runner disconnected from never gets "close".
        const streamsEnded = Promise.all([this.child.stdout, this.child.stderr].map((s) => (s ? new Promise<void>((r) => s.once("close", () => r())) : Promise.resolve())));
        this.exited = new Promise((resolve) => {
            this.child.once("exit", (code, signal) => {
                this.usable = false;
                let settled = false;
                const settle = () => {
                    if (settled) return;
                    settled = true;
                    this.onClose(code, signal);
                    resolve();
                };
                const timer = setTimeout(settle, 500);
                void streamsEnded.then(() => {
                    clearTimeout(timer);
                    settle();
                });
            });
        });
        this.child.on("error", (err) => {
            this.usable = false;
            // A process that never started emits no "close".
            if (this.child.pid === undefined) {
                this.current?.finish({ error: new StackOperationError("internal", `the stack process could not run: ${err.message}`) });
                this.current = undefined;
            } else if (this.current && !this.current.settled) {
                this.current.settled = { type: "error", id: this.current.id, kind: "internal", message: `the stack process could not run: ${err.message}`, stackNotFound: false };
            }
        });
    }

    get idle(): boolean {
        return this.current === undefined;
    }

    private send(command: StackProcessCommand): void {
        if (this.child.connected) this.child.send(command, () => undefined);
    }

    private onReport(report: StackProcessReport): void {
        const op = this.current;
        if (!op || report.id !== op.id) return;
        if (report.type === "event") {
            op.onEvent(report.event);
            return;
        }
        op.settled = report;
        this.current = undefined;
        if (report.type === "result") {
            op.finish({ result: report.result });
        } else {
            // The child exits after a failed operation; it is not given another.
            this.usable = false;
            op.finish({ error: new StackOperationError(report.kind, report.message, { stackNotFound: report.stackNotFound }) });
        }
    }

    private onClose(code: number | null, signal: NodeJS.Signals | null): void {
        const op = this.current;
        if (!op) return;
        this.current = undefined;
        if (op.settled?.type === "error") {
            op.finish({ error: new StackOperationError(op.settled.kind, op.settled.message, { stackNotFound: op.settled.stackNotFound }) });
            return;
        }
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const detail = this.output.toString().trim().split("\n").slice(-10).join("\n");
        op.finish({ error: new StackOperationError(op.aborted() ? "cancelled" : "internal", `the stack process ${how} before reporting a result${detail ? `:\n${detail}` : ""}`) });
    }

    run(request: LocalStackRequest, opts: { onEvent: (event: EngineEventLike) => void; signal: AbortSignal }): Promise<StackOperationResult> {
        const id = nextId++;
        this.operations++;
        return new Promise((resolve, reject) => {
            const onAbort = () => this.send({ type: "abort", id });
            const finish: RunningOperation["finish"] = (outcome) => {
                opts.signal.removeEventListener("abort", onAbort);
                if ("result" in outcome) resolve(outcome.result);
                else reject(outcome.error);
            };
            this.current = { id, onEvent: opts.onEvent, finish, aborted: () => opts.signal.aborted };
            opts.signal.addEventListener("abort", onAbort, { once: true });
            this.send({ type: "run", id, request });
            if (opts.signal.aborted) onAbort();
        });
    }

    /** Lets the process go: an idle one exits at once, a busy one cancels its operation and exits. */
    retire(): void {
        this.usable = false;
        if (this.child.connected) this.child.disconnect();
    }
}

/**
 * The stack processes of one run: an operation gets an idle process that finished its last operation
 * cleanly, or a new one. The runner bounds how many operations run at once, and so how many processes
 * there are.
 */
export class StackProcessPool {
    private readonly idle: StackProcess[] = [];
    private readonly all = new Set<StackProcess>();
    private closed = false;
    private forked = 0;

    constructor(
        private readonly options: {
            /** The Pulumi CLI's root, for the processes to find it before their first operation. */
            cliRoot?: string;
            /** The version the runner read from that CLI, so that processes do not run `pulumi version`. */
            cliVersion?: string;
            maxOperations?: number;
        } = {},
    ) {}

    /** Stack processes started so far. */
    get started(): number {
        return this.forked;
    }

    private take(): StackProcess {
        while (this.idle.length > 0) {
            const p = this.idle.pop() as StackProcess;
            if (p.usable && p.idle) return p;
        }
        const { cliRoot, cliVersion } = this.options;
        const p = new StackProcess(cliVersion !== undefined ? [cliRoot ?? "", cliVersion] : cliRoot !== undefined ? [cliRoot] : []);
        this.all.add(p);
        this.forked++;
        void p.exited.then(() => this.all.delete(p));
        return p;
    }

    /** Runs `request` in a stack process; rejects with a StackOperationError. */
    async run(request: LocalStackRequest, opts: { onEvent: (event: EngineEventLike) => void; signal: AbortSignal }): Promise<StackOperationResult> {
        if (this.closed) throw new StackOperationError("internal", "the run's stack processes were already released");
        if (opts.signal.aborted) throw new StackOperationError("cancelled", "cancelled before the stack was opened");
        const p = this.take();
        try {
            const result = await p.run(request, opts);
            if (p.usable && p.operations < (this.options.maxOperations ?? DEFAULT_MAX_OPERATIONS) && !opts.signal.aborted && !this.closed) this.idle.push(p);
            else p.retire();
            return result;
        } catch (err) {
            p.retire();
            throw err;
        }
    }

    /** Releases every process and resolves once all have exited. */
    async close(): Promise<void> {
        this.closed = true;
        this.idle.length = 0;
        const all = [...this.all];
        for (const p of all) p.retire();
        await Promise.all(all.map((p) => p.exited));
    }
}
