/** What each Kustomization or HelmRelease reaching a remote cluster over OIDC sets: the ConfigMap keys. */

import { Cloud } from "../core/catalog";
import { FluxObjectSetting } from "../flux/objects";
import { cloudObjectSettings } from "../flux/object-settings";
import { KubernetesGrant } from "./grants";
import { KubernetesResolvedTenant } from "./tenants";

/** `provider: generic`, `address`, `ca.crt` and `audiences` (when not the address), and the tenant's serviceAccountName. */
export function kubernetesObjectSettings(controllerGrants: readonly KubernetesGrant[], tenants: readonly KubernetesResolvedTenant[]): FluxObjectSetting[] {
    return cloudObjectSettings(Cloud.Kubernetes, controllerGrants, tenants.map((t) => ({ ref: t.ref, grants: t.grants, brought: false, kinds: t.kinds })));
}
