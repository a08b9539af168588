/**
 * The fleet runner: one Pulumi stack per cluster, driven through the Automation API. Loading this module
 * loads no Pulumi code; the engine driver and the cluster program are loaded when a run needs them.
 */
export * from "./types";
export { runFleet, planFleetRun, DEFAULT_CONCURRENCY, FleetRunDeps } from "./runner";
export { selectClusters, parseSelection, parseShard, parseSelector, shardOf, clusterHash, SELECTION_KEYS } from "./selection";
export { outputChangesOf, containsUnknown, UNKNOWN_VALUE } from "./output-changes";
export { EngineEventMapper, EngineEventLike, StepMetadataLike, StepStateLike, STACK_RESOURCE_TYPE, normalizeChanges, plainMessage, urnName } from "./events";
export { mapBounded } from "./pool";
export { FleetConfirmationError, FleetSelectionError, FleetSetupError, StackOperationError } from "./errors";
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
