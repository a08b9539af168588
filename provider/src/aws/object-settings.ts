/** What each Flux object using AWS must set, per integration, kind and tenant, in a stable order. */

import { Cloud, FluxKind } from "../core/catalog";
import { FluxAuthLevel, FluxObjectSetting } from "../flux/objects";
import { SettingGrant, cloudObjectSettings } from "../flux/object-settings";
import { endpointConfigMapKeys } from "../core/remote-cluster";
import { AwsGrant } from "./grants";
import { Tenant } from "./tenants";

/** Remote EKS clusters carry their endpoint keys into the kubeConfig ConfigMap. */
function settingGrant(g: AwsGrant): SettingGrant {
    return { service: g.service, kinds: g.kinds, resources: g.resources, configMap: endpointConfigMapKeys(g.endpoint) };
}

/**
 * The settings; with a custom STS endpoint, tenants' Buckets also name it in `spec.sts` (the only
 * object-level way Flux takes one; controllers read AWS_ENDPOINT_URL_STS instead).
 */
export function awsObjectSettings(controllerGrants: AwsGrant[], tenants: Tenant[], stsEndpoint?: string): FluxObjectSetting[] {
    const settings = cloudObjectSettings(
        Cloud.Aws,
        controllerGrants.map(settingGrant),
        tenants.map((t) => ({ ref: t.ref, grants: t.grants.map(settingGrant), brought: Boolean(t.existingRoleArn), kinds: t.kinds })),
    );
    if (stsEndpoint === undefined) return settings;
    return settings.map((s) =>
        s.kind === FluxKind.Bucket && s.level === FluxAuthLevel.Object ? { ...s, set: { ...s.set, "spec.sts.provider": "aws", "spec.sts.endpoint": stsEndpoint } } : s,
    );
}
