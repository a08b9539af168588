/**
 * Entry point of a stack process (see stack-process.ts): takes one `run` command over IPC, runs that
 * operation, reports events and the outcome, and exits.
 */

import { StackOperationError } from "./errors";
import { runLocalStackOperation } from "./local-stack";
import type { StackProcessCommand, StackProcessReport } from "./stack-process";

const controller = new AbortController();
let started = false;

function report(message: StackProcessReport): Promise<void> {
    return new Promise((resolve) => {
        if (!process.connected) return resolve();
        process.send?.(message, undefined, {}, () => resolve());
    });
}

async function run(command: Extract<StackProcessCommand, { type: "run" }>): Promise<void> {
    let outcome: StackProcessReport;
    try {
        const result = await runLocalStackOperation(command.request, {
            signal: controller.signal,
            onEvent: (event) => void report({ type: "event", event }),
        });
        outcome = { type: "result", result };
    } catch (err) {
        const e = err instanceof StackOperationError ? err : new StackOperationError("internal", err instanceof Error ? err.message : String(err));
        outcome = { type: "error", kind: e.kind, message: e.message, stackNotFound: e.stackNotFound };
    }
    await report(outcome);
    // The program's gRPC server and the SDK may keep handles open; the outcome is delivered, so leave.
    process.exit(0);
}

process.on("message", (command: StackProcessCommand) => {
    if (command.type === "abort") {
        controller.abort(new Error("the run was cancelled"));
    } else if (command.type === "run" && !started) {
        started = true;
        void run(command);
    }
});
// Without the runner nobody reads the outcome: cancel gracefully rather than run on unobserved.
process.on("disconnect", () => controller.abort(new Error("the runner went away")));
