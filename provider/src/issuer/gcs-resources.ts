/**
 * An issuer published on Cloud Storage: the bucket (unless it exists) with uniform bucket-level access,
 * public read for allUsers, and the two documents as JSON objects.
 *
 * Public read is a bucket-level grant of roles/storage.objectViewer to allUsers, Google's documented way
 * to make a bucket's objects public: with uniform bucket-level access there are no per-object ACLs, so
 * IAM on the bucket is the narrowest mechanism left. Every object in the bucket becomes public and its
 * object names listable: the bucket must hold nothing but these documents (use a dedicated bucket).
 */

import { ResourceList } from "../core/resources";
import { IssuerGcsPlan, IssuerPlan } from "./plan-model";
import { DISCOVERY_OBJECT, DOCUMENT_CACHE_CONTROL, DOCUMENT_CONTENT_TYPE, ISSUER_TYPES, IssuerPlannedResource, IssuerResourceType, JWKS_OBJECT } from "./resource-types";

export const GCS_ISSUER_NAMES = {
    bucket: "bucket",
    publicRead: "public-read",
} as const;

export const GCS_PUBLIC_READ_ROLE = "roles/storage.objectViewer";
export const GCS_PUBLIC_MEMBER = "allUsers";

export function describeGcsIssuerResources(plan: IssuerPlan): IssuerPlannedResource[] {
    const gcs: IssuerGcsPlan | undefined = plan.gcs;
    if (!gcs) throw new Error("flux-identity: a Cloud Storage issuer plan without its settings; this is a bug");
    const N = GCS_ISSUER_NAMES;
    const list = new ResourceList<IssuerResourceType>();
    const afterBucket = gcs.createBucket ? [N.bucket] : [];
    if (gcs.createBucket) {
        list.add(ISSUER_TYPES.gcsBucket, N.bucket, {
            name: gcs.bucketName,
            project: gcs.project,
            location: gcs.location,
            uniformBucketLevelAccess: true,
            // "inherited" lets the grant to allUsers stand unless an organization policy forbids it.
            publicAccessPrevention: "inherited",
        });
    }
    list.add(ISSUER_TYPES.gcsBucketIamMember, N.publicRead, { bucket: gcs.bucketName, role: GCS_PUBLIC_READ_ROLE, member: GCS_PUBLIC_MEMBER }, afterBucket);
    const object = (name: string, content: string) => ({ bucket: gcs.bucketName, name, content, contentType: DOCUMENT_CONTENT_TYPE, cacheControl: DOCUMENT_CACHE_CONTROL });
    list.add(ISSUER_TYPES.gcsObject, DISCOVERY_OBJECT, object(plan.discoveryKey, plan.discoveryDocument), afterBucket);
    list.add(ISSUER_TYPES.gcsObject, JWKS_OBJECT, object(plan.jwksKey, plan.jwksDocument), afterBucket);
    return list.items;
}
