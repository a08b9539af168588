/**
 * The boundary between the runner and the Pulumi engine. The runner only sees StackDriver; what knows the
 * Automation API is this file, local-stack.ts (run in a stack process) and remote.ts (Pulumi Deployments),
 * so tests replace the driver with a test double and no engine runs.
 *
 * The Automation API module is loaded when a run begins, not when this file is loaded: a process that
 * only renders never loads Pulumi.
 *
 * The local driver runs each stack's operation in a process of its own (stack-process.ts): an inline
 * program's failure would otherwise fail every program running in the same process.
 *
 * Facts about @pulumi/pulumi 3.248's Automation API this driver relies on (read from its sources):
 * - Stack.up/preview/refresh/destroy take `signal`; on abort the SDK sends SIGINT to the Pulumi CLI, which
 *   cancels gracefully (in-flight resource operations finish, the state is written). The SDK attaches its
 *   abort listener only when it spawns the CLI, and the CLI takes SIGINT gracefully only inside its
 *   update's cancellation scope: engineAbortSignal forwards an abort only between the engine's first
 *   event and its summary.
 * - While an inline program runs, the SDK adds process-wide `uncaughtException` and `unhandledRejection`
 *   listeners that count any such error as that program's failure; hence one process per stack.
 * - After the engine is done, Stack.up, refresh and destroy read the outputs (`stack output` twice, once
 *   with `--show-secrets`) and the last history entry (`stack history --show-secrets`) with more CLI runs;
 *   local-stack.ts takes both from the engine's events instead. Stack.select runs `pulumi stack select`
 *   even where every later command names the stack: for stacks the backend listed, it is skipped.
 * - PulumiCommand.get runs `pulumi version` every time (skipVersionCheck only skips the comparison), so a
 *   stack process makes its PulumiCommand once, from the version the runner read (knownPulumiCommand in
 *   local-stack.ts), and passes it to every LocalWorkspace.
 * - ConcurrentUpdateError is what the SDK throws when the stack is locked (Pulumi Cloud's 409, or a
 *   self-managed backend's lock file); StackNotFoundError when selecting a stack that does not exist.
 * - A LocalWorkspace with `projectSettings` writes Pulumi.yaml into its workDir, so each stack gets its
 *   own folder. A fresh folder per run has no Pulumi.<stack>.yaml, hence no record of the stack's secrets
 *   provider (the passphrase salt, the KMS key); the CLI then makes a new default provider unless
 *   PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true tells it to take the one recorded in the stack's state
 *   (pulumi/pulumi#17236, #16412). workspaceEnvVars sets it.
 */

import { mkdirSync, mkdtempSync } from "node:fs";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { FleetSetupError, StackOperationError } from "./errors";
import type { EngineEventLike } from "./events";
import { normalizeChanges } from "./events";
import type { FleetOperation } from "./types";
import type { ClusterSpec } from "../../../provider/src/plan/cluster";

/** The operations a driver runs on a stack: every FleetOperation except `render`. */
export type StackOperation = Exclude<FleetOperation, "render">;

/** What every run passes to its driver. */
export interface StackRunSettings {
    operation: StackOperation;
    /** Backend URL, e.g. `file:///abs/dir`, `s3://bucket`, `https://api.pulumi.com`. */
    backendUrl: string;
    /** Secrets provider for new stacks (`passphrase`, `awskms://...`); undefined: the backend's own. */
    secretsProvider?: string;
    /** Variables added to the Pulumi CLI's environment (the runner's `env` option, when given). */
    envVars: Record<string, string>;
    /** The environment to check for the passphrase: the runner's `env`, or process.env. */
    env: Readonly<Record<string, string | undefined>>;
    /** Folder for the run's Pulumi workspaces. */
    workDir: string;
}

/** The stack of one cluster. */
export interface StackTarget {
    cluster: string;
    project: string;
    stack: string;
    fullyQualified: string;
}

/** `create-or-select` for preview and up; `select` for refresh, destroy and outputs (no empty stacks made). */
export type OpenMode = "create-or-select" | "select";

export interface StackOperationOptions {
    /** The engine's events, in order. */
    onEvent: (event: EngineEventLike) => void;
    /** Aborting cancels the operation (gracefully where the engine allows). */
    signal: AbortSignal;
    /**
     * `up`: the cluster's fingerprint (fingerprint.ts, with the session's `engine`), to record with the
     * update so that a later run can tell the stack is unchanged (StackSession.unchanged). A driver
     * records it only if the update succeeds.
     */
    fingerprint?: string;
    /** `preview` and `up`: refresh the stack's resources from the clouds first (`pulumi up --refresh`). */
    refresh?: boolean;
}

export interface StackOperationResult {
    /** Resource operations by kind, from the engine's summary. */
    changes: Record<string, number>;
    /** Stack outputs; secret values are replaced by SECRET_PLACEHOLDER. */
    outputs: Record<string, unknown>;
}

/** One cluster's opened stack. Failures are thrown as StackOperationError. */
export interface DriverStack {
    preview(opts: StackOperationOptions): Promise<StackOperationResult>;
    up(opts: StackOperationOptions): Promise<StackOperationResult>;
    destroy(opts: StackOperationOptions): Promise<StackOperationResult>;
    refresh(opts: StackOperationOptions): Promise<StackOperationResult>;
    outputs(opts: StackOperationOptions): Promise<StackOperationResult>;
}

/** What a driver knows of a stack left alone because it is unchanged. */
export interface UnchangedStack {
    /** Its outputs (secrets as SECRET_PLACEHOLDER), when asked for. */
    outputs: Record<string, unknown>;
}

/** A run's use of a driver: per-run resources live here, so runs never share state. */
export interface StackSession {
    /** `cluster` is the spec the stack's program declares (resolved references included). */
    open(target: StackTarget, cluster: ClusterSpec, mode: OpenMode): Promise<DriverStack>;
    /** Releases the run's resources (temporary folders); called once, after every cluster finished. */
    close(): Promise<void>;
    /** The engine that runs the updates (`pulumi v3.248.0`): part of every fingerprint. */
    readonly engine?: string;
    /**
     * Whether the stack's last update succeeded with `fingerprint` recorded and nothing changed the stack's
     * state since; then the stack, with its outputs if `outputs` is true. Undefined when it cannot tell: the
     * runner then runs the operation. A driver without this method never has stacks skipped.
     */
    unchanged?(target: StackTarget, fingerprint: string, options: { outputs: boolean; signal: AbortSignal }): Promise<UnchangedStack | undefined>;
}

/** The engine as the runner sees it. */
export interface StackDriver {
    /** The most stacks this driver runs at once; the runner lowers its concurrency to it. */
    readonly maxConcurrency?: number;
    /**
     * Starts a run: checks the settings and the environment and prepares per-run resources. Throws a
     * FleetSetupError, before any stack is touched, when the run cannot work.
     */
    begin(settings: StackRunSettings): Promise<StackSession>;
}

export const SECRET_PLACEHOLDER = "[secret]";

/** Stack processes at once, each a Node.js process (about 150 MB) with its Pulumi CLI. */
export const LOCAL_MAX_CONCURRENCY = 24;

export interface LocalStackDriverOptions {
    /** Folder of a Pulumi CLI installation (`<root>/bin/pulumi`); default the `pulumi` on PATH. Nothing is installed. */
    cliRoot?: string;
    /** PULUMI_HOME for the CLI (plugins, credentials); default the CLI's own. */
    pulumiHome?: string;
    /** The engine's resource parallelism within each stack; default the engine's. */
    parallel?: number;
    /** Operations a stack process runs, one after another, before a new one replaces it; default 25. 1: a process per operation. */
    operationsPerProcess?: number;
    /**
     * Keep what this machine saw of each stack's last successful update under
     * `<workDir>/.flux-identity/last-updates/` (last-update-cache.ts), so that an unchanged stack costs no
     * CLI call of its own; default true. False: every check asks the backend per stack.
     */
    lastUpdateCache?: boolean;
}

// The Automation API's EngineEvent must stay assignable to what events.ts reads.
type Assignable<T extends U, U> = T;
export type EngineEventCheck = Assignable<automation.EngineEvent, EngineEventLike>;

type Automation = typeof automation;

/** The version `pulumi version` printed (`v3.248.0`), without the `v`; undefined if it is not one. */
export function parseCliVersion(stdout: string): string | undefined {
    const m = /^v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)\s*$/.exec(stdout.trim());
    return m ? m[1] : undefined;
}

/** The environment lacks what the secrets provider needs; undefined when it has it. */
export function passphraseProblem(secretsProvider: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
    if (secretsProvider !== "passphrase") return undefined;
    if (env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined) return undefined;
    return (
        "the stacks' secrets are encrypted with a passphrase (the default for self-managed backends), but neither " +
        "PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set. Set one of them (the same passphrase for every run " +
        "against this backend), or set backend.secretsProvider to a KMS (awskms://, azurekeyvault://, gcpkms://, hashivault://)."
    );
}

/**
 * The environment of every Pulumi CLI command of a run: the run's variables, plus
 * PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true (unless the run sets it) so that stacks keep the secrets
 * provider recorded in their state although each run starts from fresh workspace folders.
 */
export function workspaceEnvVars(settings: Pick<StackRunSettings, "envVars">): Record<string, string> {
    return { PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true", ...settings.envVars };
}

/** The path of a `file://` backend URL, when it is absolute. */
export function fileBackendDir(url: string): string | undefined {
    if (!url.startsWith("file://")) return undefined;
    const dir = url.slice("file://".length).split("?")[0];
    return path.isAbsolute(dir) ? dir : undefined;
}

/**
 * An abort signal for one engine operation that fires only while the Pulumi CLI can take it gracefully.
 * The CLI handles SIGINT only inside its update's cancellation scope: before it (the stack is already
 * locked and the banner printed) and after it, SIGINT kills the CLI and leaves the stack's lock behind,
 * which the end-to-end tests saw with a self-managed backend. The scope opens before the engine's first
 * event and closes after its summary, so: call `started()` on the first engine event (an abort that came
 * earlier is forwarded then) and `finished()` on the summary or cancel event (later aborts are dropped: the
 * operation is ending anyway).
 */
export function engineAbortSignal(outer: AbortSignal): { signal: AbortSignal; started(): void; finished(): void; dispose(): void } {
    const inner = new AbortController();
    let state: "waiting" | "running" | "finished" = "waiting";
    const onAbort = () => {
        if (state === "running") inner.abort(outer.reason);
    };
    outer.addEventListener("abort", onAbort, { once: true });
    return {
        signal: inner.signal,
        started() {
            if (state !== "waiting") return;
            state = "running";
            if (outer.aborted && !inner.signal.aborted) inner.abort(outer.reason);
        },
        finished() {
            state = "finished";
        },
        dispose() {
            outer.removeEventListener("abort", onAbort);
        },
    };
}

/** The useful lines of an engine failure: its `error:` lines, else its last lines. */
export function engineMessage(stderr: string, fallback: string): string {
    const lines = stderr.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
    const errors = lines.filter((l) => /^\s*error:/i.test(l));
    const picked = errors.length > 0 ? errors : lines.slice(-5);
    const text = picked.join("\n").trim() || fallback.trim();
    return text.length > 4000 ? `${text.slice(0, 4000)}...` : text;
}

/** The stderr a CommandError carries (its message is `code: ... stdout: ... stderr: ... err?: ...`). */
function commandStderr(err: Error): string {
    const m = /\n stderr: ([\s\S]*?)\n err\?: /.exec(err.message);
    return m ? m[1] : "";
}

/**
 * Maps an Automation API failure to a StackOperationError: ConcurrentUpdateError → `lock`, a failure after
 * an abort → `cancelled`, StackNotFoundError → `engine` (stackNotFound), other CommandErrors → `engine`,
 * anything else → `internal`.
 */
export function classifyEngineError(api: Pick<Automation, "CommandError" | "ConcurrentUpdateError" | "StackNotFoundError">, err: unknown, context: { aborted: boolean; stderr?: string; stack: string }): StackOperationError {
    if (err instanceof StackOperationError) return err;
    if (err instanceof api.ConcurrentUpdateError) {
        const detail = engineMessage(context.stderr || commandStderr(err), "");
        return new StackOperationError(
            "lock",
            `stack ${context.stack} is locked by another update${detail ? ` (${detail})` : ""}. Wait for it to finish; if it died, run \`pulumi cancel --stack ${context.stack}\` against the same backend.`,
            { cause: err },
        );
    }
    if (context.aborted) {
        const detail = err instanceof Error ? engineMessage(context.stderr || commandStderr(err), "") : "";
        return new StackOperationError("cancelled", `cancelled while running${detail ? `: ${detail}` : ""}`, { cause: err });
    }
    if (err instanceof api.StackNotFoundError) {
        return new StackOperationError("engine", `stack ${context.stack} does not exist in this backend.`, { cause: err, stackNotFound: true });
    }
    if (err instanceof api.CommandError) {
        return new StackOperationError("engine", engineMessage(context.stderr || commandStderr(err), err.message), { cause: err });
    }
    return new StackOperationError("internal", err instanceof Error ? err.message : String(err), { cause: err });
}

/** Stack outputs without secrets' values. */
export function outputValues(outputs: automation.OutputMap): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) out[k] = v.secret ? SECRET_PLACEHOLDER : (v.value as unknown);
    return out;
}

/** The stack operations local and remote stacks share; `O` is each kind's options. */
export interface OperableStack<O> {
    preview(opts: O): Promise<automation.PreviewResult>;
    up(opts: O): Promise<automation.UpResult>;
    refresh(opts: O): Promise<automation.RefreshResult>;
    destroy(opts: O): Promise<automation.DestroyResult>;
    outputs(): Promise<automation.OutputMap>;
}

/** Runs one operation on a stack and maps the engine's result to change counts and output values. */
export async function operateOn<O>(stack: OperableStack<O>, operation: StackOperation, opts: O): Promise<StackOperationResult> {
    switch (operation) {
        case "preview":
            return { changes: normalizeChanges((await stack.preview(opts)).changeSummary), outputs: {} };
        case "up": {
            const r = await stack.up(opts);
            return { changes: normalizeChanges(r.summary?.resourceChanges), outputs: outputValues(r.outputs) };
        }
        case "refresh": {
            const r = await stack.refresh(opts);
            return { changes: normalizeChanges(r.summary?.resourceChanges), outputs: outputValues(await stack.outputs()) };
        }
        case "destroy":
            return { changes: normalizeChanges((await stack.destroy(opts)).summary?.resourceChanges), outputs: {} };
        case "outputs":
            return { changes: {}, outputs: outputValues(await stack.outputs()) };
    }
}

/** A DriverStack whose every operation goes through `operate`. */
export function driverStackOf(operate: (operation: StackOperation, options: StackOperationOptions) => Promise<StackOperationResult>): DriverStack {
    return {
        preview: (o) => operate("preview", o),
        up: (o) => operate("up", o),
        destroy: (o) => operate("destroy", o),
        refresh: (o) => operate("refresh", o),
        outputs: (o) => operate("outputs", o),
    };
}

/** Keeps the last `limit` characters written. */
export class Tail {
    private text = "";
    constructor(private readonly limit = 64 * 1024) {}
    push(chunk: string): void {
        this.text = (this.text + chunk).slice(-this.limit);
    }
    toString(): string {
        return this.text;
    }
}

/**
 * The driver over the Automation API's LocalWorkspace: per operation, a stack process (stack-process.ts)
 * opens one workspace with the cluster's inline program, the backend URL in its project settings, the
 * secrets provider and the run's environment variables, and runs the operation; stack processes run the
 * run's operations one after another (local-session.ts). Each run gets its own folder of workspaces under
 * `<workDir>/.flux-identity/workspaces/`, removed when the run ends. Needs the Pulumi CLI (on PATH or in
 * `cliRoot`); installs nothing.
 */
export function createLocalStackDriver(options: LocalStackDriverOptions = {}): StackDriver {
    return {
        maxConcurrency: LOCAL_MAX_CONCURRENCY,
        async begin(settings) {
            const problem = passphraseProblem(settings.secretsProvider, settings.env);
            if (problem) throw new FleetSetupError(problem);
            // `pulumi version` run directly: the runner's process never loads the Automation API (about a second).
            const command = options.cliRoot ? path.resolve(options.cliRoot, "bin", "pulumi") : "pulumi";
            let version: string | undefined;
            try {
                const { runCli } = await import("./cli-command");
                const { stdout } = await runCli(command, ["version"], process.cwd(), { PULUMI_SKIP_UPDATE_CHECK: "true" });
                version = parseCliVersion(stdout);
                if (version === undefined) throw new Error(`it printed ${JSON.stringify(stdout.trim().slice(0, 80))} for its version`);
            } catch (err) {
                const e = err as Error & { stderr?: string };
                throw new FleetSetupError(
                    `the Pulumi CLI ${options.cliRoot ? `in ${options.cliRoot}` : "on PATH"} cannot be run (${engineMessage(typeof e.stderr === "string" ? e.stderr : "", e instanceof Error ? e.message : String(err))}). ` +
                        "Install it (https://www.pulumi.com/docs/install/, or scripts/build-pulumi-cli.sh where the installer cannot run); the runner installs nothing.",
                    { cause: err },
                );
            }
            const stateDir = fileBackendDir(settings.backendUrl);
            let runDir: string;
            try {
                if (stateDir) mkdirSync(stateDir, { recursive: true });
                const parent = path.join(settings.workDir, ".flux-identity", "workspaces");
                mkdirSync(parent, { recursive: true });
                runDir = mkdtempSync(path.join(parent, "run-"));
            } catch (err) {
                throw new FleetSetupError(`cannot prepare the run's folders: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
            }
            const { LocalStackSession } = await import("./local-session");
            return new LocalStackSession({ settings, options, command, version, runDir });
        },
    };
}
