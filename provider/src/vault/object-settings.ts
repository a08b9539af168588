/** What each Kustomization decrypting with Vault sets: nothing at controller level, spec.decryption.serviceAccountName for tenants. */

import { Cloud } from "../core/catalog";
import { FluxObjectSetting } from "../flux/objects";
import { cloudObjectSettings } from "../flux/object-settings";
import { VaultGrant } from "./grants";
import { VaultResolvedTenant } from "./tenants";

export function vaultObjectSettings(controllerGrants: readonly VaultGrant[], tenants: readonly VaultResolvedTenant[]): FluxObjectSetting[] {
    return cloudObjectSettings(Cloud.Vault, controllerGrants, tenants.map((t) => ({ ref: t.ref, grants: t.grants, brought: false, kinds: t.kinds })));
}
