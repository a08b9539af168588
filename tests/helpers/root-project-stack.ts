/**
 * Runs one operation of the root Pulumi project (index.ts, compiled to dist/index.js) on the real engine,
 * in a process of its own, and prints the result as one JSON line.
 *
 * The project's program runs inline, through the Automation API: the Node.js language host that `pulumi up`
 * would start for `runtime: nodejs` (pulumi-language-nodejs) is a Go module of its own, and the Go module
 * proxy answers "403 Forbidden: This module version is not available" for it, so it cannot be built here.
 * Inline, the program is the same module, with the stack's config, run by the same engine.
 *
 * Usage: node root-project-stack.js '<RootProjectRequest as JSON>'
 */

import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import { LocalStackLocation, openLocalStack } from "../../sdk/src/runner/local-stack";

export interface RootProjectRequest {
    operation: "up" | "destroy";
    /** The stack; its project is the root project, `flux-identity`. The engine's environment is this process's. */
    location: LocalStackLocation;
    /** Stack config, `flux-identity:fleetFile` and friends. */
    config: Record<string, string>;
}

export interface RootProjectResult {
    changes: Record<string, number>;
    outputs: Record<string, unknown>;
}

const ROOT_PROGRAM = path.resolve(__dirname, "..", "..", "index.js");

async function main(request: RootProjectRequest): Promise<RootProjectResult> {
    // The module's top-level code is the program; its exports are the stack outputs.
    const program = async () => ({ ...(require(ROOT_PROGRAM) as Record<string, unknown>) });
    const stack = await openLocalStack(automation, request.location, program);
    await stack.setAllConfig(Object.fromEntries(Object.entries(request.config).map(([k, v]) => [k, { value: v }])));
    if (request.operation === "destroy") {
        const r = await stack.destroy();
        return { changes: (r.summary.resourceChanges ?? {}) as Record<string, number>, outputs: {} };
    }
    const r = await stack.up();
    return {
        changes: (r.summary.resourceChanges ?? {}) as Record<string, number>,
        outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value as unknown])),
    };
}

main(JSON.parse(process.argv[2]) as RootProjectRequest).then(
    (result) => {
        process.stdout.write(JSON.stringify(result) + "\n");
        process.exit(0);
    },
    (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    },
);
