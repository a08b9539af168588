/**
 * A real IAM policy evaluator for the tests: iam-rs (MIT) behind a small JSON-in/JSON-out binary in
 * tests/iam-eval. Built with cargo on first use; `.ci/run` builds it up front.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fromRoot } from "./paths";
import { PolicyDocument } from "../../provider/src/aws/policy";

const MANIFEST = fromRoot("tests", "iam-eval", "Cargo.toml");
const BINARY = fromRoot("tests", "iam-eval", "target", "release", "iam-eval");

export type Decision = "Allow" | "Deny" | "NotApplicable";

export interface IamRequest {
    Principal: Record<string, string>;
    Action: string;
    Resource: string;
    Context?: Record<string, string | string[]>;
}

export interface IamCase {
    policies: PolicyDocument[];
    request: IamRequest;
    /** Trust policies have no Resource element. */
    ignoreResource?: boolean;
}

/** Path of the evaluator binary, building it if needed; a reason string when it cannot be had. */
export function ensureEvaluator(): { binary: string } | { reason: string } {
    if (existsSync(BINARY)) return { binary: BINARY };
    const cargo = spawnSync("cargo", ["build", "--release", "--locked", "--manifest-path", MANIFEST], { stdio: "inherit" });
    if (cargo.error) return { reason: `cargo is not available (${cargo.error.message}); install Rust to build tests/iam-eval` };
    if (cargo.status !== 0 || !existsSync(BINARY)) return { reason: `cargo build of tests/iam-eval failed with status ${cargo.status}` };
    return { binary: BINARY };
}

/** Evaluates many cases in one process; throws if the evaluator reports an error for any case. */
export function evaluate(binary: string, cases: IamCase[]): Decision[] {
    const out = execFileSync(binary, [], { input: JSON.stringify({ cases }), maxBuffer: 64 * 1024 * 1024 });
    const results = JSON.parse(out.toString()).results as string[];
    results.forEach((r, i) => {
        if (r.startsWith("error:")) throw new Error(`IAM evaluator failed on case ${i}: ${r}`);
    });
    return results as Decision[];
}
