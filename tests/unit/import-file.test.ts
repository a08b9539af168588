/**
 * The `pulumi import` file render writes per cluster (import.json): under Pulumi's own mock runtime, the
 * cluster's stack program registers exactly the components and resources the file lists, with the same
 * types, names and parents, so importing with it gives the URNs the next `up` looks for. Each resource
 * has its import ID in the format its provider documents.
 */
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { ClusterSpec, planCluster } from "../../provider/src/plan/cluster";
import { AWS_FLUX_IDENTITY_TYPE } from "../../provider/src/aws/component";
import { AZURE_FLUX_IDENTITY_TYPE } from "../../provider/src/azure/component";
import { GCP_FLUX_IDENTITY_TYPE } from "../../provider/src/gcp/component";
import { KUBERNETES_FLUX_IDENTITY_TYPE } from "../../provider/src/kubernetes/component";
import { VAULT_FLUX_IDENTITY_TYPE } from "../../provider/src/vault/component";
import { VAULT_TYPES } from "../../provider/src/vault/resources";
import { FLUX_WORKLOAD_IDENTITY_TYPE } from "../../provider/src/workload-identity/component";
import { AWS_TYPES } from "../../provider/src/aws/resources";
import { AZURE_TYPES } from "../../provider/src/azure/resources";
import { GCP_TYPES } from "../../provider/src/gcp/resources";
import { clusterProgram } from "../../sdk/src/runner/cluster-program";
import { COMPONENT_TYPES, IMPORT_ID_FORMATS, ImportEntry, clusterImportFile } from "../../sdk/src/render/import-file";
import { renderCluster } from "../../sdk/src/render/render";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { RecordingMocks, settle, useMocks } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";

/** A cluster moved into the mocked AWS account and GCP project number (the components check both). */
function inMockedAccounts(spec: ClusterSpec, mocks: RecordingMocks): ClusterSpec {
    const account = spec.aws?.accountId;
    const text = JSON.stringify(spec);
    const moved = JSON.parse(account ? text.split(account).join(mocks.account) : text) as ClusterSpec;
    if (moved.gcp) moved.gcp.projectNumber = mocks.account;
    if (moved.azure) {
        mocks.azureSubscription = moved.azure.subscriptionId;
        mocks.azureTenant = moved.azure.tenantId;
    }
    return moved;
}

/** `urn:pulumi:test::p::A$B::name` to `B::name`. */
function typeAndName(urn: string): string {
    const parts = urn.split("::");
    return `${(parts[2] ?? "").split("$").pop()}::${parts.slice(3).join("::")}`;
}

/** Each entry as `type::name <- parentType::parentName`, resolving file-local parent names. */
function fileTree(entries: readonly ImportEntry[]): string[] {
    const byName = new Map(entries.map((e) => [e.name, e]));
    return entries
        .map((e) => {
            const parent = e.parent ? byName.get(e.parent) : undefined;
            return `${e.type}::${e.logicalName ?? e.name} <- ${parent ? `${parent.type}::${parent.logicalName ?? parent.name}` : ""}`;
        })
        .sort();
}

const SPECS = (): ClusterSpec[] => [
    ...loadFleet(fromRoot("examples", "fleet.yaml")).clusters,
    ...loadFleet(fromRoot("examples", "remote-clusters.yaml")).clusters,
    ...loadFleet(fromRoot("examples", "vault-sops.yaml")).clusters,
    ...["kind-to-all-clouds-controller.yaml", "kind-to-all-clouds-object.yaml", "eks-to-aws-object.yaml", "gke-to-gcp-object.yaml", "aks-to-azure-object.yaml"].map((f) => loadFleet(fromRoot("examples", "matrix", f)).clusters[0]),
];

describe("import.json: a pulumi import file per cluster", function () {
    this.timeout(120000);

    it("names the components the stack declares", () => {
        assert.deepEqual(COMPONENT_TYPES, {
            cluster: FLUX_WORKLOAD_IDENTITY_TYPE,
            aws: AWS_FLUX_IDENTITY_TYPE,
            azure: AZURE_FLUX_IDENTITY_TYPE,
            gcp: GCP_FLUX_IDENTITY_TYPE,
            kubernetes: KUBERNETES_FLUX_IDENTITY_TYPE,
            vault: VAULT_FLUX_IDENTITY_TYPE,
        });
    });

    for (const original of SPECS()) {
        it(`lists exactly what the stack program of ${original.name} registers, under the same parents`, async () => {
            const mocks = await useMocks();
            const spec = inMockedAccounts(original, mocks);
            await clusterProgram(spec)();
            await settle();
            const registered = mocks.registrations
                .filter((r) => !r.type.startsWith("pulumi:providers:"))
                .map((r) => `${r.type}::${r.name} <- ${r.parent && !r.parent.includes("pulumi:pulumi:Stack") ? typeAndName(r.parent) : ""}`)
                .sort();
            const file = clusterImportFile(planCluster(spec));
            assert.deepEqual(fileTree(file.resources), registered);
        });
    }

    it("gives every resource its import ID, from the plan where the plan knows it", () => {
        const seen = new Set<string>();
        for (const spec of SPECS()) {
            const plan = planCluster(spec);
            const file = clusterImportFile(plan);
            const names = file.resources.map((e) => e.name);
            assert.equal(new Set(names).size, names.length, `${spec.name}: names are unique in the file`);
            for (const e of file.resources) {
                if (e.component) {
                    assert.equal(e.id, undefined);
                    continue;
                }
                seen.add(e.type);
                assert.ok(e.id && e.id.length > 0, `${spec.name}: ${e.name} has an ID`);
                if (e.type === AWS_TYPES.podIdentityAssociation) assert.match(e.id, /^[^,]+,<association ID: aws eks list-pod-identity-associations /);
                else assert.ok(!/[<>]/.test(e.id), `${e.name}: ${e.id}`);
            }
            // Spot checks against the planned values, per format.
            for (const r of plan.aws?.roles ?? []) assert.ok(file.resources.some((e) => e.type === AWS_TYPES.role && e.id === r.name));
            for (const i of plan.azure?.identities ?? []) {
                const id = `/subscriptions/${plan.azure?.subscriptionId}/resourceGroups/${i.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${i.name}`;
                assert.ok(file.resources.some((e) => e.type === AZURE_TYPES.identity && e.id === id), id);
                for (const c of i.credentials) assert.ok(file.resources.some((e) => e.type === AZURE_TYPES.federatedCredential && e.id === `${id}/federatedIdentityCredentials/${c.name}`));
                for (const a of i.roleAssignments) assert.ok(file.resources.some((e) => e.type === AZURE_TYPES.roleAssignment && e.id === `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`));
            }
            for (const sa of plan.gcp?.serviceAccounts ?? []) assert.ok(file.resources.some((e) => e.type === GCP_TYPES.serviceAccount && e.id === `projects/${sa.project}/serviceAccounts/${sa.email}`));
            for (const g of plan.gcp?.grants ?? []) assert.ok(file.resources.some((e) => e.id?.endsWith(` ${g.role} ${g.member}`)), `${g.logicalName}`);
            for (const i of plan.vault?.identities ?? []) {
                assert.ok(file.resources.some((e) => e.type === VAULT_TYPES.jwtAuthBackendRole && e.id === `auth/${plan.vault?.jwtAuth.path}/role/${i.roleName}`), i.roleName);
                assert.ok(file.resources.some((e) => e.type === VAULT_TYPES.policy && e.id === i.policyName), i.policyName);
            }
        }
        assert.ok(seen.size >= 15, `covers most resource types (${seen.size})`);
    });

    it("is written next to plan.json, and the migration guide documents every type's ID", () => {
        const rendered = renderCluster(loadFleet(fromRoot("examples", "fleet.yaml")).clusters[0]);
        assert.deepEqual(JSON.parse(rendered.files["import.json"]), clusterImportFile(rendered.plan));
        const guide = readFileSync(fromRoot("docs", "migrating-from-terraform.md"), "utf8");
        const types = [...Object.values(AWS_TYPES), ...Object.values(AZURE_TYPES), ...Object.values(GCP_TYPES), ...Object.values(VAULT_TYPES)];
        for (const t of types) {
            assert.ok(IMPORT_ID_FORMATS[t], `${t} has an import ID format`);
            assert.ok(guide.includes(`| \`${t}\` | \`${IMPORT_ID_FORMATS[t].format}\` |`), `the guide's table lists ${t} with its ID format`);
        }
        assert.ok(readdirSync(fromRoot("docs")).includes("migrating-from-terraform.md"));
    });
});
