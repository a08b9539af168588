/**
 * AWS partitions. Every ARN this project writes carries the partition of the target region; the STS
 * audience stays `sts.amazonaws.com` in all of them.
 */

export const SUPPORTED_PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type AwsPartition = (typeof SUPPORTED_PARTITIONS)[number];

/** The audience Flux and the AWS SDK request for web identity tokens, in every partition. */
export const STS_AUDIENCE = "sts.amazonaws.com";

const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

export function isRegionName(value: unknown): value is string {
    return typeof value === "string" && REGION.test(value);
}

/**
 * The partition a region belongs to, or a string naming an unsupported partition (ISO, sovereign),
 * or undefined when the value is not a region name.
 */
export function partitionOfRegion(region: string): AwsPartition | { unsupported: string } | undefined {
    if (!isRegionName(region)) {
        return undefined;
    }
    if (region.startsWith("cn-")) {
        return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
        return "aws-us-gov";
    }
    if (/^[a-z]{2}-iso/.test(region)) {
        return { unsupported: "an AWS ISO partition" };
    }
    if (region.startsWith("eusc-")) {
        return { unsupported: "the AWS European Sovereign Cloud partition" };
    }
    return "aws";
}

export function isSupportedPartition(value: string): value is AwsPartition {
    return (SUPPORTED_PARTITIONS as readonly string[]).includes(value);
}

/** ARN of an AWS-managed IAM policy in a partition. */
export function managedPolicyArn(partition: AwsPartition, name: string): string {
    return `arn:${partition}:iam::aws:policy/${name}`;
}
