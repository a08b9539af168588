/**
 * VaultFluxIdentity: wires the Vault plan to @pulumi/vault resources (the JWT auth method, one policy and
 * one role per ServiceAccount) and outputs the Flux side. All knowledge lives in the pure planner. Pass
 * a Vault provider (address, token, namespace) in `opts.providers` as for any @pulumi/vault resource.
 */

import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { FluxPatchSet } from "../core/patch";
import { renderFluxSide } from "../flux/kustomization";
import { FluxObjectSetting } from "../flux/objects";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { ResourceFactory, createPlannedChildren } from "../pulumi/planned-resources";
import { SourceClusterArgs, isKnown, resolvedCluster } from "../pulumi/source-cluster-args";
import { vaultFluxPatchSet } from "./patches";
import { VaultPlan, VaultPlanInput, planVault } from "./plan";
import { VAULT_TYPES, VaultResourceType, describeVaultResources } from "./resources";
import { VaultTargetOptions } from "./spec";

export const VAULT_FLUX_IDENTITY_TYPE = "flux-identity:index:VaultFluxIdentity";

export interface VaultFluxIdentityArgs extends VaultTargetOptions {
    /** The cluster Flux runs in. */
    cluster: SourceClusterArgs;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
}

const FACTORIES: Record<VaultResourceType, ResourceFactory> = {
    [VAULT_TYPES.jwtAuthBackend]: (n, a, o) => new vault.jwt.AuthBackend(n, a as unknown as vault.jwt.AuthBackendArgs, o),
    [VAULT_TYPES.policy]: (n, a, o) => new vault.Policy(n, a as unknown as vault.PolicyArgs, o),
    [VAULT_TYPES.jwtAuthBackendRole]: (n, a, o) => new vault.jwt.AuthBackendRole(n, a as unknown as vault.jwt.AuthBackendRoleArgs, o),
};

export interface VaultFluxIdentityResult {
    /** Role name per controller and tenant `<namespace>/<serviceAccount>`. */
    roleNames: Record<string, string>;
    /** Policy name per controller and tenant. */
    policyNames: Record<string, string>;
    loginPath: string;
    patchSet: FluxPatchSet;
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    objectSettings: FluxObjectSetting[];
    warnings: string[];
}

const RESULT_KEYS = ["roleNames", "policyNames", "loginPath", "patchSet", "kustomizationYaml", "tenantServiceAccountsYaml", "objectSettings", "warnings"] as const;

export function vaultFluxIdentityResult(plan: VaultPlan): VaultFluxIdentityResult {
    const patchSet = vaultFluxPatchSet(plan);
    return {
        roleNames: Object.fromEntries(plan.identities.map((i) => [i.key, i.roleName])),
        policyNames: Object.fromEntries(plan.identities.map((i) => [i.key, i.policyName])),
        loginPath: plan.jwtAuth.loginPath,
        patchSet,
        ...renderFluxSide(patchSet),
        objectSettings: plan.objectSettings,
        warnings: plan.warnings,
    };
}

function input(args: VaultFluxIdentityArgs, issuerUrl: string): VaultPlanInput {
    const { cluster, fluxNamespace, ...target } = args;
    return { cluster: resolvedCluster(cluster, issuerUrl, isKnown(cluster.eksClusterName) ? cluster.eksClusterName : "pending"), fluxNamespace, vault: { ...target } };
}

/** SOPS decryption with Vault or OpenBao transit keys, logged in with the cluster's ServiceAccount tokens. */
export class VaultFluxIdentity extends pulumi.ComponentResource {
    /** Role name per controller and tenant (`<namespace>_<serviceAccount>`, as kustomize-controller logs in). */
    declare public readonly roleNames: pulumi.Output<Record<string, string>>;
    /** Policy name per controller and tenant. */
    declare public readonly policyNames: pulumi.Output<Record<string, string>>;
    /** `auth/<path>/login`: the ConfigMap's loginPath. */
    declare public readonly loginPath: pulumi.Output<string>;
    /** The Flux side as data. */
    declare public readonly patchSet: pulumi.Output<FluxPatchSet>;
    /** flux-system/kustomization.yaml: the controller flag and its ConfigMap. */
    declare public readonly kustomizationYaml: pulumi.Output<string>;
    /** Tenant ServiceAccounts (object level); empty without tenants. */
    declare public readonly tenantServiceAccountsYaml: pulumi.Output<string>;
    /** What each Kustomization must set (spec.decryption.serviceAccountName for tenants). */
    declare public readonly objectSettings: pulumi.Output<FluxObjectSetting[]>;
    /** Things to do or know that the component cannot do itself. */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: VaultFluxIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const known = isKnown(args.cluster.issuerUrl);
        const shape = planVault(input(args, known ? (args.cluster.issuerUrl as string) : "pending"), { pending: { issuerUrl: !known } });
        super(VAULT_FLUX_IDENTITY_TYPE, name, {}, opts);
        const plan = known ? undefined : pulumi.output(args.cluster.issuerUrl).apply((issuer) => planVault(input(args, issuer)));
        const created = createPlannedChildren({ parent: this, prefix: name, resources: describeVaultResources(shape), described: plan?.apply(describeVaultResources), factories: FACTORIES });
        // The result waits for every role: Flux can log in only once they exist.
        const awaited = pulumi.all([...created.values()].map((r) => r.urn));
        const result = plan ? pulumi.all([plan, awaited]).apply(([p]) => vaultFluxIdentityResult(p)) : awaited.apply(() => vaultFluxIdentityResult(shape));
        defineLazyOutputs(this, result, RESULT_KEYS);
        this.registerOutputs(
            result.apply((r) => ({ roleNames: r.roleNames, policyNames: r.policyNames, loginPath: r.loginPath, kustomizationYaml: r.kustomizationYaml, tenantServiceAccountsYaml: r.tenantServiceAccountsYaml, warnings: r.warnings })),
        );
    }
}
