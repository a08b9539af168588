/**
 * Scale-out with Pulumi Deployments: a StackDriver over the Automation API's RemoteWorkspace. Each
 * cluster's operation runs on Pulumi Cloud's deployment executors, from a Pulumi project in a git
 * repository, instead of in this process; the runner still selects, validates, bounds concurrency,
 * isolates failures and collects results and events.
 *
 * The project in git is the user's: its entry point is `export = clusterProgramFromEnv();` (cluster-program.ts)
 * and it depends on this package. Per stack, this driver sets FLUX_IDENTITY_FLEET_FILE and
 * FLUX_IDENTITY_CLUSTER in the deployment's environment, so the remote program declares the same
 * FluxWorkloadIdentity the inline program would, with the same outputs.
 *
 * Facts about @pulumi/pulumi 3.248's RemoteWorkspace this driver relies on (read from its sources):
 * - Creating the driver and beginning a run need no network. Opening a stack does:
 *   RemoteWorkspace.createOrSelectStack runs the local Pulumi CLI (`pulumi preview --help` to check
 *   `--remote` support, then `pulumi stack select --create`) against the CLI's current backend.
 * - That backend must be Pulumi Cloud, and it is the CLI's login (PULUMI_ACCESS_TOKEN, PULUMI_BACKEND_URL
 *   or `pulumi login`): RemoteWorkspace takes no project settings and no local environment variables,
 *   so the run's backend URL cannot be passed down. begin() refuses non-Pulumi Cloud backends.
 * - Stack names must be fully qualified (`<org>/<project>/<stack>`): set stacks.organization.
 * - RemoteStack operations take `onEvent` but no abort signal; the only cancel is RemoteStack.cancel(),
 *   which the SDK documents as "very dangerous" (a pending resource operation can leave the stack
 *   inconsistent). By default an abort therefore lets running deployments finish (the runner starts no
 *   new cluster); `cancelRunningOnAbort: true` calls cancel() instead.
 * - New stacks get Pulumi Cloud's own secrets provider; there is no way to choose another one here.
 */

import type * as automation from "@pulumi/pulumi/automation";
import { isServiceBackend } from "../spec/settings";
import { FleetSetupError, StackOperationError } from "./errors";
import { DriverStack, StackDriver, StackOperation, StackOperationOptions, StackOperationResult, StackTarget, classifyEngineError, driverStackOf, operateOn } from "./workspace";

/** Environment variables naming the fleet file and the cluster of a deployment (see clusterProgramFromEnv). */
export const FLEET_FILE_ENV = "FLUX_IDENTITY_FLEET_FILE";
export const CLUSTER_ENV = "FLUX_IDENTITY_CLUSTER";

/** The git source of the Pulumi project the deployments run. */
export interface RemoteGitSource {
    /** Repository URL; may be omitted with `inheritSettings` (the stacks' own deployment settings). */
    url?: string;
    /** The project's folder in the repository. */
    projectPath?: string;
    /** Branch to run (`refs/heads/main` or `main`); exactly one of branch and commitHash unless `inheritSettings`. */
    branch?: string;
    commitHash?: string;
    auth?: { personalAccessToken?: string; sshPrivateKey?: string; sshPrivateKeyPath?: string; password?: string; username?: string };
}

export interface RemoteStackDriverOptions {
    git: RemoteGitSource;
    /** The fleet file, relative to the project folder in the repository (FLUX_IDENTITY_FLEET_FILE). */
    fleetFile: string;
    /** More environment variables for the deployments (cloud credentials as `{ secret }`). */
    envVars?: Record<string, string | { secret: string }>;
    /** Commands the executor runs before the operation (e.g. `npm run build`). */
    preRunCommands?: string[];
    skipInstallDependencies?: boolean;
    /** Use the stacks' deployment settings stored in Pulumi Cloud for whatever is not given here. */
    inheritSettings?: boolean;
    executorImage?: { image: string; credentials?: { username: string; password: string } };
    /** Deployments running at once. Default 25 (Pulumi Cloud queues what exceeds an organization's concurrency). */
    maxConcurrency?: number;
    /** On abort, hard-cancel running deployments with RemoteStack.cancel(); default false (they finish). */
    cancelRunningOnAbort?: boolean;
}

/** Problems with the options, as RemoteWorkspace would report them later (over the network). */
export function remoteOptionProblems(options: RemoteStackDriverOptions): string[] {
    const problems: string[] = [];
    const { git } = options;
    if (!git.url && !options.inheritSettings) problems.push("git.url is required unless inheritSettings is set.");
    if (git.branch && git.commitHash) problems.push("set git.branch or git.commitHash, not both.");
    if (!git.branch && !git.commitHash && !options.inheritSettings) problems.push("set git.branch or git.commitHash (or inheritSettings).");
    if (git.auth?.sshPrivateKey && git.auth.sshPrivateKeyPath) problems.push("set git.auth.sshPrivateKey or git.auth.sshPrivateKeyPath, not both.");
    if (!options.fleetFile) problems.push("fleetFile (the fleet file's path in the repository) is required.");
    if (options.maxConcurrency !== undefined && (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1)) problems.push("maxConcurrency must be a whole number of at least 1.");
    return problems;
}

/**
 * A driver running each cluster's stack operation as a Pulumi Deployment of a git-sourced project.
 * Nothing is contacted until a stack is opened.
 */
export function createRemoteStackDriver(options: RemoteStackDriverOptions): StackDriver {
    return {
        maxConcurrency: options.maxConcurrency ?? 25,
        async begin(settings) {
            const problems = remoteOptionProblems(options);
            if (!isServiceBackend(settings.backendUrl)) {
                problems.push(`Pulumi Deployments need a Pulumi Cloud backend, but this run's backend is ${settings.backendUrl}; use the local driver, or shards against the shared backend.`);
            }
            if (settings.secretsProvider !== undefined) {
                problems.push(`remote stacks use Pulumi Cloud's secrets provider; remove backend.secretsProvider (${settings.secretsProvider}) or use the local driver.`);
            }
            if (problems.length > 0) throw new FleetSetupError(`cannot run on Pulumi Deployments: ${problems.join(" ")}`);
            const api = await import("@pulumi/pulumi/automation");
            return {
                async open(target, _cluster, mode) {
                    const args: automation.RemoteGitProgramArgs = { stackName: target.fullyQualified, ...options.git };
                    const wsOptions: automation.RemoteWorkspaceOptions = {
                        envVars: { ...options.envVars, [FLEET_FILE_ENV]: options.fleetFile, [CLUSTER_ENV]: target.cluster },
                    };
                    if (options.preRunCommands) wsOptions.preRunCommands = options.preRunCommands;
                    if (options.skipInstallDependencies !== undefined) wsOptions.skipInstallDependencies = options.skipInstallDependencies;
                    if (options.inheritSettings !== undefined) wsOptions.inheritSettings = options.inheritSettings;
                    if (options.executorImage) wsOptions.executorImage = options.executorImage;
                    try {
                        const stack = mode === "select" ? await api.RemoteWorkspace.selectStack(args, wsOptions) : await api.RemoteWorkspace.createOrSelectStack(args, wsOptions);
                        return remoteStack(api, stack, target, options.cancelRunningOnAbort === true);
                    } catch (err) {
                        throw classifyEngineError(api, err, { aborted: false, stack: target.fullyQualified });
                    }
                },
                async close() {
                    // Nothing local to release.
                },
            };
        },
    };
}

function remoteStack(api: typeof automation, stack: automation.RemoteStack, target: StackTarget, cancelOnAbort: boolean): DriverStack {
    const operate = async (operation: StackOperation, { onEvent, signal }: StackOperationOptions): Promise<StackOperationResult> => {
        if (signal.aborted) throw new StackOperationError("cancelled", "cancelled before the deployment started");
        const onAbort = () => {
            // Errors of cancel() (no update running any more) change nothing: the operation's own result decides.
            stack.cancel().catch(() => undefined);
        };
        if (cancelOnAbort) signal.addEventListener("abort", onAbort, { once: true });
        const opts = { onEvent: (e: automation.EngineEvent) => onEvent(e) };
        try {
            return await operateOn(stack, operation, opts);
        } catch (err) {
            throw classifyEngineError(api, err, { aborted: cancelOnAbort && signal.aborted, stack: target.fullyQualified });
        } finally {
            signal.removeEventListener("abort", onAbort);
        }
    };
    return driverStackOf(operate);
}
