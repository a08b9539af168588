/**
 * The runner's errors. Problems with the input (spec, selection, options) are FluxIdentityValidationErrors
 * thrown before any stack is touched; problems with the environment (no passphrase, no Pulumi CLI, a
 * backend a driver cannot use) are FleetSetupErrors, also thrown before any stack is touched; everything
 * that goes wrong with one cluster's stack ends up in that cluster's result, never thrown.
 */

import { FluxIdentityValidationError, ValidationIssue } from "../../../provider/src/core/errors";
import type { FleetRunErrorKind, FleetRunTarget } from "./types";

/** A cluster selection (names, labels, shard) that cannot be applied to the fleet. */
export class FleetSelectionError extends FluxIdentityValidationError {
    /** True when the selection is valid but matches no cluster. */
    public readonly matchesNothing: boolean;

    constructor(issues: readonly ValidationIssue[], options?: { matchesNothing?: boolean }) {
        super(issues);
        this.name = "FleetSelectionError";
        this.matchesNothing = options?.matchesNothing === true;
    }
}

/**
 * A `destroy` without a confirmation naming exactly the selected clusters (FleetRunOptions.confirmDestroy).
 * Thrown after every other check, before any stack is touched; `targets` lists what the run would have
 * destroyed, so a caller can show it and run again with `confirmDestroy: targets.map((t) => t.cluster)`.
 */
export class FleetConfirmationError extends FluxIdentityValidationError {
    constructor(
        issues: readonly ValidationIssue[],
        public readonly targets: readonly FleetRunTarget[],
    ) {
        super(issues);
        this.name = "FleetConfirmationError";
    }
}

/** The run cannot start in this environment; nothing was touched. */
export class FleetSetupError extends Error {
    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "FleetSetupError";
    }
}

/**
 * A stack operation that did not succeed, as a StackDriver reports it: `lock` (another update holds the
 * stack), `cancelled` (the run was aborted), `engine` (the engine reported failure), `internal`.
 */
export class StackOperationError extends Error {
    /** The stack does not exist (selecting it for destroy, refresh or outputs). */
    public readonly stackNotFound: boolean;

    constructor(
        public readonly kind: Exclude<FleetRunErrorKind, "validation">,
        message: string,
        options?: { cause?: unknown; stackNotFound?: boolean },
    ) {
        super(message, options?.cause === undefined ? undefined : { cause: options.cause });
        this.name = "StackOperationError";
        this.stackNotFound = options?.stackNotFound === true;
    }
}
