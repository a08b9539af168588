/** The `render --json` summary's resource counts: what `up` would create, per cloud (and Vault). */

import { clusterPlanDocument } from "../../../provider/src/plan/cluster";
import type { RenderedCluster } from "../render/render";

export interface ResourceCounts {
    aws: number;
    azure: number;
    gcp: number;
    kubernetes: number;
    vault: number;
}

const CLOUD_OF_PACKAGE: Readonly<Record<string, keyof ResourceCounts>> = { aws: "aws", "azure-native": "azure", gcp: "gcp", kubernetes: "kubernetes", vault: "vault" };

/** Planned resources per cloud: every resource `up` would create, by the package of its type. */
export function resourceCounts(rendered: RenderedCluster): ResourceCounts {
    const doc = clusterPlanDocument(rendered.plan);
    const all = [...(doc.aws?.resources ?? []), ...(doc.azure?.resources ?? []), ...(doc.gcp?.resources ?? []), ...(doc.vault?.resources ?? [])];
    const counts: ResourceCounts = { aws: 0, azure: 0, gcp: 0, kubernetes: 0, vault: 0 };
    for (const r of all) {
        const cloud = CLOUD_OF_PACKAGE[r.type.split(":")[0]];
        if (cloud) counts[cloud]++;
    }
    return counts;
}
