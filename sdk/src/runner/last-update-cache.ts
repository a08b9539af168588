/**
 * What this machine saw of each stack's last successful update: its fingerprint, the time the backend
 * lists for the stack's state then (`lastUpdate`), and its outputs. A run that finds a stack listed with
 * the same `lastUpdate` knows its state was not written since, so the record still holds and no
 * `pulumi stack history` or `stack output` call is needed for it: an unchanged fleet costs one
 * `pulumi stack ls` per project.
 *
 * The record of truth is the backend's (the update message, last-update.ts); this file only saves
 * asking for it again. A missing, unreadable or stale file means asking the backend. One file per backend
 * under `<workDir>/.flux-identity/last-updates/`; runs merge their changes into it when they end.
 */

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface CachedUpdate {
    fingerprint: string;
    /** The stack's `lastUpdate` as `pulumi stack ls --json` listed it right after the update. */
    lastUpdate: string;
    /** The stack's outputs (secrets as placeholders). */
    outputs: Record<string, unknown>;
}

interface CacheFile {
    format: 1;
    backendUrl: string;
    stacks: Record<string, CachedUpdate>;
}

/** The cache file of `backendUrl` under `workDir`. */
export function lastUpdateCacheFile(workDir: string, backendUrl: string): string {
    const key = createHash("sha256").update(backendUrl).digest("hex").slice(0, 16);
    return path.join(workDir, ".flux-identity", "last-updates", `${key}.json`);
}

function isCachedUpdate(v: unknown): v is CachedUpdate {
    const c = v as CachedUpdate;
    return typeof c === "object" && c !== null && typeof c.fingerprint === "string" && typeof c.lastUpdate === "string" && typeof c.outputs === "object" && c.outputs !== null;
}

function read(file: string, backendUrl: string): Record<string, CachedUpdate> {
    try {
        const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<CacheFile>;
        if (parsed.format !== 1 || parsed.backendUrl !== backendUrl || typeof parsed.stacks !== "object" || parsed.stacks === null) return {};
        const out: Record<string, CachedUpdate> = {};
        for (const [stack, entry] of Object.entries(parsed.stacks)) if (isCachedUpdate(entry)) out[stack] = entry;
        return out;
    } catch {
        return {};
    }
}

/** The records of one backend, as a run reads them when it starts and merges its changes when it ends. */
export class LastUpdateCache {
    private readonly entries: Record<string, CachedUpdate>;
    private readonly changes = new Map<string, CachedUpdate | undefined>();

    constructor(
        private readonly file: string,
        private readonly backendUrl: string,
    ) {
        this.entries = read(file, backendUrl);
    }

    get(stack: string): CachedUpdate | undefined {
        return this.changes.has(stack) ? this.changes.get(stack) : this.entries[stack];
    }

    set(stack: string, entry: CachedUpdate): void {
        this.changes.set(stack, entry);
    }

    delete(stack: string): void {
        this.changes.set(stack, undefined);
    }

    /** Merges this run's changes into the file as it is now (another run may have written it meanwhile). */
    save(): void {
        if (this.changes.size === 0) return;
        const current = read(this.file, this.backendUrl);
        for (const [stack, entry] of this.changes) {
            if (entry) current[stack] = entry;
            else delete current[stack];
        }
        const doc: CacheFile = { format: 1, backendUrl: this.backendUrl, stacks: current };
        mkdirSync(path.dirname(this.file), { recursive: true });
        const tmp = `${this.file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(doc));
        renameSync(tmp, this.file);
        this.changes.clear();
    }
}
