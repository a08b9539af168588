/**
 * Brought identities: roles, managed identities and GCP service accounts that flux-identity does not
 * own. Flux gets in only if the cloud side trusts this cluster's ServiceAccounts exactly, so the plan
 * says what must exist there, in one shape for every cloud, for the identity's owner to check or apply.
 */

import { compareStrings } from "./order";

/** One thing that must exist on the cloud side for a brought identity to let Flux in. */
export interface BroughtIdentityRequirement {
    /** `aws`, `azure` or `gcp`. */
    cloud: string;
    /** The identity's key in the plan (`existing/source-controller`, `target/kustomize-controller`, ...). */
    identityKey: string;
    /** The brought identity: an IAM role ARN, a client ID, or a GSA email. */
    identity: string;
    /** Flux controllers that authenticate as it (they request the tenant's tokens at object level). */
    controllers: string[];
    /** The tenant ServiceAccount `<namespace>/<name>` that authenticates as it; empty for controllers. */
    tenant: string;
    /**
     * What must exist, in the cloud's own words: `iam-role-trust-statement`, `iam-oidc-provider`,
     * `eks-pod-identity-association`, `iam-role-permissions` (AWS), `federated-identity-credential`
     * (Azure), `iam-member` (GCP).
     */
    kind: string;
    /** Where it must exist: the role, the identity's client ID, or the GSA's resource name. */
    resource: string;
    /** The exact document the cloud's API takes (a policy statement, a credential, a member), as JSON. */
    document: string;
    /** True when flux-identity creates it itself (GCP bindings on a brought GSA); false when the owner must. */
    managed: boolean;
    /** A shell command that shows what exists now, to compare with `document`. */
    check: string;
    /** A shell command that adds it and leaves everything else in place. */
    apply: string;
}

/** A value as one shell word: single-quoted, with embedded quotes closed and escaped. */
export function shellWord(value: string): string {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Canonical JSON of a document: the key order it was built with, no whitespace. */
export function documentJson(value: unknown): string {
    return JSON.stringify(value);
}

/** Requirements in a stable order: by identity, then kind, then resource. */
export function sortRequirements(list: BroughtIdentityRequirement[]): BroughtIdentityRequirement[] {
    return [...list].sort(
        (a, b) => compareStrings(a.cloud, b.cloud) || compareStrings(a.identityKey, b.identityKey) || compareStrings(a.kind, b.kind) || compareStrings(a.resource, b.resource) || compareStrings(a.document, b.document),
    );
}
