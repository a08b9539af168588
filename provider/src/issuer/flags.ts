/**
 * The kube-apiserver flags that make the cluster issue tokens for the published issuer (Flux cross-cloud
 * docs): `--service-account-issuer` with the new value FIRST and the previous value second, "in this
 * specific order" (the first issues new tokens; all are accepted when validating existing ones), and
 * `--service-account-jwks-uri` pointing at the published JWKS.
 */

export function apiServerFlags(issuerUrl: string, jwksUri: string, previousIssuerUrl?: string): string[] {
    const flags = [`--service-account-issuer=${issuerUrl}`];
    if (previousIssuerUrl !== undefined) flags.push(`--service-account-issuer=${previousIssuerUrl}`);
    flags.push(`--service-account-jwks-uri=${jwksUri}`);
    return flags;
}
