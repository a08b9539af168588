/**
 * The root Pulumi project: `pulumi up` provisions the clusters of a fleet with the same components
 * `render` plans. Config (namespace flux-identity):
 *   fleetFile  path of the fleet spec (default examples/fleet.yaml), or
 *   fleet      the fleet spec inline (an object with `clusters`), which wins over fleetFile
 *   clusters   optional list of cluster names to provision (default: all)
 *   selector   optional labels every provisioned cluster carries, as an object
 * The selection fails closed (sdk/src/program/root-config.ts): a wrongly typed or empty setting, a key of
 * the namespace nothing reads, or a selection that matches no cluster stops the program before it
 * declares anything, so an update can never delete clusters' identities by a slip of the config.
 * `${config:key}` references resolve from this stack's config (`flux-identity:key`, or a full
 * `namespace:key`), `${env:NAME}` from the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { FleetSpec, loadFleet, parseFleet } from "./sdk/src/spec/fleet";
import { resolveFleetReferences } from "./sdk/src/spec/references";
import { declareFleet } from "./sdk/src/program/fleet-program";
import { checkRootConfig, rootClusters } from "./sdk/src/program/root-config";

const config = new pulumi.Config("flux-identity");
const inline = config.getObject<FleetSpec>("fleet");
const spec = inline ? parseFleet(JSON.stringify(inline), "flux-identity:fleet") : loadFleet(path.resolve(config.get("fleetFile") ?? "examples/fleet.yaml"));
const allConfig = pulumi.runtime.allConfig();
checkRootConfig(Object.keys(allConfig), spec);

// Stack config as reference values: `flux-identity:awsAccountId` answers both ${config:awsAccountId} and ${config:flux-identity:awsAccountId}.
const stackConfig: Record<string, string> = {};
for (const [key, value] of Object.entries(allConfig)) {
    stackConfig[key] = value;
    if (key.startsWith("flux-identity:")) stackConfig[key.slice("flux-identity:".length)] = value;
}
const resolved = resolveFleetReferences(spec, { env: process.env, config: stackConfig });

const selection: { clusters?: string; selector?: string } = {};
const clustersText = config.get("clusters");
const selectorText = config.get("selector");
if (clustersText !== undefined) selection.clusters = clustersText;
if (selectorText !== undefined) selection.selector = selectorText;
const { clusters } = declareFleet(resolved, rootClusters(resolved, selection).map((c) => c.name));

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
