/**
 * Options of live-cluster mode and their defaults, checked before anything is registered. Pure: no
 * Pulumi imports, so the checks run the same in tests, in programs and behind the component provider.
 */

import { checkBoolean } from "../core/checks";
import { Issues, show } from "../core/errors";

/** Field manager that owns what live mode applies, unless the caller names another. */
export const DEFAULT_FIELD_MANAGER = "flux-identity";

/** Suffix of the second field manager that owns the container args (see args.ts for why args are separate). */
export const ARGS_FIELD_MANAGER_SUFFIX = "-args";

/** Kubernetes refuses field manager names longer than this. */
const MAX_FIELD_MANAGER = 128;

/** The live-mode options with every default filled in. */
export interface LiveOptions {
    restartOnIdentityChange: boolean;
    fieldManager: string;
    applyTenantServiceAccounts: boolean;
    applyTenantRbac: boolean;
    detectFluxSystemKustomization: boolean;
}

/** The options as callers may give them (any language, so checked rather than trusted). */
export interface LiveOptionsInput {
    restartOnIdentityChange?: boolean;
    fieldManager?: string;
    applyTenantServiceAccounts?: boolean;
    applyTenantRbac?: boolean;
    detectFluxSystemKustomization?: boolean;
}

/** The options with defaults; problems are added to `issues`. */
export function liveOptions(input: LiveOptionsInput, issues: Issues): LiveOptions {
    const fieldManager = input.fieldManager ?? DEFAULT_FIELD_MANAGER;
    if (typeof fieldManager !== "string" || fieldManager.trim() === "" || fieldManager.length > MAX_FIELD_MANAGER - ARGS_FIELD_MANAGER_SUFFIX.length) {
        issues.add(
            "fieldManager",
            `${show(fieldManager)} is not a usable field manager name: it must be a non-empty string of at most ${MAX_FIELD_MANAGER - ARGS_FIELD_MANAGER_SUFFIX.length} characters (the args manager appends ${show(ARGS_FIELD_MANAGER_SUFFIX)}).`,
            `set fieldManager to a short name such as ${show(DEFAULT_FIELD_MANAGER)}, or omit it.`,
        );
    }
    return {
        restartOnIdentityChange: checkBoolean(input.restartOnIdentityChange, issues, "restartOnIdentityChange", true),
        fieldManager: typeof fieldManager === "string" ? fieldManager : DEFAULT_FIELD_MANAGER,
        applyTenantServiceAccounts: checkBoolean(input.applyTenantServiceAccounts, issues, "applyTenantServiceAccounts", true),
        applyTenantRbac: checkBoolean(input.applyTenantRbac, issues, "applyTenantRbac", true),
        detectFluxSystemKustomization: checkBoolean(input.detectFluxSystemKustomization, issues, "detectFluxSystemKustomization", true),
    };
}
