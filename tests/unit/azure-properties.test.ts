/**
 * Property-based checks of the Azure planner (fast-check): random specs plan within Azure's limits
 * (names, 20 federated credentials per identity, GUID assignment names) or fail with field-named
 * errors; mutated specs never raise anything else; planning is deterministic.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { AzurePlan, AzurePlanInput, planAzure } from "../../provider/src/azure/plan";
import { describeAzureResources } from "../../provider/src/azure/resources";
import { azureFluxIdentityResult } from "../../provider/src/azure/result";
import { AzureAccess, AzureIdentityLayout, AzureTenant } from "../../provider/src/azure/spec";
import { SCOPES, SUBSCRIPTION, TENANT } from "../helpers/azure-samples";
import { ISSUERS } from "../helpers/samples";

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/);
const scopes = fc.subarray([SCOPES.registry, SCOPES.resourceGroup, SCOPES.subscription, SCOPES.managementGroup], { minLength: 1 });
const accessArb: fc.Arbitrary<AzureAccess> = fc
    .record({
        acr: fc.option(fc.constant([{ scopes: [SCOPES.registry] }]), { nil: undefined }),
        blob: fc.option(fc.constant([{ scopes: [SCOPES.container, SCOPES.storageAccount] }]), { nil: undefined }),
        keyVault: fc.option(fc.constant([{ scopes: [SCOPES.vault] }]), { nil: undefined }),
        eventHubs: fc.option(fc.constant([{ scopes: [SCOPES.eventHub] }]), { nil: undefined }),
        aks: fc.option(fc.constant([{ clusterId: SCOPES.aks, rbacRoles: [{ role: "Azure Kubernetes Service RBAC Reader" }] }]), { nil: undefined }),
        azureDevOps: fc.option(fc.constant([{ organization: "org", project: "p" }]), { nil: undefined }),
    })
    .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as AzureAccess);

const inputArb: fc.Arbitrary<AzurePlanInput> = fc
    .record({
        cluster: name,
        type: fc.constantFrom(SourceClusterType.Aks, SourceClusterType.Eks, SourceClusterType.Gke, SourceClusterType.Generic),
        layout: fc.constantFrom(AzureIdentityLayout.PerController, AzureIdentityLayout.Shared),
        controllers: accessArb,
        acrScopes: scopes,
        groupSize: fc.nat({ max: 50 }),
        soloTenants: fc.uniqueArray(fc.record({ namespace: name, serviceAccount: name }), { maxLength: 4, selector: (t) => `${t.namespace}/${t.serviceAccount}` }),
    })
    .map((r): AzurePlanInput => {
        const tenants: AzureTenant[] = [
            ...r.soloTenants.map((t) => ({ ...t, namespace: `solo-${t.namespace}`.slice(0, 63).replace(/-+$/, ""), access: { acr: [{ scopes: r.acrScopes }] } })),
            ...Array.from({ length: r.groupSize }, (_, i) => ({ namespace: `group-${i}`, serviceAccount: "flux", identityGroup: "shared", access: { keyVault: [{ scopes: [SCOPES.vault] }] } })),
        ];
        return {
            cluster: { name: r.cluster, type: r.type, issuerUrl: ISSUERS[r.type] },
            azure: {
                tenantId: TENANT,
                subscriptionId: SUBSCRIPTION,
                resourceGroupName: "rg",
                location: "eastus",
                identityLayout: r.layout,
                controllers: Object.keys(r.controllers).length > 0 ? r.controllers : undefined,
                tenants,
            },
        };
    });

function planOrError(input: unknown): AzurePlan | FluxIdentityValidationError {
    try {
        return planAzure(input as AzurePlanInput);
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) return err;
        throw err;
    }
}

function mutate(input: unknown, index: number, replacement: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(input));
    const nodes: Array<{ parent: Record<string | number, unknown>; key: string | number }> = [];
    const walk = (node: unknown) => {
        if (Array.isArray(node)) node.forEach((v, i) => (nodes.push({ parent: node as never, key: i }), walk(v)));
        else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) nodes.push({ parent: node as never, key: k }), walk(v);
    };
    walk(copy);
    const { parent, key } = nodes[index % nodes.length];
    parent[key] = replacement;
    return copy;
}

describe("Azure property-based checks", () => {
    it("random specs plan within Azure's limits, or say there is nothing to grant", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const r = planOrError(input);
                if (r instanceof FluxIdentityValidationError) {
                    assert.ok(r.issues.every((i) => /nothing to grant/.test(i.message)), r.message);
                    return;
                }
                const names = r.identities.map((i) => i.name);
                assert.equal(new Set(names).size, names.length, "identity names are unique");
                for (const i of r.identities) {
                    assert.ok(i.name.length >= 3 && i.name.length <= 128 && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(i.name), i.name);
                    assert.ok(i.credentials.length >= 1 && i.credentials.length <= 20, `${i.key} has ${i.credentials.length} credentials`);
                    for (const c of i.credentials) {
                        assert.ok(c.name.length <= 120 && /^[A-Za-z0-9][A-Za-z0-9_-]{2,}$/.test(c.name), c.name);
                        assert.deepEqual(c.audiences, ["api://AzureADTokenExchange"]);
                        assert.equal(c.issuer, input.cluster.issuerUrl);
                    }
                }
                const subjects = r.identities.flatMap((i) => i.credentials.map((c) => c.subject));
                assert.equal(new Set(subjects).size, subjects.length, "each ServiceAccount is federated once");
                const resources = describeAzureResources(r);
                const assignmentNames = resources.filter((x) => x.type === "azure-native:authorization:RoleAssignment").map((x) => x.properties.roleAssignmentName);
                assert.equal(new Set(assignmentNames).size, assignmentNames.length);
                assert.deepEqual(describeAzureResources(planAzure(input)), resources, "deterministic");
                azureFluxIdentityResult(r);
            }),
            { numRuns: 200 },
        );
    });

    it("mutated specs end in a plan or a validation error with field paths, never another exception", () => {
        fc.assert(
            fc.property(inputArb, fc.nat(), fc.anything(), (input, index, replacement) => {
                const r = planOrError(mutate(input, index, replacement));
                if (r instanceof FluxIdentityValidationError) {
                    for (const i of r.issues) assert.ok(i.path.length > 0 && i.message.length > 0 && i.fix.length > 0, JSON.stringify(i));
                } else {
                    azureFluxIdentityResult(r);
                }
            }),
            { numRuns: 600 },
        );
    });
});
