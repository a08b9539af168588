/** What the Vault side needs that the plan cannot do itself. */

import { VaultPlan } from "./plan-model";

export function vaultWarnings(plan: Omit<VaultPlan, "warnings">): string[] {
    const out: string[] = [];
    out.push(`SOPS files must name the Vault address exactly as ${plan.address} (sops.hc_vault[].vault_address): kustomize-controller matches it against its ConfigMap and requests tokens for that audience.`);
    if (plan.jwtAuth.oidcDiscoveryUrl !== undefined) {
        out.push(`Vault fetches ${plan.jwtAuth.oidcDiscoveryUrl.replace(/\/$/, "")}/.well-known/openid-configuration: the issuer must be reachable from Vault, or give jwtAuth.jwtValidationPubkeys.`);
    } else if (plan.jwtAuth.jwtValidationPubkeys !== undefined) {
        out.push(`auth method ${plan.jwtAuth.path} holds copies of the cluster's signing keys: update jwtAuth.jwtValidationPubkeys whenever they rotate.`);
    }
    if (!plan.jwtAuth.create) {
        out.push(`existing auth method ${plan.jwtAuth.path} is used as is: it must be a JWT auth method trusting issuer ${plan.cluster.issuerUrl}, and no other cluster may log in there (role names carry no cluster).`);
    }
    out.push("the transit keys themselves are not managed here: create them, and give whoever encrypts update on <mount>/encrypt/<key>.");
    return out;
}
