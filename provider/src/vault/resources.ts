/**
 * The Vault resources as data (@pulumi/vault type tokens and exact arguments): plan.json lists them and
 * VaultFluxIdentity creates its children from the same list.
 */

import { PlannedResource, ResourceList } from "../core/resources";
import { VaultPlan } from "./plan-model";

export const VAULT_TYPES = {
    jwtAuthBackend: "vault:jwt/authBackend:AuthBackend",
    policy: "vault:index/policy:Policy",
    jwtAuthBackendRole: "vault:jwt/authBackendRole:AuthBackendRole",
} as const;

export type VaultResourceType = (typeof VAULT_TYPES)[keyof typeof VAULT_TYPES];
export type VaultPlannedResource = PlannedResource<VaultResourceType>;

export const AUTH_BACKEND_LOGICAL_NAME = "jwt-auth";

export function describeVaultResources(plan: VaultPlan): VaultPlannedResource[] {
    const list = new ResourceList<VaultResourceType>();
    const auth = plan.jwtAuth;
    const backendDeps: string[] = [];
    if (auth.create) {
        list.add(VAULT_TYPES.jwtAuthBackend, AUTH_BACKEND_LOGICAL_NAME, {
            path: auth.path,
            type: "jwt",
            description: `Flux on cluster ${plan.cluster.name} (managed by flux-identity)`,
            boundIssuer: auth.boundIssuer,
            oidcDiscoveryUrl: auth.oidcDiscoveryUrl,
            jwtValidationPubkeys: auth.jwtValidationPubkeys,
            namespace: plan.namespace,
        });
        backendDeps.push(AUTH_BACKEND_LOGICAL_NAME);
    }
    for (const i of plan.identities) {
        const policy = `policy/${i.roleName}`;
        list.add(VAULT_TYPES.policy, policy, { name: i.policyName, policy: i.policy, namespace: plan.namespace });
        list.add(
            VAULT_TYPES.jwtAuthBackendRole,
            `role/${i.roleName}`,
            {
                backend: auth.path,
                roleName: i.roleName,
                roleType: "jwt",
                // Exactly one ServiceAccount of this cluster, with the audience kustomize-controller requests.
                userClaim: "sub",
                boundSubject: i.subject,
                boundAudiences: [plan.address],
                boundClaims: { iss: plan.cluster.issuerUrl },
                tokenPolicies: [i.policyName],
                tokenTtl: plan.tokenTtlSeconds,
                tokenMaxTtl: plan.tokenTtlSeconds,
                tokenNoDefaultPolicy: true,
                namespace: plan.namespace,
            },
            [...backendDeps, policy],
        );
    }
    return list.items;
}
