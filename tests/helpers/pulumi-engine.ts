/**
 * The real Pulumi engine for end-to-end tests: where its CLI is, and a scratch place to run stacks.
 *
 * The CLI is looked for, in order: FLUX_IDENTITY_PULUMI_ROOT (a root with bin/pulumi, as .ci/run sets
 * after building it), the cache of scripts/build-pulumi-cli.sh, a `pulumi` on PATH. Its version must be
 * the one of @pulumi/pulumi in package.json. Without one, the end-to-end suites skip with the reason,
 * unless FLUX_IDENTITY_REQUIRE_ENGINE=1 (CI) turns that into a failure.
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LocalStackLocation } from "../../sdk/src/runner/local-stack";
import type { FleetRunSummary } from "../../sdk/src/runner/types";
import { fromRoot } from "./paths";
import { skipWithReason } from "./skip";

export interface PulumiCli {
    /** `<root>/bin/pulumi` is the CLI. */
    root: string;
    version: string;
}

/** The CLI version the tests need: `v` and the exact version of @pulumi/pulumi in package.json. */
export const pinnedPulumiVersion = (): string => `v${(JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies["@pulumi/pulumi"].replace(/^[~^=v]+/, "")}`;

function versionAt(root: string): string | undefined {
    const bin = path.join(root, "bin", "pulumi");
    if (!existsSync(bin)) return undefined;
    try {
        return execFileSync(bin, ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).trim();
    } catch {
        return undefined;
    }
}

function candidates(): Array<{ root: string; from: string }> {
    const out: Array<{ root: string; from: string }> = [];
    if (process.env.FLUX_IDENTITY_PULUMI_ROOT) out.push({ root: process.env.FLUX_IDENTITY_PULUMI_ROOT, from: "FLUX_IDENTITY_PULUMI_ROOT" });
    try {
        const root = execFileSync(fromRoot("scripts", "build-pulumi-cli.sh"), ["--cached"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        if (root) out.push({ root, from: "scripts/build-pulumi-cli.sh's cache" });
    } catch {
        // Not built yet.
    }
    for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
        if (existsSync(path.join(dir, "pulumi"))) {
            out.push({ root: path.dirname(dir), from: `PATH (${dir})` });
            break;
        }
    }
    return out;
}

let found: PulumiCli | string | undefined;

/** The CLI, or why there is none. Looked up once per process. */
export function findPulumiCli(): PulumiCli | string {
    if (found !== undefined) return found;
    const want = pinnedPulumiVersion();
    const seen: string[] = [];
    for (const c of candidates()) {
        const version = versionAt(c.root);
        if (version === want) return (found = { root: c.root, version });
        seen.push(`${c.from}: ${version ?? "no working bin/pulumi"} in ${c.root}`);
    }
    return (found = `no Pulumi CLI ${want} (the version of @pulumi/pulumi) was found${seen.length ? ` (${seen.join("; ")})` : ""}; build one with scripts/build-pulumi-cli.sh`);
}

/**
 * A tool an engine suite needs, for its `before`: `found` is the tool or why there is none. Without it the
 * suite skips with the reason, unless FLUX_IDENTITY_REQUIRE_ENGINE=1 (CI) turns that into a failure.
 */
export function requireTool<T extends object>(ctx: Mocha.Context, suite: string, found: T | string): T {
    if (typeof found !== "string") return found;
    if (process.env.FLUX_IDENTITY_REQUIRE_ENGINE === "1") throw new Error(`FLUX_IDENTITY_REQUIRE_ENGINE=1 but ${found}`);
    return skipWithReason(ctx, `${suite}: ${found}`);
}

/** The CLI for a suite's `before`: skips the suite with the reason, or fails it where the engine is required. */
export function requirePulumiCli(ctx: Mocha.Context): PulumiCli {
    return requireTool(ctx, "end-to-end engine tests", findPulumiCli());
}

/** The latest deployment a file:// backend in `stateDir` saved for a stack. */
function savedDeployment(stateDir: string, project: string, stack: string): { resources?: Array<{ type: string; urn: string; custom?: boolean }>; pending_operations?: unknown[] } {
    const file = path.join(stateDir, ".pulumi", "stacks", project, `${stack}.json`);
    return (JSON.parse(readFileSync(file, "utf8")) as { checkpoint: { latest?: ReturnType<typeof savedDeployment> } }).checkpoint.latest ?? {};
}

/** A scratch folder for one suite: its file:// state, PULUMI_HOME and work folders; removed by `dispose`. */
export class EngineScratch {
    readonly dir = mkdtempSync(path.join(os.tmpdir(), "flux-identity-e2e-"));
    readonly stateDir = path.join(this.dir, "state");
    readonly pulumiHome = path.join(this.dir, "pulumi-home");
    readonly backendUrl = `file://${this.stateDir}`;

    constructor() {
        // A file:// backend's folder must exist before the CLI opens it.
        mkdirSync(this.stateDir, { recursive: true });
    }

    /** The engine's environment: a passphrase, no update check, no plugin downloads (there is no network). */
    env(): Record<string, string | undefined> {
        return {
            ...process.env,
            PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
            PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_HOME: this.pulumiHome,
            PULUMI_BACKEND_URL: undefined,
            PULUMI_ACCESS_TOKEN: undefined,
        };
    }

    /** Where a test opens `project`/`stack` itself (its own workspace folder, this scratch's backend and home). */
    stackLocation(cliRoot: string, project: string, stack: string): LocalStackLocation {
        return {
            target: { cluster: stack, project, stack, fullyQualified: stack },
            mode: "create-or-select",
            workDir: path.join(this.dir, "workspaces", `${project}-${stack}`),
            backendUrl: this.backendUrl,
            secretsProvider: "passphrase",
            envVars: {},
            cliRoot,
            pulumiHome: this.pulumiHome,
        };
    }

    /** The saved state of a stack in this scratch's file:// backend: its resources' types and URNs. */
    stackResources(project: string, stack: string): Array<{ type: string; urn: string; custom: boolean }> {
        return this.stackResourcesAt(this.stateDir, project, stack);
    }

    /** The same for the file:// backend in `stateDir`. */
    stackResourcesAt(stateDir: string, project: string, stack: string): Array<{ type: string; urn: string; custom: boolean }> {
        return (savedDeployment(stateDir, project, stack).resources ?? []).map((r) => ({ type: r.type, urn: r.urn, custom: r.custom === true }));
    }

    /** Whether this scratch's file:// backend holds `project`/`stack`. */
    hasStack(project: string, stack: string): boolean {
        return this.hasStackAt(this.stateDir, project, stack);
    }

    /** The same for the file:// backend in `stateDir`. */
    hasStackAt(stateDir: string, project: string, stack: string): boolean {
        return existsSync(path.join(stateDir, ".pulumi", "stacks", project, `${stack}.json`));
    }

    /**
     * The stack's update history as the Pulumi CLI reports it (`pulumi stack history --json`), newest
     * first: one entry per update, refresh and destroy the engine ran on it.
     */
    stackHistory(cliRoot: string, project: string, stack: string): Array<{ kind: string; result: string; message: string }> {
        const dir = path.join(this.dir, "history-reader", project);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${project}\nruntime: nodejs\nbackend:\n  url: ${this.backendUrl}\n`);
        const env = Object.fromEntries(Object.entries(this.env()).filter((e): e is [string, string] => e[1] !== undefined));
        const out = execFileSync(path.join(cliRoot, "bin", "pulumi"), ["stack", "history", "--json", "--stack", stack, "--non-interactive"], { cwd: dir, env, encoding: "utf8" });
        return JSON.parse(out) as Array<{ kind: string; result: string; message: string }>;
    }

    /** Operations the engine started but never finished, per the saved state. */
    pendingOperations(project: string, stack: string): unknown[] {
        return savedDeployment(this.stateDir, project, stack).pending_operations ?? [];
    }

    /** Lock files left in the backend (a self-managed backend locks a stack with a file per update). */
    lockFiles(): string[] {
        return this.lockFilesAt(this.stateDir);
    }

    /** The same for the file:// backend in `stateDir`. */
    lockFilesAt(stateDir: string): string[] {
        const locks = path.join(stateDir, ".pulumi", "locks");
        if (!existsSync(locks)) return [];
        return (readdirSync(locks, { recursive: true }) as string[]).filter((f) => f.endsWith(".json"));
    }

    dispose(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Each cluster's status in a run's summary, for comparing a run with what it should have done. */
export const statusByCluster = (s: FleetRunSummary): Record<string, string> => Object.fromEntries(s.results.map((r) => [r.cluster, r.status]));
