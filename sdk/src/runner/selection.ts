/**
 * Which clusters of a fleet a run covers: by name, by labels, and by shard. Pure.
 *
 * Sharding: a cluster belongs to shard `shardOf(name, count)` = `h(name) mod count`, where `h` is 32-bit
 * FNV-1a over the name's UTF-8 bytes followed by MurmurHash3's 32-bit finalizer (for well-mixed low bits).
 * The shard therefore depends only on the cluster's name and the shard count: not on the fleet's order,
 * not on which other clusters exist, not on the names or labels selected, not on the machine or the Node.js
 * version. Every cluster is in exactly one shard, and adding or removing a cluster never moves another one.
 * The price is that small fleets can be uneven (ten clusters in five shards need not be two per shard);
 * with hundreds of clusters per shard the sizes are close.
 */

import { ValidationIssue } from "../../../provider/src/core/errors";
import type { FleetClusterSpec, FleetSpec } from "../spec/fleet";
import { FleetSelectionError } from "./errors";
import type { ClusterSelection } from "./types";

/** The 32-bit hash that assigns clusters to shards (see the module comment). */
export function clusterHash(name: string): number {
    let h = 0x811c9dc5;
    for (const byte of Buffer.from(name, "utf8")) {
        h ^= byte;
        h = Math.imul(h, 0x01000193);
    }
    // MurmurHash3 fmix32.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
}

/** The 0-based shard of `count` a cluster name belongs to. */
export function shardOf(name: string, count: number): number {
    return clusterHash(name) % count;
}

const LIST_LIMIT = 50;

function listNames(names: readonly string[]): string {
    const shown = names.slice(0, LIST_LIMIT).join(", ");
    return names.length > LIST_LIMIT ? `${shown}, ... (${names.length - LIST_LIMIT} more)` : shown;
}

function selectionIssues(fleet: FleetSpec, selection: ClusterSelection): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const known = new Set(fleet.clusters.map((c) => c.name));
    (selection.names ?? []).forEach((n, i) => {
        if (!known.has(n)) {
            issues.push({
                path: `selection.names[${i}]`,
                message: `no cluster named ${JSON.stringify(n)} in the fleet.`,
                fix: fleet.clusters.length > 0 ? `use one of: ${listNames(fleet.clusters.map((c) => c.name))}.` : "the fleet has no clusters.",
            });
        }
    });
    const { shard } = selection;
    if (shard !== undefined) {
        if (!Number.isInteger(shard.count) || shard.count < 1) {
            issues.push({ path: "selection.shard.count", message: `shard count ${String(shard.count)} is not a whole number of at least 1.`, fix: "use a count such as 4." });
        } else if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
            issues.push({ path: "selection.shard.index", message: `shard index ${String(shard.index)} is not between 0 and ${shard.count - 1}.`, fix: `use an index from 0 to ${shard.count - 1} (0-based).` });
        }
    }
    return issues;
}

/**
 * The clusters of `fleet` that meet every criterion of `selection`, in fleet order. Unknown names and
 * impossible shards throw a FleetSelectionError listing what is valid.
 */
export function selectClusters(fleet: FleetSpec, selection: ClusterSelection = {}): FleetClusterSpec[] {
    const issues = selectionIssues(fleet, selection);
    if (issues.length > 0) throw new FleetSelectionError(issues);
    const names = selection.names && selection.names.length > 0 ? new Set(selection.names) : undefined;
    const labels = Object.entries(selection.labels ?? {});
    const { shard } = selection;
    return fleet.clusters.filter(
        (c) =>
            (!names || names.has(c.name)) &&
            labels.every(([k, v]) => c.labels !== undefined && Object.prototype.hasOwnProperty.call(c.labels, k) && c.labels[k] === v) &&
            (!shard || shardOf(c.name, shard.count) === shard.index),
    );
}

/**
 * Parses `i/n` (1-based, as the shard flags of jest, vitest and playwright: `1/4` to `4/4`) into the
 * 0-based `{ index, count }` of ClusterSelection.
 */
export function parseShard(text: string): { index: number; count: number } {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
    const fail = (message: string, fix: string): never => {
        throw new FleetSelectionError([{ path: "shard", message, fix }]);
    };
    if (!m) return fail(`${JSON.stringify(text)} is not a shard.`, "write i/n, for example 2/5 (shards are numbered from 1 to n).");
    const i = Number(m[1]);
    const n = Number(m[2]);
    if (n < 1) return fail(`shard count ${n} is less than 1.`, "use at least one shard, for example 1/1.");
    if (i < 1 || i > n) return fail(`shard ${i} is not between 1 and ${n}.`, `shards are numbered from 1 to n: use 1/${n} to ${n}/${n}.`);
    return { index: i - 1, count: n };
}

// Kubernetes label keys: an optional DNS-subdomain prefix and a name of alphanumerics, `-`, `_`, `.`.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Parses an equality label selector, `env=prod,team=a` (`==` works as `=`), into labels that must all
 * match. Set-based and inequality selectors (`!=`, `in`, `notin`, `!key`) are refused.
 */
export function parseSelector(text: string): Record<string, string> {
    const labels: Record<string, string> = {};
    const issues: ValidationIssue[] = [];
    if (text.trim() === "") return labels;
    text.split(",").forEach((raw, i) => {
        const term = raw.trim();
        const at = `selector[${i}]`;
        if (/!=|\s(not)?in\s*\(|^!/.test(term)) {
            issues.push({ path: at, message: `${JSON.stringify(term)} is not an equality requirement.`, fix: "only key=value requirements are supported; list every label the clusters must carry." });
            return;
        }
        const m = /^([^=\s]+)\s*==?\s*(.*)$/.exec(term);
        if (!m) {
            issues.push({ path: at, message: `${JSON.stringify(term)} is not key=value.`, fix: "write requirements as key=value, separated by commas: env=prod,team=a." });
            return;
        }
        const [, key, value] = m;
        if (!LABEL_KEY.test(key)) {
            issues.push({ path: at, message: `${JSON.stringify(key)} is not a valid label key.`, fix: "use letters, digits, '-', '_' and '.', optionally after a prefix such as example.com/." });
            return;
        }
        if (Object.prototype.hasOwnProperty.call(labels, key) && labels[key] !== value) {
            issues.push({ path: at, message: `label ${JSON.stringify(key)} is required to be both ${JSON.stringify(labels[key])} and ${JSON.stringify(value)}.`, fix: "keep one requirement per label." });
            return;
        }
        labels[key] = value;
    });
    if (issues.length > 0) throw new FleetSelectionError(issues);
    return labels;
}
