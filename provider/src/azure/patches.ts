/**
 * The Flux side for Azure, per the Flux Azure docs:
 * - AKS at controller level: client-id and tenant-id annotations on the ServiceAccount and the
 *   `azure.workload.identity/use: "true"` label on the Deployment and its pods (the AKS webhook does the rest);
 * - any other cluster: AZURE_* env and a projected token with audience api://AzureADTokenExchange;
 * - private clouds: AZURE_ENVIRONMENT_FILEPATH pointing at a mounted ConfigMap with the endpoints;
 * - object level: the feature gate on serving controllers and annotated tenant ServiceAccounts.
 */

import { FluxController, sortControllers } from "../core/catalog";
import { SourceClusterType } from "../core/cluster";
import { ControllerPatches, FluxConfigMap, FluxControllerPatch, FluxPatchSet, FluxTenantServiceAccount, OBJECT_LEVEL_FEATURE_GATE } from "../core/patch";
import { AZURE_TOKEN_AUDIENCE } from "./clouds";
import { AzurePlan } from "./plan-model";
import { AzureCloud } from "./spec";
import { pendingValue } from "../core/pending";

export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
export const USE_LABEL = "azure.workload.identity/use";
export const AZURE_TOKEN_VOLUME = "azure-token";
export const AZURE_TOKEN_DIR = "/var/run/service-account";
export const AZURE_TOKEN_EXPIRATION_SECONDS = 3600;
export const AZURE_ENVIRONMENT_CONFIGMAP = "flux-azure-environment";
export const AZURE_ENVIRONMENT_VOLUME = "azure-environment";
export const AZURE_ENVIRONMENT_DIR = "/etc/azure-environment";
export const AZURE_ENVIRONMENT_FILE = "environment.json";

/** Client and tenant ID of one identity. */
export interface AzureIdentityRef {
    clientId: string;
    tenantId: string;
}

/** Client IDs by identity key: brought ones from the plan, created ones from `created` or a placeholder. */
export function azureIdentityRefs(plan: AzurePlan, created: Record<string, string> = {}): Record<string, AzureIdentityRef> {
    const out: Record<string, AzureIdentityRef> = {};
    for (const i of plan.identities) {
        out[i.key] = { clientId: created[i.key] ?? pendingValue(`client ID of ${i.name}`), tenantId: plan.tenantId };
    }
    for (const e of plan.existingIdentities) out[e.key] = { clientId: e.clientId, tenantId: e.tenantId };
    return out;
}

export function azureFluxPatchSet(plan: AzurePlan, refs: Record<string, AzureIdentityRef> = azureIdentityRefs(plan)): FluxPatchSet {
    const patches = new ControllerPatches();
    const patchOf = (c: FluxController) => patches.of(c);
    const setEnv = (p: FluxControllerPatch, name: string, value: string) => {
        if (!p.env.some((e) => e.name === name)) p.env.push({ name, value });
    };
    const refOf = (key: string) => {
        const ref = refs[key];
        if (!ref) throw new Error(`no client ID for identity ${key}`);
        return ref;
    };
    const aks = plan.cluster.type === SourceClusterType.Aks;
    const controllers = sortControllers(Object.keys(plan.controllerIdentities) as FluxController[]);
    for (const c of controllers) {
        const ref = refOf(plan.controllerIdentities[c]);
        const p = patchOf(c);
        if (aks) {
            p.serviceAccountAnnotations[CLIENT_ID_ANNOTATION] = ref.clientId;
            p.serviceAccountAnnotations[TENANT_ID_ANNOTATION] = ref.tenantId;
            p.podLabels[USE_LABEL] = "true";
            continue;
        }
        setEnv(p, "AZURE_TENANT_ID", ref.tenantId);
        setEnv(p, "AZURE_CLIENT_ID", ref.clientId);
        setEnv(p, "AZURE_AUTHORITY_HOST", plan.authorityHost);
        setEnv(p, "AZURE_FEDERATED_TOKEN_FILE", `${AZURE_TOKEN_DIR}/${AZURE_TOKEN_VOLUME}`);
        p.volumes.push({ name: AZURE_TOKEN_VOLUME, projectedTokens: [{ audience: AZURE_TOKEN_AUDIENCE, expirationSeconds: AZURE_TOKEN_EXPIRATION_SECONDS, path: AZURE_TOKEN_VOLUME }] });
        p.volumeMounts.push({ name: AZURE_TOKEN_VOLUME, mountPath: AZURE_TOKEN_DIR, readOnly: true });
    }
    for (const c of plan.objectLevelControllers) {
        const p = patchOf(c);
        p.args.push(OBJECT_LEVEL_FEATURE_GATE);
        // Tenant token exchanges go to the cloud's authority; on AKS the webhook sets it only for labelled pods.
        if (plan.cloud !== AzureCloud.Public && !(aks && p.podLabels[USE_LABEL] === "true")) {
            setEnv(p, "AZURE_AUTHORITY_HOST", plan.authorityHost);
        }
    }
    const configMaps: FluxConfigMap[] = [];
    if (plan.privateCloud) {
        configMaps.push({ name: AZURE_ENVIRONMENT_CONFIGMAP, data: { [AZURE_ENVIRONMENT_FILE]: JSON.stringify(plan.privateCloud.environment, null, 2) + "\n" } });
        for (const c of sortControllers([...controllers, ...plan.objectLevelControllers])) {
            const p = patchOf(c);
            setEnv(p, "AZURE_ENVIRONMENT_FILEPATH", `${AZURE_ENVIRONMENT_DIR}/${AZURE_ENVIRONMENT_FILE}`);
            p.volumes.push({ name: AZURE_ENVIRONMENT_VOLUME, configMapName: AZURE_ENVIRONMENT_CONFIGMAP });
            p.volumeMounts.push({ name: AZURE_ENVIRONMENT_VOLUME, mountPath: AZURE_ENVIRONMENT_DIR, readOnly: true });
        }
    }
    const tenantServiceAccounts: FluxTenantServiceAccount[] = Object.keys(plan.tenantIdentities)
        .sort()
        .map((key) => {
            const [namespace, name] = key.split("/");
            const ref = refOf(plan.tenantIdentities[key]);
            return { namespace, name, annotations: { [CLIENT_ID_ANNOTATION]: ref.clientId, [TENANT_ID_ANNOTATION]: ref.tenantId }, servedBy: plan.tenantControllers[key] ?? [] };
        });
    return {
        namespace: plan.fluxNamespace,
        controllers: patches.list(),
        tenantServiceAccounts,
        configMaps,
    };
}
