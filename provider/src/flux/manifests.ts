/** Plain Kubernetes objects as data: what the renderers write as YAML and live mode applies. */

import { dump } from "js-yaml";

export interface KubernetesObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: KubernetesObjectMeta;
    [field: string]: unknown;
}

/** Labels on every object flux-identity writes outside the Flux install, so they can be found and pruned. */
export const MANAGED_BY_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/managed-by": "flux-identity" };

/** Stable YAML: keys in insertion order, no line folding (role ARNs stay on one line), two-space indents. */
export function toYaml(value: unknown): string {
    return dump(value, { indent: 2, lineWidth: -1, noRefs: true });
}

/** A multi-document manifest with a header comment; empty when there is nothing to write. */
export function renderManifestList(header: string, objects: readonly KubernetesObject[]): string {
    if (objects.length === 0) return "";
    return `# ${header}\n` + objects.map((o) => "---\n" + toYaml(o)).join("");
}
