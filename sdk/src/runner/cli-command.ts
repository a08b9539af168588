/** Running the Pulumi CLI directly, for the reads the runner makes itself (no program, no Automation API stack). */

import { execFile } from "node:child_process";

/** Runs `command` (the Pulumi CLI) non-interactively in `cwd` with `env` added; rejects when it fails. */
export function runCli(command: string, args: readonly string[], cwd: string, env: Record<string, string>, signal?: AbortSignal): Promise<{ stdout: string }> {
    return new Promise((resolve, reject) => {
        execFile(command, [...args, "--non-interactive"], { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, encoding: "utf8", ...(signal ? { signal } : {}) }, (err, stdout) =>
            err ? reject(err) : resolve({ stdout }),
        );
    });
}
