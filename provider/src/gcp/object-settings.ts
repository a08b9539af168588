/** What each Flux object using GCP must set, per integration, kind and tenant, in a stable order. */

import { Cloud } from "../core/catalog";
import { FluxObjectSetting } from "../flux/objects";
import { SettingGrant, cloudObjectSettings } from "../flux/object-settings";
import { endpointConfigMapKeys } from "../core/remote-cluster";
import { GcpGrant } from "./grants";
import { GcpResolvedTenant } from "./tenants";

/** Only remote clusters name their resource in the settings. */
function settingGrant(g: GcpGrant): SettingGrant {
    return { service: g.service, kinds: g.kinds, resources: g.remoteCluster ? [g.remoteCluster.cluster] : [], configMap: endpointConfigMapKeys(g.remoteCluster?.endpoint) };
}

export function gcpObjectSettings(controllerGrants: readonly GcpGrant[], tenants: readonly GcpResolvedTenant[]): FluxObjectSetting[] {
    return cloudObjectSettings(
        Cloud.Gcp,
        controllerGrants.map(settingGrant),
        // A tenant that brings its GSA and lists no access is known only by its kinds.
        tenants.map((t) => ({ ref: t.ref, grants: t.grants.map(settingGrant), brought: t.grants.length === 0, kinds: t.kinds })),
    );
}
