/**
 * One run of the local driver (workspace.ts): stack processes shared across the run's operations
 * (stack-process.ts), what the backend says of its stacks (backend-stacks.ts, in this process), and the
 * record of each stack's last successful update (last-update.ts, last-update-cache.ts).
 *
 * Per project the run lists the backend's stacks once (`pulumi stack ls`). That tells which stacks exist
 * (an existing one is opened without `pulumi stack select`, a missing one created without trying to
 * select it first) and when each one's state was last written, which says whether a cached record still
 * holds. When the run ends, it lists the projects it updated once more and records each successful
 * update whose state write it can tell was its own.
 */

import { mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { BackendStacks } from "./backend-stacks";
import { StackOperationError } from "./errors";
import { LastUpdateCache, lastUpdateCacheFile } from "./last-update-cache";
import { findListed, recordsFingerprint, writtenDuring } from "./last-update";
import type { LocalStackRequest } from "./local-stack";
import { StackProcessPool } from "./stack-process";
import { DriverStack, LocalStackDriverOptions, OpenMode, StackOperation, StackOperationOptions, StackOperationResult, StackRunSettings, StackSession, StackTarget, UnchangedStack, driverStackOf, workspaceEnvVars } from "./workspace";
import type { ClusterSpec } from "../../../provider/src/plan/cluster";

interface FinishedUpdate {
    target: StackTarget;
    fingerprint: string;
    outputs: Record<string, unknown>;
    startMs: number;
    endMs: number;
}

function safeDirName(index: number, cluster: string): string {
    return `${String(index).padStart(4, "0")}-${cluster.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80)}`;
}

export interface LocalSessionSetup {
    settings: StackRunSettings;
    options: LocalStackDriverOptions;
    /** The Pulumi CLI executable and version, as checked when the run began. */
    command: string;
    version: string;
    /** The run's own folder (removed when it ends). */
    runDir: string;
}

export class LocalStackSession implements StackSession {
    readonly engine: string;
    private readonly pool: StackProcessPool;
    private readonly backend: BackendStacks;
    private readonly cache: LastUpdateCache | undefined;
    /** Stacks the run's first listing showed: present (with their `lastUpdate`) or absent. */
    private readonly listedBefore = new Map<string, { exists: boolean; lastUpdate?: string }>();
    private readonly updates: FinishedUpdate[] = [];
    /** Stacks whose state this run wrote other than by a successful up: their records no longer hold. */
    private readonly stale = new Set<string>();
    private opened = 0;

    constructor(private readonly setup: LocalSessionSetup) {
        const { settings, options } = setup;
        this.engine = `pulumi v${setup.version}`;
        this.pool = new StackProcessPool({ ...(options.cliRoot !== undefined ? { cliRoot: options.cliRoot } : {}), cliVersion: setup.version, ...(options.operationsPerProcess !== undefined ? { maxOperations: options.operationsPerProcess } : {}) });
        const env: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true", ...workspaceEnvVars(settings) };
        if (options.pulumiHome !== undefined) env.PULUMI_HOME = options.pulumiHome;
        const dir = path.join(setup.runDir, "projects");
        mkdirSync(dir, { recursive: true });
        this.backend = new BackendStacks({ command: setup.command, dir, backendUrl: settings.backendUrl, env });
        this.cache = options.lastUpdateCache === false ? undefined : new LastUpdateCache(lastUpdateCacheFile(settings.workDir, settings.backendUrl), settings.backendUrl);
    }

    /** Whether the first listing showed the stack: true, false, or undefined when the listing failed. */
    private async existence(target: StackTarget): Promise<{ exists: boolean; lastUpdate?: string } | undefined> {
        const known = this.listedBefore.get(target.fullyQualified);
        if (known) return known;
        const listed = await this.backend.listed(target);
        if (listed === undefined) return undefined;
        const seen = listed === null ? { exists: false } : { exists: true, ...(listed.lastUpdate !== undefined ? { lastUpdate: listed.lastUpdate } : {}) };
        this.listedBefore.set(target.fullyQualified, seen);
        return seen;
    }

    async unchanged(target: StackTarget, fingerprint: string, options: { outputs: boolean; signal: AbortSignal }): Promise<UnchangedStack | undefined> {
        const listed = await this.backend.listed(target);
        await this.existence(target);
        if (!listed || listed.updateInProgress === true || listed.lastUpdate === undefined) return undefined;
        const cached = this.cache?.get(target.fullyQualified);
        if (cached && cached.lastUpdate === listed.lastUpdate) {
            // Not written since this machine recorded it: the record answers, changed or not.
            return cached.fingerprint === fingerprint ? { outputs: options.outputs ? cached.outputs : {} } : undefined;
        }
        const last = await this.backend.lastOperation(target, options.signal);
        if (!recordsFingerprint(last, listed, fingerprint)) return undefined;
        if (!options.outputs) return { outputs: {} };
        const outputs = await this.backend.outputs(target, options.signal);
        if (outputs === undefined) return undefined;
        this.cache?.set(target.fullyQualified, { fingerprint, lastUpdate: listed.lastUpdate, outputs });
        return { outputs };
    }

    async open(target: StackTarget, cluster: ClusterSpec, mode: OpenMode): Promise<DriverStack> {
        const seen = await this.existence(target);
        const { settings, options } = this.setup;
        // A stack listed as absent is created without a select first; for select-mode operations the
        // select itself says whether it exists (never trust a listing for "absent" there).
        const exists = seen === undefined ? undefined : seen.exists ? true : mode === "create-or-select" ? false : undefined;
        const request: LocalStackRequest = {
            target,
            cluster,
            mode,
            operation: settings.operation,
            workDir: path.join(this.setup.runDir, safeDirName(this.opened++, target.cluster)),
            backendUrl: settings.backendUrl,
            envVars: workspaceEnvVars(settings),
            ...(exists !== undefined ? { exists } : {}),
            ...(settings.secretsProvider !== undefined ? { secretsProvider: settings.secretsProvider } : {}),
            ...(options.cliRoot !== undefined ? { cliRoot: options.cliRoot } : {}),
            cliVersion: this.setup.version,
            ...(options.pulumiHome !== undefined ? { pulumiHome: options.pulumiHome } : {}),
            ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
        };
        return driverStackOf((operation, opts) => this.operate(request, operation, opts));
    }

    private async operate(request: LocalStackRequest, operation: StackOperation, opts: StackOperationOptions): Promise<StackOperationResult> {
        const { target } = request;
        const full: LocalStackRequest = { ...request, operation };
        if (opts.fingerprint !== undefined) full.fingerprint = opts.fingerprint;
        if (opts.refresh) full.refresh = true;
        const startMs = Date.now();
        const writes = operation === "up" || operation === "destroy" || operation === "refresh";
        try {
            const result = await this.pool.run(full, { onEvent: opts.onEvent, signal: opts.signal });
            if (operation === "up" && opts.fingerprint !== undefined) {
                this.updates.push({ target, fingerprint: opts.fingerprint, outputs: result.outputs, startMs, endMs: Date.now() });
            } else if (writes) {
                this.stale.add(target.fullyQualified);
            }
            return result;
        } catch (err) {
            if (writes) this.stale.add(target.fullyQualified);
            throw err instanceof StackOperationError ? err : new StackOperationError("internal", err instanceof Error ? err.message : String(err));
        }
    }

    /** Records the run's successful updates whose state write the listing shows as their own. */
    private async record(): Promise<void> {
        const cache = this.cache;
        if (!cache) return;
        for (const stack of this.stale) cache.delete(stack);
        const projects = [...new Set(this.updates.map((u) => u.target.project))];
        const lists = new Map(await Promise.all(projects.map(async (p) => [p, await this.backend.list(p)] as const)));
        for (const u of this.updates) {
            const list = lists.get(u.target.project);
            const listed = list ? findListed(list, u.target) : undefined;
            const before = this.listedBefore.get(u.target.fullyQualified)?.lastUpdate;
            if (listed && listed.lastUpdate !== undefined && writtenDuring(listed.lastUpdate, u.startMs, u.endMs, before)) {
                cache.set(u.target.fullyQualified, { fingerprint: u.fingerprint, lastUpdate: listed.lastUpdate, outputs: u.outputs });
            } else {
                cache.delete(u.target.fullyQualified);
            }
        }
        cache.save();
    }

    async close(): Promise<void> {
        try {
            await this.pool.close();
            await this.record();
        } catch {
            // The records only save work; a run never fails over them.
        } finally {
            rmSync(this.setup.runDir, { recursive: true, force: true });
        }
    }
}
