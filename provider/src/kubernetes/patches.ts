/**
 * The Flux side for remote clusters over OIDC: nothing at controller level (Flux requests the
 * controller's own token with the ConfigMap's audiences); at object level the feature gate on the
 * serving controllers and the tenant ServiceAccounts, which need no annotation.
 */

import { plainTenantServiceAccounts } from "../core/tenants";
import { ControllerPatches, FluxPatchSet, OBJECT_LEVEL_FEATURE_GATE } from "../core/patch";
import { KubernetesPlan } from "./plan-model";

export function kubernetesFluxPatchSet(plan: KubernetesPlan): FluxPatchSet {
    const patches = new ControllerPatches();
    for (const c of plan.objectLevelControllers) patches.of(c).args.push(OBJECT_LEVEL_FEATURE_GATE);
    return {
        namespace: plan.fluxNamespace,
        controllers: patches.list(),
        tenantServiceAccounts: plainTenantServiceAccounts(plan.tenantControllers),
        configMaps: [],
    };
}
