/**
 * `--write <flux-repo-dir>`: each cluster's kustomization.yaml goes to
 * `clusters/<name>/flux-system/kustomization.yaml` of a Flux repository. Only that file is written;
 * gotk-components.yaml and gotk-sync.yaml, which `flux bootstrap` owns, are never touched.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface FluxRepoWrite {
    cluster: string;
    file: string;
}

/** The kustomization.yaml text of a run's outputs: a stack output or a rendered file. */
export function kustomizationOf(outputs: Readonly<Record<string, unknown>>): string | undefined {
    const v = outputs.kustomizationYaml ?? outputs["flux-system/kustomization.yaml"];
    return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Writes each cluster's kustomization.yaml into the Flux repository at `repoDir`; returns what it wrote. */
export function writeFluxRepo(repoDir: string, clusters: ReadonlyArray<{ cluster: string; outputs: Readonly<Record<string, unknown>> }>): FluxRepoWrite[] {
    const written: FluxRepoWrite[] = [];
    for (const c of clusters) {
        const text = kustomizationOf(c.outputs);
        if (text === undefined) continue;
        // Cluster names are DNS labels (validated), so they cannot climb out of clusters/.
        const dir = path.join(repoDir, "clusters", c.cluster, "flux-system");
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, "kustomization.yaml");
        writeFileSync(file, text);
        written.push({ cluster: c.cluster, file });
    }
    return written;
}
