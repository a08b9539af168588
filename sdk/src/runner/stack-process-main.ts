/**
 * Entry point of a stack process (see stack-process.ts): takes `run` commands over IPC, one at a time,
 * runs each operation, and reports its events and outcome. After a failed or cancelled operation, or
 * once the runner lets it go (disconnect), it exits. argv[2], when not empty, is the Pulumi CLI's root and
 * argv[3], when given, the version the runner read from that CLI: the process loads the Automation API and
 * gets the CLI while it waits for its first operation.
 */

import * as nodeModule from "node:module";

// Loading @pulumi/pulumi takes about a second of a stack process's start; Node.js 22.1 and later can keep
// the compiled code between processes (in the system's temporary folder, or NODE_COMPILE_CACHE).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

import { deferModules } from "./deferred-modules";

// Before anything loads @pulumi/pulumi (local-stack.ts does, through the cluster's program).
deferModules();

import { StackOperationError } from "./errors";
import { preloadLocalStack, runLocalStackOperation } from "./local-stack";
import type { StackProcessCommand, StackProcessReport } from "./stack-process";

let current: { id: number; controller: AbortController } | undefined;

function report(message: StackProcessReport): Promise<void> {
    return new Promise((resolve) => {
        if (!process.connected) return resolve();
        process.send?.(message, undefined, {}, () => resolve());
    });
}

async function run(command: Extract<StackProcessCommand, { type: "run" }>): Promise<void> {
    const controller = new AbortController();
    current = { id: command.id, controller };
    const { id } = command;
    let outcome: StackProcessReport;
    try {
        const result = await runLocalStackOperation(command.request, {
            signal: controller.signal,
            onEvent: (event) => void report({ type: "event", id, event }),
        });
        outcome = { type: "result", id, result };
    } catch (err) {
        const e = err instanceof StackOperationError ? err : new StackOperationError("internal", err instanceof Error ? err.message : String(err));
        outcome = { type: "error", id, kind: e.kind, message: e.message, stackNotFound: e.stackNotFound };
    }
    await report(outcome);
    current = undefined;
    // A failed or cancelled operation may leave state behind in this process (a rejection still on its
    // way, a half-closed gRPC server): the next operation gets a new process. Without the runner, leave.
    // The program's gRPC servers and the SDK may keep handles open, hence the explicit exit.
    if (outcome.type === "error" || controller.signal.aborted || !process.connected) process.exit(0);
}

process.on("message", (command: StackProcessCommand) => {
    if (command.type === "abort") {
        if (current?.id === command.id) current.controller.abort(new Error("the run was cancelled"));
    } else if (command.type === "run" && current === undefined) {
        void run(command);
    }
});
// Without the runner nobody reads the outcome: cancel gracefully rather than run on unobserved.
process.on("disconnect", () => {
    if (current) current.controller.abort(new Error("the runner went away"));
    else process.exit(0);
});

preloadLocalStack(process.argv[2] || undefined, process.argv[3] || undefined);
