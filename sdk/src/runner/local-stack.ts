/**
 * One operation on one cluster's stack through the Automation API's LocalWorkspace, with the cluster's
 * inline program. It runs inside a stack process (stack-process-main.ts), never in the runner's process:
 * see workspace.ts for why. A stack process runs operations one after another and keeps what they can
 * share: the loaded modules and one PulumiCommand per CLI root, made from the version the runner read
 * (`pulumi version` runs once per run, not once per process).
 */

import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../../../provider/src/plan/cluster";
import { runCli } from "./cli-command";
import { clusterProgram } from "./cluster-program";
import { StackOperationError } from "./errors";
import { STACK_RESOURCE_TYPE, type EngineEventLike } from "./events";
import { fingerprintMessage } from "./fingerprint";
import { resolveFromPulumiSdk } from "./pulumi-sdk-resolve";
import { OpenMode, SECRET_PLACEHOLDER, StackOperation, StackOperationResult, StackTarget, Tail, classifyEngineError, engineAbortSignal, operateOn } from "./workspace";

/** Where and how a stack is opened; plain data. */
export interface LocalStackLocation {
    target: StackTarget;
    mode: OpenMode;
    /**
     * Whether the stack exists, when the backend's listing said so: `true` opens it without `pulumi stack
     * select` (every command names the stack anyway), `false` creates it with `pulumi stack init` without
     * trying to select it first. Undefined: select it, creating it in `create-or-select` mode.
     */
    exists?: boolean;
    /** This stack's own workspace folder (Pulumi.yaml is written there). */
    workDir: string;
    backendUrl: string;
    secretsProvider?: string;
    /** The Pulumi CLI's environment additions. */
    envVars: Record<string, string>;
    cliRoot?: string;
    /** The version the runner read from that CLI (`3.248.0`): the stack process need not run `pulumi version`. */
    cliVersion?: string;
    pulumiHome?: string;
}

/** Everything a stack process needs for one operation; plain data, sent over IPC. */
export interface LocalStackRequest extends LocalStackLocation {
    cluster: ClusterSpec;
    operation: StackOperation;
    parallel?: number;
    /** `up`: the fingerprint to record as the update's message (fingerprint.ts). */
    fingerprint?: string;
    /** `preview` and `up`: refresh the stack's resources from the clouds first. */
    refresh?: boolean;
}

let automationModule: Promise<typeof automation> | undefined;
const commands = new Map<string, Promise<automation.PulumiCommand>>();

function loadAutomation(): Promise<typeof automation> {
    automationModule ??= import("@pulumi/pulumi/automation");
    return automationModule;
}

/** The PulumiCommand of `cliRoot` (the `pulumi` on PATH without one), made once per process. */
function pulumiCommand(api: typeof automation, cliRoot: string | undefined, cliVersion: string | undefined): Promise<automation.PulumiCommand> {
    const key = cliRoot ?? "";
    let cmd = commands.get(key);
    if (!cmd) {
        const known = cliVersion !== undefined ? knownPulumiCommand(api, cliRoot, cliVersion) : undefined;
        cmd = known ? Promise.resolve(known) : api.PulumiCommand.get(cliRoot ? { root: cliRoot } : undefined);
        commands.set(key, cmd);
        // A failed lookup is reported by the operation that needed it; the next one tries again.
        cmd.catch(() => commands.delete(key));
    }
    return cmd;
}

/**
 * The PulumiCommand PulumiCommand.get would make for a CLI whose `pulumi version` the runner already
 * read, without running it again (a Go binary's start: about 0.25 s of CPU per stack process). get ends
 * in `new PulumiCommand(command, semver.parse(version))`; the constructor is private in the SDK's types
 * only. Undefined, so that get runs as before, where the SDK no longer looks like that or for a version
 * the SDK's own check should judge (anything but 3.2 or later, the minimum of @pulumi/pulumi 3).
 */
export function knownPulumiCommand(api: Pick<typeof automation, "PulumiCommand">, cliRoot: string | undefined, cliVersion: string): automation.PulumiCommand | undefined {
    const version = pulumiSemver()?.parse(cliVersion);
    if (!version || version.major !== 3 || version.minor < 2) return undefined;
    const construct = api.PulumiCommand as unknown as new (command: string, version: unknown) => automation.PulumiCommand;
    if (typeof construct !== "function" || construct.length !== 2) return undefined;
    // As get spells the command.
    const command = cliRoot ? path.resolve(path.join(cliRoot, "bin/pulumi")) : "pulumi";
    const cmd = new construct(command, version);
    const run = (cmd as { run?: unknown }).run;
    return cmd.command === command && cmd.version === version && typeof run === "function" ? cmd : undefined;
}

/** The semver module as @pulumi/pulumi resolves it (the version object it keeps is one of its SemVers). */
function pulumiSemver(): { parse(v: string): { major: number; minor: number } | null } | undefined {
    const filename = resolveFromPulumiSdk("semver");
    if (filename === undefined) return undefined;
    try {
        return require(filename) as { parse(v: string): { major: number; minor: number } | null };
    } catch {
        return undefined;
    }
}

/** Starts loading what the first operation needs (the Automation API, the CLI), while the process waits for it. */
export function preloadLocalStack(cliRoot: string | undefined, cliVersion?: string): void {
    void loadAutomation()
        .then((api) => pulumiCommand(api, cliRoot, cliVersion))
        .catch(() => undefined);
}

/** A view of `ws` whose selectStack does nothing: for a stack the backend listed, which every command names with --stack. */
function withoutSelect(ws: automation.LocalWorkspace): automation.LocalWorkspace {
    return new Proxy(ws, {
        get(target, prop) {
            if (prop === "selectStack") return async () => undefined;
            const value: unknown = Reflect.get(target, prop, target);
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
    });
}

/** Opens (or creates, per `mode`) the stack in a LocalWorkspace whose program is `program`. */
export async function openLocalStack(api: typeof automation, location: LocalStackLocation, program: automation.PulumiFn): Promise<automation.Stack> {
    const { target } = location;
    mkdirSync(location.workDir, { recursive: true });
    const cli = await pulumiCommand(api, location.cliRoot, location.cliVersion);
    const wsOptions: automation.LocalWorkspaceOptions = {
        workDir: location.workDir,
        pulumiCommand: cli,
        envVars: location.envVars,
        program,
        projectSettings: { name: target.project, runtime: "nodejs", backend: { url: location.backendUrl } },
    };
    if (location.pulumiHome !== undefined) wsOptions.pulumiHome = location.pulumiHome;
    if (location.secretsProvider !== undefined) wsOptions.secretsProvider = location.secretsProvider;
    const ws = await api.LocalWorkspace.create(wsOptions);
    const name = target.fullyQualified;
    if (location.exists === true) return api.Stack.select(name, withoutSelect(ws));
    if (location.exists === false && location.mode === "create-or-select") {
        try {
            return await api.Stack.create(name, ws);
        } catch (err) {
            // Created meanwhile (by another run): it exists now.
            if (err instanceof api.StackAlreadyExistsError) return api.Stack.select(name, ws);
            throw err;
        }
    }
    return location.mode === "select" ? api.Stack.select(name, ws) : api.Stack.createOrSelect(name, ws);
}

/**
 * The Pulumi CLI's workspace settings files of a stack's workspace folder. `pulumi stack select` (which
 * the Automation API runs to open a stack) records the selected stack per project folder in
 * `$PULUMI_HOME/workspaces/<project>-<sha1 of the Pulumi.yaml path>-workspace.json`
 * (pkg/workspace/workspace.go). Each run opens stacks in fresh folders, so every operation would leave
 * one file behind; the path is hashed as the CLI sees its working directory (resolved), and as given.
 */
export function workspaceSettingsFiles(location: Pick<LocalStackLocation, "workDir" | "target" | "pulumiHome" | "envVars">, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
    const home = location.pulumiHome ?? location.envVars.PULUMI_HOME ?? env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
    const dirs = new Set([path.resolve(location.workDir)]);
    try {
        dirs.add(realpathSync(location.workDir));
    } catch {
        // The folder is gone: the path as given is the only candidate.
    }
    return [...dirs].map((dir) => {
        const hash = createHash("sha1").update(path.join(dir, "Pulumi.yaml")).digest("hex");
        return path.join(home, "workspaces", `${location.target.project}-${hash}-workspace.json`);
    });
}

/** Removes the settings files `pulumi stack select` left for this workspace folder (see workspaceSettingsFiles). */
export function forgetWorkspaceSelection(location: Pick<LocalStackLocation, "workDir" | "target" | "pulumiHome" | "envVars">): void {
    for (const file of workspaceSettingsFiles(location)) {
        try {
            rmSync(file, { force: true });
        } catch {
            // A file left behind costs a few bytes; it must not fail the operation.
        }
    }
}

/** Opens the stack and runs the operation; failures are thrown as StackOperationError. */
export async function runLocalStackOperation(
    request: LocalStackRequest,
    opts: { onEvent: (event: EngineEventLike) => void; signal: AbortSignal },
): Promise<StackOperationResult> {
    if (opts.signal.aborted) throw new StackOperationError("cancelled", "cancelled before the stack was opened");
    try {
        return await openAndOperate(request, opts);
    } finally {
        forgetWorkspaceSelection(request);
    }
}

/** Output values as the Automation API's OutputMap; the placeholder the CLI shows for a secret marks it secret. */
function outputMapOf(values: Record<string, unknown>): automation.OutputMap {
    const out: automation.OutputMap = {};
    for (const [k, value] of Object.entries(values)) out[k] = { value, secret: value === SECRET_PLACEHOLDER };
    return out;
}

/**
 * Takes the reads the Automation API makes after an operation from the engine's own events instead.
 * After the engine is done, Stack.up reads the outputs (`pulumi stack output --json`, and again with
 * `--show-secrets`, which opens the secrets manager: a passphrase's key derivation) and the last history
 * entry (`pulumi stack history --show-secrets`): three more CLI runs, each some 0.3 to 0.5 s of CPU. The
 * outputs are in the stack resource's outputs event and the resource changes in the summary event, which
 * the runner maps anyway. Where no event carried them (refresh, the `outputs` operation), one masked
 * `pulumi stack output --json` reads the outputs: the runner shows secrets as placeholders only.
 */
function readResultsFromEvents(stack: automation.Stack, ws: { workDir: string; envVars: Record<string, string>; pulumiHome?: string; pulumiCommand: automation.PulumiCommand }): { onEvent(event: automation.EngineEvent): void } {
    let outputs: Record<string, unknown> | undefined;
    const masked = async (): Promise<Record<string, unknown>> => {
        const env = { ...(ws.pulumiHome !== undefined ? { PULUMI_HOME: ws.pulumiHome } : {}), ...ws.envVars };
        const { stdout } = await runCli(ws.pulumiCommand.command, ["stack", "output", "--json", "--stack", stack.name], ws.workDir, env);
        return JSON.parse(stdout) as Record<string, unknown>;
    };
    stack.outputs = async () => outputMapOf(outputs ?? (await masked()));
    // The changes come from the summary event (the runner's EngineEventMapper); no history read.
    stack.info = async () => undefined;
    return {
        onEvent(event) {
            const m = event.resOutputsEvent?.metadata;
            if (m && m.type === STACK_RESOURCE_TYPE && m.new?.outputs) outputs = m.new.outputs as Record<string, unknown>;
        },
    };
}

async function openAndOperate(request: LocalStackRequest, opts: { onEvent: (event: EngineEventLike) => void; signal: AbortSignal }): Promise<StackOperationResult> {
    const api = await loadAutomation();
    const { target } = request;
    let stack: automation.Stack;
    try {
        stack = await openLocalStack(api, request, clusterProgram(request.cluster));
    } catch (err) {
        throw classifyEngineError(api, err, { aborted: false, stack: target.fullyQualified });
    }
    if (opts.signal.aborted) throw new StackOperationError("cancelled", "cancelled before the operation started");

    const abort = engineAbortSignal(opts.signal);
    const stderr = new Tail();
    const results = readResultsFromEvents(stack, stack.workspace as automation.LocalWorkspace);
    const common = {
        color: "never" as const,
        signal: abort.signal,
        onError: (text: string) => stderr.push(text),
        onEvent: (event: automation.EngineEvent) => {
            if (event.summaryEvent || event.cancelEvent) abort.finished();
            else abort.started();
            results.onEvent(event);
            opts.onEvent(event);
        },
        ...(request.parallel !== undefined ? { parallel: request.parallel } : {}),
        ...(request.operation === "up" && request.fingerprint !== undefined ? { message: fingerprintMessage(request.fingerprint) } : {}),
        ...((request.operation === "up" || request.operation === "preview") && request.refresh ? { refresh: true } : {}),
    };
    try {
        // Secret outputs stay masked (showSecrets defaults to false): the runner reports them as placeholders.
        return await operateOn(stack, request.operation, common);
    } catch (err) {
        throw classifyEngineError(api, err, { aborted: abort.signal.aborted || opts.signal.aborted, stderr: stderr.toString(), stack: target.fullyQualified });
    } finally {
        abort.dispose();
    }
}
