/**
 * Component outputs as views of one result output, each created on first read. Programs usually read
 * one or two of a component's outputs; creating every view up front costs as much as a small resource.
 */
import * as pulumi from "@pulumi/pulumi";

export function defineLazyOutputs<T extends object>(target: object, result: pulumi.Output<T>, keys: ReadonlyArray<keyof T & string>): void {
    for (const key of keys) {
        let view: pulumi.Output<unknown> | undefined;
        Object.defineProperty(target, key, {
            enumerable: true,
            get: () => (view ??= result.apply((r) => r[key])),
        });
    }
}
