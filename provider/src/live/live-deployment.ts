/** What live mode needs from a controller's Deployment as read from the cluster. Pure. */

import { isRecord } from "../core/checks";
import { FLUX_CONTAINER } from "./objects";

export interface LiveDeploymentFacts {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** The args the `manager` container runs with now. */
    args: string[];
}

function stringRecord(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
    return out;
}

/** Labels, annotations and the `manager` container's args of a read Deployment; throws when it has no such container. */
export function liveDeploymentFacts(namespace: string, controller: string, metadata: unknown, spec: unknown): LiveDeploymentFacts {
    const meta = isRecord(metadata) ? metadata : {};
    const template = isRecord(spec) && isRecord(spec.template) ? spec.template : {};
    const containers = isRecord(template.spec) && Array.isArray(template.spec.containers) ? template.spec.containers : [];
    const manager = containers.find((c): c is Record<string, unknown> => isRecord(c) && c.name === FLUX_CONTAINER);
    if (!manager) {
        throw new Error(
            `flux-identity: Deployment ${namespace}/${controller} has no container named ${FLUX_CONTAINER}; is Flux installed in ${namespace}, and is this its ${controller}?`,
        );
    }
    return {
        labels: stringRecord(meta.labels),
        annotations: stringRecord(meta.annotations),
        args: Array.isArray(manager.args) ? manager.args.filter((a): a is string => typeof a === "string") : [],
    };
}
