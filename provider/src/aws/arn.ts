/** ARN parsing and validation, partition-aware, with messages that show the expected shape. */

import { Issues, show } from "../core/errors";
import { AwsPartition, isSupportedPartition, partitionOfRegion } from "./partition";
import { withArticle } from "../core/articles";

export interface ParsedArn {
    readonly partition: string;
    readonly service: string;
    readonly region: string;
    readonly account: string;
    readonly resource: string;
}

export function parseArn(value: string): ParsedArn | undefined {
    const parts = value.split(":");
    if (parts.length < 6 || parts[0] !== "arn") {
        return undefined;
    }
    const [, partition, service, region, account] = parts;
    return { partition, service, region, account, resource: parts.slice(5).join(":") };
}

export interface ArnKind {
    /** Human name, such as "ECR repository ARN". */
    readonly what: string;
    readonly service: string;
    readonly regional: boolean;
    readonly account: "required" | "empty" | "required-or-aws";
    readonly resource: RegExp;
    readonly example: (partition: AwsPartition) => string;
    /** Extra advice for resources that parse but do not match. */
    readonly resourceFix?: (resource: string) => string | undefined;
}

const NAME_PATH = "(?:\\/[\\w+=,.@-]+)*";

export const ECR_REPOSITORY: ArnKind = {
    what: "ECR repository ARN",
    service: "ecr",
    regional: true,
    account: "required",
    resource: /^repository\/[a-z0-9*][a-z0-9._/*-]{0,255}$/,
    example: (p) => `arn:${p}:ecr:<region>:<account-id>:repository/<name>`,
};

export const S3_BUCKET: ArnKind = {
    what: "S3 bucket ARN",
    service: "s3",
    regional: false,
    account: "empty",
    resource: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    example: (p) => `arn:${p}:s3:::<bucket-name>`,
    resourceFix: (r) => (r.includes("/") ? "give the bucket ARN without an object path; flux-identity adds <bucket>/* for s3:GetObject itself." : undefined),
};

export const KMS_KEY: ArnKind = {
    what: "KMS key ARN",
    service: "kms",
    regional: true,
    account: "required",
    resource: /^key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
    example: (p) => `arn:${p}:kms:<region>:<account-id>:key/<key-id>`,
    resourceFix: (r) =>
        r.startsWith("alias/")
            ? "IAM authorizes kms:Decrypt against the key ARN, not the alias: use `aws kms describe-key --key-id alias/<name>` to get the key ARN."
            : undefined,
};

export const EKS_CLUSTER: ArnKind = {
    what: "EKS cluster ARN",
    service: "eks",
    regional: true,
    account: "required",
    resource: /^cluster\/[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/,
    example: (p) => `arn:${p}:eks:<region>:<account-id>:cluster/<name>`,
};

export const CODECOMMIT_REPOSITORY: ArnKind = {
    what: "CodeCommit repository ARN",
    service: "codecommit",
    regional: true,
    account: "required",
    resource: /^[\w.-]{1,100}$/,
    example: (p) => `arn:${p}:codecommit:<region>:<account-id>:<repository-name>`,
};

export const IAM_ROLE: ArnKind = {
    what: "IAM role ARN",
    service: "iam",
    regional: false,
    account: "required",
    resource: new RegExp(`^role${NAME_PATH}\\/[\\w+=,.@-]{1,64}$`),
    example: (p) => `arn:${p}:iam::<account-id>:role/<name>`,
};

export const IAM_POLICY: ArnKind = {
    what: "IAM policy ARN",
    service: "iam",
    regional: false,
    account: "required-or-aws",
    resource: new RegExp(`^policy${NAME_PATH}\\/[\\w+=,.@-]{1,128}$`),
    example: (p) => `arn:${p}:iam::<account-id>:policy/<name>`,
};

export const IAM_OIDC_PROVIDER: ArnKind = {
    what: "IAM OIDC provider ARN",
    service: "iam",
    regional: false,
    account: "required",
    resource: /^oidc-provider\/[^\s/][^\s]*$/,
    example: (p) => `arn:${p}:iam::<account-id>:oidc-provider/<issuer host and path>`,
};

const ACCOUNT = /^\d{12}$/;

/**
 * Validates `value` as an ARN of `kind` in `partition`. Adds issues and returns undefined when invalid.
 */
export function checkArn(value: unknown, kind: ArnKind, partition: AwsPartition, issues: Issues, field: string | number): ParsedArn | undefined {
    const example = kind.example(partition);
    if (typeof value !== "string" || value.length === 0) {
        issues.add(field, `expected ${withArticle(kind.what)}, got ${show(value)}.`, `use ${example}.`);
        return undefined;
    }
    const arn = parseArn(value);
    if (!arn) {
        issues.add(field, `${show(value)} is not an ARN.`, `use ${example}.`);
        return undefined;
    }
    if (arn.service !== kind.service) {
        issues.add(field, `${show(value)} is an ARN of service ${show(arn.service)}, not ${withArticle(kind.what)}.`, `use ${example}.`);
        return undefined;
    }
    if (!isSupportedPartition(arn.partition)) {
        issues.add(field, `${show(value)} names partition ${show(arn.partition)}, which is not aws, aws-cn or aws-us-gov.`, `use ${example}.`);
        return undefined;
    }
    if (arn.partition !== partition) {
        issues.add(
            field,
            `${show(value)} is in partition ${arn.partition}, but this target's region is in partition ${partition}.`,
            `use an ARN starting arn:${partition}:, or set the target region to one in partition ${arn.partition}.`,
        );
        return undefined;
    }
    if (kind.regional) {
        const regionPartition = partitionOfRegion(arn.region);
        if (regionPartition === undefined) {
            issues.add(field, `${show(value)} has no valid region (found ${show(arn.region)}).`, `use ${example}.`);
            return undefined;
        }
        if (regionPartition !== arn.partition) {
            issues.add(field, `${show(value)} names region ${arn.region}, which is not in partition ${arn.partition}.`, `use a region of partition ${arn.partition} in the ARN.`);
            return undefined;
        }
    } else if (arn.region !== "") {
        issues.add(field, `${show(value)} has a region, but ${kind.what}s are global.`, `use ${example}.`);
        return undefined;
    }
    const accountOk =
        kind.account === "empty" ? arn.account === "" : kind.account === "required" ? ACCOUNT.test(arn.account) : ACCOUNT.test(arn.account) || arn.account === "aws";
    if (!accountOk) {
        issues.add(
            field,
            kind.account === "empty" ? `${show(value)} carries an account ID, but ${kind.what}s do not.` : `${show(value)} has no valid 12-digit account ID (found ${show(arn.account)}).`,
            `use ${example}.`,
        );
        return undefined;
    }
    if (!kind.resource.test(arn.resource)) {
        issues.add(field, `${show(value)} does not name a valid resource for ${withArticle(kind.what)}.`, kind.resourceFix?.(arn.resource) ?? `use ${example}.`);
        return undefined;
    }
    return arn;
}
