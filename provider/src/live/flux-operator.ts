/**
 * Live mode on a cluster whose Flux the Flux Operator installed. The operator builds the controllers from
 * its FluxInstance and re-applies them on every reconciliation, so direct edits of its Deployments are
 * reverted (the args list, an atomic list under server-side apply, first of all). Live mode therefore
 * refuses such a cluster, naming the FluxInstance, rather than fight the operator; the fix is to carry the
 * same settings in the FluxInstance (`flux-operator/flux-instance.yaml`, the `fluxInstanceYaml` output).
 *
 * Patching the FluxInstance instead was weighed and left out: FluxInstances are themselves kept in Git or
 * Terraform, which would take the change back; `spec.kustomize.patches` is one atomic list under
 * server-side apply, so applying ours would replace the user's patches; and the cluster settings are
 * shared with the user's own multi-tenancy choices. Pure.
 */

import { FluxIdentityValidationError, ValidationIssue } from "../core/errors";

/** Labels the Flux Operator puts on every object a FluxInstance applies (flux-operator `getFluxReconciler`). */
export const FLUX_OPERATOR_MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const FLUX_OPERATOR_MANAGED_BY = "flux-operator";
export const FLUX_OPERATOR_NAME_LABEL = "fluxcd.controlplane.io/name";
export const FLUX_OPERATOR_NAMESPACE_LABEL = "fluxcd.controlplane.io/namespace";

/** The FluxInstance that manages an object with these labels, or undefined. */
export function fluxOperatorOwner(labels: Readonly<Record<string, string>> | undefined, namespace: string): { name: string; namespace: string } | undefined {
    if (!labels) return undefined;
    const name = labels[FLUX_OPERATOR_NAME_LABEL];
    if (labels[FLUX_OPERATOR_MANAGED_BY_LABEL] !== FLUX_OPERATOR_MANAGED_BY && !name) return undefined;
    return { name: name || "flux", namespace: labels[FLUX_OPERATOR_NAMESPACE_LABEL] || namespace };
}

export interface ReadDeployment {
    controller: string;
    namespace: string;
    labels: Readonly<Record<string, string>>;
}

/** Throws a validation error naming every controller Deployment a FluxInstance manages; returns otherwise. */
export function refuseOperatorManaged(read: readonly ReadDeployment[]): void {
    const issues: ValidationIssue[] = [];
    for (const d of read) {
        const owner = fluxOperatorOwner(d.labels, d.namespace);
        if (!owner) continue;
        issues.push({
            path: `Deployment ${d.namespace}/${d.controller}`,
            message:
                `is managed by the Flux Operator (FluxInstance ${owner.namespace}/${owner.name}), which re-applies it on every reconciliation and reverts direct edits; ` +
                "live mode applies nothing to such a cluster.",
            fix: `carry the same settings in FluxInstance ${owner.namespace}/${owner.name}: merge the rendered flux-operator/flux-instance.yaml (the fluxInstanceYaml output) into it, and turn liveCluster off.`,
        });
    }
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
}

/**
 * A warning when a controller's Deployment says it runs another Flux minor than the patch set was made
 * for (`app.kubernetes.io/version`, which every Flux install sets): the feature gate and the token RBAC
 * depend on it.
 */
export function fluxVersionMismatch(d: ReadDeployment, wanted: string): string | undefined {
    const running = d.labels["app.kubernetes.io/version"];
    const m = running ? /^v?(\d+)\.(\d+)/.exec(running) : null;
    if (!m) return undefined;
    const minor = `${Number(m[1])}.${Number(m[2])}`;
    if (minor === wanted) return undefined;
    return (
        `${d.controller}: Deployment ${d.namespace}/${d.controller} runs Flux ${running}, but the patch set was made for Flux ${wanted}; ` +
        `what Flux ${minor} needs (the object-level feature gate, the token RBAC) may differ. Set the Flux version to ${minor}, or upgrade Flux first.`
    );
}
