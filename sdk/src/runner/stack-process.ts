/**
 * Runs one stack operation in a child Node.js process of its own (stack-process-main.ts) and relays its
 * engine events, result or error, and the run's abort.
 *
 * Why a process per stack: while an inline program runs, @pulumi/pulumi counts every `uncaughtException`
 * and `unhandledRejection` of the whole process as that program's failure. A resource that fails in one
 * cluster's program (a missing provider plugin, a rejected registration) is an unhandled rejection, so
 * every other program running in the same process failed with it ("Resource monitor is terminating"),
 * as the end-to-end tests showed. In a process of its own, a program's failure is its own.
 *
 * The child is started in its own process group (`detached`), so a ^C on the terminal reaches the runner
 * only. The runner then forwards one abort, which the child turns into one SIGINT to its Pulumi CLI: a
 * graceful cancel. (The CLI takes a second SIGINT as "terminate now", which a ^C delivered to the whole
 * group plus the runner's own forwarding would have been.) If the runner goes away, the child cancels too.
 */

import { fork } from "node:child_process";
import * as path from "node:path";
import type { EngineEventLike } from "./events";
import { StackOperationError } from "./errors";
import type { LocalStackRequest } from "./local-stack";
import { StackOperationResult, Tail } from "./workspace";

/** Runner → stack process. */
export type StackProcessCommand = { type: "run"; request: LocalStackRequest } | { type: "abort" };

/** Stack process → runner. */
export type StackProcessReport =
    | { type: "event"; event: EngineEventLike }
    | { type: "result"; result: StackOperationResult }
    | { type: "error"; kind: StackOperationError["kind"]; message: string; stackNotFound: boolean };

/** The compiled child entry point, next to this file. */
export const STACK_PROCESS_MAIN = path.join(__dirname, "stack-process-main.js");

/** Runs `request` in a new stack process; rejects with a StackOperationError. */
export function runInStackProcess(request: LocalStackRequest, opts: { onEvent: (event: EngineEventLike) => void; signal: AbortSignal }): Promise<StackOperationResult> {
    if (opts.signal.aborted) return Promise.reject(new StackOperationError("cancelled", "cancelled before the stack was opened"));
    return new Promise((resolve, reject) => {
        const output = new Tail(16 * 1024);
        // No inherited execArgv (an --inspect port would clash); the child loads compiled JavaScript only.
        const child = fork(STACK_PROCESS_MAIN, [], { detached: true, execArgv: [], stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "json" });
        child.stdout?.setEncoding("utf8").on("data", (d: string) => output.push(d));
        child.stderr?.setEncoding("utf8").on("data", (d: string) => output.push(d));
        let settled: StackProcessReport | undefined;
        const send = (command: StackProcessCommand) => {
            if (child.connected) child.send(command, () => undefined);
        };
        const onAbort = () => send({ type: "abort" });
        opts.signal.addEventListener("abort", onAbort, { once: true });
        child.on("message", (report: StackProcessReport) => {
            if (report.type === "event") {
                opts.onEvent(report.event);
            } else {
                settled = report;
            }
        });
        child.on("error", (err) => {
            settled ??= { type: "error", kind: "internal", message: `the stack process could not run: ${err.message}`, stackNotFound: false };
            // A process that never started emits no "close".
            if (child.pid === undefined) {
                opts.signal.removeEventListener("abort", onAbort);
                reject(new StackOperationError("internal", settled.type === "error" ? settled.message : err.message));
            }
        });
        child.on("close", (code, signal) => {
            opts.signal.removeEventListener("abort", onAbort);
            if (settled?.type === "result") return resolve(settled.result);
            if (settled?.type === "error") return reject(new StackOperationError(settled.kind, settled.message, { stackNotFound: settled.stackNotFound }));
            const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
            const detail = output.toString().trim().split("\n").slice(-10).join("\n");
            reject(new StackOperationError(opts.signal.aborted ? "cancelled" : "internal", `the stack process ${how} before reporting a result${detail ? `:\n${detail}` : ""}`));
        });
        send({ type: "run", request });
        if (opts.signal.aborted) onAbort();
    });
}
