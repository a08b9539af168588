/**
 * `flux-identity preview|up|destroy|refresh|outputs <spec>`: the runner from the command line. Progress
 * on a terminal (listr2), or newline-delimited JSON events with `--json`. Exit codes: 0 every cluster
 * succeeded, 1 some failed or were cancelled, 2 the spec is invalid (no stack touched).
 */

import { Command } from "commander";
import { FluxIdentityValidationError } from "../../../provider/src/core/errors";
import { parseSelector, parseShard, runFleet } from "../runner";
import { ClusterSelection, FleetEvent, FleetOperation, FleetRunOptions, FleetRunSummary } from "../runner/types";
import { FluxRepoWriteRefused, fluxRepoReportLines, writeFluxRepoFromOutputs } from "./flux-repo";
import { collectConfig } from "./options";
import { FleetProgress } from "./progress";

export interface FleetCommandIO {
    out: (text: string) => void;
    err: (text: string) => void;
    /** True when `out` is a terminal (progress display); JSON and plain text otherwise. */
    isTTY: boolean;
}

export interface FleetCommandDeps {
    run: (options: FleetRunOptions) => Promise<FleetRunSummary>;
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
    allowPlaceholders?: boolean;
}

const OPERATIONS: Array<[Exclude<FleetOperation, "render">, string]> = [
    ["preview", "Show what `up` would change, per cluster stack."],
    ["up", "Create or update each selected cluster's identities (one stack per cluster)."],
    ["destroy", "Delete each selected cluster's identities and empty its stack."],
    ["refresh", "Refresh each selected cluster's stack from the clouds."],
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
            .option("--json", "newline-delimited JSON events on stdout instead of progress");
        if (operation === "up" || operation === "outputs") {
            command
                .option("--write <flux-repo-dir>", "write each cluster's whole Flux side from its stack outputs into a Flux repository: clusters/<name>/flux-system/kustomization.yaml, clusters/<name>/flux-identity/ (tenant ServiceAccounts and RBAC), remote-clusters/ (RBAC for remote GKE clusters)")
                .option("--allow-placeholders", "with --write: write placeholder values instead of refusing them");
        }
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
    return run;
}

async function runFleetCommand(operation: FleetOperation, spec: string, options: FleetCommandOptions, io: FleetCommandIO, deps: FleetCommandDeps): Promise<number> {
    let base: Omit<FleetRunOptions, "onEvent" | "signal">;
    try {
        base = runOptionsFrom(operation, spec, options);
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) {
            io.err(`flux-identity: ${err.message}\n`);
            return 2;
        }
        throw err;
    }
    const controller = new AbortController();
    const stop = () => controller.abort();
    deps.signals?.on("SIGINT", stop);
    deps.signals?.on("SIGTERM", stop);
    const progress = !options.json && io.isTTY ? new FleetProgress() : undefined;
    const onEvent = (event: FleetEvent) => {
        if (options.json) io.out(JSON.stringify(event) + "\n");
        else if (progress) progress.onEvent(event);
        else if (event.type === "cluster-finished") io.out(plainLine(event.result.cluster, event.result.status, event.result.error?.message));
    };
    let summary: FleetRunSummary;
    try {
        summary = await deps.run({ ...base, onEvent, signal: controller.signal });
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) {
            io.err(`flux-identity: ${spec}: ${err.message}\n`);
            return 2;
        }
        throw err;
    } finally {
        deps.signals?.off("SIGINT", stop);
        deps.signals?.off("SIGTERM", stop);
        await progress?.finished();
    }
    let writeFailed = false;
    if (options.write !== undefined) {
        try {
            const report = writeFluxRepoFromOutputs(options.write, summary.results.filter((r) => r.status === "succeeded"), { allowPlaceholders: options.allowPlaceholders, spec });
            if (options.json) io.out(JSON.stringify({ type: "flux-repo-written", ...report }) + "\n");
            else io.out([`Wrote the Flux side of ${report.clusters.length} cluster${report.clusters.length === 1 ? "" : "s"} into ${report.repo}:`, ...fluxRepoReportLines(report)].join("\n") + "\n");
        } catch (err) {
            if (!(err instanceof FluxRepoWriteRefused)) throw err;
            if (options.json) io.out(JSON.stringify({ type: "flux-repo-write-refused", repo: options.write, problems: err.problems }) + "\n");
            io.err(`flux-identity: ${err.message}\n`);
            writeFailed = true;
        }
    }
    if (operation === "outputs" && !options.json) {
        for (const r of summary.results.filter((x) => x.status === "succeeded")) io.out(`${r.cluster}:\n${JSON.stringify(r.outputs, null, 2)}\n`);
    }
    if (!options.json) io.out(summaryText(summary));
    return summary.failed.length > 0 || summary.cancelled.length > 0 || writeFailed ? 1 : 0;
}

function plainLine(cluster: string, status: string, error?: string): string {
    return `${cluster}: ${status}${error ? ` (${error})` : ""}\n`;
}

export function summaryText(summary: FleetRunSummary): string {
    const lines = [`${summary.operation}: ${summary.succeeded.length} succeeded, ${summary.failed.length} failed, ${summary.cancelled.length} cancelled (${(summary.durationMs / 1000).toFixed(1)} s)`];
    for (const f of summary.failed) lines.push(`  ${f.cluster} failed (${f.error.kind}): ${f.error.message}`);
    if (summary.cancelled.length > 0) lines.push(`  cancelled: ${summary.cancelled.join(", ")}`);
    return lines.join("\n") + "\n";
}

/** The real runner, for the CLI. */
export const defaultFleetDeps = (): FleetCommandDeps => ({ run: runFleet, signals: process });
