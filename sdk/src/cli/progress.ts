/**
 * Terminal progress for fleet runs: one listr2 task per cluster, fed by the runner's event stream. On a
 * terminal each cluster shows its current resource; elsewhere listr2 falls back to plain lines.
 */

import { Listr, ListrTaskWrapper } from "listr2";
import type { ClusterResult, FleetEvent } from "../runner/types";
import { outputChangeList } from "./output-diff";

type Task = ListrTaskWrapper<unknown, never, never>;

interface Pending {
    task?: Task;
    resolve: (result: ClusterResult) => void;
    done: Promise<ClusterResult>;
}

function describe(result: ClusterResult): string {
    const changes = Object.entries(result.changes)
        .filter(([op, n]) => op !== "same" && n > 0)
        .map(([op, n]) => `${n} ${op}`)
        .join(", ");
    // Outputs change without any resource changing (a brought role's new ARN): say so.
    const outputs = result.outputChanges.length > 0 ? `outputs: ${outputChangeList(result.outputChanges)}` : "";
    const parts = [changes, outputs].filter(Boolean);
    return parts.length > 0 ? `${result.cluster} (${parts.join("; ")})` : result.cluster;
}

export class FleetProgress {
    private listr: Listr<unknown> | undefined;
    private running: Promise<unknown> | undefined;
    private readonly clusters = new Map<string, Pending>();

    /** Feed every event of the run here. */
    readonly onEvent = (event: FleetEvent): void => {
        switch (event.type) {
            case "run-started":
                this.start(event.clusters, event.concurrency);
                break;
            case "cluster-started":
                this.title(event.cluster, `${event.cluster}: ${event.operation} ${event.stack}`);
                break;
            case "resource":
                if (event.phase === "pre") this.title(event.cluster, `${event.cluster}: ${event.op} ${event.resourceType} ${event.name}`);
                break;
            case "cluster-finished":
                this.clusters.get(event.cluster)?.resolve(event.result);
                break;
            default:
                break;
        }
    };

    /** Resolves once every cluster's line is final. */
    async finished(): Promise<void> {
        await this.running;
    }

    private title(cluster: string, text: string): void {
        const task = this.clusters.get(cluster)?.task;
        if (task) task.title = text;
    }

    private start(names: readonly string[], concurrency: number): void {
        for (const name of names) {
            let resolve!: (r: ClusterResult) => void;
            const done = new Promise<ClusterResult>((r) => (resolve = r));
            this.clusters.set(name, { resolve, done });
        }
        this.listr = new Listr(
            names.map((name) => ({
                title: name,
                task: async (_ctx: unknown, task: Task): Promise<void> => {
                    const pending = this.clusters.get(name) as Pending;
                    pending.task = task;
                    const result = await pending.done;
                    task.title = describe(result);
                    if (result.status === "cancelled") task.skip(`${name}: cancelled`);
                    else if (result.status === "skipped") task.skip(`${name}: unchanged (skipped)`);
                    else if (result.status === "failed") throw new Error(`${name}: ${result.error?.message ?? "failed"}`);
                },
            })),
            // Every line waits on its cluster; the runner, not listr2, bounds the concurrency.
            { concurrent: Math.max(names.length, concurrency, 1), exitOnError: false, registerSignalListeners: false, collectErrors: false },
        );
        this.running = this.listr.run().catch(() => undefined);
    }
}
