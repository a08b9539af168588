/**
 * Every Azure cell: (AKS, EKS, GKE, generic) x (controller, object level), plus the other Azure clouds and
 * private clouds. The rendered kustomization.yaml is built with the real `kubectl kustomize` against the
 * real Flux manifests, and every ServiceAccount, Deployment and ConfigMap is checked field by field
 * against the Flux Azure docs. Expected values are literals from the docs, not the project's constants.
 */
import { strict as assert } from "node:assert";
import { load, loadAll } from "js-yaml";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { AzurePlanInput, planAzure } from "../../provider/src/azure/plan";
import { AzureFluxIdentityResult, azureFluxIdentityResult } from "../../provider/src/azure/result";
import { AzureCloud, AzureIdentityLayout } from "../../provider/src/azure/spec";
import { renderKustomization } from "../../provider/src/flux/kustomization";
import { SCOPES, TENANT, azureInput, azureTenantInput } from "../helpers/azure-samples";
import { assertDeployment, assertServiceAccount } from "../helpers/flux-asserts";
import { FluxFixture, KubeObject, find, kustomizeBuild, prepareFluxBuild } from "../helpers/kustomize";

const T = SourceClusterType;
const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"];
const FEATURE_GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";
/** The gate per Flux version: the reference docs' flag on 2.6 to 2.9, retired in 2.10 (flux2 v2.10.0 release notes). */
const gateFor = (version: string): { args?: string[] } => (version === "2.10" ? {} : { args: [FEATURE_GATE] });

/** Client IDs as Azure would assign them: distinct per identity, known only after creation. */
function createdIds(input: AzurePlanInput): Record<string, { clientId: string; principalId: string }> {
    const plan = planAzure(input);
    const out: Record<string, { clientId: string; principalId: string }> = {};
    plan.identities.forEach((i, n) => {
        const hex = (n + 1).toString(16).padStart(12, "0");
        out[i.key] = { clientId: `c1e00000-0000-4000-8000-${hex}`, principalId: `9e000000-0000-4000-8000-${hex}` };
    });
    return out;
}

interface Built {
    result: AzureFluxIdentityResult;
    objects: KubeObject[];
    kustomization: string;
}

function build(input: AzurePlanInput, fixture: FluxFixture): Built {
    const result = azureFluxIdentityResult(planAzure(input), createdIds(input));
    return { result, objects: kustomizeBuild(result.kustomizationYaml, fixture), kustomization: result.kustomizationYaml };
}

/** The docs' non-AKS controller patch, with this identity and authority host. */
function azureEnv(clientId: string, authorityHost = "https://login.microsoftonline.com/") {
    return [
        { name: "AZURE_TENANT_ID", value: TENANT },
        { name: "AZURE_CLIENT_ID", value: clientId },
        { name: "AZURE_AUTHORITY_HOST", value: authorityHost },
        { name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/service-account/azure-token" },
    ];
}
const AZURE_VOLUME = { name: "azure-token", projected: { sources: [{ serviceAccountToken: { audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-token" } }] } };
const AZURE_MOUNT = { name: "azure-token", mountPath: "/var/run/service-account", readOnly: true };

describe("Azure: kustomization.yaml built by kubectl kustomize against Flux's manifests", function () {
    let fixture: FluxFixture;
    let baseline: KubeObject[];

    before(function () {
        ({ fixture, baseline } = prepareFluxBuild(this));
    });

    it("renders the bootstrap docs' Azure example: one ServiceAccount patch and one label patch for (source|image-reflector)", () => {
        const input = azureInput(T.Aks, { identityLayout: AzureIdentityLayout.Shared, controllers: { acr: [{ scopes: [SCOPES.registry], usedBy: ["OCIRepository", "ImageRepository"] as never }] } });
        const b = build(input, fixture);
        const clientId = b.result.clientIds["source-controller"];
        assert.deepEqual(load(b.kustomization), {
            apiVersion: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources: ["gotk-components.yaml", "gotk-sync.yaml"],
            patches: [
                {
                    patch: `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: controller\n  annotations:\n    azure.workload.identity/client-id: ${clientId}\n    azure.workload.identity/tenant-id: ${TENANT}\n`,
                    target: { kind: "ServiceAccount", name: "(source-controller|image-reflector-controller)" },
                },
                {
                    patch: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: controller\n  labels:\n    azure.workload.identity/use: 'true'\nspec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: 'true'\n`,
                    target: { kind: "Deployment", name: "(source-controller|image-reflector-controller)" },
                },
            ],
        });
    });

    it("AKS, controller level: client-id and tenant-id annotations and the use label on exactly the controllers that need Azure", () => {
        const b = build(azureInput(T.Aks), fixture);
        const ids = b.result.clientIds;
        for (const c of CONTROLLERS) {
            assertServiceAccount(b.objects, c, ids[c] ? { "azure.workload.identity/client-id": ids[c], "azure.workload.identity/tenant-id": TENANT } : undefined);
            assertDeployment(b.objects, baseline, c, ids[c] ? { labels: { "azure.workload.identity/use": "true" } } : {});
        }
        assert.equal(Object.keys(ids).length, 6);
        assert.equal(new Set(Object.values(ids)).size, 6, "one identity per controller");
    });

    for (const type of [T.Eks, T.Gke, T.Generic]) {
        it(`${type}, controller level: AZURE_* env and a projected api://AzureADTokenExchange token on the Deployments`, () => {
            const b = build(azureInput(type, { controllers: { acr: [{ scopes: [SCOPES.registry] }], keyVault: [{ scopes: [SCOPES.vault] }] } }), fixture);
            const ids = b.result.clientIds;
            assert.deepEqual(Object.keys(ids), ["kustomize-controller", "source-controller"]);
            for (const c of CONTROLLERS) {
                assertServiceAccount(b.objects, c, undefined);
                assertDeployment(b.objects, baseline, c, ids[c] ? { env: azureEnv(ids[c]), volumes: [AZURE_VOLUME], mounts: [AZURE_MOUNT] } : {});
            }
        });
    }

    for (const type of [T.Aks, T.Eks, T.Gke, T.Generic]) for (const version of ["2.9", "2.10"]) {
        it(`${type}, object level (Flux ${version}): the feature gate (before 2.10) on serving controllers only, and tenant ServiceAccounts with client-id and tenant-id`, () => {
            const b = build({ ...azureTenantInput(type), fluxVersion: version }, fixture);
            for (const c of CONTROLLERS) {
                assertServiceAccount(b.objects, c, undefined);
                assertDeployment(b.objects, baseline, c, ["source-controller", "kustomize-controller"].includes(c) ? gateFor(version) : {});
            }
            const ids = b.result.tenantClientIds;
            assert.deepEqual(loadAll(b.result.tenantServiceAccountsYaml), [
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "flux-azure", namespace: "team-a", annotations: { "azure.workload.identity/client-id": ids["team-a/flux-azure"], "azure.workload.identity/tenant-id": TENANT } } },
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sops", namespace: "team-b", annotations: { "azure.workload.identity/client-id": ids["team-b/sops"], "azure.workload.identity/tenant-id": TENANT } } },
            ]);
            assert.notEqual(ids["team-a/flux-azure"], ids["team-b/sops"]);
        });
    }

    for (const [cloud, host] of [
        [AzureCloud.China, "https://login.chinacloudapi.cn/"],
        [AzureCloud.UsGovernment, "https://login.microsoftonline.us/"],
    ] as const) {
        it(`${cloud}: the docs' authority host at controller level on non-AKS, and for tenant exchanges at object level`, () => {
            const b = build(azureInput(T.Generic, { cloud, controllers: { blob: [{ scopes: [SCOPES.container] }] } }), fixture);
            assertDeployment(b.objects, baseline, "source-controller", { env: azureEnv(b.result.clientIds["source-controller"], host), volumes: [AZURE_VOLUME], mounts: [AZURE_MOUNT] });
            const t = build({ ...azureTenantInput(T.Aks), fluxVersion: "2.9", azure: { ...azureTenantInput(T.Aks).azure, cloud } }, fixture);
            assertDeployment(t.objects, baseline, "source-controller", { args: [FEATURE_GATE], env: [{ name: "AZURE_AUTHORITY_HOST", value: host }] });
            // Flux 2.10: no gate, the authority host all the same (the tenant exchange still needs it).
            const ga = build({ ...azureTenantInput(T.Aks), azure: { ...azureTenantInput(T.Aks).azure, cloud } }, fixture);
            assertDeployment(ga.objects, baseline, "source-controller", { env: [{ name: "AZURE_AUTHORITY_HOST", value: host }] });
        });
    }

    it("private cloud: AZURE_ENVIRONMENT_FILEPATH pointing at a mounted ConfigMap holding the endpoints JSON", () => {
        const environment = { resourceManagerEndpoint: "https://management.core.private/", tokenAudience: "https://management.core.private/", containerRegistryDNSSuffix: "azurecr.private" };
        const b = build(azureInput(T.Aks, { cloud: AzureCloud.Private, privateCloud: { authorityHost: "https://login.core.private/", environment }, controllers: { acr: [{ scopes: [SCOPES.registry] }] } }), fixture);
        const cm = find(b.objects, "ConfigMap", "flux-azure-environment");
        assert.equal(cm.metadata.namespace, "flux-system");
        const data = (cm as unknown as { data: Record<string, string> }).data;
        assert.deepEqual(Object.keys(data), ["environment.json"]);
        assert.deepEqual(JSON.parse(data["environment.json"]), environment);
        assertDeployment(b.objects, baseline, "source-controller", {
            labels: { "azure.workload.identity/use": "true" },
            env: [
                { name: "AZURE_ENVIRONMENT_FILEPATH", value: "/etc/azure-environment/environment.json" },
            ],
            volumes: [{ name: "azure-environment", configMap: { name: "flux-azure-environment" } }],
            mounts: [{ name: "azure-environment", mountPath: "/etc/azure-environment", readOnly: true }],
        });
        assertDeployment(b.objects, baseline, "kustomize-controller", {});
    });

    it("renders byte-identical YAML for the same input, and placeholders only for identities not created yet", () => {
        const input = azureInput(T.Generic);
        assert.equal(build(input, fixture).kustomization, build(input, fixture).kustomization);
        const offline = renderKustomization(azureFluxIdentityResult(planAzure(input)).patchSet);
        assert.match(offline, /<client ID of flux-generic-1-source-[0-9a-f]{8}>/);
    });
});
