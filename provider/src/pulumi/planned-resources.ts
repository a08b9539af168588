/**
 * Turns a target's planned resource list into Pulumi children: one factory per type, dependencies by
 * planned name, and arguments that wait for pending inputs when the plan is only known as an output.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlannedResource, isOutputRef } from "../core/resources";

export type ResourceFactory = (name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

export interface PlannedChildrenOptions<T extends string> {
    /** The component: parent of every child, whose name prefixes theirs. */
    parent: pulumi.ComponentResource;
    prefix: string;
    /** The list planned from known values (or placeholders for pending ones): decides which children exist. */
    resources: readonly PlannedResource<T>[];
    /** The list planned from resolved values, when some inputs were outputs. */
    described?: pulumi.Output<PlannedResource<T>[]>;
    factories: Readonly<Record<T, ResourceFactory>>;
    /** Maps a planned property to an argument (for example a policy document to JSON). */
    argumentValue?: (key: string, value: unknown) => unknown;
    /** What children without planned dependencies wait for (an account check, say). */
    gate?: pulumi.Input<pulumi.Resource[]>;
}

/** Creates the children in list order and returns them by planned name. */
export function createPlannedChildren<T extends string>(options: PlannedChildrenOptions<T>): Map<string, pulumi.CustomResource> {
    const { parent, prefix, resources, described, factories, gate } = options;
    const created = new Map<string, pulumi.CustomResource>();
    const plain = options.argumentValue ?? ((_key: string, v: unknown) => v);
    // Output references resolve to the named child's output; the child must be planned earlier.
    const value = (key: string, v: unknown): unknown => {
        if (!isOutputRef(v)) return plain(key, v);
        const source = created.get(v.$ref) as unknown as Record<string, unknown> | undefined;
        const out = source?.[v.output];
        if (!pulumi.Output.isInstance(out)) throw new Error(`flux-identity: ${key} refers to ${v.$ref}.${v.output}, which is not an earlier child's output; this is a bug`);
        return out;
    };
    for (const r of resources) {
        const args = described ? pendingArguments(r, described, value) : knownArguments(r, value);
        const dependsOn =
            r.dependsOn.length === 0
                ? gate
                : r.dependsOn.map((d) => {
                      const dep = created.get(d);
                      if (!dep) throw new Error(`flux-identity: ${r.name} depends on ${d}, which is not planned before it; this is a bug`);
                      return dep;
                  });
        const resource = factories[r.type](`${prefix}-${r.name}`, args, {
            parent,
            dependsOn,
            // Names are deterministic, so a replacement must free the name (or the slot) first.
            deleteBeforeReplace: true,
        });
        created.set(r.name, resource);
    }
    return created;
}

function knownArguments(r: PlannedResource, value: (key: string, v: unknown) => unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(r.properties)) out[key] = value(key, v);
    return out;
}

function pendingArguments<T extends string>(r: PlannedResource<T>, described: pulumi.Output<PlannedResource<T>[]>, value: (key: string, v: unknown) => unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(r.properties)) {
        // References name the same child in every plan, so they resolve from the shape directly.
        out[key] = isOutputRef(r.properties[key])
            ? value(key, r.properties[key])
            : described.apply((list) => {
                  const match = list.find((x) => x.type === r.type && x.name === r.name);
                  return value(key, match?.properties[key]);
              });
    }
    return out;
}
