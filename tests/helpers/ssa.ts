/**
 * A small model of how Server-Side Apply merges an applied configuration into a live Deployment, for the
 * fields live mode sets: maps merge key by key; associative lists merge entry by entry under their key
 * (PodSpec.containers and Container.env by name, PodSpec.volumes by name, Container.volumeMounts by
 * mountPath, as k8s.io/api core/v1 marks them), existing entries keeping their place and new ones
 * appended; every other list (Container.args) is atomic and replaced whole. Enough to predict what a
 * DeploymentPatch leaves in the cluster without one.
 */

const LIST_MAP_KEYS: Readonly<Record<string, string>> = { containers: "name", initContainers: "name", env: "name", volumes: "name", volumeMounts: "mountPath" };

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function serverSideMerge(live: unknown, applied: unknown, field = ""): unknown {
    if (isObject(live) && isObject(applied)) {
        const out: Record<string, unknown> = { ...live };
        for (const [k, v] of Object.entries(applied)) out[k] = k in live ? serverSideMerge(live[k], v, k) : clone(v);
        return out;
    }
    const key = LIST_MAP_KEYS[field];
    if (key && Array.isArray(live) && Array.isArray(applied)) {
        const out = live.map(clone);
        for (const entry of applied as Array<Record<string, unknown>>) {
            const at = out.findIndex((e) => isObject(e) && e[key] === entry[key]);
            if (at >= 0) out[at] = serverSideMerge(out[at], entry);
            else out.push(clone(entry));
        }
        return out;
    }
    return clone(applied);
}

function clone<T>(v: T): T {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
