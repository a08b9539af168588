/**
 * The root Pulumi project: `pulumi up` provisions the clusters of a fleet file with the same components
 * `render` plans. Config (namespace flux-identity):
 *   fleetFile  path of the fleet spec (default examples/fleet.yaml)
 *   clusters   optional list of cluster names to provision (default: all)
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { loadFleet } from "./sdk/src/spec/fleet";
import { declareFleet } from "./sdk/src/program/fleet-program";

const config = new pulumi.Config("flux-identity");
const fleetFile = path.resolve(config.get("fleetFile") ?? "examples/fleet.yaml");
const only = config.getObject<string[]>("clusters");
const { clusters } = declareFleet(loadFleet(fleetFile), only);

/** Per cluster: identities per cloud, the one kustomization.yaml to commit, and the tenant manifests. */
export const fleet = Object.fromEntries(
    Object.entries(clusters).map(([name, c]) => [
        name,
        {
            awsRoleArns: c.awsRoleArns,
            awsTenantRoleArns: c.targets().aws?.tenantRoleArns,
            azureClientIds: c.azureClientIds,
            azureTenantClientIds: c.targets().azure?.tenantClientIds,
            azureDevOpsOnboarding: c.targets().azure?.azureDevOpsOnboarding,
            gcpServiceAccountEmails: c.gcpServiceAccountEmails,
            gcpPrincipals: c.targets().gcp?.principals,
            gcpRemoteClusterRbacYaml: c.gcpRemoteClusterRbacYaml,
            kustomizationYaml: c.kustomizationYaml,
            tenantServiceAccountsYaml: c.tenantServiceAccountsYaml,
            tenantRbacYaml: c.tenantRbacYaml,
            warnings: c.warnings,
        },
    ]),
);
