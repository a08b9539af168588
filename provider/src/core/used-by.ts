/** The `usedBy` field of an access entry: which Flux kinds use an integration, checked against the catalog. */

import { Cloud, FLUX_KINDS, FluxController, FluxKind, KIND_CONTROLLER, controllersForKinds, findIntegration, isFluxKind } from "./catalog";
import { Issues, show } from "./errors";

/** The kinds listed (in catalog order), the integration's defaults when absent, undefined on error. */
export function resolveUsedBy(cloud: Cloud, integrationId: string, value: unknown, issues: Issues): FluxKind[] | undefined {
    const integration = findIntegration(cloud, integrationId);
    if (!integration) {
        throw new Error(`catalog has no ${cloud} integration ${integrationId}`);
    }
    if (value === undefined) {
        return [...integration.defaultKinds];
    }
    if (!Array.isArray(value) || value.length === 0) {
        issues.add("usedBy", `expected a non-empty list of Flux kinds, got ${show(value)}.`, `list some of ${integration.kinds.join(", ")}, or omit usedBy for ${integration.defaultKinds.join(", ")}.`);
        return undefined;
    }
    const kinds: FluxKind[] = [];
    value.forEach((k, i) => {
        if (!isFluxKind(k)) {
            issues.at("usedBy").add(i, `unknown Flux kind ${show(k)}.`, `use one of ${integration.kinds.join(", ")}.`);
        } else if (!integration.kinds.includes(k)) {
            issues.at("usedBy").add(i, `${k} does not use ${integration.service}.`, `use one of ${integration.kinds.join(", ")}.`);
        } else if (!kinds.includes(k)) {
            kinds.push(k);
        }
    });
    // Catalog order, so the user's listing order never changes the output.
    return kinds.length > 0 ? FLUX_KINDS.filter((k) => kinds.includes(k)) : undefined;
}

/** A tenant's own `usedBy` (with a brought identity): any Flux kinds, so their controllers get the feature gate. */
export function resolveTenantKinds(value: unknown, issues: Issues, identity: string): FluxKind[] {
    if (!Array.isArray(value) || value.length === 0) {
        issues.add("usedBy", `a tenant with ${identity} needs usedBy, the Flux kinds its objects use, got ${show(value)}.`, "list kinds such as OCIRepository or Kustomization, so their controllers get the object-level feature gate.");
        return [];
    }
    const kinds: FluxKind[] = [];
    value.forEach((k, j) => {
        if (!isFluxKind(k)) issues.at("usedBy").add(j, `unknown Flux kind ${show(k)}.`, `use one of ${FLUX_KINDS.join(", ")}.`);
        else if (!kinds.includes(k)) kinds.push(k);
    });
    return FLUX_KINDS.filter((k) => kinds.includes(k));
}

/** Anything granted to some Flux kinds. */
export interface KindScoped {
    readonly kinds: readonly FluxKind[];
}

/** Every kind the grants serve, in catalog order. */
export function grantKinds(grants: readonly KindScoped[]): FluxKind[] {
    const kinds = new Set<FluxKind>();
    for (const g of grants) for (const k of g.kinds) kinds.add(k);
    return FLUX_KINDS.filter((k) => kinds.has(k));
}

/** The grants narrowed to the kinds the given controllers reconcile; grants left with no kind are dropped. */
export function scopeGrants<T extends KindScoped>(grants: readonly T[], controllers: ReadonlySet<FluxController>): T[] {
    const out: T[] = [];
    for (const g of grants) {
        const kinds = g.kinds.filter((k) => controllers.has(KIND_CONTROLLER[k]));
        if (kinds.length > 0) out.push({ ...g, kinds });
    }
    return out;
}

/**
 * The controllers the grants serve that flux-identity creates an identity for: those without a brought
 * one. A controller both brought (under `field`) and granted is an issue, since flux-identity never
 * changes the permissions of identities it does not own.
 */
export function controllersToCreate(grants: readonly (KindScoped & { readonly path: string })[], brought: ReadonlyMap<FluxController, unknown>, at: Issues, field: string, noun: string, nouns: string): FluxController[] {
    const served = controllersForKinds(grantKinds(grants));
    for (const c of served) {
        if (!brought.has(c)) continue;
        const grant = grants.find((g) => g.kinds.some((k) => KIND_CONTROLLER[k] === c));
        at.at(field).add(
            c,
            `${c} uses an existing ${noun}, but ${grant?.path ?? "controllers"} also grants it access; flux-identity does not change the permissions of ${nouns} it does not own.`,
            `grant the existing ${noun} that access yourself and remove the grant, or remove ${field}.${c}.`,
        );
    }
    return served.filter((c) => !brought.has(c));
}
