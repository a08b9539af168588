/**
 * `flux-identity preview|up|destroy|refresh|outputs <spec>`: the runner from the command line. Progress
 * on a terminal (listr2), or newline-delimited JSON events with `--json`. `up`, `refresh` and `destroy`
 * change stacks: they need `--yes`, or a yes on an interactive terminal after seeing the clusters and
 * stacks (confirm.ts). Exit codes (exit-codes.ts): 0 every cluster succeeded, 1 some failed or were
 * cancelled (or the confirmation was declined), 2 invalid input or an unconfirmed change (no stack
 * touched), 130 and 143 stopped by SIGINT or SIGTERM.
 */

import { Command } from "commander";
import { FluxIdentityValidationError } from "../../../provider/src/core/errors";
import { parseSelector, parseShard, planFleetRun, runFleet } from "../runner";
import { FleetConfirmationError, FleetSetupError } from "../runner/errors";
import { ClusterResult, ClusterSelection, FleetEvent, FleetOperation, FleetRunOptions, FleetRunPlan, FleetRunSummary } from "../runner/types";
import { Ask, AskInterrupted, askOnTerminal, describePlan, isYes, needsConfirmation } from "./confirm";
import { reportError } from "./error-output";
import { EXIT_FAILED, EXIT_INVALID_SPEC, EXIT_OK, exitCodeOfSignal, exitCodesHelp } from "./exit-codes";
import { FluxRepoWriteRefused, fluxRepoReportLines, writeFluxRepoFromOutputs } from "./flux-repo";
import { collectConfig } from "./options";
import { outputChangeList, outputDiffs } from "./output-diff";
import { FleetProgress } from "./progress";

export interface FleetCommandIO {
    out: (text: string) => void;
    err: (text: string) => void;
    /** True when `out` is a terminal (progress display); JSON and plain text otherwise. */
    isTTY: boolean;
    /** True when a person can answer a question (stdin and stderr are terminals); default false. */
    interactive?: boolean;
    /** Asks a question there; default the terminal's. */
    ask?: Ask;
}

export interface FleetCommandDeps {
    run: (options: FleetRunOptions) => Promise<FleetRunSummary>;
    /** What a run would touch, for the confirmation; touches nothing. */
    plan: (options: FleetRunOptions) => Promise<FleetRunPlan>;
    /** Where SIGINT/SIGTERM are heard; the CLI passes the process. */
    signals?: { on(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown; off(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown };
}

export interface FleetCommandOptions {
    select?: string[];
    selector?: string;
    shard?: string;
    concurrency?: string;
    backend?: string;
    config?: Record<string, string>;
    json?: boolean;
    write?: string;
    yes?: boolean;
    diff?: boolean;
    debug?: boolean;
    allowPlaceholders?: boolean;
    force?: boolean;
    refresh?: boolean;
}

const OPERATIONS: Array<[Exclude<FleetOperation, "render">, string]> = [
    ["preview", "Show what `up` would change, per cluster stack."],
    ["up", "Create or update each selected cluster's identities, one stack per cluster (asks first, or --yes)."],
    ["destroy", "Delete each selected cluster's identities and empty its stack (asks first, or --yes)."],
    ["refresh", "Refresh each selected cluster's stack from the clouds (asks first, or --yes)."],
    ["outputs", "Print each selected cluster's stack outputs."],
];

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the fleet commands to `program`; `setCode` receives each command's exit code. */
export function addFleetCommands(program: Command, io: FleetCommandIO, deps: FleetCommandDeps, setCode: (code: number) => void): void {
    for (const [operation, description] of OPERATIONS) {
        const command = program
            .command(operation)
            .description(description)
            .argument("<spec>", "fleet spec file (YAML)")
            .option("--select <name>", "a cluster to include (repeatable)", collect)
            .option("-l, --selector <labels>", "labels every selected cluster carries, as key=value[,key=value]")
            .option("--shard <i/n>", "shard i of n (1-based, e.g. 2/4) of the selected clusters, for CI jobs splitting a fleet")
            .option("-c, --concurrency <n>", "clusters worked on at once (default 4)")
            .option("--backend <url>", "Pulumi backend URL, overriding the spec's")
            .option("--config <key=value>", "a value for ${config:key} references (repeatable); ${env:NAME} references read the environment", collectConfig)
            .option("--json", "newline-delimited JSON events on stdout instead of progress")
            .option("--debug", "also pass on the engine's debug diagnostics (left out by default)");
        if (operation === "up" || operation === "outputs") {
            command
                .option("--write <flux-repo-dir>", "write each cluster's whole Flux side from its stack outputs into a Flux repository: clusters/<name>/flux-system/kustomization.yaml, clusters/<name>/flux-identity/ (tenant ServiceAccounts and RBAC), remote-clusters/ (RBAC for remote GKE clusters)")
                .option("--allow-placeholders", "with --write: write placeholder values instead of refusing them");
        }
        if (needsConfirmation(operation)) command.option("-y, --yes", `${operation} without asking (required where no terminal can answer)`);
        if (operation === "preview" || operation === "up") {
            command
                .option("--diff", "show a diff of every changed output, such as kustomizationYaml (with --json, each change carries before and after)")
                .option("--force", `${operation} every selected stack, also those unchanged since their last successful up (which are skipped otherwise)`)
                .option("--refresh", "refresh each stack's resources from the clouds first (finds drift made outside Pulumi); skips no stack");
        }
        command.addHelpText("after", `\n${exitCodesHelp()}\n`);
        command.action(async (spec: string, options: FleetCommandOptions) => {
            setCode(await runFleetCommand(operation, spec, options, io, deps));
        });
    }
}

/** Parses the command's options into a run; throws FluxIdentityValidationError naming the option. */
export function runOptionsFrom(operation: FleetOperation, spec: string, options: FleetCommandOptions): Omit<FleetRunOptions, "onEvent" | "signal"> {
    const selection: ClusterSelection = {};
    if (options.select && options.select.length > 0) selection.names = options.select;
    if (options.selector !== undefined) selection.labels = parseSelector(options.selector);
    if (options.shard !== undefined) selection.shard = parseShard(options.shard);
    const run: Omit<FleetRunOptions, "onEvent" | "signal"> = { operation, fleet: spec, selection };
    if (options.concurrency !== undefined) {
        const n = Number(options.concurrency);
        if (!Number.isInteger(n) || n < 1) {
            throw new FluxIdentityValidationError([{ path: "--concurrency", message: `expected a whole number of at least 1, got ${JSON.stringify(options.concurrency)}.`, fix: "pass --concurrency 4, for example." }]);
        }
        run.concurrency = n;
    }
    if (options.backend !== undefined) run.backendUrl = options.backend;
    if (options.config) run.config = options.config;
    if (options.debug) run.debug = true;
    if (options.force) run.force = true;
    if (options.refresh) run.refresh = true;
    return run;
}

/** The error kind and exit code of a run that stopped before touching a stack. */
function stopped(err: unknown): { kind: "validation" | "confirmation" | "setup"; code: number } | undefined {
    if (err instanceof FleetConfirmationError) return { kind: "confirmation", code: EXIT_INVALID_SPEC };
    if (err instanceof FluxIdentityValidationError) return { kind: "validation", code: EXIT_INVALID_SPEC };
    if (err instanceof FleetSetupError) return { kind: "setup", code: EXIT_FAILED };
    return undefined;
}

/**
 * Confirms a change: `--yes`, or a yes on an interactive terminal; resolves to the exit code to stop
 * with, or undefined to go ahead. A destroy then names exactly the confirmed clusters to the runner.
 */
async function confirm(operation: FleetOperation, plan: FleetRunPlan, options: FleetCommandOptions, io: FleetCommandIO): Promise<number | undefined> {
    if (options.yes) return undefined;
    const what = describePlan(plan);
    if (!io.interactive) {
        const seeFirst = operation === "up" ? ", or run flux-identity preview --diff first to see the changes" : "";
        const why = `${what}Nothing was changed: ${operation} changes stacks, and where no terminal can answer it needs --yes. Pass --yes to confirm${seeFirst}.`;
        return reportError(io, Boolean(options.json), "confirmation", EXIT_INVALID_SPEC, why);
    }
    io.err(what);
    let answer: string;
    try {
        answer = await (io.ask ?? askOnTerminal)(`Do you want to ${operation} ${plan.targets.length === 1 ? "this stack" : `these ${plan.targets.length} stacks`}? Type yes to go ahead: `);
    } catch (err) {
        if (err instanceof AskInterrupted) {
            io.err("\nInterrupted: nothing was changed.\n");
            return exitCodeOfSignal("SIGINT");
        }
        throw err;
    }
    if (isYes(answer)) return undefined;
    io.err(`Not confirmed: nothing was changed.\n`);
    return EXIT_FAILED;
}

async function runFleetCommand(operation: FleetOperation, spec: string, options: FleetCommandOptions, io: FleetCommandIO, deps: FleetCommandDeps): Promise<number> {
    const json = Boolean(options.json);
    let base: Omit<FleetRunOptions, "onEvent" | "signal">;
    try {
        base = runOptionsFrom(operation, spec, options);
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) return reportError(io, json, "usage", EXIT_INVALID_SPEC, err);
        throw err;
    }
    let signalled: "SIGINT" | "SIGTERM" | undefined;
    const controller = new AbortController();
    const onSigint = () => {
        signalled ??= "SIGINT";
        controller.abort();
    };
    const onSigterm = () => {
        signalled ??= "SIGTERM";
        controller.abort();
    };
    deps.signals?.on("SIGINT", onSigint);
    deps.signals?.on("SIGTERM", onSigterm);
    try {
        if (needsConfirmation(operation)) {
            let plan: FleetRunPlan;
            try {
                plan = await deps.plan(base);
            } catch (err) {
                const stop = stopped(err);
                if (stop) return reportError(io, json, stop.kind, stop.code, err, `${spec}: `);
                throw err;
            }
            const stop = await confirm(operation, plan, options, io);
            if (stop !== undefined) return stop;
            if (operation === "destroy") base.confirmDestroy = plan.targets.map((t) => t.cluster);
        }
        return await execute(operation, spec, base, options, io, deps, controller.signal, () => signalled);
    } finally {
        deps.signals?.off("SIGINT", onSigint);
        deps.signals?.off("SIGTERM", onSigterm);
    }
}

async function execute(
    operation: FleetOperation,
    spec: string,
    base: Omit<FleetRunOptions, "onEvent" | "signal">,
    options: FleetCommandOptions,
    io: FleetCommandIO,
    deps: FleetCommandDeps,
    signal: AbortSignal,
    signalled: () => "SIGINT" | "SIGTERM" | undefined,
): Promise<number> {
    const json = Boolean(options.json);
    const progress = !json && io.isTTY ? new FleetProgress() : undefined;
    const onEvent = (event: FleetEvent) => {
        if (json) io.out(JSON.stringify(event) + "\n");
        else if (progress) progress.onEvent(event);
        else if (event.type === "cluster-finished") io.out(plainLine(event.result));
    };
    let summary: FleetRunSummary;
    try {
        summary = await deps.run({ ...base, onEvent, signal });
    } catch (err) {
        const stop = stopped(err);
        if (stop) return reportError(io, json, stop.kind, stop.code, err, `${spec}: `);
        throw err;
    } finally {
        await progress?.finished();
    }
    let writeFailed = false;
    if (options.write !== undefined) {
        try {
            // A skipped stack's outputs are its current ones: its Flux side is written like the others'.
            const report = writeFluxRepoFromOutputs(options.write, summary.results.filter((r) => r.status === "succeeded" || r.status === "skipped"), { allowPlaceholders: options.allowPlaceholders, spec });
            if (json) io.out(JSON.stringify({ type: "flux-repo-written", ...report }) + "\n");
            else io.out([`Wrote the Flux side of ${report.clusters.length} cluster${report.clusters.length === 1 ? "" : "s"} into ${report.repo}:`, ...fluxRepoReportLines(report)].join("\n") + "\n");
        } catch (err) {
            if (!(err instanceof FluxRepoWriteRefused)) throw err;
            if (json) io.out(JSON.stringify({ type: "flux-repo-write-refused", repo: options.write, problems: err.problems }) + "\n");
            io.err(`flux-identity: ${err.message}\n`);
            writeFailed = true;
        }
    }
    if (operation === "outputs" && !json) {
        for (const r of summary.results.filter((x) => x.status === "succeeded")) io.out(`${r.cluster}:\n${JSON.stringify(r.outputs, null, 2)}\n`);
    }
    if (options.diff && !json) io.out(outputDiffs(summary.results, operation));
    if (!json) io.out(summaryText(summary));
    const by = signalled();
    if (by) return exitCodeOfSignal(by);
    return summary.failed.length > 0 || summary.cancelled.length > 0 || writeFailed ? EXIT_FAILED : EXIT_OK;
}

/** Resource operations other than `same`, `2 create, 1 update`; `no changes` when there are none. */
function changeCounts(changes: Readonly<Record<string, number>>): string {
    const moved = Object.entries(changes).filter(([op, n]) => op !== "same" && n > 0);
    return moved.length > 0 ? moved.map(([op, n]) => `${n} ${op}`).join(", ") : "no resource changes";
}

/** Why a stack was skipped, as the CLI says it. */
export const SKIPPED_REASON = "unchanged since its last successful up";

function plainLine(result: ClusterResult): string {
    if (result.status === "skipped") return `${result.cluster}: skipped (${SKIPPED_REASON})\n`;
    const parts: string[] = [result.status];
    if (result.status === "succeeded" && Object.keys(result.changes).length > 0) parts.push(changeCounts(result.changes));
    if (result.outputChanges.length > 0) parts.push(`outputs: ${outputChangeList(result.outputChanges)}`);
    return `${result.cluster}: ${parts.join("; ")}${result.error ? ` (${result.error.message})` : ""}\n`;
}

export function summaryText(summary: FleetRunSummary): string {
    const skipped = summary.skipped.length > 0 ? `, ${summary.skipped.length} unchanged (skipped)` : "";
    const lines = [`${summary.operation}: ${summary.succeeded.length} succeeded${skipped}, ${summary.failed.length} failed, ${summary.cancelled.length} cancelled (${(summary.durationMs / 1000).toFixed(1)} s)`];
    if (summary.skipped.length > 0) lines.push(`  skipped, ${SKIPPED_REASON}: ${summary.skipped.join(", ")} (--force to ${summary.operation} them anyway, --refresh to check them against the clouds)`);
    for (const f of summary.failed) lines.push(`  ${f.cluster} failed (${f.error.kind}): ${f.error.message}`);
    if (summary.cancelled.length > 0) lines.push(`  cancelled: ${summary.cancelled.join(", ")}`);
    const verb = summary.operation === "preview" ? "would change" : "changed";
    for (const r of summary.results.filter((x) => x.outputChanges.length > 0)) lines.push(`  ${r.cluster} ${verb} outputs: ${outputChangeList(r.outputChanges)}`);
    return lines.join("\n") + "\n";
}

/** The real runner, for the CLI. */
export const defaultFleetDeps = (): FleetCommandDeps => ({ run: runFleet, plan: planFleetRun, signals: process });
