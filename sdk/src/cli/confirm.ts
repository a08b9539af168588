/**
 * Confirmation of the operations that change stacks, as the Pulumi CLI does it: `up`, `refresh` and
 * `destroy` go ahead with `--yes`; without it, on an interactive terminal they list the clusters and
 * stacks and ask; anywhere else they refuse (exit code 2) and touch nothing. `preview` and `outputs`
 * change nothing and never ask.
 */

import { createInterface } from "node:readline";
import type { FleetOperation, FleetRunPlan } from "../runner/types";

/** The operations that change stacks, and what each does to them (for the question). */
export const CONFIRMED_OPERATIONS: Partial<Record<FleetOperation, string>> = {
    up: "create or update the identities of",
    refresh: "refresh from the clouds the state of",
    destroy: "DELETE every resource of",
};

export function needsConfirmation(operation: FleetOperation): boolean {
    return CONFIRMED_OPERATIONS[operation] !== undefined;
}

/** Asks one question on a terminal; resolves to the answer, or rejects with AskInterrupted on ^C. */
export type Ask = (question: string) => Promise<string>;

export class AskInterrupted extends Error {
    constructor() {
        super("interrupted");
        this.name = "AskInterrupted";
    }
}

/** What the run will touch, for the question and for the refusal. */
export function describePlan(plan: FleetRunPlan, backendUrl?: string): string {
    const width = Math.max(0, ...plan.targets.map((t) => t.cluster.length));
    const lines = plan.targets.map((t) => `  ${t.cluster.padEnd(width)}  stack ${t.stack}`);
    const where = backendUrl ? ` (backend ${backendUrl})` : "";
    return `${plan.operation} will ${CONFIRMED_OPERATIONS[plan.operation] ?? "work on"} ${plan.targets.length} cluster stack${plan.targets.length === 1 ? "" : "s"}${where}:\n${lines.join("\n")}\n`;
}

/** True for `y` and `yes` (any case); anything else declines. */
export function isYes(answer: string): boolean {
    return /^\s*y(es)?\s*$/i.test(answer);
}

/** The terminal's question: on stderr (stdout may carry --json events), answered on stdin. */
export const askOnTerminal: Ask = (question) =>
    new Promise((resolve, reject) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
        let answered = false;
        rl.on("SIGINT", () => {
            answered = true;
            rl.close();
            reject(new AskInterrupted());
        });
        rl.on("close", () => {
            // End of input (^D) without an answer declines.
            if (!answered) resolve("");
        });
        rl.question(question, (answer) => {
            answered = true;
            rl.close();
            resolve(answer);
        });
    });
