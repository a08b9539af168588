/**
 * The objects live mode applies, as plain data: the fields each Server-Side Apply patch sets, and so
 * owns. They carry exactly what the GitOps kustomization.yaml patches add (the tests build both and
 * compare), plus the identity-hash annotation and the args bookkeeping annotation.
 */

import { sortedRecord } from "../core/order";
import { FluxControllerPatch, FluxTenantServiceAccount } from "../core/patch";
import { FLUX_PART_OF_LABELS, configMapObject, tenantServiceAccountObjects, volumeManifest } from "../flux/kustomization";
import { KubernetesObject } from "../flux/manifests";
import { ADDED_ARGS_ANNOTATION, MergedArgs, formatAddedArgs } from "./args";
import { IDENTITY_HASH_ANNOTATION } from "./identity-hash";

/** Every Flux controller runs one container with this name (gotk-components.yaml, v2.7 and v2.9). */
export const FLUX_CONTAINER = "manager";


/** Annotations of the Pulumi Kubernetes provider that name the field manager and force conflicts. */
export const PATCH_FIELD_MANAGER_ANNOTATION = "pulumi.com/patchFieldManager";
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/** The controller ServiceAccount's annotations (role ARN, client ID, ...). */
export function serviceAccountPatchBody(namespace: string, p: FluxControllerPatch): KubernetesObject {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: p.controller, namespace, annotations: sortedRecord(p.serviceAccountAnnotations) } };
}

/**
 * The identity patch of a controller's Deployment: labels on the Deployment and its pods, the `manager`
 * container's env and volumeMounts, the pod's volumes, and the identity hash when given. Lists here are
 * keyed per entry under Server-Side Apply, so only these entries are owned; Flux's own stay Flux's.
 */
export function deploymentPatchBody(namespace: string, p: FluxControllerPatch, identityHash?: string): KubernetesObject {
    const labels = sortedRecord(p.podLabels);
    const hasLabels = Object.keys(labels).length > 0;
    const templateMetadata: Record<string, unknown> = {};
    if (hasLabels) templateMetadata.labels = labels;
    if (identityHash !== undefined) templateMetadata.annotations = { [IDENTITY_HASH_ANNOTATION]: identityHash };
    const container: Record<string, unknown> = { name: FLUX_CONTAINER };
    if (p.env.length > 0) container.env = p.env.map((e) => ({ name: e.name, value: e.value }));
    if (p.volumeMounts.length > 0) container.volumeMounts = p.volumeMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: m.readOnly }));
    const podSpec: Record<string, unknown> = {};
    if (Object.keys(container).length > 1) podSpec.containers = [container];
    if (p.volumes.length > 0) podSpec.volumes = p.volumes.map(volumeManifest);
    const template: Record<string, unknown> = {};
    if (Object.keys(templateMetadata).length > 0) template.metadata = templateMetadata;
    if (Object.keys(podSpec).length > 0) template.spec = podSpec;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: hasLabels ? { name: p.controller, namespace, labels } : { name: p.controller, namespace },
        spec: { template },
    };
}

/** The args patch: the full merged list (see args.ts), and the record of which flags flux-identity added. */
export function argsPatchBody(namespace: string, controller: string, merged: MergedArgs): KubernetesObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: controller, namespace, annotations: { [ADDED_ARGS_ANNOTATION]: formatAddedArgs(merged.added) } },
        spec: { template: { spec: { containers: [{ name: FLUX_CONTAINER, args: [...merged.args] }] } } },
    };
}

export { FLUX_PART_OF_LABELS, configMapObject };

/** A tenant ServiceAccount's annotations, as the GitOps tenant manifest writes them. */
export function tenantServiceAccountPatchBody(sa: FluxTenantServiceAccount): KubernetesObject {
    return tenantServiceAccountObjects([sa])[0];
}

/** The object with the provider's field-manager (and, when forced, force) annotations added. */
export function withPatchAnnotations(o: KubernetesObject, fieldManager: string, force = false): KubernetesObject {
    const annotations: Record<string, string> = { ...(o.metadata.annotations ?? {}), [PATCH_FIELD_MANAGER_ANNOTATION]: fieldManager };
    if (force) annotations[PATCH_FORCE_ANNOTATION] = "true";
    return { ...o, metadata: { ...o.metadata, annotations } };
}
