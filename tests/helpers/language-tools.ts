/**
 * What the other-language tests need besides the Pulumi CLI, found where .ci/run builds it: the YAML
 * language host, the SDK generator and the Python wheels in their build scripts' caches (`--cached`
 * only looks), and Go. Each finder returns the tool or why there is none (see requireTool).
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fromRoot } from "./paths";

export interface FoundTool {
    /** The script's printed path: the YAML host's root, the generator binary, the wheel folder, the go binary. */
    path: string;
}

function fromCache(script: string): FoundTool | string {
    const r = spawnSync(fromRoot("scripts", script), ["--cached"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return { path: r.stdout.trim() };
    return r.stderr.trim().split("\n").pop() || `scripts/${script} --cached failed (exit ${r.status})`;
}

/** The YAML language host's root (`<root>/bin/pulumi-language-yaml`), from scripts/build-pulumi-yaml.sh. */
export const findYamlHost = (): FoundTool | string => fromCache("build-pulumi-yaml.sh");

/** The SDK generator program, from scripts/build-sdk-gen.sh. */
export const findSdkGenerator = (): FoundTool | string => fromCache("build-sdk-gen.sh");

/** The wheel folder for an offline virtual environment, from scripts/build-python-wheels.sh. */
export const findPythonWheels = (): FoundTool | string => fromCache("build-python-wheels.sh");

/** The go command: on PATH, or in Go's default install folder. */
export function findGo(): FoundTool | string {
    for (const go of ["go", "/usr/local/go/bin/go"]) {
        if (go.includes(path.sep) && !existsSync(go)) continue;
        if (spawnSync(go, ["version"], { encoding: "utf8" }).status === 0) return { path: go };
    }
    return "go is not installed (neither on PATH nor in /usr/local/go/bin)";
}
