#!/usr/bin/env node
/**
 * The flux-identity command line. Exit codes (exit-codes.ts): 0 all good, 1 failure, 2 invalid input
 * (options, arguments, spec, selection, an unconfirmed change), 130/143 stopped by SIGINT/SIGTERM.
 */

import { Command, CommanderError } from "commander";
import * as path from "node:path";
import { FluxIdentityValidationError } from "../../../provider/src/core/errors";
import { loadFleet } from "../spec/fleet";
import { resolveFleetReferences } from "../spec/references";
import { Ask, askOnTerminal } from "./confirm";
import { errorDocument, reportError } from "./error-output";
import { EXIT_FAILED, EXIT_INVALID_SPEC, EXIT_OK, exitCodesHelp } from "./exit-codes";
import { FleetCommandDeps, addFleetCommands, defaultFleetDeps } from "./fleet-commands";
import { FluxRepoReport, FluxRepoWriteRefused, applyFluxRepoWrite, fluxRepoReportLines, fluxSideOfPlan, planFluxRepoWrite } from "./flux-repo";
import { collectConfig } from "./options";
import { renderFleet, writeRenderOutput } from "../render/render";
import { resourceCounts } from "./resource-counts";

export { EXIT_OK, EXIT_FAILED, EXIT_INVALID_SPEC, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_CODE_TABLE } from "./exit-codes";

export interface CliIO {
    out: (text: string) => void;
    err: (text: string) => void;
    /** True when `out` is a terminal: fleet commands then show progress. */
    isTTY?: boolean;
    /** True when a person can answer a confirmation (stdin and stderr are terminals). */
    interactive?: boolean;
    /** Asks that person; default the terminal. */
    ask?: Ask;
}

const processIO: CliIO = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    // The question goes to stderr, so `up --json > events.ndjson` still asks on the terminal.
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY) && process.env.TERM !== "dumb",
    ask: askOnTerminal,
};

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. Never exits the process. */
export async function runCli(argv: readonly string[], io: CliIO = processIO, fleetDeps: FleetCommandDeps = defaultFleetDeps()): Promise<number> {
    let code = EXIT_OK;
    const program = new Command()
        .name("flux-identity")
        .description("Secret-less cloud access for Flux: IAM identities, trust, grants and the flux-system patches.")
        .exitOverride()
        .configureOutput({ writeOut: io.out, writeErr: io.err })
        .addHelpText("after", `\n${exitCodesHelp()}\n`);

    program
        .command("render")
        .description("Render each cluster's flux-system/kustomization.yaml and plan.json offline (no credentials, no Pulumi engine).")
        .argument("<spec>", "fleet spec file (YAML)")
        .requiredOption("-o, --out <dir>", "output folder; each cluster gets <dir>/<cluster>/")
        .option("--json", "print a JSON summary instead of text")
        .option("--config <key=value>", "value for ${config:key} references in the spec (repeatable); ${env:NAME} references read the environment", collectConfig)
        .option("--write <flux-repo-dir>", "also write each cluster's whole Flux side into a Flux repository: clusters/<name>/flux-system/kustomization.yaml, clusters/<name>/flux-identity/ (tenant ServiceAccounts and RBAC), remote-clusters/ (RBAC for remote GKE clusters)")
        .option("--allow-placeholders", "with --write: write values that exist only after `up` (<client ID of ...>) instead of refusing")
        .addHelpText("after", `\n${exitCodesHelp()}\n`)
        .action((spec: string, options: { out: string; json?: boolean; config?: Record<string, string>; write?: string; allowPlaceholders?: boolean }) => {
            code = render(spec, options.out, Boolean(options.json), io, options.config ?? {}, options.write, Boolean(options.allowPlaceholders));
        });

    const fleetIO = { out: io.out, err: io.err, isTTY: io.isTTY ?? false, interactive: io.interactive ?? false, ...(io.ask ? { ask: io.ask } : {}) };
    addFleetCommands(program, fleetIO, fleetDeps, (c) => (code = c));

    // Commander prints its own message on stderr; with --json a program reading stdout gets the document.
    const json = argv.includes("--json");
    try {
        await program.parseAsync([...argv], { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) {
            // Help and version exit 0; every other commander error is a usage error: an unknown option or
            // command, a missing argument or option value, an invalid option value.
            if (err.exitCode === 0) return EXIT_OK;
            if (json) io.out(JSON.stringify(errorDocument("usage", EXIT_INVALID_SPEC, err.message.replace(/^error: /, ""))) + "\n");
            return EXIT_INVALID_SPEC;
        }
        return reportError(io, json, "internal", EXIT_FAILED, err);
    }
    return code;
}


function render(specFile: string, outDir: string, json: boolean, io: CliIO, config: Record<string, string>, fluxRepo?: string, allowPlaceholders = false): number {
    let rendered;
    try {
        rendered = renderFleet(resolveFleetReferences(loadFleet(specFile), { env: process.env, config }));
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) return reportError(io, json, "validation", EXIT_INVALID_SPEC, err, `${specFile}: `);
        throw err;
    }
    // The repository write is checked before anything is written: a refused write writes nothing at all.
    let repoPlan;
    if (fluxRepo !== undefined) {
        try {
            repoPlan = planFluxRepoWrite(fluxRepo, rendered.map((c) => ({ cluster: c.name, flux: fluxSideOfPlan(c.plan) })), { allowPlaceholders, spec: specFile });
        } catch (err) {
            if (!(err instanceof FluxRepoWriteRefused)) throw err;
            return reportError(io, json, "refused", EXIT_FAILED, err);
        }
    }
    const output = writeRenderOutput(rendered, outDir);
    const repoReport: FluxRepoReport | undefined = repoPlan ? applyFluxRepoWrite(repoPlan) : undefined;
    if (json) {
        const summary = rendered.map((c) => ({
            cluster: c.name,
            files: Object.keys(c.files).map((f) => path.join(outDir, c.name, f)),
            changes: output.changes.filter((x) => x.cluster === c.name).map((x) => ({ file: x.file, action: x.action })),
            resources: resourceCounts(c),
            warnings: c.plan.warnings,
        }));
        io.out(JSON.stringify({ spec: specFile, out: outDir, clusters: summary, removedClusters: output.removedClusters, ...(repoReport ? { fluxRepo: repoReport } : {}) }) + "\n");
        return EXIT_OK;
    }
    const count = (action: string) => output.changes.filter((c) => c.action === action).length;
    const written = output.changes.filter((c) => c.action !== "removed" && c.action !== "kept").length;
    const width = Math.max(...rendered.map((c) => c.name.length));
    const lines = [
        `Rendered ${rendered.length} cluster${rendered.length === 1 ? "" : "s"} from ${specFile} into ${outDir}: ${written} files (${count("created")} created, ${count("updated")} updated, ${count("unchanged")} unchanged)${count("removed") > 0 ? `, ${count("removed")} removed` : ""}:`,
    ];
    for (const c of rendered) {
        output.changes
            .filter((x) => x.cluster === c.name)
            .forEach((x, i) => lines.push(`  ${(i === 0 ? c.name : "").padEnd(width)}  ${x.action.padEnd(9)} ${x.file}${x.reason ? ` (${x.reason})` : ""}`));
    }
    for (const name of output.removedClusters) lines.push(`  removed ${path.join(outDir, name)}${path.sep} (cluster ${name} is no longer in the spec)`);
    for (const c of output.changes.filter((x) => !rendered.some((r) => r.name === x.cluster) && x.action === "kept")) lines.push(`  kept ${c.file} (${c.reason})`);
    for (const note of output.notes) lines.push(`  note: ${note}`);
    if (repoReport) lines.push(`Wrote the Flux side of ${repoReport.clusters.length} cluster${repoReport.clusters.length === 1 ? "" : "s"} into ${repoReport.repo}:`, ...fluxRepoReportLines(repoReport));
    const warnings = rendered.flatMap((c) => c.plan.warnings.map((w) => `  ${c.name}: ${w}`));
    if (warnings.length > 0) lines.push("Notes:", ...warnings);
    const brought = rendered.filter((c) => c.plan.broughtIdentities.some((b) => !b.managed));
    if (brought.length > 0) {
        lines.push(`Brought identities: ${brought.map((c) => c.name).join(", ")} ${brought.length === 1 ? "uses" : "use"} identities flux-identity does not own; broughtIdentities in plan.json lists what their owners must add, with commands to check and apply it.`);
    }
    lines.push(
        repoReport
            ? "Commit the Flux repository; plan.json lists every cloud resource `up` creates, diagram.md shows who reaches what."
            : "Commit each cluster's Flux side with --write <flux-repo> (or by hand: flux-system/kustomization.yaml next to gotk-components.yaml, tenants/ applied with it; with the Flux Operator, flux-operator/flux-instance.yaml merged into its FluxInstance instead); plan.json lists every cloud resource `up` creates, diagram.md shows who reaches what.",
    );
    io.out(lines.join("\n") + "\n");
    return EXIT_OK;
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            process.stderr.write(`flux-identity: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exitCode = EXIT_FAILED;
        },
    );
}
