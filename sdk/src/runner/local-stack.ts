/**
 * One operation on one cluster's stack through the Automation API's LocalWorkspace, with the cluster's
 * inline program. It runs inside a stack process (stack-process-main.ts), never in the runner's process:
 * see workspace.ts for why.
 */

import { mkdirSync } from "node:fs";
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

/** Opens the stack and runs the operation; failures are thrown as StackOperationError. */
export async function runLocalStackOperation(
    request: LocalStackRequest,
    opts: { onEvent: (event: EngineEventLike) => void; signal: AbortSignal },
): Promise<StackOperationResult> {
    const api = await import("@pulumi/pulumi/automation");
    const { target } = request;
    if (opts.signal.aborted) throw new StackOperationError("cancelled", "cancelled before the stack was opened");
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
