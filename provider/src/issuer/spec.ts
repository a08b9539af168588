/**
 * What a user states to publish a cluster's ServiceAccount issuer on public object storage (Flux
 * cross-cloud docs, "For clusters without a built-in public Issuer URL"): which storage, where, and the
 * cluster's JWKS. Plain data: the pure planner takes these shapes and the component extends them.
 *
 * These types avoid unions and intersections so Pulumi's schema inference can publish them to Python,
 * Go and .NET users.
 */

/** Where the discovery document and the JWKS are published. */
export enum IssuerStorage {
    /** An AWS S3 bucket (the example the Flux docs give). */
    S3 = "s3",
    /** A Google Cloud Storage bucket. */
    Gcs = "gcs",
    /** A container of an Azure Storage account. */
    AzureBlob = "azureBlob",
}

/** The URL form of an S3-hosted issuer. */
export enum S3IssuerUrlStyle {
    /** `https://s3.amazonaws.com/<bucket>`: S3's global path-style endpoint, as in the Flux docs (the default). */
    Path = "path",
    /** `https://<bucket>.s3.<region>.amazonaws.com`: the bucket's regional virtual-hosted endpoint. */
    VirtualHosted = "virtualHosted",
}

/** An S3 bucket holding the issuer's documents. */
export interface IssuerS3Settings {
    /** Bucket name (3 to 63 lowercase letters, digits, '.' and '-'). A dedicated bucket is recommended. */
    bucketName: string;
    /** The bucket's region, for example eu-central-1. */
    region: string;
    /**
     * Create the bucket (default true). With false, the bucket must exist: flux-identity still writes its
     * public access block and its bucket policy, which REPLACES any policy the bucket has.
     */
    createBucket?: boolean;
    /** The issuer URL form. Default `path` (the Flux docs' form). */
    urlStyle?: S3IssuerUrlStyle;
}

/** A Cloud Storage bucket holding the issuer's documents. */
export interface IssuerGcsSettings {
    /** Bucket name (3 to 63 lowercase letters, digits, '-', '_' and '.'). Use a dedicated bucket: all of it becomes public. */
    bucketName: string;
    /** Project of the bucket. Default: the provider's project. */
    project?: string;
    /** Bucket location when it is created. Default `US`. */
    location?: string;
    /** Create the bucket (default true). With false, the bucket must exist and every object in it becomes public. */
    createBucket?: boolean;
}

/** A container of an Azure Storage account holding the issuer's documents. */
export interface IssuerAzureBlobSettings {
    resourceGroupName: string;
    /** Storage account name (3 to 24 lowercase letters and digits, unique in Azure). */
    storageAccountName: string;
    /** Container name (3 to 63 lowercase letters, digits and '-'). */
    containerName: string;
    /** Location of a created account. Default: the resource group's. */
    location?: string;
    /**
     * Create the storage account (default true). With false, the account must exist and allow public
     * blob access (`allowBlobPublicAccess: true`); the container is always created.
     */
    createAccount?: boolean;
    /**
     * The blob endpoint suffix of the Azure cloud: `core.windows.net` (default), `core.chinacloudapi.cn`,
     * `core.usgovcloudapi.net`, or a private cloud's suffix.
     */
    endpointSuffix?: string;
}

/** Everything but the JWKS: always plain values, so they decide which resources exist. */
export interface PublicOidcIssuerOptions {
    storage: IssuerStorage;
    /** Settings when `storage` is `s3`. */
    s3?: IssuerS3Settings;
    /** Settings when `storage` is `gcs`. */
    gcs?: IssuerGcsSettings;
    /** Settings when `storage` is `azureBlob`. */
    azureBlob?: IssuerAzureBlobSettings;
    /**
     * A path inside the bucket or container under which the documents live, for example
     * `clusters/dev`: the issuer becomes `<base URL>/clusters/dev`. Default: none (the bucket root).
     */
    pathPrefix?: string;
    /**
     * The issuer the cluster uses today (`kubectl get --raw /.well-known/openid-configuration | jq -r
     * .issuer`). The API server must keep accepting it while tokens it issued are in use: it becomes the
     * second `--service-account-issuer` flag.
     */
    previousIssuerUrl?: string;
}

/** The planner's input: the options with the JWKS known. */
export interface PublicOidcIssuerSpec extends PublicOidcIssuerOptions {
    /** The cluster's JWKS document, as `kubectl get --raw /openid/v1/jwks` prints it. */
    jwksJson: string;
}

export const ISSUER_STORAGES: readonly IssuerStorage[] = Object.values(IssuerStorage);
export const S3_URL_STYLES: readonly S3IssuerUrlStyle[] = Object.values(S3IssuerUrlStyle);
