/**
 * kube-apiserver's own check of AuthenticationConfiguration documents: tests/authn-config, a Go program
 * on k8s.io/apiserver (strict decoding, conversion, ValidateAuthenticationConfiguration with the real CEL
 * compiler). Built with `go build` on first use; `.ci/run` builds it up front.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fromRoot } from "./paths";

const DIR = fromRoot("tests", "authn-config");
const BINARY = path.join(DIR, "bin", "authn-config");

export function ensureAuthnConfigChecker(): { binary: string } | { reason: string } {
    if (existsSync(BINARY)) return { binary: BINARY };
    // The public checksum database may be out of reach; go.sum pins every module.
    const env = { ...process.env, GOFLAGS: "-mod=mod", GOSUMDB: process.env.GOSUMDB ?? "off" };
    const go = spawnSync("go", ["build", "-o", BINARY, "."], { cwd: DIR, stdio: "inherit", env });
    if (go.error) return { reason: `go is not available (${go.error.message}); install Go to build tests/authn-config` };
    if (go.status !== 0 || !existsSync(BINARY)) return { reason: `go build of tests/authn-config failed with status ${go.status}` };
    return { binary: BINARY };
}

/** Checks a multi-document YAML; returns the exit code and the checker's lines. */
export function checkAuthenticationConfiguration(binary: string, yaml: string, disallowedIssuers: readonly string[] = []): { status: number; output: string } {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "authn-")), "config.yaml");
    writeFileSync(file, yaml);
    const args = [...disallowedIssuers.flatMap((i) => ["--disallowed-issuer", i]), file];
    const run = spawnSync(binary, args, { encoding: "utf8" });
    return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
