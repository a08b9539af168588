/**
 * The Azure planner against the Flux Azure docs: identities, federated credentials (issuer, subject,
 * audience, the 20-per-identity limit), role assignments with the docs' role IDs at validated scopes,
 * Azure DevOps onboarding, and field-named errors. Expected values are literals from the docs.
 */
import { strict as assert } from "node:assert";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { ValidationIssue } from "../../provider/src/core/errors";
import { AzurePlan, AzurePlanInput, planAzure } from "../../provider/src/azure/plan";
import { describeAzureResources } from "../../provider/src/azure/resources";
import { azureFluxIdentityResult } from "../../provider/src/azure/result";
import { AzureCloud, AzureIdentityLayout } from "../../provider/src/azure/spec";
import { renderKustomization } from "../../provider/src/flux/kustomization";
import { ClusterSpec, planCluster } from "../../provider/src/plan/cluster";
import { RG, SCOPES, SUBSCRIPTION, TENANT, azureInput, azureTenantInput } from "../helpers/azure-samples";
import { ISSUERS, cluster } from "../helpers/samples";
import { validationIssues } from "../helpers/issues";

const T = SourceClusterType;
const ROLE = (id: string) => `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${id}`;

function issuesOf(input: AzurePlanInput): ValidationIssue[] {
    return validationIssues(() => planAzure(input));
}

function identity(plan: AzurePlan, key: string) {
    const i = plan.identities.find((x) => x.key === key);
    assert.ok(i, `no identity ${key}: ${plan.identities.map((x) => x.key).join(", ")}`);
    return i;
}

function tenants(n: number, group: string) {
    return Array.from({ length: n }, (_, i) => ({ namespace: `team-${i}`, serviceAccount: "flux", identityGroup: group, access: { acr: [{ scopes: [SCOPES.registry] }] } }));
}

describe("Azure plan: identities and federated credentials", () => {
    it("federates each controller's ServiceAccount with the cluster's exact issuer and api://AzureADTokenExchange", () => {
        const plan = planAzure(azureInput(T.Aks));
        const source = identity(plan, "source-controller");
        assert.deepEqual(
            source.credentials.map((c) => [c.issuer, c.subject, c.audiences]),
            [[ISSUERS.aks, "system:serviceaccount:flux-system:source-controller", ["api://AzureADTokenExchange"]]],
        );
        assert.ok(ISSUERS.aks.endsWith("/"), "AKS issuers keep their trailing slash");
        assert.equal(source.resourceGroupName, RG);
        assert.equal(source.location, "eastus");
        assert.match(source.name, /^flux-aks-1-source-[0-9a-f]{8}$/);
        assert.deepEqual(Object.keys(plan.controllerIdentities), ["helm-controller", "image-automation-controller", "image-reflector-controller", "kustomize-controller", "notification-controller", "source-controller"]);
    });

    it("shares one identity on request, with one credential per controller", () => {
        const plan = planAzure(azureInput(T.Generic, { identityLayout: AzureIdentityLayout.Shared }));
        assert.deepEqual(plan.identities.map((i) => i.key), ["shared"]);
        assert.equal(plan.identities[0].credentials.length, 6);
        assert.ok(Object.values(plan.controllerIdentities).every((k) => k === "shared"));
    });

    it("chains the credentials of one identity one after another", () => {
        const plan = planAzure(azureInput(T.Generic, { identityLayout: AzureIdentityLayout.Shared }));
        const creds = describeAzureResources(plan).filter((r) => r.type === "azure-native:managedidentity:FederatedIdentityCredential");
        assert.equal(creds.length, 6);
        assert.deepEqual(creds[0].dependsOn, ["identity-shared"]);
        for (let i = 1; i < creds.length; i++) assert.deepEqual(creds[i].dependsOn, ["identity-shared", creds[i - 1].name]);
    });

    it("spreads an identity group past 20 tenants over more identities, keeping listed tenants in place", () => {
        const input = azureInput(T.Generic, { controllers: undefined, tenants: tenants(45, "shared-acr") });
        const plan = planAzure(input);
        assert.deepEqual(plan.identities.map((i) => [i.key, i.credentials.length]), [["group/shared-acr", 20], ["group/shared-acr/2", 20], ["group/shared-acr/3", 5]]);
        assert.ok(plan.identities.every((i) => i.roleAssignments.length === 1 && i.roleAssignments[0].roleName === "AcrPull"));
        assert.equal(plan.tenantIdentities["team-0/flux"], "group/shared-acr");
        // Appending a tenant keeps everyone where they were.
        const grown = planAzure(azureInput(T.Generic, { controllers: undefined, tenants: tenants(46, "shared-acr") }));
        for (const [t, key] of Object.entries(plan.tenantIdentities)) assert.equal(grown.tenantIdentities[t], key, t);
    });

    it("refuses more than 20 tenants in a pinned identity group", () => {
        const issues = issuesOf(azureInput(T.Generic, { controllers: undefined, tenants: tenants(21, "pinned"), pinnedIdentityGroups: ["pinned"] }));
        const hit = issues.find((i) => i.path === "pinnedIdentityGroups");
        assert.ok(hit, JSON.stringify(issues));
        assert.match(hit.message, /21 tenants.*20 federated credentials per identity/);
        assert.doesNotThrow(() => planAzure(azureInput(T.Generic, { controllers: undefined, tenants: tenants(20, "pinned"), pinnedIdentityGroups: ["pinned"] })));
    });

    it("gives each tenant its own identity federated only with its ServiceAccount, and the feature gate to serving controllers", () => {
        const plan = planAzure(azureTenantInput(T.Generic));
        const a = identity(plan, "tenant/team-a/flux-azure");
        assert.deepEqual(a.credentials.map((c) => c.subject), ["system:serviceaccount:team-a:flux-azure"]);
        assert.deepEqual(plan.objectLevelControllers, ["source-controller", "kustomize-controller"]);
        assert.deepEqual(plan.controllerIdentities, {});
    });

    it("creates nothing in Azure for brought identities and still annotates the Flux side", () => {
        const clientId = "12345678-1234-4234-8234-123456789abc";
        const plan = planAzure(
            azureInput(T.Aks, {
                controllers: undefined,
                existingIdentities: { "source-controller": { clientId } },
                tenants: [{ namespace: "t", serviceAccount: "sa", existingIdentity: { clientId, tenantId: "aaaaaaaa-1234-4234-8234-123456789abc" }, usedBy: [FluxKind.Bucket] }],
            }),
        );
        assert.deepEqual(describeAzureResources(plan), []);
        const result = azureFluxIdentityResult(plan);
        assert.deepEqual(result.clientIds, { "source-controller": clientId });
        assert.deepEqual(result.patchSet.tenantServiceAccounts, [
            { namespace: "t", name: "sa", annotations: { "azure.workload.identity/client-id": clientId, "azure.workload.identity/tenant-id": "aaaaaaaa-1234-4234-8234-123456789abc" }, servedBy: ["source-controller"] },
        ]);
        assert.ok(!renderKustomization(result.patchSet).includes("<client ID"), "no placeholders for brought identities");
    });
});

describe("Azure plan: role assignments", () => {
    it("grants the docs' built-in roles at the given scopes, to the right controller only", () => {
        const plan = planAzure(azureInput(T.Generic));
        const roles = (key: string) => identity(plan, key).roleAssignments.map((r) => [r.roleName, r.roleDefinitionId, r.scope]);
        assert.deepEqual(roles("source-controller").sort(), [
            ["AcrPull", ROLE("7f951dda-4ed3-4680-a7ca-43fe172d538d"), SCOPES.registry],
            ["Storage Blob Data Reader", ROLE("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"), SCOPES.container],
        ]);
        assert.deepEqual(roles("image-reflector-controller"), [["AcrPull", ROLE("7f951dda-4ed3-4680-a7ca-43fe172d538d"), SCOPES.registry]]);
        assert.deepEqual(roles("kustomize-controller").sort(), [
            ["Azure Kubernetes Service Cluster User Role", ROLE("4abbcc35-e782-43d8-92c5-2d3f1bd2253f"), SCOPES.aks],
            ["Azure Kubernetes Service RBAC Writer", ROLE("a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb"), `${SCOPES.aks}/namespaces/apps`],
            ["Key Vault Crypto User", ROLE("12338af0-0e69-4776-bea7-57ae8d297424"), SCOPES.vault],
        ]);
        assert.deepEqual(roles("notification-controller"), [["Azure Event Hubs Data Sender", ROLE("2b629674-e913-4c01-ae53-ef4638d8f975"), SCOPES.eventHub]]);
        assert.deepEqual(roles("image-automation-controller"), [], "Azure DevOps is not Azure RBAC");
    });

    it("names role assignments with stable GUIDs and assigns to the identity's principal as a ServicePrincipal", () => {
        const a = describeAzureResources(planAzure(azureInput(T.Generic)));
        const b = describeAzureResources(planAzure(azureInput(T.Generic)));
        assert.deepEqual(a, b);
        const assignments = a.filter((r) => r.type === "azure-native:authorization:RoleAssignment");
        assert.ok(assignments.length >= 7);
        const names = assignments.map((r) => r.properties.roleAssignmentName as string);
        assert.equal(new Set(names).size, names.length);
        for (const r of assignments) {
            assert.match(r.properties.roleAssignmentName as string, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            assert.equal(r.properties.principalType, "ServicePrincipal");
            assert.deepEqual(r.properties.principalId, { $ref: r.dependsOn[0], output: "principalId" });
        }
        const other = describeAzureResources(planAzure({ ...azureInput(T.Generic), cluster: cluster(T.Generic, "other") }));
        const otherNames = new Set(other.filter((r) => r.type === "azure-native:authorization:RoleAssignment").map((r) => r.properties.roleAssignmentName));
        assert.ok(names.every((n) => !otherNames.has(n)), "two clusters never share an assignment");
    });

    it("uses the provider-level role definition ID at management group scope, and warns about broad scopes", () => {
        const plan = planAzure(azureInput(T.Generic, { controllers: { acr: [{ scopes: [SCOPES.managementGroup, SCOPES.subscription] }] } }));
        const ids = identity(plan, "source-controller").roleAssignments.map((r) => r.roleDefinitionId).sort();
        assert.deepEqual(ids, ["/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d", ROLE("7f951dda-4ed3-4680-a7ca-43fe172d538d")]);
        assert.equal(plan.warnings.filter((w) => /every resource below it is reachable/.test(w)).length, 2);
    });

    it("lists Azure DevOps onboarding: Readers for GitRepository, Contributors for pushes and commit statuses", () => {
        const plan = planAzure(azureInput(T.Generic));
        assert.deepEqual(plan.devOps.map((o) => [o.identityKey, o.organization, o.project, o.group]), [
            ["source-controller", "fleet-org", "platform", "Readers"],
            ["notification-controller", "fleet-org", "platform", "Contributors"],
            ["image-automation-controller", "fleet-org", "platform", "Contributors"],
        ]);
        const onboarding = azureFluxIdentityResult(plan, { "source-controller": { clientId: "c", principalId: "p-123" } }).azureDevOpsOnboarding[0];
        assert.equal(onboarding.principalId, "p-123");
        assert.ok(onboarding.steps.some((s) => s.includes('"originId": "p-123"')));
        assert.ok(onboarding.steps.some((s) => s.includes("[platform]\\Readers")));
    });
});

describe("Azure plan: clouds and warnings", () => {
    it("warns about object level on AKS as the docs do, and only there", () => {
        assert.ok(planAzure(azureTenantInput(T.Aks)).warnings.some((w) => /object-level workload identity on AKS clusters targeting Azure is currently unstable/.test(w)));
        assert.ok(!planAzure(azureTenantInput(T.Generic)).warnings.some((w) => /currently unstable/.test(w)));
    });

    it("picks the authority host of each cloud", () => {
        const host = (cloud: AzureCloud) => planAzure(azureInput(T.Generic, { cloud })).authorityHost;
        assert.equal(host(AzureCloud.Public), "https://login.microsoftonline.com/");
        assert.equal(host(AzureCloud.UsGovernment), "https://login.microsoftonline.us/");
        assert.equal(host(AzureCloud.China), "https://login.chinacloudapi.cn/");
    });
});

describe("Azure plan: bad input names the field and says how to fix it", () => {
    const cases: Array<[string, AzurePlanInput, string, RegExp]> = [
        ["tenant ID not a GUID", azureInput(T.Generic, { tenantId: "contoso.onmicrosoft.com" }), "tenantId", /GUID/],
        ["subscription ID not a GUID", azureInput(T.Generic, { subscriptionId: "prod" }), "subscriptionId", /GUID/],
        ["bad resource group", azureInput(T.Generic, { resourceGroupName: "rg." }), "resourceGroupName", /not a valid resource group name/],
        ["display name as location", azureInput(T.Generic, { location: "East US" }), "location", /not an Azure region name/],
        ["malformed scope", azureInput(T.Generic, { controllers: { acr: [{ scopes: ["/subscriptions/x/resourceGroups/rg"] }] } }), "controllers.acr[0].scopes[0]", /not a valid Azure scope/],
        ["scope of another service", azureInput(T.Generic, { controllers: { acr: [{ scopes: [SCOPES.vault] }] } }), "controllers.acr[0].scopes[0]", /Microsoft.KeyVault\/vaults resource/],
        ["blob service other than default", azureInput(T.Generic, { controllers: { blob: [{ scopes: [SCOPES.container.replace("/default/", "/other/")] }] } }), "controllers.blob[0].scopes[0]", /other than 'default'/],
        ["AKS cluster given as a resource group", azureInput(T.Generic, { controllers: { aks: [{ clusterId: SCOPES.resourceGroup }] } }), "controllers.aks[0].clusterId", /needs a single resource/],
        ["unknown AKS RBAC role", azureInput(T.Generic, { controllers: { aks: [{ clusterId: SCOPES.aks, rbacRoles: [{ role: "Owner" }] }] } }), "controllers.aks[0].rbacRoles[0].role", /not a built-in AKS RBAC role/],
        ["bad namespace in an RBAC role", azureInput(T.Generic, { controllers: { aks: [{ clusterId: SCOPES.aks, rbacRoles: [{ role: "Azure Kubernetes Service RBAC Reader", namespaces: ["Apps"] }] }] } }), "controllers.aks[0].rbacRoles[0].namespaces[0]", /not a valid namespace/],
        ["bad DevOps organization", azureInput(T.Generic, { controllers: { azureDevOps: [{ organization: "https://dev.azure.com/org", project: "p" }] } }), "controllers.azureDevOps[0].organization", /not an Azure DevOps organization/],
        ["kind that does not use the service", azureInput(T.Generic, { controllers: { keyVault: [{ scopes: [SCOPES.vault], usedBy: [FluxKind.Bucket] }] } }), "controllers.keyVault[0].usedBy[0]", /does not use Azure Key Vault/],
        ["unknown integration", azureInput(T.Generic, { controllers: { ecr: [] } as never }), "controllers.ecr", /unknown Azure integration/],
        ["nothing at all", azureInput(T.Generic, { controllers: undefined }), "(root)", /nothing to grant/],
        ["private cloud without endpoints", azureInput(T.Generic, { cloud: AzureCloud.Private }), "privateCloud", /needs privateCloud/],
        ["private cloud settings on the public cloud", azureInput(T.Generic, { privateCloud: { authorityHost: "https://login.example/", environment: { a: "b" } } }), "privateCloud", /only applies with cloud: private/],
        ["existing identity with a bad client ID", azureInput(T.Generic, { controllers: undefined, existingIdentities: { "source-controller": { clientId: "x" } } }), "existingIdentities.source-controller.clientId", /GUID/],
        ["existing identity that is also granted", azureInput(T.Generic, { existingIdentities: { "source-controller": { clientId: "12345678-1234-4234-8234-123456789abc" } } }), "existingIdentities.source-controller", /does not change the permissions/],
        ["tag name with a slash", azureInput(T.Generic, { tags: { "team/name": "x" } }), "tags.team/name", /not a valid Azure tag name/],
        ["pinned group nobody uses", azureInput(T.Generic, { pinnedIdentityGroups: ["ghost"] }), "pinnedIdentityGroups[0]", /no tenant is in identity group/],
        ["unknown field", azureInput(T.Generic, { region: "eastus" } as never), "region", /unknown field/],
    ];
    for (const [name, input, path, message] of cases) {
        it(name, () => {
            const issues = issuesOf(input);
            const hit = issues.find((i) => i.path === path);
            assert.ok(hit, `no issue at ${path}: ${JSON.stringify(issues)}`);
            assert.match(hit.message, message);
            assert.ok(hit.fix.length > 10, "says how to fix it");
        });
    }

    it("reports every problem at once", () => {
        const issues = issuesOf(azureInput(T.Generic, { tenantId: "x", subscriptionId: "y", location: "East US" }));
        assert.deepEqual(issues.map((i) => i.path).sort(), ["location", "subscriptionId", "tenantId"]);
    });

    it("a cluster whose AWS and Azure patches share a controller gets one token volume holding both tokens", () => {
        const spec: ClusterSpec = {
            ...cluster(T.Generic, "kind-both"),
            aws: { accountId: "123456789012", region: "us-east-1", controllers: { s3: [{ bucketArns: ["arn:aws:s3:::flux-bucket"] }] } },
            azure: azureInput(T.Generic, { controllers: { blob: [{ scopes: [SCOPES.container] }] } }).azure,
        };
        const source = planCluster(spec, "clusters[0]").patchSet.controllers.find((c) => c.controller === "source-controller");
        assert.deepEqual(source?.volumes.map((v) => [v.name, v.projectedTokens?.map((t) => `${t.path}:${t.audience}`)]), [["cloud-tokens", ["aws-token:sts.amazonaws.com", "azure-token:api://AzureADTokenExchange"]]]);
        assert.deepEqual(source?.volumeMounts, [{ name: "cloud-tokens", mountPath: "/var/run/service-account", readOnly: true }]);
    });

    it("accepts a tenant ID with capitals and plans it lowercased", () => {
        assert.equal(planAzure(azureInput(T.Generic, { tenantId: TENANT.toUpperCase() })).tenantId, TENANT);
    });
});
