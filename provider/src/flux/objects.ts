/**
 * What each Flux object must set to use the identities made here, per the Flux integration docs:
 * `spec.provider` and, at object level, `spec.serviceAccountName` (or its SOPS and kubeConfig variants).
 */

import { Cloud, FluxKind } from "../core/catalog";

/** Whether a Flux object uses its controller's identity or a tenant ServiceAccount's. */
export enum FluxAuthLevel {
    Controller = "controller",
    Object = "object",
}

/** The fields one kind of Flux object sets for one integration. */
export interface FluxObjectSetting {
    /** Integration id from the catalog (`ecr`, `s3`, ...); empty for a bring-your-own role of unknown use. */
    integration: string;
    kind: FluxKind;
    level: FluxAuthLevel;
    /** Object level: the tenant namespace the objects live in. */
    namespace?: string;
    /** Object level: the ServiceAccount the objects name. */
    serviceAccountName?: string;
    /** Remote clusters: the cluster the kubeConfig ConfigMap points at. */
    resource?: string;
    /** Field path to value. Paths starting `configMap.` are keys of the ConfigMap named by `spec.kubeConfig.configMapRef`. */
    set: Record<string, string>;
    note?: string;
}

/** Integrations that reach remote clusters through a kubeConfig ConfigMap. */
export const REMOTE_CLUSTER_INTEGRATIONS: ReadonlySet<string> = new Set(["eks", "aks", "gke", "remoteClusters"]);
const SOPS = new Set(["kms", "keyVault", "transit"]);
/** The kubeConfig ConfigMap's `provider` per target: plain OIDC remote clusters use Flux's generic provider. */
function kubeConfigProvider(cloud: Cloud): string {
    return cloud === Cloud.Kubernetes ? "generic" : cloud;
}
/** The notification Provider's `spec.type` per integration (the Flux notification and integration docs). */
const NOTIFICATION_PROVIDER_TYPES: Readonly<Record<string, string>> = { pubsub: "googlepubsub", eventHubs: "azureeventhub", azureDevOps: "azuredevops" };

export interface ObjectSettingInput {
    cloud: Cloud;
    integration: string;
    kind: FluxKind;
    /** Tenant ServiceAccount, for object level. */
    tenant?: { namespace: string; name: string };
    /** For remote clusters: the cluster resource (ARN, resource ID, or GKE resource name). */
    resource?: string;
    /** For remote clusters: further ConfigMap keys (`address`, `ca.crt`, `audiences`). */
    configMap?: Readonly<Record<string, string>>;
}

export function fluxObjectSetting(input: ObjectSettingInput): FluxObjectSetting {
    const { cloud, integration, kind, tenant } = input;
    const level = tenant ? FluxAuthLevel.Object : FluxAuthLevel.Controller;
    const set: Record<string, string> = {};
    let note: string | undefined;
    if (integration === "" && (kind === FluxKind.Kustomization || kind === FluxKind.HelmRelease)) {
        note = tenant
            ? `SOPS: set spec.decryption.serviceAccountName: ${tenant.name}. Remote clusters: set serviceAccountName: ${tenant.name} in the kubeConfig ConfigMap.`
            : "SOPS: nothing to set. Remote clusters: set provider and cluster in the kubeConfig ConfigMap.";
    } else if (REMOTE_CLUSTER_INTEGRATIONS.has(integration)) {
        set["spec.kubeConfig.configMapRef.name"] = "<ConfigMap name>";
        set["configMap.provider"] = kubeConfigProvider(cloud);
        // The generic provider names no cloud resource: the address (a further key) is the cluster.
        if (input.resource && cloud !== Cloud.Kubernetes) set["configMap.cluster"] = input.resource;
        for (const [key, value] of Object.entries(input.configMap ?? {})) set[`configMap.${key}`] = value;
        if (tenant) set["configMap.serviceAccountName"] = tenant.name;
        note = "The ConfigMap lives in the object's namespace; leave its serviceAccountName unset at controller level.";
    } else if (SOPS.has(integration)) {
        if (tenant) {
            set["spec.decryption.serviceAccountName"] = tenant.name;
        }
        note = "SOPS has no provider field: it reads the key provider from the encrypted Secret's metadata.";
    } else if (kind === FluxKind.ImageUpdateAutomation) {
        set["GitRepository spec.provider"] = cloud;
        if (tenant) set["GitRepository spec.serviceAccountName"] = tenant.name;
        note = "Set these on the GitRepository named by the automation's spec.sourceRef.";
    } else if (kind === FluxKind.Provider) {
        const type = NOTIFICATION_PROVIDER_TYPES[integration];
        if (type) set["spec.type"] = type;
        if (tenant) set["spec.serviceAccountName"] = tenant.name;
        note = type ? undefined : "spec.type selects the service; see the integration docs.";
    } else if (kind === FluxKind.HelmRepository) {
        // HelmRepository has no spec.serviceAccountName (Flux's CRD): at object level the chart is pulled
        // by an OCIRepository carrying the tenant's identity, which the HelmRelease names in spec.chartRef.
        if (tenant) {
            set["OCIRepository spec.provider"] = cloud;
            set["OCIRepository spec.serviceAccountName"] = tenant.name;
            note = "HelmRepository has no spec.serviceAccountName, so it cannot use a tenant's identity: pull the chart with an OCIRepository set like this and point the HelmRelease's spec.chartRef at it.";
        } else {
            set["spec.provider"] = cloud;
            note = "Only HelmRepositories of type oci authenticate with a cloud provider.";
        }
    } else {
        set["spec.provider"] = cloud;
        if (tenant) set["spec.serviceAccountName"] = tenant.name;
        if (kind === FluxKind.Bucket && cloud === Cloud.Aws && tenant) {
            note = "Also set spec.region: AWS needs a region to exchange a tenant's token.";
        }
    }
    const out: Partial<FluxObjectSetting> = { integration, kind, level };
    if (tenant) {
        out.namespace = tenant.namespace;
        out.serviceAccountName = tenant.name;
    }
    if (input.resource) out.resource = input.resource;
    out.set = set;
    if (note) out.note = note;
    return out as FluxObjectSetting;
}
