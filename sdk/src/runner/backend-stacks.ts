/**
 * Reads what the backend holds about a run's stacks, in the runner's own process, by running the Pulumi
 * CLI the run already checked (no version check per call): the stacks of a project
 * (`pulumi stack ls --json`, once per project and run), a stack's last operation (`pulumi stack history
 * --json --page-size 1`) and its outputs (`pulumi stack output --json`, masked). No program runs here,
 * so no stack process is needed. Each project gets a folder holding only its Pulumi.yaml (the backend URL).
 */

import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dump } from "js-yaml";
import { runCli } from "./cli-command";
import { HistoryEntry, ListedStack, findListed, parseLastHistoryEntry, parseStackList } from "./last-update";
import type { StackTarget } from "./workspace";

export interface BackendStacksOptions {
    /** The Pulumi CLI executable (PulumiCommand's `command`). */
    command: string;
    /** A folder of the run; a folder per project is made inside. */
    dir: string;
    backendUrl: string;
    /** The CLI's environment additions (the run's, PULUMI_HOME included). */
    env: Record<string, string>;
}

export class BackendStacks {
    private readonly listings = new Map<string, Promise<ListedStack[] | undefined>>();
    private readonly projectDirs = new Map<string, string>();

    constructor(private readonly options: BackendStacksOptions) {}

    private projectDir(project: string): string {
        let dir = this.projectDirs.get(project);
        if (dir === undefined) {
            dir = path.join(this.options.dir, project.replace(/[^A-Za-z0-9._-]/g, "_"));
            mkdirSync(dir, { recursive: true });
            writeFileSync(path.join(dir, "Pulumi.yaml"), dump({ name: project, runtime: "nodejs", backend: { url: this.options.backendUrl } }));
            this.projectDirs.set(project, dir);
        }
        return dir;
    }

    /** Runs the CLI in the project's folder; resolves to its stdout, rejects when it fails. */
    private async cli(project: string, args: string[], signal?: AbortSignal): Promise<string> {
        return (await runCli(this.options.command, args, this.projectDir(project), this.options.env, signal)).stdout;
    }

    /** The project's stacks as listed now; undefined when the listing failed (the caller then asks per stack). */
    async list(project: string): Promise<ListedStack[] | undefined> {
        try {
            return parseStackList(await this.cli(project, ["stack", "ls", "--json"]));
        } catch {
            return undefined;
        }
    }

    /** The project's stacks as listed at the first call of the run (memoized). */
    listing(project: string): Promise<ListedStack[] | undefined> {
        let listing = this.listings.get(project);
        if (!listing) {
            listing = this.list(project);
            this.listings.set(project, listing);
        }
        return listing;
    }

    /** The target's entry in the run's first listing; `null` when listed as absent, undefined when unknown. */
    async listed(target: StackTarget): Promise<ListedStack | null | undefined> {
        const list = await this.listing(target.project);
        if (!list) return undefined;
        return findListed(list, target) ?? null;
    }

    /** The stack's last operation; undefined if there is none or it cannot be read. */
    async lastOperation(target: StackTarget, signal?: AbortSignal): Promise<HistoryEntry | undefined> {
        try {
            return parseLastHistoryEntry(await this.cli(target.project, ["stack", "history", "--json", "--page-size", "1", "--stack", target.fullyQualified], signal));
        } catch {
            return undefined;
        }
    }

    /** The stack's outputs, secrets masked as the CLI masks them (`[secret]`); undefined if they cannot be read. */
    async outputs(target: StackTarget, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
        try {
            const parsed: unknown = JSON.parse(await this.cli(target.project, ["stack", "output", "--json", "--stack", target.fullyQualified], signal));
            return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
        } catch {
            return undefined;
        }
    }
}
