/** What each Flux object using AWS must set, per integration, kind and tenant, in a stable order. */

import { Cloud } from "../core/catalog";
import { FluxObjectSetting } from "../flux/objects";
import { SettingGrant, cloudObjectSettings } from "../flux/object-settings";
import { endpointConfigMapKeys } from "../core/remote-cluster";
import { AwsGrant } from "./grants";
import { Tenant } from "./tenants";

/** Remote EKS clusters carry their endpoint keys into the kubeConfig ConfigMap. */
function settingGrant(g: AwsGrant): SettingGrant {
    return { service: g.service, kinds: g.kinds, resources: g.resources, configMap: endpointConfigMapKeys(g.endpoint) };
}

export function awsObjectSettings(controllerGrants: AwsGrant[], tenants: Tenant[]): FluxObjectSetting[] {
    return cloudObjectSettings(
        Cloud.Aws,
        controllerGrants.map(settingGrant),
        tenants.map((t) => ({ ref: t.ref, grants: t.grants.map(settingGrant), brought: Boolean(t.existingRoleArn), kinds: t.kinds })),
    );
}
