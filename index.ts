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

/** Per cluster: AWS role ARNs, Azure client IDs, GCP principals and the one kustomization.yaml to commit. */
export const fleet = Object.fromEntries(
    Object.entries(clusters).map(([name, c]) => [
        name,
        {
            awsRoleArns: c.aws?.roleArns,
            awsTenantRoleArns: c.aws?.tenantRoleArns,
            azureClientIds: c.azure?.clientIds,
            azureTenantClientIds: c.azure?.tenantClientIds,
            azureDevOpsOnboarding: c.azure?.azureDevOpsOnboarding,
            gcpServiceAccountEmails: c.gcp?.serviceAccountEmails,
            gcpPrincipals: c.gcp?.principals,
            gcpRemoteClusterRbacYaml: c.gcp?.remoteClusterRbacYaml,
            kustomizationYaml: c.kustomizationYaml,
            tenantServiceAccountsYaml: c.tenantServiceAccountsYaml,
            warnings: c.warnings,
        },
    ]),
);
