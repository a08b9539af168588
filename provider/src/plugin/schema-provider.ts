/**
 * The provider behind the plugin executable: it serves the committed schema (provider/schema.json) and
 * constructs the components it lists. Unlike componentProviderHost, it infers nothing at start-up, so it
 * needs neither the TypeScript sources nor the TypeScript compiler, only the compiled components.
 */

import type * as pulumi from "@pulumi/pulumi";
import type { ConstructResult, Provider } from "@pulumi/pulumi/provider";

/** The parts of a Pulumi package schema this provider reads. */
export interface ServedSchema {
    name: string;
    version: string;
    resources: Record<string, { isComponent?: boolean; properties?: Record<string, unknown> }>;
}

export type ComponentClass = new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

export class SchemaComponentProvider implements Provider {
    readonly version: string;
    private readonly served: ServedSchema;
    private readonly classes: Map<string, ComponentClass>;

    /** `schemaText` is served as is; every component resource it lists must have a class in `components`. */
    constructor(
        private readonly schemaText: string,
        components: readonly ComponentClass[],
    ) {
        this.served = JSON.parse(schemaText) as ServedSchema;
        this.version = this.served.version;
        this.classes = new Map(components.map((c) => [`${this.served.name}:index:${c.name}`, c]));
        const missing = Object.keys(this.served.resources).filter((type) => !this.classes.has(type));
        if (missing.length > 0) throw new Error(`the schema lists components this build lacks: ${missing.join(", ")}`);
    }

    async getSchema(): Promise<string> {
        return this.schemaText;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
        const Component = this.classes.get(type);
        const resource = this.served.resources[type];
        if (!Component || !resource) throw new Error(`${this.served.name} has no component ${type} (it has ${[...this.classes.keys()].join(", ")})`);
        const instance = new Component(name, inputs as never, options);
        // The outputs are the schema's: the properties the component declares, read off the instance.
        const fields = instance as unknown as Record<string, pulumi.Input<unknown>>;
        const state: pulumi.Inputs = {};
        for (const key of Object.keys(resource.properties ?? {})) state[key] = fields[key];
        return { urn: instance.urn, state };
    }
}
