/**
 * Modules @pulumi/pulumi loads when it is loaded but a stack process never uses: closure serialization's
 * TypeScript parser (its `typescript-shim`, which loads `typescript`, 9 MB of JavaScript, or the copy
 * Pulumi vendors) and its npm package reader (`@npmcli/arborist` and `normalize-package-data`, with
 * pacote, tar and glob behind them). runtime/index.js requires both for
 * `pulumi.runtime.serializeFunction`, which only function serialization (Lambda callbacks, dynamic
 * providers) calls; a cluster's program makes neither. Compiling them is about 0.4 s of CPU, more than half
 * of what loading @pulumi/pulumi costs, and a stack process pays it on every start.
 *
 * deferModules puts a stand-in for each into Node.js's module cache before @pulumi/pulumi is loaded. The
 * stand-in loads the real module on first use and forwards to it, so a program that does serialize a
 * function gets the real parser, only later. Only stack processes call it: a user's own Pulumi program is
 * never changed.
 */

import Module = require("node:module");
import { resolveFromPulumiSdk } from "./pulumi-sdk-resolve";

/** The modules deferred, as @pulumi/pulumi requires them (`./` names a file of @pulumi/pulumi itself). */
export const DEFERRED_MODULES: readonly string[] = ["./typescript-shim.js", "@npmcli/arborist", "normalize-package-data"];

/** A deferred module: where it resolved, and whether anything has used it yet. */
export interface DeferredModule {
    request: string;
    filename: string;
    loaded(): boolean;
}

/**
 * An object that stands for the module at `filename` and loads it on first use. `__esModule` is answered
 * without loading (true), so TypeScript's import helpers take the stand-in as it is instead of copying
 * every export at once; `default` then gives what those helpers would have given for a CommonJS module.
 */
function standIn(filename: string, onLoad: () => void): object {
    let real: Record<PropertyKey, unknown> | undefined;
    // The proxy's target receives the real module's properties on load, which keeps the invariants
    // Proxy enforces for what ownKeys and getOwnPropertyDescriptor report.
    const target: Record<PropertyKey, unknown> = {};
    const load = (): Record<PropertyKey, unknown> => {
        if (real === undefined) {
            delete require.cache[filename];
            real = require(filename) as Record<PropertyKey, unknown>;
            Object.defineProperties(target, Object.getOwnPropertyDescriptors(real));
            onLoad();
        }
        return real;
    };
    return new Proxy(target, {
        get(_t, prop) {
            if (prop === "__esModule") return true;
            const r = load();
            if (prop === "default" && r.__esModule !== true) return r;
            return Reflect.get(r, prop);
        },
        set(_t, prop, value) {
            return Reflect.set(load(), prop, value);
        },
        has(_t, prop) {
            return Reflect.has(load(), prop);
        },
        ownKeys() {
            load();
            return Reflect.ownKeys(target);
        },
        getOwnPropertyDescriptor(_t, prop) {
            load();
            return Reflect.getOwnPropertyDescriptor(target, prop);
        },
    });
}

/**
 * Defers DEFERRED_MODULES as @pulumi/pulumi resolves them. A module that does not resolve, or is loaded
 * already, is left alone. Call it before anything loads @pulumi/pulumi.
 */
export function deferModules(requests: readonly string[] = DEFERRED_MODULES): DeferredModule[] {
    const deferred: DeferredModule[] = [];
    for (const request of requests) {
        const filename = resolveFromPulumiSdk(request);
        if (filename === undefined || require.cache[filename] !== undefined) continue;
        let used = false;
        const m = new Module(filename);
        m.filename = filename;
        m.loaded = true;
        m.exports = standIn(filename, () => (used = true));
        require.cache[filename] = m;
        deferred.push({ request, filename, loaded: () => used });
    }
    return deferred;
}
