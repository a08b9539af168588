import * as path from "node:path";

/** The repository root (tests run compiled from dist/tests). */
export const ROOT = path.resolve(__dirname, "../../..");

export function fromRoot(...parts: string[]): string {
    return path.join(ROOT, ...parts);
}
