/**
 * The root Pulumi project's stack config (namespace `flux-identity`), read so that it fails closed. Pure.
 *
 * One stack holds every selected cluster, so a selection that quietly came out empty (or wider) would
 * make `pulumi up` delete (or create) whole clusters' identities. Hence:
 * - `clusters` must be a non-empty list of names in the fleet, `selector` a non-empty object of label
 *   values; anything else is an error naming the key;
 * - a selection that matches no cluster is an error, not an empty program (whose `up` would delete every
 *   resource the stack holds: `pulumi destroy` is the way to empty a stack);
 * - a key of the namespace that is neither a setting nor read by a `${config:...}` reference of the fleet
 *   (`flux-identity:cluster` for `clusters`) is an error too, since nothing would read it.
 */

import { FluxIdentityValidationError, ValidationIssue } from "../../../provider/src/core/errors";
import { FleetSelectionError } from "../runner/errors";
import { selectClusters } from "../runner/selection";
import type { ClusterSelection } from "../runner/types";
import type { FleetClusterSpec, FleetSpec } from "../spec/fleet";
import { findFleetReferences } from "../spec/references";

export const CONFIG_NAMESPACE = "flux-identity";

/** The root project's own settings. */
export const ROOT_SETTINGS = ["fleetFile", "fleet", "clusters", "selector"] as const;

const SETTINGS_TEXT = ROOT_SETTINGS.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ");

/** Config keys of the namespace that nothing reads: not a setting, not a `${config:...}` reference of the fleet. */
export function unreadConfigIssues(configKeys: readonly string[], fleet: FleetSpec): ValidationIssue[] {
    const read = new Set<string>(ROOT_SETTINGS.map((k) => `${CONFIG_NAMESPACE}:${k}`));
    for (const ref of findFleetReferences(fleet)) {
        if (ref.source !== "config") continue;
        read.add(ref.name.includes(":") ? ref.name : `${CONFIG_NAMESPACE}:${ref.name}`);
    }
    return configKeys
        .filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`) && !read.has(k))
        .map((k) => ({
            path: k,
            message: "is neither a setting of this project nor read by a ${config:...} reference of the fleet, so nothing would read it.",
            fix: `use one of ${SETTINGS_TEXT} (or remove the key: pulumi config rm ${k}).`,
        }));
}

function parsed(raw: string, key: string, issues: ValidationIssue[]): unknown {
    try {
        return JSON.parse(raw) as unknown;
    } catch {
        issues.push({ path: key, message: `${JSON.stringify(raw)} is not a list or an object.`, fix: `set it as structured config, for example pulumi config set --path '${key}[0]' prod-eks.` });
        return undefined;
    }
}

/** The selection of `flux-identity:clusters` and `flux-identity:selector`, as Pulumi's config holds them (JSON text). */
export function rootSelection(raw: { clusters?: string; selector?: string }): ClusterSelection {
    const issues: ValidationIssue[] = [];
    const selection: ClusterSelection = {};
    const clustersKey = `${CONFIG_NAMESPACE}:clusters`;
    const selectorKey = `${CONFIG_NAMESPACE}:selector`;
    if (raw.clusters !== undefined) {
        const value = parsed(raw.clusters, clustersKey, issues);
        if (value !== undefined) {
            if (!Array.isArray(value) || value.length === 0 || !value.every((n) => typeof n === "string" && n !== "")) {
                issues.push({ path: clustersKey, message: `must be a non-empty list of cluster names, not ${raw.clusters}.`, fix: `list the clusters to provision, for example ["prod-eks"], or remove ${clustersKey} to provision every cluster.` });
            } else {
                selection.names = value as string[];
            }
        }
    }
    if (raw.selector !== undefined) {
        const value = parsed(raw.selector, selectorKey, issues);
        if (value !== undefined) {
            const ok = typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === "string");
            if (!ok) {
                issues.push({ path: selectorKey, message: `must be a non-empty object of label values, not ${raw.selector}.`, fix: `give labels, for example {"env": "prod"}, or remove ${selectorKey} to provision every cluster.` });
            } else {
                selection.labels = value as Record<string, string>;
            }
        }
    }
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
    return selection;
}

/** Throws when a key of the namespace is read by nothing; `fleet` as written (its references unresolved). */
export function checkRootConfig(configKeys: readonly string[], fleet: FleetSpec): void {
    const unread = unreadConfigIssues(configKeys, fleet);
    if (unread.length > 0) throw new FluxIdentityValidationError(unread);
}

/** The clusters the root project's stack provisions; throws when the selection is invalid or selects nothing. */
export function rootClusters(fleet: FleetSpec, raw: { clusters?: string; selector?: string }): FleetClusterSpec[] {
    try {
        return selectClusters(fleet, rootSelection(raw));
    } catch (err) {
        if (!(err instanceof FluxIdentityValidationError)) throw err;
        // Say it in the config's terms: selection.names[1] is flux-identity:clusters[1].
        const rename = (p: string) => p.replace(/^selection\.names/, `${CONFIG_NAMESPACE}:clusters`).replace(/^selection\.labels/, `${CONFIG_NAMESPACE}:selector`);
        const issues = err.issues.map((i) => ({ ...i, path: rename(i.path) }));
        if (err instanceof FleetSelectionError && err.matchesNothing) {
            issues.push({ path: `${CONFIG_NAMESPACE}:selector`, message: "an empty selection is refused: the stack's update would delete every resource it holds.", fix: "to remove every cluster's identities, run pulumi destroy on this stack." });
        }
        throw new FluxIdentityValidationError(issues);
    }
}
