/**
 * Where a published issuer lives: its URL per storage backend, and the two documents under it. The
 * Flux docs shape them for S3 as issuer `https://s3.amazonaws.com/<bucket>`, JWKS
 * `<issuer>/openid/v1/jwks` and discovery `<issuer>/.well-known/openid-configuration` (the object keys
 * `.well-known/openid-configuration` and `openid/v1/jwks`); the other backends follow the same layout.
 */

/** Object keys (paths inside the bucket or container, under the optional prefix). */
export const DISCOVERY_PATH = ".well-known/openid-configuration";
export const JWKS_PATH = "openid/v1/jwks";

export const DEFAULT_AZURE_BLOB_ENDPOINT_SUFFIX = "core.windows.net";

/** `https://s3.amazonaws.com/<bucket>`: the global path-style endpoint (partition aws only). */
export function s3PathStyleBaseUrl(bucket: string): string {
    return `https://s3.amazonaws.com/${bucket}`;
}

/** `https://<bucket>.s3.<region>.<dnsSuffix>`: the regional virtual-hosted endpoint. */
export function s3VirtualHostedBaseUrl(bucket: string, region: string, dnsSuffix: string): string {
    return `https://${bucket}.s3.${region}.${dnsSuffix}`;
}

/** The DNS suffix of S3 endpoints in a partition. */
export function s3DnsSuffix(partition: string): string {
    return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

export function gcsBaseUrl(bucket: string): string {
    return `https://storage.googleapis.com/${bucket}`;
}

export function azureBlobBaseUrl(account: string, container: string, endpointSuffix = DEFAULT_AZURE_BLOB_ENDPOINT_SUFFIX): string {
    return `https://${account}.blob.${endpointSuffix}/${container}`;
}

/** The issuer: the base URL, plus the prefix when the documents live under one. */
export function issuerUrlOf(baseUrl: string, pathPrefix?: string): string {
    return pathPrefix ? `${baseUrl}/${pathPrefix}` : baseUrl;
}

export function jwksUriOf(issuerUrl: string): string {
    return `${issuerUrl}/${JWKS_PATH}`;
}

export function discoveryUrlOf(issuerUrl: string): string {
    return `${issuerUrl}/${DISCOVERY_PATH}`;
}

/** The object key of a document path under the optional prefix. */
export function objectKey(path: string, pathPrefix?: string): string {
    return pathPrefix ? `${pathPrefix}/${path}` : path;
}
