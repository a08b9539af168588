/**
 * The Flux side for Vault: kustomize-controller gets `--sops-vault-configmap=<name>` and the ConfigMap
 * listing the Vault instance and its login path (Flux v2.9); object level adds the feature gate and the
 * tenant ServiceAccounts (no annotation: the role name is derived from the ServiceAccount).
 */

import { FluxController } from "../core/catalog";
import { plainTenantServiceAccounts } from "../core/tenants";
import { ControllerPatches, FluxPatchSet, OBJECT_LEVEL_FEATURE_GATE } from "../core/patch";
import { VaultPlan } from "./plan-model";

export const SOPS_VAULT_CONFIG_MAP = "flux-sops-vault";
export const SOPS_VAULT_CONFIG_KEY = "config.yaml";
export const SOPS_VAULT_FLAG = `--sops-vault-configmap=${SOPS_VAULT_CONFIG_MAP}`;

export function vaultFluxPatchSet(plan: VaultPlan): FluxPatchSet {
    const patches = new ControllerPatches();
    const kustomize = patches.of(FluxController.Kustomize);
    kustomize.args.push(SOPS_VAULT_FLAG);
    if (plan.objectLevelControllers.includes(FluxController.Kustomize)) kustomize.args.push(OBJECT_LEVEL_FEATURE_GATE);
    return {
        namespace: plan.fluxNamespace,
        controllers: patches.list(),
        tenantServiceAccounts: plainTenantServiceAccounts(plan.tenantControllers),
        configMaps: [{ name: SOPS_VAULT_CONFIG_MAP, data: { [SOPS_VAULT_CONFIG_KEY]: plan.configYaml } }],
    };
}
