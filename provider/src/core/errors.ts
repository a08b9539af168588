/**
 * Validation errors that name the offending field and say how to fix it.
 *
 * Validation collects every issue it finds instead of stopping at the first one, so a user fixing a
 * spec sees the whole list in one run.
 */

/** One problem with one field of the input. */
export interface ValidationIssue {
    /** Field path in the input, for example `clusters[0].aws.controllers.ecr[1].repositoryArns[0]`. */
    readonly path: string;
    /** What is wrong, including the offending value where that helps. */
    readonly message: string;
    /** How to fix it. */
    readonly fix: string;
}

/** Thrown before any resource is registered or any file is written when the input is invalid. */
export class FluxIdentityValidationError extends Error {
    constructor(public readonly issues: readonly ValidationIssue[]) {
        super(formatIssues(issues));
        this.name = "FluxIdentityValidationError";
    }
}

export function formatIssue(issue: ValidationIssue): string {
    return `${issue.path}: ${issue.message} Fix: ${issue.fix}`;
}

export function formatIssues(issues: readonly ValidationIssue[]): string {
    const noun = issues.length === 1 ? "problem" : "problems";
    return `invalid input (${issues.length} ${noun}):\n` + issues.map((i) => `  - ${formatIssue(i)}`).join("\n");
}

/** Accumulates issues under a field path prefix. */
export class Issues {
    private constructor(
        private readonly sink: ValidationIssue[],
        private readonly prefix: string,
    ) {}

    static root(prefix = ""): Issues {
        return new Issues([], prefix);
    }

    /** A collector for an absolute field path; issues land in the same list. */
    within(path: string): Issues {
        return new Issues(this.sink, path);
    }

    /** A collector for a nested field; issues land in the same list. */
    at(field: string | number): Issues {
        return new Issues(this.sink, joinPath(this.prefix, field));
    }

    path(field?: string | number): string {
        return field === undefined ? this.prefix || "(root)" : joinPath(this.prefix, field);
    }

    add(field: string | number | undefined, message: string, fix: string): void {
        this.sink.push({ path: this.path(field), message, fix });
    }

    /** Adds an issue at an absolute field path, taken as is. */
    addAt(path: string, message: string, fix: string): void {
        this.sink.push({ path: path || "(root)", message, fix });
    }

    get count(): number {
        return this.sink.length;
    }

    get list(): readonly ValidationIssue[] {
        return this.sink;
    }

    throwIfAny(): void {
        if (this.sink.length > 0) {
            throw new FluxIdentityValidationError([...this.sink]);
        }
    }
}

function joinPath(prefix: string, field: string | number): string {
    if (typeof field === "number") {
        return `${prefix}[${field}]`;
    }
    // Keys that would not read as one path segment (empty, dotted, spaced) are quoted.
    if (!/^[A-Za-z0-9_$/-]+$/.test(field)) {
        return `${prefix}[${JSON.stringify(field)}]`;
    }
    return prefix ? `${prefix}.${field}` : field;
}

/** JSON-ish rendering of a user value for messages. */
export function show(value: unknown): string {
    if (typeof value === "string") {
        return JSON.stringify(value);
    }
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        // BigInts, cycles, or objects whose toString is not a function: never let a message throw.
        try {
            return String(value);
        } catch {
            return `<${typeof value} value>`;
        }
    }
}
