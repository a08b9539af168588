/** Pulumi classes of an S3-published issuer. Loads @pulumi/aws's s3 module only, and only when an S3 issuer is built. */
import * as s3 from "@pulumi/aws/s3";
import { ResourceFactory } from "../pulumi/planned-resources";
import { ISSUER_TYPES } from "./resource-types";

// The planner guarantees each type's arguments; the component tests compare them with what is registered.
export const S3_ISSUER_FACTORIES: Readonly<Record<string, ResourceFactory>> = {
    [ISSUER_TYPES.s3Bucket]: (n, a, o) => new s3.Bucket(n, a as unknown as s3.BucketArgs, o),
    [ISSUER_TYPES.s3OwnershipControls]: (n, a, o) => new s3.BucketOwnershipControls(n, a as unknown as s3.BucketOwnershipControlsArgs, o),
    [ISSUER_TYPES.s3PublicAccessBlock]: (n, a, o) => new s3.BucketPublicAccessBlock(n, a as unknown as s3.BucketPublicAccessBlockArgs, o),
    [ISSUER_TYPES.s3BucketPolicy]: (n, a, o) => new s3.BucketPolicy(n, a as unknown as s3.BucketPolicyArgs, o),
    [ISSUER_TYPES.s3Object]: (n, a, o) => new s3.BucketObjectv2(n, a as unknown as s3.BucketObjectv2Args, o),
};
