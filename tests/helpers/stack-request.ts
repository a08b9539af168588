/** A stack operation request for the fleet example's first cluster, in its own folder `dir`. */
import * as path from "node:path";
import type { LocalStackRequest } from "../../sdk/src/runner/local-stack";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { fromRoot } from "./paths";

export function stackRequest(dir: string, cliRoot: string, extra: Partial<LocalStackRequest> = {}): LocalStackRequest {
    return {
        target: { cluster: "c", project: "p", stack: "s", fullyQualified: "s" },
        cluster: loadFleet(fromRoot("examples", "fleet.yaml")).clusters[0],
        mode: "create-or-select",
        operation: "up",
        workDir: path.join(dir, "ws"),
        backendUrl: `file://${dir}/state`,
        envVars: {},
        cliRoot,
        ...extra,
    };
}
