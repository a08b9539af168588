/**
 * Resolves a module as @pulumi/pulumi itself would require it: `./x` names a file of @pulumi/pulumi, any
 * other request a package found from its folder. The stack process needs exactly the copies the SDK
 * loads (the modules it defers, the semver whose objects PulumiCommand keeps), not ones of its own.
 */

import * as path from "node:path";

/** The file `request` resolves to from @pulumi/pulumi, or undefined where either does not resolve. */
export function resolveFromPulumiSdk(request: string): string | undefined {
    try {
        const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        return request.startsWith("./") ? require.resolve(path.join(pulumiDir, request)) : require.resolve(request, { paths: [pulumiDir] });
    } catch {
        return undefined;
    }
}
