/** Pulumi classes of a Cloud Storage-published issuer. Loads @pulumi/gcp's storage module only, and only when a GCS issuer is built. */
import * as storage from "@pulumi/gcp/storage";
import { ResourceFactory } from "../pulumi/planned-resources";
import { ISSUER_TYPES } from "./resource-types";

// The planner guarantees each type's arguments; the component tests compare them with what is registered.
export const GCS_ISSUER_FACTORIES: Readonly<Record<string, ResourceFactory>> = {
    [ISSUER_TYPES.gcsBucket]: (n, a, o) => new storage.Bucket(n, a as unknown as storage.BucketArgs, o),
    [ISSUER_TYPES.gcsBucketIamMember]: (n, a, o) => new storage.BucketIAMMember(n, a as unknown as storage.BucketIAMMemberArgs, o),
    [ISSUER_TYPES.gcsObject]: (n, a, o) => new storage.BucketObject(n, a as unknown as storage.BucketObjectArgs, o),
};
