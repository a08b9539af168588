/**
 * The cloud SDKs (@pulumi/aws, @pulumi/azure-native, @pulumi/gcp, @pulumi/kubernetes, @pulumi/vault) are optional peer
 * dependencies: a program installs the ones for the clouds it uses. Each component loads its SDK when the
 * first instance that creates something is built, through `loadPeerSdk`, so importing flux-identity loads
 * none of them and a missing one is reported by name, with the command that installs it.
 */

import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Raised when a component needs a cloud SDK that is not installed. */
export class MissingPeerSdkError extends Error {
    constructor(
        readonly sdk: string,
        usedBy: string,
    ) {
        const range = peerRange(sdk);
        super(`flux-identity: ${usedBy} needs ${sdk}, which is not installed. Fix: npm install ${range ? `"${sdk}@${range}"` : sdk} (an optional peer dependency of flux-identity: install the SDKs of the clouds your program uses).`);
        this.name = "MissingPeerSdkError";
    }
}

/** The peer range flux-identity declares for `sdk`, from the first package.json named flux-identity above this file. */
function peerRange(sdk: string): string | undefined {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        try {
            const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string; peerDependencies?: Record<string, string> };
            if (pkg.name === "flux-identity") return pkg.peerDependencies?.[sdk];
        } catch {
            // no (readable) package.json here: look further up
        }
        if (path.dirname(dir) === dir) return undefined;
    }
}

/** True when `error` says that `sdk` (or one of its modules, such as `@pulumi/aws/s3`) cannot be found. */
function isMissing(error: unknown, sdk: string): boolean {
    const e = error as { code?: unknown; message?: unknown };
    if (e?.code !== "MODULE_NOT_FOUND" || typeof e.message !== "string") return false;
    const missing = /Cannot find module '([^']+)'/.exec(e.message)?.[1];
    return missing === sdk || missing?.startsWith(`${sdk}/`) === true;
}

/**
 * Runs `load` (a `require` of a module that imports `sdk`) and returns what it returns; turns Node's
 * "Cannot find module" for `sdk` into a MissingPeerSdkError naming `usedBy` and the package to install.
 */
export function loadPeerSdk<T>(sdk: string, usedBy: string, load: () => T): T {
    try {
        return load();
    } catch (error) {
        if (isMissing(error, sdk)) throw new MissingPeerSdkError(sdk, usedBy);
        throw error;
    }
}
