/**
 * An issuer published on Azure Blob Storage: the storage account (unless it exists) allowing public blob
 * access, a container whose blobs anyone may read but not list (publicAccess Blob, never Container), and
 * the two documents as JSON block blobs.
 */

import { ResourceList } from "../core/resources";
import { IssuerAzureBlobPlan, IssuerPlan } from "./plan-model";
import { DISCOVERY_OBJECT, DOCUMENT_CONTENT_TYPE, ISSUER_TYPES, IssuerPlannedResource, IssuerResourceType, JWKS_OBJECT, PlannedTextAsset } from "./resource-types";

export const AZURE_BLOB_ISSUER_NAMES = {
    storageAccount: "storage-account",
    container: "container",
} as const;

export function describeAzureBlobIssuerResources(plan: IssuerPlan): IssuerPlannedResource[] {
    const az: IssuerAzureBlobPlan | undefined = plan.azureBlob;
    if (!az) throw new Error("flux-identity: an Azure Blob issuer plan without its settings; this is a bug");
    const N = AZURE_BLOB_ISSUER_NAMES;
    const list = new ResourceList<IssuerResourceType>();
    const account = { resourceGroupName: az.resourceGroupName, accountName: az.storageAccountName };
    if (az.createAccount) {
        list.add(ISSUER_TYPES.azureStorageAccount, N.storageAccount, {
            ...account,
            location: az.location,
            kind: "StorageV2",
            sku: { name: "Standard_LRS" },
            allowBlobPublicAccess: true,
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
        });
    }
    list.add(ISSUER_TYPES.azureBlobContainer, N.container, { ...account, containerName: az.containerName, publicAccess: "Blob" }, az.createAccount ? [N.storageAccount] : []);
    const blob = (blobName: string, text: string) => {
        const source: PlannedTextAsset = { text };
        return { ...account, containerName: az.containerName, blobName, type: "Block", contentType: DOCUMENT_CONTENT_TYPE, source };
    };
    list.add(ISSUER_TYPES.azureBlob, DISCOVERY_OBJECT, blob(plan.discoveryKey, plan.discoveryDocument), [N.container]);
    list.add(ISSUER_TYPES.azureBlob, JWKS_OBJECT, blob(plan.jwksKey, plan.jwksDocument), [N.container]);
    return list.items;
}
