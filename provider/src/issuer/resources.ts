/**
 * A published issuer as the list of cloud resources `up` creates: Pulumi type, child name and exact
 * arguments, per storage backend. The component creates its children from this list.
 */

import { describeAzureBlobIssuerResources } from "./azure-blob-resources";
import { describeGcsIssuerResources } from "./gcs-resources";
import { IssuerPlan } from "./plan-model";
import { IssuerPlannedResource } from "./resource-types";
import { describeS3IssuerResources } from "./s3-resources";
import { IssuerStorage } from "./spec";

export * from "./resource-types";

export function describeIssuerResources(plan: IssuerPlan): IssuerPlannedResource[] {
    switch (plan.storage) {
        case IssuerStorage.S3:
            return describeS3IssuerResources(plan);
        case IssuerStorage.Gcs:
            return describeGcsIssuerResources(plan);
        case IssuerStorage.AzureBlob:
            return describeAzureBlobIssuerResources(plan);
    }
}
