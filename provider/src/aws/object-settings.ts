/** What each Flux object using AWS must set, per integration, kind and tenant, in a stable order. */

import { Cloud } from "../core/catalog";
import { FluxObjectSetting } from "../flux/objects";
import { cloudObjectSettings } from "../flux/object-settings";
import { AwsGrant } from "./grants";
import { Tenant } from "./tenants";

export function awsObjectSettings(controllerGrants: AwsGrant[], tenants: Tenant[]): FluxObjectSetting[] {
    return cloudObjectSettings(
        Cloud.Aws,
        controllerGrants,
        tenants.map((t) => ({ ref: t.ref, grants: t.grants, brought: Boolean(t.existingRoleArn), kinds: t.kinds })),
    );
}
