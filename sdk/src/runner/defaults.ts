/**
 * What the runner needs from the fleet's settings, as small replaceable functions (runFleet's `deps`):
 * how a fleet is prepared for a run, how each cluster's stack is named, where the state lives, and how
 * stack secrets are encrypted. The defaults are the spec module's own rules (sdk/src/spec/settings.ts and
 * references.ts), so a run, `loadFleetForRun` and the schema can never disagree.
 */

import type { FleetClusterSpec, FleetSpec } from "../spec/fleet";
import { loadFleet } from "../spec/fleet";
import { resolveReferencesCollecting } from "../spec/references";
import { fleetSettingsIssues, resolveBackendUrl, secretsProviderFor, stackNameFor } from "../spec/settings";
import { FluxIdentityValidationError } from "../../../provider/src/core/errors";

/** A cluster's stack: project, stack name, and the fully qualified name the backend knows it by. */
export interface StackName {
    project: string;
    stack: string;
    fullyQualified: string;
}

/** Names a cluster's stack; must be deterministic and unique per cluster within the fleet. */
export type StackNaming = (fleet: FleetSpec, cluster: FleetClusterSpec) => StackName;

/** The backend URL of a run: the override if given, else the spec's, else the default. */
export type BackendUrlResolver = (fleet: FleetSpec, options: { backendUrl?: string; specDir: string }) => string;

export interface FleetPreparation {
    env: Readonly<Record<string, string | undefined>>;
    config: Readonly<Record<string, string>>;
    backendUrl?: string;
}

/** Loads a fleet file for a run: settings checked, `${env:...}` and `${config:...}` references resolved. */
export type FleetLoader = (file: string, options: FleetPreparation) => FleetSpec;

/** Checks a fleet's settings and resolves its references; throws every problem at once. */
export function prepareFleet(fleet: FleetSpec, options: FleetPreparation): FleetSpec {
    const issues = fleetSettingsIssues(fleet, options.backendUrl !== undefined ? { backendUrl: options.backendUrl } : {});
    const resolution = resolveReferencesCollecting(fleet, { env: options.env, config: options.config });
    issues.push(...resolution.issues);
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
    return resolution.fleet;
}

export const defaultFleetLoader: FleetLoader = (file, options) => prepareFleet(loadFleet(file), options);

export const defaultStackNaming: StackNaming = (fleet, cluster) => stackNameFor(fleet, cluster);

export const defaultBackendUrl: BackendUrlResolver = (fleet, options) => resolveBackendUrl(fleet, options);

/** The stacks' secrets provider for the engine: undefined means the service's own (Pulumi Cloud). */
export function defaultSecretsProvider(fleet: FleetSpec, backendUrl: string): string | undefined {
    const provider = secretsProviderFor(fleet, backendUrl);
    return provider === "default" ? undefined : provider;
}
