/**
 * The root Pulumi project: `pulumi up` provisions the clusters of a fleet with the same components
 * `render` plans. Config (namespace flux-identity):
 *   fleetFile  path of the fleet spec (default examples/fleet.yaml), or
 *   fleet      the fleet spec inline (an object with `clusters`), which wins over fleetFile
 *   clusters   optional list of cluster names to provision (default: all)
 *   selector   optional labels every provisioned cluster carries, as an object
 * `${config:key}` references resolve from this stack's config (`flux-identity:key`, or a full
 * `namespace:key`), `${env:NAME}` from the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { FleetSpec, loadFleet, parseFleet } from "./sdk/src/spec/fleet";
import { resolveFleetReferences } from "./sdk/src/spec/references";
import { declareFleet } from "./sdk/src/program/fleet-program";

const config = new pulumi.Config("flux-identity");
const inline = config.getObject<FleetSpec>("fleet");
const raw = inline ? parseFleet(JSON.stringify(inline), "flux-identity:fleet") : loadFleet(path.resolve(config.get("fleetFile") ?? "examples/fleet.yaml"));

// Stack config as reference values: `flux-identity:awsAccountId` answers both ${config:awsAccountId} and ${config:flux-identity:awsAccountId}.
const stackConfig: Record<string, string> = {};
for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    stackConfig[key] = value;
    if (key.startsWith("flux-identity:")) stackConfig[key.slice("flux-identity:".length)] = value;
}
const resolved = resolveFleetReferences(raw, { env: process.env, config: stackConfig });

const selector = config.getObject<Record<string, string>>("selector") ?? {};
const named = config.getObject<string[]>("clusters");
const selected = resolved.clusters.filter((c) => Object.entries(selector).every(([k, v]) => c.labels?.[k] === v)).map((c) => c.name);
const only = named && named.length > 0 ? named.filter((n) => selected.includes(n) || !resolved.clusters.some((c) => c.name === n)) : selected;
// An empty selection provisions nothing (declareFleet would read "no list" as "all").
const { clusters } = only.length > 0 ? declareFleet(resolved, only) : { clusters: {} };
if (only.length === 0) void pulumi.log.warn("flux-identity: no cluster matches flux-identity:clusters and flux-identity:selector; nothing is provisioned.");

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
