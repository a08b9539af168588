/**
 * A CPU profile of a piece of this process, summed by whose code the time was spent in: flux-identity's
 * own, the YAML library it renders with, the Pulumi SDK, the AWS SDK, Node.js, the garbage collector.
 * Used to say which part of a program's cost is ours and which is Pulumi's.
 */

import { Session } from "node:inspector";

export type CostPart = "flux-identity" | "yaml" | "pulumi-sdk" | "pulumi-aws" | "node" | "gc" | "other";

export const COST_PARTS: readonly CostPart[] = ["flux-identity", "yaml", "pulumi-sdk", "pulumi-aws", "node", "gc", "other"];

interface ProfileNode {
    id: number;
    callFrame: { url: string; functionName: string };
}

interface Profile {
    nodes: ProfileNode[];
    samples?: number[];
    timeDeltas?: number[];
}

/** Whose code a profile node's self time is spent in, from its script's location. */
export function costPart(url: string, functionName: string): CostPart {
    if (url.includes("/node_modules/js-yaml/")) return "yaml";
    if (url.includes("/node_modules/@pulumi/pulumi/")) return "pulumi-sdk";
    if (url.includes("/node_modules/@pulumi/aws/")) return "pulumi-aws";
    if (url.includes("/node_modules/")) return "other";
    if (/\/(provider|sdk)\/src\//.test(url)) return "flux-identity";
    if (url.startsWith("node:") || url === "") return functionName === "(garbage collector)" ? "gc" : "node";
    return "other";
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))));
}

/** Runs `body` under the CPU profiler; milliseconds of self time per part. */
export async function profileParts(body: () => Promise<void>): Promise<Record<CostPart, number>> {
    const session = new Session();
    session.connect();
    try {
        await post(session, "Profiler.enable");
        await post(session, "Profiler.setSamplingInterval", { interval: 200 });
        await post(session, "Profiler.start");
        await body();
        const { profile } = await post<{ profile: Profile }>(session, "Profiler.stop");
        const byId = new Map(profile.nodes.map((n) => [n.id, n]));
        const parts = Object.fromEntries(COST_PARTS.map((p) => [p, 0])) as Record<CostPart, number>;
        const samples = profile.samples ?? [];
        const deltas = profile.timeDeltas ?? [];
        for (let i = 0; i < samples.length; i++) {
            const node = byId.get(samples[i]);
            if (!node || node.callFrame.functionName === "(idle)") continue;
            parts[costPart(node.callFrame.url, node.callFrame.functionName)] += (deltas[i] ?? 0) / 1000;
        }
        return parts;
    } finally {
        session.disconnect();
    }
}
