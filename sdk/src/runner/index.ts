/**
 * The fleet runner: one Pulumi stack per cluster, driven through the Automation API. Loading this module
 * loads no Pulumi code; the engine driver and the cluster program are loaded when a run needs them.
 */
export * from "./types";
export { runFleet, DEFAULT_CONCURRENCY, FleetRunDeps } from "./runner";
export { selectClusters, parseShard, parseSelector, shardOf, clusterHash } from "./selection";
export { EngineEventMapper, EngineEventLike, StepMetadataLike, normalizeChanges, plainMessage, urnName } from "./events";
export { mapBounded } from "./pool";
export { FleetSelectionError, FleetSetupError, StackOperationError } from "./errors";
export {
    StackName,
    StackNaming,
    BackendUrlResolver,
    FleetLoader,
    defaultStackNaming,
    defaultBackendUrl,
    defaultFleetLoader,
    defaultSecretsProvider,
} from "./defaults";
export {
    StackDriver,
    StackSession,
    DriverStack,
    StackRunSettings,
    StackTarget,
    StackOperation,
    StackOperationOptions,
    StackOperationResult,
    OpenMode,
    LocalStackDriverOptions,
    LOCAL_MAX_CONCURRENCY,
    SECRET_PLACEHOLDER,
    createLocalStackDriver,
    engineAbortSignal,
    classifyEngineError,
    passphraseProblem,
    workspaceEnvVars,
} from "./workspace";
export { RemoteGitSource, RemoteStackDriverOptions, createRemoteStackDriver, remoteOptionProblems, FLEET_FILE_ENV, CLUSTER_ENV } from "./remote";
export type { StackProgram } from "./cluster-program";
