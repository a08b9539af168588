/**
 * A separate process that runs `pulumi up` on one cluster's stack with the real cluster program, and
 * keeps the update open (so the stack stays locked) until told to finish. The lock test's "other run".
 * The engine's environment is this process's.
 *
 * IPC: receives { request: HolderRequest }, reports { type: "holding" } once the engine runs, receives
 * { type: "release" }, reports { type: "done", error? } and exits.
 */

import * as automation from "@pulumi/pulumi/automation";
import type { ClusterSpec } from "../../provider/src/plan/cluster";
import { clusterProgram } from "../../sdk/src/runner/cluster-program";
import { LocalStackLocation, openLocalStack } from "../../sdk/src/runner/local-stack";

export interface HolderRequest {
    location: LocalStackLocation;
    cluster: ClusterSpec;
}

export type HolderMessage = { type: "holding" } | { type: "done"; error?: string };

let release: () => void = () => undefined;
const released = new Promise<void>((resolve) => (release = resolve));
const send = (m: HolderMessage) => new Promise<void>((resolve) => process.send?.(m, undefined, {}, () => resolve()));

async function hold(request: HolderRequest): Promise<void> {
    const program = async () => {
        const outputs = await clusterProgram(request.cluster)();
        await released;
        return outputs;
    };
    const stack = await openLocalStack(automation, request.location, program);
    let holding = false;
    await stack.up({
        onEvent: () => {
            if (!holding) {
                holding = true;
                void send({ type: "holding" });
            }
        },
    });
}

process.on("message", (m: { request?: HolderRequest; type?: string }) => {
    if (m.type === "release") return release();
    if (!m.request) return;
    hold(m.request).then(
        () => send({ type: "done" }).then(() => process.exit(0)),
        (err: unknown) => send({ type: "done", error: err instanceof Error ? err.message : String(err) }).then(() => process.exit(1)),
    );
});
