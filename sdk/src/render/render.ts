/**
 * Offline rendering of a fleet: no credentials, no Pulumi engine. Every cluster is planned (and so
 * validated) before a single file is written.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { FluxIdentityValidationError, ValidationIssue } from "../../../provider/src/core/errors";
import { ClusterPlan, ClusterSpec, clusterPlanDocument, planCluster, planJson } from "../../../provider/src/plan/cluster";
import { FleetSpec } from "../spec/fleet";
import { unresolvedReferenceIssues } from "../spec/references";

export interface RenderedCluster {
    name: string;
    plan: ClusterPlan;
    /** Files relative to the cluster's output folder, with their contents. */
    files: Record<string, string>;
}

/** Plans one cluster and renders its files; `fieldPath` prefixes its validation issues (`clusters[3]`). */
export function renderCluster(spec: ClusterSpec, fieldPath = ""): RenderedCluster {
    const plan = planCluster(spec, fieldPath);
    const files: Record<string, string> = {
        "flux-system/kustomization.yaml": plan.kustomizationYaml,
        "plan.json": planJson(clusterPlanDocument(plan)),
    };
    if (plan.tenantServiceAccountsYaml) files["tenants/service-accounts.yaml"] = plan.tenantServiceAccountsYaml;
    if (plan.tenantRbacYaml) files["tenants/rbac.yaml"] = plan.tenantRbacYaml;
    if (plan.fluxObjectsYaml) files["flux-objects.yaml"] = plan.fluxObjectsYaml;
    // The remote clusters' side (kubeConfig provider: generic), for their owners to apply there.
    if (plan.kubernetes?.authenticationConfigurationYaml) files["remote-clusters/authentication-configuration.yaml"] = plan.kubernetes.authenticationConfigurationYaml;
    if (plan.kubernetes?.remoteClusterRbacYaml) files["remote-clusters/rbac.yaml"] = plan.kubernetes.remoteClusterRbacYaml;
    return { name: plan.name, plan, files };
}

/**
 * Plans every cluster; throws one FluxIdentityValidationError listing every cluster's problems. The
 * fleet's references must be resolved (resolveFleetReferences): a cluster still holding one is reported.
 */
export function renderFleet(fleet: FleetSpec): RenderedCluster[] {
    const issues: ValidationIssue[] = unresolvedReferenceIssues(fleet);
    const withReferences = new Set(issues.map((i) => /^clusters\[(\d+)\]/.exec(i.path)?.[1]));
    const out: RenderedCluster[] = [];
    fleet.clusters.forEach((spec, i) => {
        if (withReferences.has(String(i))) return;
        try {
            out.push(renderCluster(spec, `clusters[${i}]`));
        } catch (err) {
            if (!(err instanceof FluxIdentityValidationError)) throw err;
            issues.push(...err.issues);
        }
    });
    if (issues.length > 0) throw new FluxIdentityValidationError(issues);
    return out;
}

/**
 * Writes `<outDir>/<cluster>/...`; returns the paths written. Synchronous on purpose: thousands of small
 * files go out an order of magnitude faster than with awaited writes.
 */
export function writeRendered(rendered: readonly RenderedCluster[], outDir: string): string[] {
    const written: string[] = [];
    const made = new Set<string>();
    for (const cluster of rendered) {
        for (const [rel, text] of Object.entries(cluster.files)) {
            const file = path.join(outDir, cluster.name, rel);
            const dir = path.dirname(file);
            if (!made.has(dir)) {
                mkdirSync(dir, { recursive: true });
                made.add(dir);
            }
            writeFileSync(file, text);
            written.push(file);
        }
    }
    return written;
}
