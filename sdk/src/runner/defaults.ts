/**
 * What the runner needs from the fleet's settings, as small replaceable functions: how a loaded fleet is
 * obtained from a file, how each cluster's stack is named, where the state lives, and how stack secrets
 * are encrypted. runFleet takes each of them in its `deps`; the defaults here are deliberately simple
 * stand-ins for the spec module's full resolution (references, validation of names and URLs).
 */

import * as path from "node:path";
import type { FleetClusterSpec, FleetSpec } from "../spec/fleet";
import { loadFleet } from "../spec/fleet";

/** A cluster's stack: project, stack name, and the fully qualified `<org>/<project>/<stack>`. */
export interface StackName {
    project: string;
    stack: string;
    fullyQualified: string;
}

/** Names a cluster's stack; must be deterministic and unique per cluster within the fleet. */
export type StackNaming = (fleet: FleetSpec, cluster: FleetClusterSpec) => StackName;

/** The backend URL of a run: the override if given, else the spec's, else the default. */
export type BackendUrlResolver = (fleet: FleetSpec, options: { backendUrl?: string; specDir: string }) => string;

/** Loads a fleet file for a run, resolving `${env:...}` and `${config:...}` references. */
export type FleetLoader = (file: string, options: { env: Readonly<Record<string, string | undefined>>; config: Readonly<Record<string, string>>; backendUrl?: string }) => FleetSpec;

export const DEFAULT_STACK_PROJECT = "flux-identity-fleet";
/** The organization of self-managed backends' fully qualified stack names. */
export const SELF_MANAGED_ORGANIZATION = "organization";
export const DEFAULT_STATE_DIR = path.join(".flux-identity", "state");

/** Reads the fleet file as is (no references). */
export const defaultFleetLoader: FleetLoader = (file) => loadFleet(file);

/**
 * Project `stacks.project` (default `flux-identity-fleet`), stack `stacks.name` with `{cluster}` and
 * `{fleet}` replaced (default `{cluster}`), organization `stacks.organization` (default `organization`,
 * what self-managed backends expect).
 */
export const defaultStackNaming: StackNaming = (fleet, cluster) => {
    const project = fleet.stacks?.project ?? DEFAULT_STACK_PROJECT;
    const stack = (fleet.stacks?.name ?? "{cluster}").replace(/\{cluster\}/g, cluster.name).replace(/\{fleet\}/g, fleet.name ?? "");
    const organization = fleet.stacks?.organization ?? SELF_MANAGED_ORGANIZATION;
    return { project, stack, fullyQualified: `${organization}/${project}/${stack}` };
};

/** `file://<specDir>/.flux-identity/state` unless the override or the spec says otherwise; relative `file://` URLs resolve against `specDir`. */
export const defaultBackendUrl: BackendUrlResolver = (fleet, { backendUrl, specDir }) => {
    const url = backendUrl ?? fleet.backend?.url;
    if (url === undefined) return `file://${path.resolve(specDir, DEFAULT_STATE_DIR)}`;
    if (url.startsWith("file://")) {
        const rest = url.slice("file://".length);
        if (rest !== "" && !path.isAbsolute(rest) && !rest.startsWith("~")) return `file://${path.resolve(specDir, rest)}`;
    }
    return url;
};

/** Pulumi Cloud (or a self-hosted Pulumi Cloud): `https://` and `http://` backends. Everything else is self-managed. */
export function isPulumiCloudBackend(url: string): boolean {
    return /^https?:\/\//i.test(url);
}

/**
 * The stacks' secrets provider: the spec's, with `default` meaning the backend's own (Pulumi Cloud);
 * otherwise `passphrase` for self-managed backends and the service's own for Pulumi Cloud.
 */
export function defaultSecretsProvider(fleet: FleetSpec, backendUrl: string): string | undefined {
    const configured = fleet.backend?.secretsProvider;
    if (configured === "default") return undefined;
    if (configured !== undefined) return configured;
    return isPulumiCloudBackend(backendUrl) ? undefined : "passphrase";
}
