/** The validation issues a planner call raises; fails the test when it raises none. */
import { strict as assert } from "node:assert";
import { FluxIdentityValidationError, ValidationIssue } from "../../provider/src/core/errors";

export function validationIssues(plan: () => unknown): ValidationIssue[] {
    try {
        plan();
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) return [...err.issues];
        throw err;
    }
    assert.fail("expected a validation error");
}
