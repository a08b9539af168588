/**
 * The Flux side for remote clusters over OIDC: nothing at controller level (Flux requests the
 * controller's own token with the ConfigMap's audiences); at object level the tenant ServiceAccounts, which
 * need no annotation, and on Flux 2.6 to 2.9 the feature gate on the serving controllers.
 */

import { plainTenantServiceAccounts } from "../core/tenants";
import { ControllerPatches, FluxPatchSet } from "../core/patch";
import { objectLevelArgs } from "../flux/version";
import { KubernetesPlan } from "./plan-model";

export function kubernetesFluxPatchSet(plan: KubernetesPlan): FluxPatchSet {
    const patches = new ControllerPatches();
    for (const c of plan.objectLevelControllers) patches.of(c).args.push(...objectLevelArgs(plan.fluxVersion));
    return {
        namespace: plan.fluxNamespace,
        controllers: patches.list(),
        tenantServiceAccounts: plainTenantServiceAccounts(plan.tenantControllers),
        configMaps: [],
        fluxVersion: plan.fluxVersion,
    };
}
