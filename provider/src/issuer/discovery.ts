/**
 * The OpenID discovery document a published issuer serves at `<issuer>/.well-known/openid-configuration`:
 * the fields the API server's own document has (Flux cross-cloud docs, "Obtaining the Issuer URL"), with
 * `issuer` and `jwks_uri` pointing at the published location.
 */

import { DEFAULT_RSA_ALGORITHM } from "./jwks";

export interface DiscoveryDocument {
    issuer: string;
    jwks_uri: string;
    response_types_supported: string[];
    subject_types_supported: string[];
    id_token_signing_alg_values_supported: string[];
}

/**
 * The document, keys in the API server's order. `algorithms` are the JWKS keys' signing algorithms;
 * without any, RS256 (what the API server signs with by default).
 */
export function discoveryDocument(issuerUrl: string, jwksUri: string, algorithms: readonly string[]): DiscoveryDocument {
    return {
        issuer: issuerUrl,
        jwks_uri: jwksUri,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: algorithms.length > 0 ? [...new Set(algorithms)].sort() : [DEFAULT_RSA_ALGORITHM],
    };
}

/** The published bytes: two-space indented JSON with a final newline, the same for the same input. */
export function renderDiscoveryDocument(doc: DiscoveryDocument): string {
    // Rebuilt field by field so the key order never depends on how the object was made.
    const ordered: DiscoveryDocument = {
        issuer: doc.issuer,
        jwks_uri: doc.jwks_uri,
        response_types_supported: [...doc.response_types_supported],
        subject_types_supported: [...doc.subject_types_supported],
        id_token_signing_alg_values_supported: [...doc.id_token_signing_alg_values_supported],
    };
    return JSON.stringify(ordered, null, 2) + "\n";
}
