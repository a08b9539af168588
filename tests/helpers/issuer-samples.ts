/** Sample inputs of a published issuer, shared by the tests. Values follow the Flux cross-cloud docs. */
import { IssuerAzureBlobSettings, IssuerGcsSettings, IssuerS3Settings, IssuerStorage, PublicOidcIssuerSpec, S3IssuerUrlStyle } from "../../provider/src/issuer/spec";

/** An RSA key as `kubectl get --raw /openid/v1/jwks` prints it (the docs' example, public members only). */
export const RSA_KEY = {
    use: "sig",
    kty: "RSA",
    kid: "BfK54vFk8UqizgJVa1BfRfNl-C5c3mWwQ1o_-bA-yAo",
    alg: "RS256",
    n: "qN1iYk24aSx2rVwG3m9kL0pQzT7uH4cJ8eF1bN6yR5dA2sW9vX3tM7nK0jL4hG8fD1cB5aZ2yX6wV9uT3sR7qP0oN4mIvUY8e4wSaw",
    e: "AQAB",
};

/** A second key, as during a signing-key rotation. */
export const RSA_KEY_2 = { ...RSA_KEY, kid: "rotated-2", n: "zY9xW8vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI8hG7fE6dC5bA4" };

/** An ECDSA P-384 key without alg: the curve implies ES384. */
export const EC_KEY = { kty: "EC", kid: "ec-1", crv: "P-384", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" };

export function jwksOf(...keys: object[]): string {
    return JSON.stringify({ keys });
}

export const JWKS = jwksOf(RSA_KEY);

/** The issuer of a kind cluster before it is customized. */
export const KIND_ISSUER = "https://kubernetes.default.svc.cluster.local";

export function s3Spec(overrides: Partial<IssuerS3Settings> = {}, top: Partial<PublicOidcIssuerSpec> = {}): PublicOidcIssuerSpec {
    return { storage: IssuerStorage.S3, s3: { bucketName: "flux-oidc-dev", region: "us-east-1", ...overrides }, jwksJson: JWKS, ...top };
}

export function s3VirtualHostedSpec(region = "eu-central-1"): PublicOidcIssuerSpec {
    return s3Spec({ region, urlStyle: S3IssuerUrlStyle.VirtualHosted });
}

export function gcsSpec(overrides: Partial<IssuerGcsSettings> = {}, top: Partial<PublicOidcIssuerSpec> = {}): PublicOidcIssuerSpec {
    return { storage: IssuerStorage.Gcs, gcs: { bucketName: "flux-oidc-dev", project: "my-project", ...overrides }, jwksJson: JWKS, ...top };
}

export function azureBlobSpec(overrides: Partial<IssuerAzureBlobSettings> = {}, top: Partial<PublicOidcIssuerSpec> = {}): PublicOidcIssuerSpec {
    return {
        storage: IssuerStorage.AzureBlob,
        azureBlob: { resourceGroupName: "rg-flux", storageAccountName: "fluxoidcdev", containerName: "oidc", location: "westeurope", ...overrides },
        jwksJson: JWKS,
        ...top,
    };
}
