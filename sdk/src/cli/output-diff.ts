/**
 * How the command line shows changed stack outputs: one line per cluster naming them, and on request
 * (`--diff`) a unified diff of each (the kustomization.yaml text as is, other outputs as JSON), made by
 * jsdiff.
 */

import { createTwoFilesPatch } from "diff";
import type { ClusterResult, FleetOperation, OutputChange } from "../runner/types";

/** `awsRoleArns (update), kustomizationYaml (update)`; a new stack's outputs as a count (`8 new`). */
export function outputChangeList(changes: readonly OutputChange[]): string {
    const created = changes.filter((c) => c.change === "create");
    const named = changes.filter((c) => c.change !== "create" || created.length <= 2);
    const parts = named.map((c) => `${c.name} (${c.change === "unknown" ? "known after up" : c.change})`);
    if (created.length > 2) parts.push(`${created.length} new`);
    return parts.join(", ");
}

function text(value: unknown): string {
    if (value === undefined) return "";
    const s = typeof value === "string" ? value : JSON.stringify(value, null, 2);
    return s.endsWith("\n") || s === "" ? s : `${s}\n`;
}

/** The unified diff of one changed output of `cluster`; for `unknown`, a line saying why there is none. */
export function outputDiff(cluster: string, change: OutputChange, operation: FleetOperation): string {
    if (change.change === "unknown") {
        return `${cluster}: ${change.name} is not known before up: it depends on identities up creates.\n`;
    }
    const [before, after] = operation === "preview" ? ["in the stack", "after up"] : ["before this up", "after this up"];
    return createTwoFilesPatch(`${cluster}/${change.name}`, `${cluster}/${change.name}`, text(change.before), text(change.after), before, after);
}

/** Every changed output's diff, cluster by cluster. */
export function outputDiffs(results: readonly ClusterResult[], operation: FleetOperation): string {
    return results.flatMap((r) => r.outputChanges.map((c) => outputDiff(r.cluster, c, operation))).join("");
}
