/** Pulumi classes of an Azure Blob-published issuer. Loads azure-native's storage module only, and only when an Azure Blob issuer is built. */
import * as storage from "@pulumi/azure-native/storage";
import { ResourceFactory } from "../pulumi/planned-resources";
import { ISSUER_TYPES } from "./resource-types";

// The planner guarantees each type's arguments; the component tests compare them with what is registered.
export const AZURE_BLOB_ISSUER_FACTORIES: Readonly<Record<string, ResourceFactory>> = {
    [ISSUER_TYPES.azureStorageAccount]: (n, a, o) => new storage.StorageAccount(n, a as unknown as storage.StorageAccountArgs, o),
    [ISSUER_TYPES.azureBlobContainer]: (n, a, o) => new storage.BlobContainer(n, a as unknown as storage.BlobContainerArgs, o),
    [ISSUER_TYPES.azureBlob]: (n, a, o) => new storage.Blob(n, a as unknown as storage.BlobArgs, o),
};
