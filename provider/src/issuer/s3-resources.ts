/**
 * An issuer published on S3: the bucket (unless it exists), ACLs off, a public access block that keeps
 * ACLs blocked but allows a public bucket policy, that policy allowing `s3:GetObject` on exactly the two
 * documents, and the two documents as JSON objects.
 */

import { ResourceList } from "../core/resources";
import { IssuerPlan, IssuerS3Plan } from "./plan-model";
import { DISCOVERY_OBJECT, DOCUMENT_CACHE_CONTROL, DOCUMENT_CONTENT_TYPE, ISSUER_TYPES, IssuerPlannedResource, IssuerResourceType, JWKS_OBJECT } from "./resource-types";
import { s3PolicyJson, s3PublicReadPolicy } from "./s3-bucket-policy";

export const S3_ISSUER_NAMES = {
    bucket: "bucket",
    ownershipControls: "ownership-controls",
    publicAccessBlock: "public-access-block",
    bucketPolicy: "bucket-policy",
} as const;

export function describeS3IssuerResources(plan: IssuerPlan): IssuerPlannedResource[] {
    const s3: IssuerS3Plan | undefined = plan.s3;
    if (!s3) throw new Error("flux-identity: an S3 issuer plan without S3 settings; this is a bug");
    const N = S3_ISSUER_NAMES;
    const list = new ResourceList<IssuerResourceType>();
    // Every resource names the bucket's region, so it lands where the issuer URL says whatever the provider's default.
    const on = { bucket: s3.bucketName, region: s3.region };
    const afterBucket = s3.createBucket ? [N.bucket] : [];
    if (s3.createBucket) {
        list.add(ISSUER_TYPES.s3Bucket, N.bucket, { ...on });
        // ACLs disabled: the bucket policy alone decides who reads.
        list.add(ISSUER_TYPES.s3OwnershipControls, N.ownershipControls, { ...on, rule: { objectOwnership: "BucketOwnerEnforced" } }, afterBucket);
    }
    // Public ACLs stay blocked; only a public bucket policy is allowed (S3 refuses one while BlockPublicPolicy is on).
    list.add(
        ISSUER_TYPES.s3PublicAccessBlock,
        N.publicAccessBlock,
        { ...on, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false },
        afterBucket,
    );
    list.add(
        ISSUER_TYPES.s3BucketPolicy,
        N.bucketPolicy,
        { ...on, policy: s3PolicyJson(s3PublicReadPolicy(s3.partition, s3.bucketName, [plan.discoveryKey, plan.jwksKey])) },
        [N.publicAccessBlock],
    );
    const object = (key: string, content: string) => ({ ...on, key, content, contentType: DOCUMENT_CONTENT_TYPE, cacheControl: DOCUMENT_CACHE_CONTROL });
    list.add(ISSUER_TYPES.s3Object, DISCOVERY_OBJECT, object(plan.discoveryKey, plan.discoveryDocument), afterBucket);
    list.add(ISSUER_TYPES.s3Object, JWKS_OBJECT, object(plan.jwksKey, plan.jwksDocument), afterBucket);
    return list.items;
}
