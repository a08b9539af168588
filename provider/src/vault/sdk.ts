/**
 * Everything VaultFluxIdentity takes from @pulumi/vault: the resource class of each planned type.
 * Loaded when the first VaultFluxIdentity is built (see ../pulumi/peer-sdk).
 */
import * as vault from "@pulumi/vault";
import { ResourceFactory } from "../pulumi/planned-resources";
import { VAULT_TYPES, VaultResourceType } from "./resources";

// The planner guarantees each type's arguments; the component tests compare them with what is registered.
export const VAULT_FACTORIES: Readonly<Record<VaultResourceType, ResourceFactory>> = {
    [VAULT_TYPES.jwtAuthBackend]: (n, a, o) => new vault.jwt.AuthBackend(n, a as unknown as vault.jwt.AuthBackendArgs, o),
    [VAULT_TYPES.policy]: (n, a, o) => new vault.Policy(n, a as unknown as vault.PolicyArgs, o),
    [VAULT_TYPES.jwtAuthBackendRole]: (n, a, o) => new vault.jwt.AuthBackendRole(n, a as unknown as vault.jwt.AuthBackendRoleArgs, o),
};
