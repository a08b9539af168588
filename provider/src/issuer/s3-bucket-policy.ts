/**
 * The S3 bucket policy that makes exactly the two issuer documents readable by anyone: `s3:GetObject`
 * on their two object ARNs. Never the bucket (no listing) and never `bucket/*`, so anything else in the
 * bucket stays private.
 */

export interface S3PublicReadPolicy {
    Version: "2012-10-17";
    Statement: Array<{
        Sid: string;
        Effect: "Allow";
        Principal: "*";
        Action: "s3:GetObject";
        Resource: string[];
    }>;
}

export function s3ObjectArn(partition: string, bucket: string, key: string): string {
    return `arn:${partition}:s3:::${bucket}/${key}`;
}

export function s3PublicReadPolicy(partition: string, bucket: string, keys: readonly string[]): S3PublicReadPolicy {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "PublicReadOidcIssuerDocuments",
                Effect: "Allow",
                Principal: "*",
                Action: "s3:GetObject",
                Resource: keys.map((k) => s3ObjectArn(partition, bucket, k)),
            },
        ],
    };
}

/** Compact JSON, keys in the order above: the same bytes for the same bucket and keys. */
export function s3PolicyJson(policy: S3PublicReadPolicy): string {
    return JSON.stringify({
        Version: policy.Version,
        Statement: policy.Statement.map((s) => ({ Sid: s.Sid, Effect: s.Effect, Principal: s.Principal, Action: s.Action, Resource: [...s.Resource] })),
    });
}
