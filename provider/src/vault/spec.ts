/**
 * What a user states about Vault or OpenBao for SOPS (Flux v2.9, kustomize-controller
 * `--sops-vault-configmap`): the Vault address as in the SOPS metadata, the transit keys Flux decrypts
 * with, at controller level or per tenant. kustomize-controller logs in at `<loginPath>` with role
 * `<namespace>_<serviceAccount>` and a ServiceAccount token whose audience is the address. Plain data,
 * without unions, for Pulumi's schema inference.
 */

import { FluxKind } from "../core/catalog";

/** Transit keys a Kustomization's SOPS files are encrypted with. */
export interface VaultTransitAccess {
    /** Key names in the transit engine (`sops`, as in `--hc-vault-transit <address>/v1/transit/keys/sops`). */
    keys: string[];
    /** The transit engine's mount path. Default `transit`. */
    mount?: string;
    /** Default: Kustomization. */
    usedBy?: FluxKind[];
}

/** What Flux decrypts with. */
export interface VaultAccess {
    transit?: VaultTransitAccess[];
}

/** An object-level tenant: Kustomizations with `spec.decryption.serviceAccountName: <serviceAccount>`. */
export interface VaultTenant {
    namespace: string;
    serviceAccount: string;
    access: VaultAccess;
}

/** The JWT auth method that trusts this cluster's issuer. */
export interface VaultJwtAuth {
    /** Mount path of the JWT auth method. Default `flux-<cluster name>`: one per source cluster, since role names carry no cluster. */
    path?: string;
    /** Create the auth method. Default true; false uses an existing one at `path` (it must trust this cluster's issuer). */
    create?: boolean;
    /**
     * PEM public keys that sign the cluster's ServiceAccount tokens, for issuers Vault cannot reach
     * (`jwt_validation_pubkeys`). Default: OIDC discovery on the issuer URL.
     */
    jwtValidationPubkeys?: string[];
}

/** The Vault (or OpenBao) target. */
export interface VaultTargetOptions {
    /**
     * The Vault address exactly as in the SOPS files' `sops.hc_vault[].vault_address`
     * (`https://vault.example.com:8200`): it selects the ConfigMap entry and is the token audience.
     */
    address: string;
    /** Vault Enterprise / OpenBao namespace the auth method, roles and policies live in. */
    namespace?: string;
    /** The JWT auth method. Default: created at `flux-<cluster name>` with discovery on the issuer. */
    jwtAuth?: VaultJwtAuth;
    /** Lifetime of the Vault tokens Flux gets, in seconds. Default 1200 (20 minutes). */
    tokenTtlSeconds?: number;
    /** What kustomize-controller decrypts with (controller level). */
    controllers?: VaultAccess;
    /** Object-level tenants. */
    tenants?: VaultTenant[];
}

export interface VaultTargetSpec extends VaultTargetOptions {}
