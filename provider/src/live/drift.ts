/**
 * Drift between live mode and Flux itself: when a Flux Kustomization (normally flux-system) applies the
 * controllers from gotk-components.yaml, kustomize-controller re-applies them on every reconciliation
 * with forced field ownership, taking back every field it also sets. Kustomize-controller marks what it
 * applies with two labels; their presence on a controller's Deployment is what is detected here.
 */

/** Labels kustomize-controller puts on every object a Flux Kustomization applies. */
export const FLUX_KUSTOMIZATION_NAME_LABEL = "kustomize.toolkit.fluxcd.io/name";
export const FLUX_KUSTOMIZATION_NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace";

export interface DriftCheck {
    controller: string;
    /** Namespace of the controller's Deployment. */
    namespace: string;
    /** Labels of the live Deployment. */
    labels: Readonly<Record<string, string>> | undefined;
    /** Whether live mode applies container args to this controller (an atomic list Flux also sets). */
    appliesArgs: boolean;
}

/** The warning for a controller whose Deployment a Flux Kustomization manages; undefined otherwise. */
export function fluxKustomizationWarning(check: DriftCheck): string | undefined {
    const name = check.labels?.[FLUX_KUSTOMIZATION_NAME_LABEL];
    if (name === undefined || name === "") return undefined;
    const namespace = check.labels?.[FLUX_KUSTOMIZATION_NAMESPACE_LABEL] || check.namespace;
    const head =
        `${check.controller}: Deployment ${check.namespace}/${check.controller} is applied by the Flux Kustomization ${namespace}/${name}, ` +
        "which re-applies it with forced field ownership on every reconciliation and takes back every field it also sets.";
    const effect = check.appliesArgs
        ? " Container args are one atomic list under server-side apply, so each reconciliation removes the flags flux-identity added (the object-level feature gate) and the next update puts them back, restarting the controller both times."
        : " Today it sets none of the fields flux-identity applies here (ServiceAccount annotations, env vars, volumes, labels are keyed per entry and stay), but a patch of the same fields in that Kustomization, or a Flux version that sets them, wins.";
    return `${head}${effect} Recommended: commit the kustomization.yaml this patch set renders (GitOps mode) next to gotk-components.yaml instead of applying it live.`;
}
