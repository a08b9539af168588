/**
 * Offline rendering of a fleet: no credentials, no Pulumi engine. Every cluster is planned (and so
 * validated) before a single file is written.
 */

import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { FluxIdentityValidationError, ValidationIssue } from "../../../provider/src/core/errors";
import { ClusterPlan, ClusterSpec, clusterPlanDocument, planCluster, planJson } from "../../../provider/src/plan/cluster";
import { FleetSpec } from "../spec/fleet";
import { unresolvedReferenceIssues } from "../spec/references";
import { clusterDiagram } from "./diagram";
import { importFileJson } from "./import-file";
import { FileChange, applyOwnedWrite, planOwnedWrite, readOwnedManifest, removeEmptyFolders } from "./owned-files";

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
    files["diagram.md"] = clusterDiagram(plan);
    files["import.json"] = importFileJson(plan);
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

/** The manifest of each cluster's output folder: what flux-identity wrote there. */
export const RENDER_MANIFEST = "manifest.json";

export interface RenderWriteReport {
    /** Every file of every cluster, with what happened to it, as paths under the output folder. */
    changes: Array<FileChange & { cluster: string; file: string }>;
    /** Cluster folders removed because their clusters are no longer in the spec. */
    removedClusters: string[];
    /** Folders left alone, and why. */
    notes: string[];
}

/**
 * Writes `<outDir>/<cluster>/...` and a manifest per cluster, and removes what earlier renders wrote
 * that this one does not: files a cluster no longer has, and the folders of clusters no longer in the
 * spec. Only files a manifest lists are removed, and only when unchanged since written. Synchronous on
 * purpose: thousands of small files go out an order of magnitude faster than with awaited writes.
 */
export function writeRenderOutput(rendered: readonly RenderedCluster[], outDir: string): RenderWriteReport {
    const report: RenderWriteReport = { changes: [], removedClusters: [], notes: [] };
    const record = (cluster: string, changes: readonly FileChange[]) => {
        for (const c of changes) report.changes.push({ ...c, cluster, file: path.join(outDir, cluster, c.path) });
    };
    for (const cluster of rendered) {
        const plan = planOwnedWrite({ root: path.join(outDir, cluster.name), manifest: RENDER_MANIFEST, cluster: cluster.name, files: cluster.files });
        applyOwnedWrite(plan);
        record(cluster.name, plan.changes);
    }
    const current = new Set(rendered.map((c) => c.name));
    for (const entry of existsSync(outDir) ? readdirSync(outDir, { withFileTypes: true }) : []) {
        if (!entry.isDirectory() || current.has(entry.name)) continue;
        const folder = path.join(outDir, entry.name);
        const manifest = readOwnedManifest(path.join(folder, RENDER_MANIFEST));
        if (!manifest || manifest.cluster !== entry.name) {
            if (existsSync(path.join(folder, "plan.json"))) report.notes.push(`${folder} looks like an earlier render but has no ${RENDER_MANIFEST}; left alone (delete it by hand if its cluster is gone).`);
            continue;
        }
        const plan = planOwnedWrite({ root: folder, manifest: RENDER_MANIFEST, cluster: entry.name, files: {} });
        applyOwnedWrite(plan);
        removeEmptyFolders(outDir, folder);
        record(entry.name, plan.changes);
        if (!existsSync(folder)) report.removedClusters.push(entry.name);
        else report.notes.push(`${folder}: cluster ${entry.name} is no longer in the spec; its files were removed, others in the folder were kept.`);
    }
    return report;
}

/** Writes the render output (see {@link writeRenderOutput}); returns the paths of the files written. */
export function writeRendered(rendered: readonly RenderedCluster[], outDir: string): string[] {
    return writeRenderOutput(rendered, outDir)
        .changes.filter((c) => c.action === "created" || c.action === "updated" || c.action === "unchanged")
        .map((c) => c.file);
}
