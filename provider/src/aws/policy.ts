/** IAM policy documents: types, canonical key order, and the JSON the roles receive. */

export type PolicyValue = string | string[];

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Record<string, PolicyValue>;
    Action: PolicyValue;
    Resource?: PolicyValue;
    Condition?: Record<string, Record<string, PolicyValue>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** Builds a statement with keys in one fixed order, so the JSON is byte-identical across runs. */
export function statement(s: PolicyStatement): PolicyStatement {
    const ordered: Partial<PolicyStatement> = {};
    if (s.Sid !== undefined) ordered.Sid = s.Sid;
    ordered.Effect = s.Effect;
    if (s.Principal !== undefined) ordered.Principal = s.Principal;
    ordered.Action = s.Action;
    if (s.Resource !== undefined) ordered.Resource = s.Resource;
    if (s.Condition !== undefined) ordered.Condition = s.Condition;
    return ordered as PolicyStatement;
}

/** The single-value form when there is one value, as AWS and the Flux docs write it. */
export function oneOrMany(values: readonly string[]): PolicyValue {
    return values.length === 1 ? values[0] : [...values];
}

export function uniqueSorted(values: Iterable<string>): string[] {
    return [...new Set(values)].sort();
}

/** Compact JSON, as passed to IAM. */
export function policyJson(doc: PolicyDocument): string {
    return JSON.stringify(doc);
}
