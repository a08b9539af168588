/** The SDK: the fleet spec, offline render, and the fleet Pulumi program. */
export * from "./spec";
export * from "./render/render";
export * from "./program/fleet-program";
export { runCli, EXIT_OK, EXIT_FAILED, EXIT_INVALID_SPEC, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED } from "./cli/main";
export * from "./runner";
export { clusterProgram, clusterProgramFromEnv, CLUSTER_STACK_OUTPUTS } from "./runner/cluster-program";
