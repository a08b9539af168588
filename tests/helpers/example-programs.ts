/**
 * The example Pulumi programs under examples/, run compiled under Pulumi's mock runtime with a stack
 * config, and the cluster spec each one gives its component: what `flux-identity render` would write for
 * the program, so its render can be judged like any other.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterSpec } from "../../provider/src/plan/cluster";
import { FluxWorkloadIdentityArgs, clusterSpecFromArgs } from "../../provider/src/workload-identity/component";
import { RecordingMocks, settle, useMocks, valueOf } from "./mocks";
import { fromRoot } from "./paths";

export type Outputs = Record<string, pulumi.Output<unknown> | undefined>;

export const EXAMPLE_ACCOUNT = "123456789012";
export const EXAMPLE_SUBSCRIPTION = "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090";
export const EXAMPLE_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** Sets the example's stack config (keys in its project's namespace) and installs fresh mocks. */
export async function setUpExample(dir: string, config: Record<string, string>): Promise<RecordingMocks> {
    const project = `flux-identity-${dir}`;
    const mocks = await useMocks(EXAMPLE_ACCOUNT, "aws", project);
    mocks.azureSubscription = EXAMPLE_SUBSCRIPTION;
    mocks.azureTenant = EXAMPLE_TENANT;
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${project}:${k}`, v])));
    return mocks;
}

/** Runs the compiled program afresh (a program required before would otherwise not run again). */
export function runExample(dir: string): Outputs {
    const file = fromRoot("dist", "examples", dir, "index.js");
    delete require.cache[require.resolve(file)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as Outputs;
}

type Constructor = new (name: string, args: unknown, opts?: unknown) => object;

/**
 * While `run` executes, the component `exportName` of the compiled module `modulePath` (as the examples
 * import it) records the arguments of every instance it constructs.
 */
async function recordingArgs(modulePath: string, exportName: string, run: () => Promise<void>): Promise<unknown[]> {
    const file = require.resolve(fromRoot("dist", modulePath));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const real = require(file) as Record<string, unknown>;
    const Real = real[exportName] as Constructor;
    const captured: unknown[] = [];
    class Recording extends Real {
        constructor(name: string, args: unknown, opts?: unknown) {
            super(name, args, opts);
            captured.push(args);
        }
    }
    const entry = require.cache[file];
    if (!entry) throw new Error(`${file} is not loaded`);
    const original = entry.exports as unknown;
    entry.exports = { ...real, [exportName]: Recording };
    try {
        await run();
    } finally {
        entry.exports = original;
    }
    return captured;
}

/** Replaces every output in a value by what it resolves to. */
async function resolved(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) return resolved(await valueOf(value as pulumi.Output<unknown>));
    if (Array.isArray(value)) return Promise.all(value.map(resolved));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await resolved(v);
        return out;
    }
    return value;
}

/**
 * The cluster specs an example program's components are given, with every output resolved: the
 * FluxWorkloadIdentity's (or, for the per-cloud example, the AwsFluxIdentity's, as a one-target cluster).
 */
export async function exampleClusterSpecs(dir: string, config: Record<string, string>): Promise<ClusterSpec[]> {
    await setUpExample(dir, config);
    const perCloud = dir === "eks-aws";
    const args = await recordingArgs(perCloud ? "provider/src/aws/index.js" : "provider/src/workload-identity/index.js", perCloud ? "AwsFluxIdentity" : "FluxWorkloadIdentity", async () => {
        runExample(dir);
        await settle();
    });
    const specs: ClusterSpec[] = [];
    for (const a of args) {
        const r = (await resolved(a)) as Record<string, unknown>;
        if (perCloud) {
            const { cluster, fluxNamespace, ...aws } = r as { cluster: FluxWorkloadIdentityArgs["cluster"]; fluxNamespace?: string } & Record<string, unknown>;
            specs.push(clusterSpecFromArgs({ cluster, fluxNamespace, aws: aws as unknown as FluxWorkloadIdentityArgs["aws"] }));
        } else {
            specs.push(clusterSpecFromArgs(r as unknown as FluxWorkloadIdentityArgs));
        }
    }
    return specs;
}
