/**
 * The Pulumi types a published issuer is made of, the child names of its two documents and how they
 * are served. Shared by the per-backend resource lists and the component's factories.
 */

import { PlannedResource } from "../core/resources";

export const ISSUER_TYPES = {
    s3Bucket: "aws:s3/bucket:Bucket",
    s3OwnershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    s3PublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    s3BucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    s3Object: "aws:s3/bucketObjectv2:BucketObjectv2",
    gcsBucket: "gcp:storage/bucket:Bucket",
    gcsBucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    gcsObject: "gcp:storage/bucketObject:BucketObject",
    azureStorageAccount: "azure-native:storage:StorageAccount",
    azureBlobContainer: "azure-native:storage:BlobContainer",
    azureBlob: "azure-native:storage:Blob",
} as const;

export type IssuerResourceType = (typeof ISSUER_TYPES)[keyof typeof ISSUER_TYPES];
export type IssuerPlannedResource = PlannedResource<IssuerResourceType>;

/** Child names of the two documents, the same on every backend. */
export const DISCOVERY_OBJECT = "discovery-document";
export const JWKS_OBJECT = "jwks-document";

/** Published content type of both documents. */
export const DOCUMENT_CONTENT_TYPE = "application/json";
/**
 * Cache lifetime of both documents where the storage takes one: short, so a rotated JWKS reaches
 * verifiers soon (Cloud Storage would otherwise let caches keep public objects for an hour).
 */
export const DOCUMENT_CACHE_CONTROL = "public, max-age=300";

/**
 * A blob's content, as planned data: the component turns it into a Pulumi StringAsset (Azure blobs take
 * their content as an asset, not a string).
 */
export interface PlannedTextAsset {
    text: string;
}
