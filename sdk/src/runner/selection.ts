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

import { Issues, ValidationIssue, show } from "../../../provider/src/core/errors";
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

/** The keys of a ClusterSelection, in the order messages list them. */
export const SELECTION_KEYS = ["names", "labels", "shard"] as const;

const SELECTION_EXAMPLE = '{"names": ["prod-eks"]}, {"labels": {"env": "prod"}} or {"shard": {"index": 0, "count": 4}}';

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    return typeof value === "object" ? "an object" : `a ${typeof value} (${show(value)})`;
}

/**
 * Checks a selection given as data (a portal's JSON, a JavaScript caller) and returns it typed. Fails
 * closed: a non-object, an unknown key (`name`, `selector`), a wrongly typed value, an empty `names` list
 * or `labels` object would otherwise be ignored and select the whole fleet, so each is an issue naming
 * the field and the valid keys. `undefined` is the empty selection (every cluster).
 */
export function parseSelection(value: unknown, at = "selection"): ClusterSelection {
    if (value === undefined) return {};
    const issues = Issues.root(at);
    if (!isPlainObject(value)) {
        issues.add(undefined, `must be an object with any of ${SELECTION_KEYS.join(", ")}, not ${kindOf(value)}.`, `write ${SELECTION_EXAMPLE}; leave the selection out to select every cluster.`);
        throw new FleetSelectionError(issues.list);
    }
    const out: ClusterSelection = {};
    for (const key of Object.keys(value)) {
        if (!(SELECTION_KEYS as readonly string[]).includes(key)) {
            issues.add(key, `${show(key)} is not a selection key.`, `use ${SELECTION_KEYS.join(", ")} (for example ${SELECTION_EXAMPLE}).`);
        }
    }
    const { names, labels, shard } = value;
    if (names !== undefined) {
        if (!Array.isArray(names)) {
            issues.add("names", `must be a list of cluster names, not ${kindOf(names)}.`, 'write "names": ["prod-eks"].');
        } else if (names.length === 0) {
            issues.add("names", "is an empty list, which would select nothing by name.", "name at least one cluster, or leave names out to select every cluster.");
        } else {
            names.forEach((n, i) => {
                if (typeof n !== "string" || n === "") issues.at("names").add(i, `must be a cluster name, not ${kindOf(n)}.`, "use the name of a cluster of the fleet.");
            });
            if (names.every((n) => typeof n === "string" && n !== "")) out.names = names as string[];
        }
    }
    if (labels !== undefined) {
        if (!isPlainObject(labels)) {
            issues.add("labels", `must be an object of label values, not ${kindOf(labels)}.`, 'write "labels": {"env": "prod"}.');
        } else if (Object.keys(labels).length === 0) {
            issues.add("labels", "is an empty object, which would select by no label at all.", "give at least one label, or leave labels out to select every cluster.");
        } else {
            for (const [k, v] of Object.entries(labels)) {
                if (typeof v !== "string") issues.at("labels").add(k, `must be a string label value, not ${kindOf(v)}.`, `write "${k}": "value" (label values are strings).`);
            }
            if (Object.values(labels).every((v) => typeof v === "string")) out.labels = labels as Record<string, string>;
        }
    }
    if (shard !== undefined) {
        if (!isPlainObject(shard)) {
            issues.add("shard", `must be an object {"index": i, "count": n}, not ${kindOf(shard)}.`, 'write "shard": {"index": 0, "count": 4} (index is 0-based).');
        } else {
            for (const key of Object.keys(shard)) {
                if (key !== "index" && key !== "count") issues.at("shard").add(key, `${show(key)} is not a shard key.`, "use index (0-based) and count.");
            }
            for (const key of ["index", "count"] as const) {
                if (typeof shard[key] !== "number") issues.at("shard").add(key, `must be a whole number, not ${kindOf(shard[key])}.`, 'write "shard": {"index": 0, "count": 4}.');
            }
            if (typeof shard.index === "number" && typeof shard.count === "number") out.shard = { index: shard.index, count: shard.count };
        }
    }
    if (issues.count > 0) throw new FleetSelectionError(issues.list);
    return out;
}

function labelText(labels: Readonly<Record<string, string>>): string {
    return Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/** The labels the fleet's clusters carry, `key=value` each, sorted; for messages. */
function fleetLabels(fleet: FleetSpec): string[] {
    const seen = new Set<string>();
    for (const c of fleet.clusters) for (const [k, v] of Object.entries(c.labels ?? {})) seen.add(`${k}=${v}`);
    return [...seen].sort();
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
 * The clusters of `fleet` that meet every criterion of `selection`, in fleet order. Fails closed: the
 * selection is checked as data first (parseSelection), unknown names and impossible shards throw a
 * FleetSelectionError listing what is valid, and so do names and labels that together match no cluster.
 * A shard may come out empty (the hash does not balance small fleets exactly): that is no error, since
 * the other shards hold the selected clusters.
 */
export function selectClusters(fleet: FleetSpec, selection: ClusterSelection = {}): FleetClusterSpec[] {
    const checked = parseSelection(selection as unknown);
    const issues = selectionIssues(fleet, checked);
    if (issues.length > 0) throw new FleetSelectionError(issues);
    const names = checked.names ? new Set(checked.names) : undefined;
    const labels = Object.entries(checked.labels ?? {});
    const matching = fleet.clusters.filter(
        (c) => (!names || names.has(c.name)) && labels.every(([k, v]) => c.labels !== undefined && Object.prototype.hasOwnProperty.call(c.labels, k) && c.labels[k] === v),
    );
    if (matching.length === 0) throw new FleetSelectionError([emptySelectionIssue(fleet, checked)], { matchesNothing: true });
    const { shard } = checked;
    return matching.filter((c) => !shard || shardOf(c.name, shard.count) === shard.index);
}

function emptySelectionIssue(fleet: FleetSpec, selection: ClusterSelection): ValidationIssue {
    if (fleet.clusters.length === 0) return { path: "clusters", message: "the fleet has no clusters, so the selection matches nothing.", fix: "add a cluster to the fleet." };
    // Names are known (checked before), so only labels can leave the selection empty.
    const labels = fleetLabels(fleet);
    const among = selection.names ? ` among ${selection.names.join(", ")}` : "";
    return {
        path: "selection.labels",
        message: `no cluster${among} carries the labels ${labelText(selection.labels ?? {})}: the selection matches nothing.`,
        fix: labels.length > 0 ? `select by labels the clusters carry (${listNames(labels)}), or by name.` : "the fleet's clusters carry no labels: select by name.",
    };
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
    // An empty selector (often an unset shell variable) would select every cluster: refuse it.
    if (text.trim() === "") throw new FleetSelectionError([{ path: "selector", message: "is empty.", fix: "give labels as key=value[,key=value], or leave --selector out to select every cluster." }]);
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
