/**
 * How a command reports an error it stops on: a line on stderr for people, and with `--json` also one
 * JSON error document on stdout for programs, so that stdout is never empty or half a stream:
 *
 *   {"type":"error","kind":"validation","exitCode":2,"message":"...","issues":[{"path","message","fix"}]}
 *
 * `kind`: `usage` (options and arguments), `validation` (the spec or the selection), `confirmation` (a
 * change that was not confirmed), `setup` (the environment cannot run the operation), `refused` (a
 * `--write` refused, nothing written), `internal`.
 */

import { FluxIdentityValidationError, ValidationIssue } from "../../../provider/src/core/errors";

export type ErrorKind = "usage" | "validation" | "confirmation" | "setup" | "refused" | "internal";

export interface ErrorDocument {
    type: "error";
    kind: ErrorKind;
    exitCode: number;
    message: string;
    issues: ValidationIssue[];
}

export function errorDocument(kind: ErrorKind, exitCode: number, err: unknown): ErrorDocument {
    const message = err instanceof Error ? err.message : String(err);
    const issues = err instanceof FluxIdentityValidationError ? [...err.issues] : [];
    return { type: "error", kind, exitCode, message, issues };
}

/** Reports `err` on `err` (prefixed text) and, when `json`, as an ErrorDocument line on `out`; returns `exitCode`. */
export function reportError(io: { out: (text: string) => void; err: (text: string) => void }, json: boolean, kind: ErrorKind, exitCode: number, err: unknown, prefix = ""): number {
    const message = err instanceof Error ? err.message : String(err);
    io.err(`flux-identity: ${prefix}${message.replace(/\n*$/, "")}\n`);
    if (json) io.out(JSON.stringify(errorDocument(kind, exitCode, err)) + "\n");
    return exitCode;
}
