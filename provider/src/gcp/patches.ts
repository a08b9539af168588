/**
 * The Flux side for GCP, per the Flux GCP docs:
 * - GKE, controller level: nothing for direct access; the `iam.gke.io/gcp-service-account` annotation
 *   on the controller ServiceAccount when impersonating;
 * - any other cluster, controller level: a credential configuration ConfigMap per controller, mounted
 *   with a projected token whose audience is the Workload Identity Provider, and
 *   GOOGLE_APPLICATION_CREDENTIALS pointing at it;
 * - object level: the feature gate on serving controllers and annotated tenant ServiceAccounts.
 */

import { FluxController, sortControllers } from "../core/catalog";
import { ControllerPatches, FluxConfigMap, FluxPatchSet, FluxTenantServiceAccount, OBJECT_LEVEL_FEATURE_GATE } from "../core/patch";
import { compareStrings } from "../core/order";
import {
    CREDENTIAL_CONFIGURATION_DIR,
    CREDENTIAL_CONFIGURATION_FILE,
    CREDENTIAL_CONFIGURATION_VOLUME,
    GCP_TOKEN_DIR,
    GCP_TOKEN_EXPIRATION_SECONDS,
    GCP_TOKEN_VOLUME,
    credentialConfigMapName,
    credentialConfigurationJson,
    providerTokenAudience,
} from "./credential-configuration";
import { GcpIdentityPlan, GcpPlan } from "./plan-model";

export const GKE_SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account";
export const WORKLOAD_IDENTITY_PROVIDER_ANNOTATION = "gcp.auth.fluxcd.io/workload-identity-provider";

export function gcpFluxPatchSet(plan: GcpPlan): FluxPatchSet {
    const identity = new Map(plan.identities.map((i) => [i.key, i]));
    const identityOf = (key: string): GcpIdentityPlan => {
        const found = identity.get(key);
        if (!found) throw new Error(`flux-identity: no identity ${key}; this is a bug`);
        return found;
    };
    const patches = new ControllerPatches();
    const patchOf = (c: FluxController) => patches.of(c);
    const configMaps: FluxConfigMap[] = [];
    // GKE's built-in workload identity (its metadata server); a GKE cluster federated through a pool is set up like any other.
    const gke = plan.gkeProjectId !== undefined;
    for (const c of sortControllers(Object.keys(plan.controllerIdentities) as FluxController[])) {
        const id = identityOf(plan.controllerIdentities[c]);
        if (gke) {
            if (id.serviceAccountEmail) patchOf(c).serviceAccountAnnotations[GKE_SERVICE_ACCOUNT_ANNOTATION] = id.serviceAccountEmail;
            continue;
        }
        const provider = plan.workloadIdentityPool?.providerName;
        if (!provider) throw new Error("flux-identity: a plan without GKE's pool or a workload identity provider; this is a bug");
        const configMap = credentialConfigMapName(c);
        configMaps.push({ name: configMap, data: { [CREDENTIAL_CONFIGURATION_FILE]: credentialConfigurationJson(provider, id.serviceAccountEmail) } });
        const p = patchOf(c);
        p.env.push({ name: "GOOGLE_APPLICATION_CREDENTIALS", value: `${CREDENTIAL_CONFIGURATION_DIR}/${CREDENTIAL_CONFIGURATION_FILE}` });
        p.volumes.push(
            { name: GCP_TOKEN_VOLUME, projectedTokens: [{ audience: providerTokenAudience(provider), expirationSeconds: GCP_TOKEN_EXPIRATION_SECONDS, path: GCP_TOKEN_VOLUME }] },
            { name: CREDENTIAL_CONFIGURATION_VOLUME, configMapName: configMap },
        );
        p.volumeMounts.push(
            { name: GCP_TOKEN_VOLUME, mountPath: GCP_TOKEN_DIR, readOnly: true },
            { name: CREDENTIAL_CONFIGURATION_VOLUME, mountPath: CREDENTIAL_CONFIGURATION_DIR, readOnly: true },
        );
    }
    for (const c of plan.objectLevelControllers) {
        patchOf(c).args.push(OBJECT_LEVEL_FEATURE_GATE);
    }
    const tenantServiceAccounts: FluxTenantServiceAccount[] = Object.keys(plan.tenantIdentities)
        .sort(compareStrings)
        .map((key) => {
            const [namespace, name] = key.split("/");
            const id = identityOf(plan.tenantIdentities[key]);
            const annotations: Record<string, string> = {};
            if (id.serviceAccountEmail) annotations[GKE_SERVICE_ACCOUNT_ANNOTATION] = id.serviceAccountEmail;
            if (!gke && plan.workloadIdentityPool) annotations[WORKLOAD_IDENTITY_PROVIDER_ANNOTATION] = plan.workloadIdentityPool.providerName;
            return { namespace, name, annotations, servedBy: plan.tenantControllers[key] ?? [] };
        });
    return {
        namespace: plan.fluxNamespace,
        controllers: patches.list(),
        tenantServiceAccounts,
        configMaps: configMaps.sort((a, b) => compareStrings(a.name, b.name)),
    };
}
