/** Transit keys as grants: validated entries and the exact `<mount>/decrypt/<key>` paths they allow. */

import { Cloud, FluxKind } from "../core/catalog";
import { checkKnownFields, checkMap, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { resolveUsedBy } from "../core/used-by";

export { grantKinds } from "../core/used-by";

export const DEFAULT_TRANSIT_MOUNT = "transit";
/** Vault mount paths: segments of letters, digits, '_', '-', '.', no leading or trailing '/'. */
export const VAULT_PATH = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const KEY_NAME = /^[A-Za-z0-9_.-]+$/;

export interface VaultGrant {
    readonly service: "transit";
    readonly kinds: readonly FluxKind[];
    readonly mount: string;
    readonly keys: readonly string[];
    /** `<mount>/decrypt/<key>`. */
    readonly resources: readonly string[];
    readonly path: string;
}

export function resolveAccess(access: unknown, issues: Issues): VaultGrant[] {
    if (access === undefined) return [];
    if (!isRecord(access)) {
        issues.add(undefined, `expected a map with transit, got ${show(access)}.`, "list the transit keys under transit.");
        return [];
    }
    checkKnownFields(access, ["transit"], issues);
    if (access.transit === undefined) return [];
    if (!Array.isArray(access.transit) || access.transit.length === 0) {
        issues.add("transit", `expected a non-empty list of transit entries, got ${show(access.transit)}.`, "list entries such as {keys: [sops]}.");
        return [];
    }
    const out: VaultGrant[] = [];
    access.transit.forEach((raw, i) => {
        const g = resolveEntry(raw, issues.at("transit").at(i));
        if (g) out.push(g);
    });
    return out;
}

function resolveEntry(value: unknown, issues: Issues): VaultGrant | undefined {
    const entry = checkMap(value, issues, "transit entry");
    if (!entry) return undefined;
    checkKnownFields(entry, ["keys", "mount", "usedBy"], issues);
    const before = issues.count;
    const kinds = resolveUsedBy(Cloud.Vault, "transit", entry.usedBy, issues);
    let mount = DEFAULT_TRANSIT_MOUNT;
    if (entry.mount !== undefined) {
        if (typeof entry.mount !== "string" || !VAULT_PATH.test(entry.mount)) {
            issues.add("mount", `${show(entry.mount)} is not a Vault mount path.`, "give the transit engine's path without leading or trailing '/', such as transit.");
        } else {
            mount = entry.mount;
        }
    }
    const keys: string[] = [];
    if (!Array.isArray(entry.keys) || entry.keys.length === 0) {
        issues.add("keys", `expected a non-empty list of transit key names, got ${show(entry.keys)}.`, "list the key names SOPS encrypts with, such as [sops]; flux-identity never grants a whole transit engine.");
    } else {
        entry.keys.forEach((k, j) => {
            if (typeof k !== "string" || !KEY_NAME.test(k)) {
                issues.at("keys").add(j, `${show(k)} is not a transit key name${typeof k === "string" && k.includes("/") ? " (give the name alone, not a path or URL)" : ""}.`, "use the last segment of --hc-vault-transit <address>/v1/<mount>/keys/<name>, such as sops.");
            } else if (!keys.includes(k)) {
                keys.push(k);
            }
        });
    }
    if (issues.count > before || !kinds) return undefined;
    keys.sort();
    return { service: "transit", kinds, mount, keys, resources: keys.map((k) => `${mount}/decrypt/${k}`), path: issues.path() };
}
