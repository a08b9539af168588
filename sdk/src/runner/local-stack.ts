/**
 * One operation on one cluster's stack through the Automation API's LocalWorkspace, with the cluster's
 * inline program. It runs inside a stack process (stack-process-main.ts), never in the runner's process:
 * see workspace.ts for why.
 */

import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../../../provider/src/plan/cluster";
import { clusterProgram } from "./cluster-program";
import { StackOperationError } from "./errors";
import type { EngineEventLike } from "./events";
import { OpenMode, StackOperation, StackOperationResult, StackTarget, Tail, classifyEngineError, engineAbortSignal, operateOn } from "./workspace";

/** Where and how a stack is opened; plain data. */
export interface LocalStackLocation {
    target: StackTarget;
    mode: OpenMode;
    /** This stack's own workspace folder (Pulumi.yaml is written there). */
    workDir: string;
    backendUrl: string;
    secretsProvider?: string;
    /** The Pulumi CLI's environment additions. */
    envVars: Record<string, string>;
    cliRoot?: string;
    pulumiHome?: string;
}

/** Everything a stack process needs for its one operation; plain data, sent over IPC. */
export interface LocalStackRequest extends LocalStackLocation {
    cluster: ClusterSpec;
    operation: StackOperation;
    parallel?: number;
}

/** Opens (or creates, per `mode`) the stack in a LocalWorkspace whose program is `program`. */
export async function openLocalStack(api: typeof automation, location: LocalStackLocation, program: automation.PulumiFn): Promise<automation.Stack> {
    const { target } = location;
    mkdirSync(location.workDir, { recursive: true });
    const cli = await api.PulumiCommand.get(location.cliRoot ? { root: location.cliRoot } : undefined);
    const args = { stackName: target.fullyQualified, projectName: target.project, program };
    const wsOptions: automation.LocalWorkspaceOptions = {
        workDir: location.workDir,
        pulumiCommand: cli,
        envVars: location.envVars,
        projectSettings: { name: target.project, runtime: "nodejs", backend: { url: location.backendUrl } },
    };
    if (location.pulumiHome !== undefined) wsOptions.pulumiHome = location.pulumiHome;
    if (location.secretsProvider !== undefined) wsOptions.secretsProvider = location.secretsProvider;
    return location.mode === "select" ? api.LocalWorkspace.selectStack(args, wsOptions) : api.LocalWorkspace.createOrSelectStack(args, wsOptions);
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

async function openAndOperate(request: LocalStackRequest, opts: { onEvent: (event: EngineEventLike) => void; signal: AbortSignal }): Promise<StackOperationResult> {
    const api = await import("@pulumi/pulumi/automation");
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
    const common = {
        color: "never" as const,
        signal: abort.signal,
        onError: (text: string) => stderr.push(text),
        onEvent: (event: automation.EngineEvent) => {
            if (event.summaryEvent || event.cancelEvent) abort.finished();
            else abort.started();
            opts.onEvent(event);
        },
        ...(request.parallel !== undefined ? { parallel: request.parallel } : {}),
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
