/**
 * The command line's exit codes, one table for every command (the README's "Provisioning fleets" lists
 * them). 2 follows the Pulumi CLI's "invalid flags, config, or invocation"; 130 and 143 are the shells'
 * 128 + signal number for a run stopped by SIGINT (^C) or SIGTERM.
 */

/** Every cluster succeeded (or, for render, every file was written). */
export const EXIT_OK = 0;
/** Some cluster failed or was cancelled, the environment cannot run the operation, a confirmation was declined, or a --write was refused. */
export const EXIT_FAILED = 1;
/** Invalid input: a misspelled option, a missing argument, an invalid spec or selection, an unconfirmed change; nothing touched. */
export const EXIT_INVALID_SPEC = 2;
/** The same code under the name that says what it covers. */
export const EXIT_USAGE = EXIT_INVALID_SPEC;
/** Interrupted by SIGINT (^C): running updates were cancelled cleanly. */
export const EXIT_INTERRUPTED = 130;
/** Stopped by SIGTERM: running updates were cancelled cleanly. */
export const EXIT_TERMINATED = 143;

/** The exit code of a run stopped by `signal`. */
export function exitCodeOfSignal(signal: "SIGINT" | "SIGTERM"): number {
    return signal === "SIGINT" ? EXIT_INTERRUPTED : EXIT_TERMINATED;
}

/** Every exit code and what it means: `--help` prints this table and the README lists the same codes. */
export const EXIT_CODE_TABLE: ReadonlyArray<readonly [number, string]> = [
    [EXIT_OK, "every cluster succeeded or was skipped as unchanged (render: every file written)"],
    [EXIT_FAILED, "a cluster failed or was cancelled, the environment cannot run the operation (no passphrase, no Pulumi CLI), a confirmation was declined, or a --write was refused (placeholders)"],
    [EXIT_INVALID_SPEC, "invalid input, nothing touched: a misspelled option, a missing argument or --out, an invalid or missing spec file, a selection that is invalid or matches nothing, a change not confirmed (--yes)"],
    [EXIT_INTERRUPTED, "interrupted by SIGINT (Ctrl-C): running updates were cancelled cleanly, no further cluster started"],
    [EXIT_TERMINATED, "stopped by SIGTERM, the same way"],
];

/** The table as `--help` shows it. */
export function exitCodesHelp(): string {
    return ["Exit codes:", ...EXIT_CODE_TABLE.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`)].join("\n");
}
