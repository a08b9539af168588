/**
 * runFleet: one operation over the selected clusters of a fleet, each cluster in its own stack.
 *
 * - Everything about the input is checked first: options (unknown ones refused), selection (as data: it
 *   fails closed, see selection.ts), stack names, and every selected cluster planned. Any problem throws a
 *   FluxIdentityValidationError before a stack is touched (the CLI maps it to exit code 2). A `destroy`
 *   then needs `confirmDestroy` naming exactly the selected clusters (FleetConfirmationError otherwise).
 *   Then the driver checks the environment (FleetSetupError).
 * - Clusters run `concurrency` at a time (default 4, lowered to the driver's maxConcurrency), started in
 *   fleet order; results come back in fleet order whatever order they finish in.
 * - A cluster's failure is its result: it never stops the others.
 * - `preview` and `up` skip a cluster whose stack the driver says is unchanged since its last successful
 *   update with the cluster's fingerprint (fingerprint.ts; status `skipped`), unless `force` or `refresh`;
 *   every `up` hands the driver the fingerprint to record. `refresh` and `destroy` never skip.
 * - Aborting `signal` aborts the running clusters' operations (the driver cancels them through the
 *   engine), starts no further cluster, and marks the clusters not started `cancelled`.
 * - No process.exit, no console output; every step is an event to `onEvent`. A listener that throws is
 *   ignored rather than allowed to break the run. All state lives in the call: runs share nothing.
 * - `render` plans and renders each cluster (sdk/src/render) and returns the files as the cluster's
 *   outputs; it touches no stack and loads no Pulumi code.
 */

import * as path from "node:path";
import { FluxIdentityValidationError, ValidationIssue } from "../../../provider/src/core/errors";
import { planCluster } from "../../../provider/src/plan/cluster";
import { RenderedCluster, renderCluster } from "../render/render";
import type { FleetClusterSpec, FleetSpec } from "../spec/fleet";
import { BackendUrlResolver, FleetLoader, StackName, StackNaming, defaultBackendUrl, defaultFleetLoader, defaultSecretsProvider, defaultStackNaming, prepareFleet } from "./defaults";
import { FleetConfirmationError, FleetSelectionError, StackOperationError } from "./errors";
import { EngineEventMapper } from "./events";
import { clusterFingerprint, programIdentity } from "./fingerprint";
import { mapBounded } from "./pool";
import { parseSelection, selectClusters } from "./selection";
import { ClusterResult, FLEET_OPERATIONS, FLEET_RUN_OPTION_KEYS, FleetEvent, FleetOperation, FleetRunError, FleetRunOptions, FleetRunPlan, FleetRunSummary, FleetRunTarget, OutputChange } from "./types";
import type { OpenMode, StackDriver, StackOperation, StackOperationOptions, StackOperationResult, StackSession, UnchangedStack } from "./workspace";

export const DEFAULT_CONCURRENCY = 4;

/** What runFleet uses besides its options; each has a default. */
export interface FleetRunDeps {
    /** The engine; default the LocalWorkspace driver (workspace.ts). */
    driver?: StackDriver;
    /** Stack names; default `defaultStackNaming`. */
    naming?: StackNaming;
    /** The run's backend URL; default `defaultBackendUrl`. */
    resolveBackendUrl?: BackendUrlResolver;
    /** How a fleet file is loaded; default `loadFleet` without reference resolution. */
    loadFleet?: FleetLoader;
}

interface PlannedCluster {
    spec: FleetClusterSpec;
    name: StackName;
    rendered?: RenderedCluster;
}

type Env = Readonly<Record<string, string | undefined>>;

function checkOptions(options: FleetRunOptions): void {
    const issues: ValidationIssue[] = [];
    if (typeof options !== "object" || options === null) throw new FluxIdentityValidationError([{ path: "(options)", message: "runFleet takes an options object.", fix: "call runFleet({ operation, fleet, ... })." }]);
    // A misspelled option (`selector` for `selection`) would be ignored and the run cover every cluster.
    for (const key of Object.keys(options)) {
        if (!(FLEET_RUN_OPTION_KEYS as readonly string[]).includes(key)) {
            issues.push({ path: key, message: `${JSON.stringify(key)} is not an option of runFleet.`, fix: `use ${FLEET_RUN_OPTION_KEYS.join(", ")}.` });
        }
    }
    try {
        parseSelection(options.selection as unknown);
    } catch (err) {
        if (!(err instanceof FluxIdentityValidationError)) throw err;
        issues.push(...err.issues);
    }
    const { confirmDestroy } = options;
    if (confirmDestroy !== undefined && (!Array.isArray(confirmDestroy) || !confirmDestroy.every((n) => typeof n === "string"))) {
        issues.push({ path: "confirmDestroy", message: "must be a list of cluster names.", fix: "pass the names of the clusters the selection picks." });
    }
    if (!FLEET_OPERATIONS.includes(options.operation)) {
        issues.push({ path: "operation", message: `${JSON.stringify(options.operation)} is not an operation.`, fix: `use one of ${FLEET_OPERATIONS.join(", ")}.` });
    }
    for (const flag of ["force", "refresh"] as const) {
        const value = options[flag];
        if (value === undefined) continue;
        if (typeof value !== "boolean") issues.push({ path: flag, message: `must be true or false, not ${JSON.stringify(value)}.`, fix: `pass ${flag}: true, or leave it out.` });
        else if (value && options.operation !== "preview" && options.operation !== "up") {
            issues.push({
                path: flag,
                message: `${flag} applies to preview and up only, not to ${JSON.stringify(options.operation)}.`,
                fix: flag === "force" ? `leave it out: ${options.operation} never skips a stack.` : `leave it out${options.operation === "refresh" ? ": refresh refreshes anyway" : ""}.`,
            });
        }
    }
    const { concurrency } = options;
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
        issues.push({ path: "concurrency", message: `${String(concurrency)} is not a whole number of at least 1.`, fix: `use a number of clusters to work on at once, such as ${DEFAULT_CONCURRENCY}.` });
    }
    if (issues.length > 0) {
        const onlySelection = issues.every((i) => i.path === "selection" || i.path.startsWith("selection.") || i.path.startsWith("selection["));
        throw onlySelection ? new FleetSelectionError(issues) : new FluxIdentityValidationError(issues);
    }
}

function fleetOf(options: FleetRunOptions, deps: FleetRunDeps, env: Env): { fleet: FleetSpec; specDir: string } {
    const loadOptions: Parameters<FleetLoader>[1] = { env, config: options.config ?? {} };
    if (options.backendUrl !== undefined) loadOptions.backendUrl = options.backendUrl;
    // A fleet given as data gets the same settings checks and reference resolution as one read from a file.
    if (typeof options.fleet !== "string") return { fleet: prepareFleet(options.fleet, loadOptions), specDir: process.cwd() };
    const file = path.resolve(options.fleet);
    const load = deps.loadFleet ?? defaultFleetLoader;
    return { fleet: load(file, loadOptions), specDir: path.dirname(file) };
}

/** Names every cluster's stack (unique across the whole fleet) and plans the selected ones; throws every problem at once. */
function planClusters(fleet: FleetSpec, selected: readonly FleetClusterSpec[], operation: FleetOperation, naming: StackNaming): PlannedCluster[] {
    const issues: ValidationIssue[] = [];
    const names = new Map<string, StackName>();
    const owners = new Map<string, string>();
    fleet.clusters.forEach((c, i) => {
        const name = naming(fleet, c);
        names.set(c.name, name);
        const owner = owners.get(name.fullyQualified);
        if (owner !== undefined) {
            issues.push({ path: `clusters[${i}].name`, message: `clusters ${JSON.stringify(owner)} and ${JSON.stringify(c.name)} would share stack ${name.fullyQualified}.`, fix: "include {cluster} in stacks.name, so every cluster gets its own stack." });
        } else {
            owners.set(name.fullyQualified, c.name);
        }
    });
    const index = new Map(fleet.clusters.map((c, i) => [c.name, i]));
    const planned: PlannedCluster[] = [];
    for (const spec of selected) {
        const at = `clusters[${index.get(spec.name)}]`;
        try {
            const p: PlannedCluster = { spec, name: names.get(spec.name) as StackName };
            if (operation === "render") p.rendered = renderCluster(spec, at);
            else planCluster(spec, at);
            planned.push(p);
        } catch (err) {
            if (!(err instanceof FluxIdentityValidationError)) throw err;
            issues.push(...err.issues);
        }
    }
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
    return planned;
}

/**
 * A destroy goes ahead only when `confirmDestroy` names exactly the clusters it selected: a caller that
 * saw (and confirmed) some clusters can never destroy others, however the fleet or the selection moved.
 */
function checkDestroyConfirmation(operation: FleetOperation, confirmDestroy: readonly string[] | undefined, planned: readonly PlannedCluster[]): void {
    if (operation !== "destroy") return;
    const targets = targetsOf(planned);
    const selected = new Set(targets.map((t) => t.cluster));
    const list = targets.map((t) => `${t.cluster} (stack ${t.stack})`).join(", ") || "none";
    if (confirmDestroy === undefined) {
        throw new FleetConfirmationError(
            [{ path: "confirmDestroy", message: `destroy needs a confirmation naming the ${targets.length} selected cluster(s): ${list}.`, fix: "pass confirmDestroy with exactly these cluster names (after showing them to whoever asked for the destroy)." }],
            targets,
        );
    }
    const confirmed = new Set(confirmDestroy);
    const unconfirmed = [...selected].filter((n) => !confirmed.has(n));
    const extra = [...confirmed].filter((n) => !selected.has(n));
    if (unconfirmed.length > 0 || extra.length > 0) {
        const parts = [unconfirmed.length > 0 ? `selected but not confirmed: ${unconfirmed.join(", ")}` : "", extra.length > 0 ? `confirmed but not selected: ${extra.join(", ")}` : ""].filter(Boolean);
        throw new FleetConfirmationError(
            [{ path: "confirmDestroy", message: `the confirmation does not name exactly the selected clusters (${parts.join("; ")}). The selection picks: ${list}.`, fix: "confirm exactly the clusters the selection picks, or change the selection." }],
            targets,
        );
    }
}

function emitterOf(listener: ((event: FleetEvent) => void) | undefined): (event: FleetEvent) => void {
    if (!listener) return () => undefined;
    return (event) => {
        try {
            listener(event);
        } catch {
            // A failing listener must not break failure isolation or leave stacks half-run.
        }
    };
}

function definedEntries(env: Env): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
    return out;
}

/**
 * The result error of a failure. Drivers classify their own failures (StackOperationError); any other
 * error is `internal`, or `cancelled` when the cluster's operation had been aborted.
 */
function runErrorOf(err: unknown, aborted: boolean): FleetRunError {
    if (err instanceof FluxIdentityValidationError) return { kind: "validation", message: err.message };
    if (err instanceof StackOperationError) return { kind: err.kind, message: err.message };
    const message = err instanceof Error ? err.message : String(err);
    return aborted ? { kind: "cancelled", message: `cancelled while running: ${message}` } : { kind: "internal", message };
}

function modeOf(operation: StackOperation): OpenMode {
    return operation === "preview" || operation === "up" ? "create-or-select" : "select";
}

interface PreparedRun {
    fleet: FleetSpec;
    env: Env;
    workDir: string;
    planned: PlannedCluster[];
}

/** Every check of a run (options, selection, stack names, each selected cluster planned); touches nothing. */
function prepareRun(options: FleetRunOptions, deps: FleetRunDeps): PreparedRun {
    checkOptions(options);
    const env: Env = options.env ?? process.env;
    const { fleet, specDir } = fleetOf(options, deps, env);
    const workDir = path.resolve(options.workDir ?? specDir);
    const selected = selectClusters(fleet, options.selection);
    const planned = planClusters(fleet, selected, options.operation, deps.naming ?? defaultStackNaming);
    return { fleet, env, workDir, planned };
}

const targetsOf = (planned: readonly PlannedCluster[]): FleetRunTarget[] => planned.map((p) => ({ cluster: p.spec.name, stack: p.name.fullyQualified }));

/**
 * What `runFleet(options)` would work on: the same checks (they throw the same errors), then the selected
 * clusters and their stacks, without touching any stack or calling a driver. A command line shows them
 * before asking for a confirmation; `confirmDestroy` takes their cluster names.
 */
export async function planFleetRun(options: FleetRunOptions, deps: FleetRunDeps = {}): Promise<FleetRunPlan> {
    const { planned } = prepareRun(options, deps);
    return { operation: options.operation, targets: targetsOf(planned) };
}

/** Runs `options.operation` over the selected clusters of the fleet; see the module comment. */
export async function runFleet(options: FleetRunOptions, deps: FleetRunDeps = {}): Promise<FleetRunSummary> {
    const runStart = performance.now();
    const { fleet, env, workDir, planned } = prepareRun(options, deps);
    const { operation, signal } = options;
    checkDestroyConfirmation(operation, options.confirmDestroy, planned);
    const emit = emitterOf(options.onEvent);
    const reportsOutputChanges = operation === "preview" || operation === "up";
    const outputChangesOf = (mapper: EngineEventMapper): OutputChange[] => (reportsOutputChanges ? mapper.outputChanges : []);

    let concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    let session: StackSession | undefined;
    if (operation !== "render" && planned.length > 0 && !signal?.aborted) {
        const backendUrl = (deps.resolveBackendUrl ?? defaultBackendUrl)(fleet, { backendUrl: options.backendUrl, specDir: workDir });
        const driver = deps.driver ?? (await import("./workspace")).createLocalStackDriver();
        if (driver.maxConcurrency !== undefined) concurrency = Math.max(1, Math.min(concurrency, driver.maxConcurrency));
        const secretsProvider = defaultSecretsProvider(fleet, backendUrl);
        session = await driver.begin({
            operation,
            backendUrl,
            ...(secretsProvider !== undefined ? { secretsProvider } : {}),
            envVars: options.env ? definedEntries(options.env) : {},
            env,
            workDir,
        });
    }

    emit({ type: "run-started", operation, clusters: planned.map((p) => p.spec.name), concurrency });
    // preview and up leave unchanged stacks alone unless forced or refreshing; a fingerprint is recorded by every up.
    const skips = (operation === "preview" || operation === "up") && options.force !== true && options.refresh !== true;
    const runEnv = env;
    const fingerprintOf = (p: PlannedCluster): string | undefined =>
        operation === "preview" || operation === "up" ? clusterFingerprint({ cluster: p.spec, program: programIdentity(), engine: session?.engine ?? "unknown", env: runEnv }) : undefined;
    const running = new Set<AbortController>();
    const onAbort = () => {
        for (const c of running) c.abort(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    const execute = async (p: PlannedCluster, clusterSignal: AbortSignal, mapper: EngineEventMapper, fingerprint: string | undefined): Promise<StackOperationResult> => {
        if (operation === "render") return { changes: {}, outputs: { ...(p.rendered as RenderedCluster).files } };
        if (clusterSignal.aborted) throw new StackOperationError("cancelled", "cancelled before the stack was opened");
        const target = { cluster: p.spec.name, project: p.name.project, stack: p.name.stack, fullyQualified: p.name.fullyQualified };
        const stack = await (session as StackSession).open(target, p.spec, modeOf(operation));
        if (clusterSignal.aborted) throw new StackOperationError("cancelled", "cancelled before the operation started");
        const opts: StackOperationOptions = {
            signal: clusterSignal,
            onEvent: (event: Parameters<EngineEventMapper["map"]>[0]) => {
                for (const mapped of mapper.map(event)) emit(mapped);
            },
        };
        if (operation === "up" && fingerprint !== undefined) opts.fingerprint = fingerprint;
        if (options.refresh === true) opts.refresh = true;
        return stack[operation](opts);
    };

    /**
     * The stack of a cluster `preview` or `up` may leave alone, unless forced or refreshing, when the
     * driver can tell it is unchanged; undefined: run it. Not knowing is never a reason to skip.
     */
    const unchangedStack = async (p: PlannedCluster, fp: string | undefined, clusterSignal: AbortSignal): Promise<UnchangedStack | undefined> => {
        if (fp === undefined || !session?.unchanged || clusterSignal.aborted) return undefined;
        const target = { cluster: p.spec.name, project: p.name.project, stack: p.name.stack, fullyQualified: p.name.fullyQualified };
        try {
            return await session.unchanged(target, fp, { outputs: operation === "up", signal: clusterSignal });
        } catch {
            return undefined;
        }
    };

    const runCluster = async (p: PlannedCluster): Promise<ClusterResult> => {
        const cluster = p.spec.name;
        const stack = p.name.fullyQualified;
        if (signal?.aborted) {
            const result: ClusterResult = { cluster, stack, status: "cancelled", changes: {}, outputs: {}, outputChanges: [], error: { kind: "cancelled", message: "not started: the run was cancelled" }, durationMs: 0 };
            emit({ type: "cluster-finished", cluster, result });
            return result;
        }
        const start = performance.now();
        const controller = new AbortController();
        running.add(controller);
        const mapper = new EngineEventMapper(cluster, { debug: options.debug === true });
        let result: ClusterResult;
        try {
            emit({ type: "cluster-started", cluster, stack, operation });
            // A listener may have aborted the run synchronously.
            if (signal?.aborted && !controller.signal.aborted) controller.abort(signal.reason);
            const fp = fingerprintOf(p);
            const unchanged = skips ? await unchangedStack(p, fp, controller.signal) : undefined;
            if (unchanged && !controller.signal.aborted) {
                result = { cluster, stack, status: "skipped", changes: {}, outputs: unchanged.outputs, outputChanges: [], durationMs: performance.now() - start };
                emit({ type: "cluster-finished", cluster, result });
                return result;
            }
            const out = await execute(p, controller.signal, mapper, fp);
            const changes = Object.keys(out.changes).length > 0 ? out.changes : (mapper.changes ?? {});
            result = { cluster, stack, status: "succeeded", changes, outputs: out.outputs, outputChanges: outputChangesOf(mapper), durationMs: performance.now() - start };
        } catch (err) {
            if (operation === "destroy" && err instanceof StackOperationError && err.stackNotFound) {
                emit({ type: "diagnostic", cluster, severity: "info", message: `stack ${stack} does not exist: nothing to destroy.` });
                result = { cluster, stack, status: "succeeded", changes: {}, outputs: {}, outputChanges: [], durationMs: performance.now() - start };
            } else {
                const error = runErrorOf(err, controller.signal.aborted);
                result = { cluster, stack, status: error.kind === "cancelled" ? "cancelled" : "failed", changes: mapper.changes ?? {}, outputs: {}, outputChanges: outputChangesOf(mapper), error, durationMs: performance.now() - start };
            }
        } finally {
            running.delete(controller);
        }
        emit({ type: "cluster-finished", cluster, result });
        return result;
    };

    let results: ClusterResult[];
    try {
        results = await mapBounded(planned, concurrency, runCluster);
    } finally {
        signal?.removeEventListener("abort", onAbort);
        if (session) {
            try {
                await session.close();
            } catch {
                // Only temporary folders are left behind; the results stand.
            }
        }
    }

    const summary: FleetRunSummary = {
        operation,
        results,
        succeeded: results.filter((r) => r.status === "succeeded").map((r) => r.cluster),
        skipped: results.filter((r) => r.status === "skipped").map((r) => r.cluster),
        failed: results.filter((r) => r.status === "failed").map((r) => ({ cluster: r.cluster, error: r.error as FleetRunError })),
        cancelled: results.filter((r) => r.status === "cancelled").map((r) => r.cluster),
        durationMs: performance.now() - runStart,
    };
    emit({ type: "run-finished", summary });
    return summary;
}
