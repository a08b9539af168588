/**
 * The fleet runner's public contract: what a run takes, what it reports while running, and what it
 * returns. Embeddable: nothing here exits the process or prints unless asked.
 */

import type { FleetSpec } from "../spec/fleet";

/** What a run does to each selected cluster's stack. `render` touches no stack at all. */
export type FleetOperation = "render" | "preview" | "up" | "destroy" | "refresh" | "outputs";

export const FLEET_OPERATIONS: readonly FleetOperation[] = ["render", "preview", "up", "destroy", "refresh", "outputs"];

/**
 * Which clusters a run covers. All given criteria must hold; none means every cluster. Checked as data
 * (parseSelection): unknown keys, wrong types, an empty `names` list or `labels` object are errors, and
 * so are names and labels that match no cluster (an empty shard is not).
 */
export interface ClusterSelection {
    /** Cluster names. */
    names?: string[];
    /** Labels every selected cluster carries (`env=prod`). */
    labels?: Record<string, string>;
    /** Shard `index` of `count` (0-based), over the clusters left after names and labels, by stable hash of the name. */
    shard?: { index: number; count: number };
}

export interface FleetRunOptions {
    operation: FleetOperation;
    /** The fleet, already loaded (and its references resolved), or the path of its file. */
    fleet: FleetSpec | string;
    selection?: ClusterSelection;
    /** Clusters worked on at once. Default 4. */
    concurrency?: number;
    /** Aborting cancels running updates cleanly (the engine's cancel) and starts no new cluster. */
    signal?: AbortSignal;
    /** Every event of the run, in order per cluster. */
    onEvent?: (event: FleetEvent) => void;
    /** Environment used to resolve `${env:...}` references and passed to the engine; default process.env. */
    env?: Readonly<Record<string, string | undefined>>;
    /** Values for `${config:...}` references. */
    config?: Readonly<Record<string, string>>;
    /** Overrides the spec's backend URL. */
    backendUrl?: string;
    /** Working directory for a `file://` backend's relative path and Pulumi's workspace; default the spec file's folder. */
    workDir?: string;
    /**
     * Required for `destroy`: the names of exactly the clusters the selection picks (in any order), so a
     * caller cannot destroy more than it saw. Missing or different, the run throws a
     * FleetConfirmationError listing the clusters and stacks, before any stack is touched.
     */
    confirmDestroy?: readonly string[];
    /** Pass the engine's `debug` diagnostics on as events; default false (they are most of an update's events). */
    debug?: boolean;
    /**
     * `preview` and `up` only: run every selected stack, also those whose last successful update recorded
     * the fingerprint the cluster has now (which are otherwise `skipped`). Default false.
     */
    force?: boolean;
    /**
     * `preview` and `up` only: refresh each stack's resources from the clouds first (the engine's
     * `--refresh`), so drift made outside Pulumi is found and, by `up`, undone. Never skips a stack.
     */
    refresh?: boolean;
}

// Every option, so that the list below cannot miss one.
const OPTION_KEYS: Record<keyof FleetRunOptions, true> = {
    operation: true,
    fleet: true,
    selection: true,
    concurrency: true,
    signal: true,
    onEvent: true,
    env: true,
    config: true,
    backendUrl: true,
    workDir: true,
    confirmDestroy: true,
    debug: true,
    force: true,
    refresh: true,
};

/** The option names of FleetRunOptions; any other key is refused rather than ignored. */
export const FLEET_RUN_OPTION_KEYS = Object.keys(OPTION_KEYS) as ReadonlyArray<keyof FleetRunOptions>;

/**
 * A stack output that the operation changed (`up`) or would change (`preview`), from the engine's own
 * record of the stack resource: its outputs before and after.
 * - `create`, `update`, `delete`: the output appears, changes or disappears; `before` and `after` hold
 *   the values (secrets as `[secret]`).
 * - `unknown`: only for `preview`, when the new value depends on what `up` creates (a created role's
 *   ARN, a created managed identity's client ID): the engine cannot know it before `up`.
 */
export interface OutputChange {
    name: string;
    change: "create" | "update" | "delete" | "unknown";
    before?: unknown;
    after?: unknown;
}

/** One cluster a run works on, and its stack. */
export interface FleetRunTarget {
    cluster: string;
    /** Fully qualified stack name. */
    stack: string;
}

/** What a run would work on, from planFleetRun: every check done, nothing touched. */
export interface FleetRunPlan {
    operation: FleetOperation;
    /** The selected clusters and their stacks, in fleet order. */
    targets: FleetRunTarget[];
}

/**
 * `skipped`: `preview` or `up` left the stack alone because its last successful update recorded the same
 * fingerprint (the cluster's spec, flux-identity's and the Pulumi SDKs' versions, the Pulumi CLI's) and
 * nothing wrote its state since; see `force` and `refresh`.
 */
export type ClusterStatus = "succeeded" | "skipped" | "failed" | "cancelled";

/** One cluster's outcome. */
export interface ClusterResult {
    cluster: string;
    /** Fully qualified stack name. */
    stack: string;
    status: ClusterStatus;
    /** Resource operations by kind (`create`, `update`, `delete`, `same`, ...), from the engine's summary. */
    changes: Record<string, number>;
    /** Stack outputs (after `up`, `refresh`, `outputs`, and of a stack `up` skipped), or the rendered files' text for `render`. */
    outputs: Record<string, unknown>;
    /**
     * Outputs `up` changed or `preview` would change (the Flux side: `kustomizationYaml`, ...), which the
     * resource counts do not show: a brought role's new ARN changes no resource but the kustomization.
     * Empty for other operations.
     */
    outputChanges: OutputChange[];
    /** Why it failed, when it did. */
    error?: FleetRunError;
    durationMs: number;
}

export type FleetRunErrorKind = FleetRunError["kind"];

export interface FleetRunError {
    /** `validation` (bad spec for this cluster), `engine` (the update failed), `cancelled`, `lock` (stack busy), `internal`. */
    kind: "validation" | "engine" | "cancelled" | "lock" | "internal";
    message: string;
}

export interface FleetRunSummary {
    operation: FleetOperation;
    results: ClusterResult[];
    succeeded: string[];
    /** Clusters whose stacks were unchanged, so `preview` or `up` left them alone. */
    skipped: string[];
    failed: Array<{ cluster: string; error: FleetRunError }>;
    cancelled: string[];
    durationMs: number;
}

/** The typed event stream: engine events mapped to cluster, phase, resource and progress. */
export type FleetEvent =
    | { type: "run-started"; operation: FleetOperation; clusters: string[]; concurrency: number }
    | { type: "cluster-started"; cluster: string; stack: string; operation: FleetOperation }
    | { type: "resource"; cluster: string; phase: "pre" | "outputs" | "failed"; op: string; urn: string; resourceType: string; name: string }
    | { type: "diagnostic"; cluster: string; severity: "debug" | "info" | "info#err" | "warning" | "error"; message: string; urn?: string }
    | { type: "progress"; cluster: string; done: number; total?: number }
    /** The engine's summary of the operation: resource operations by kind. */
    | { type: "changes"; cluster: string; changes: Record<string, number> }
    | { type: "cluster-finished"; cluster: string; result: ClusterResult }
    | { type: "run-finished"; summary: FleetRunSummary };
