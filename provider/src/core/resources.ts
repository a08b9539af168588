/**
 * A cloud resource as data: Pulumi type token, child name and exact arguments. Each target describes
 * its plan as a list of these; `render` writes the list to plan.json and the components create their
 * children from the same list, so the two cannot disagree.
 */

export interface PlannedResource<T extends string = string> {
    type: T;
    /** Child name suffix; the component prefixes its own name. */
    name: string;
    /** Resource arguments (policy documents as objects where a target says so). */
    properties: Record<string, unknown>;
    /** Names of planned resources this one must wait for. */
    dependsOn: string[];
}

/**
 * An argument taken from another planned resource's output, such as a managed identity's principal ID
 * that a role assignment names. plan.json shows it as is; the components resolve it to the output.
 */
export interface ResourceOutputRef {
    $ref: string;
    output: string;
}

export function outputRef(name: string, output: string): ResourceOutputRef {
    return { $ref: name, output };
}

export function isOutputRef(value: unknown): value is ResourceOutputRef {
    return typeof value === "object" && value !== null && typeof (value as ResourceOutputRef).$ref === "string" && typeof (value as ResourceOutputRef).output === "string";
}

/** Drops absent arguments so plan.json and registered inputs list only what is set. */
export function withoutUndefined(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
        if (v !== undefined) out[k] = v;
    }
    return out;
}

/** Collects planned resources in order. */
export class ResourceList<T extends string> {
    readonly items: PlannedResource<T>[] = [];

    add(type: T, name: string, properties: Record<string, unknown>, dependsOn: string[] = []): void {
        this.items.push({ type, name, properties: withoutUndefined(properties), dependsOn });
    }
}
