/**
 * flux-identity/testing: unit tests of Pulumi programs that use flux-identity, under Pulumi's own mocks.
 *
 *   import * as pulumi from "@pulumi/pulumi";
 *   import { fluxIdentityMocks, outputValue } from "flux-identity/testing";
 *   await pulumi.runtime.setMocks(fluxIdentityMocks({ aws: { accountId: "111122223333" } }));
 */
export * from "./mocks";
export { FLUX_IDENTITY_INVOKES } from "../pulumi/invokes";
