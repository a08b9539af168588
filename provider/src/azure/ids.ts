/** Azure identifiers: GUIDs, resource group and region names, and deterministic GUIDs for resource names. */

import { createHash } from "node:crypto";
import { Issues, show } from "../core/errors";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/u;
const LOCATION = /^[a-z][a-z0-9]{1,39}$/;

export function isGuid(value: unknown): value is string {
    return typeof value === "string" && GUID.test(value);
}

export function checkGuid(value: unknown, issues: Issues, field: string, what: string): value is string {
    if (!isGuid(value)) {
        issues.add(field, `expected the ${what} as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got ${show(value)}.`, `copy the ${what} from the Azure portal or \`az account show\`.`);
        return false;
    }
    return true;
}

export function checkResourceGroupName(value: unknown, issues: Issues, field: string): value is string {
    if (typeof value !== "string" || !RESOURCE_GROUP.test(value)) {
        issues.add(field, `${show(value)} is not a valid resource group name.`, "use 1 to 90 letters, digits, '.', '_', '-', '(' and ')', not ending with '.'.");
        return false;
    }
    return true;
}

export function checkLocation(value: unknown, issues: Issues, field: string): value is string {
    if (typeof value !== "string" || !LOCATION.test(value)) {
        issues.add(field, `${show(value)} is not an Azure region name.`, "use the programmatic name, such as eastus or westeurope (`az account list-locations -o table`).");
        return false;
    }
    return true;
}

/**
 * A name-based GUID (RFC 4122 version 5 layout over SHA-256): the same seed always gives the same GUID,
 * so role assignments keep their names across runs and are never duplicated.
 */
export function deterministicGuid(seed: string): string {
    const bytes = createHash("sha256").update(seed).digest().subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
