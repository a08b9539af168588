/**
 * Live mode and GitOps mode cannot disagree: for one patch set, the real `kubectl kustomize` builds the
 * flux-system kustomization.yaml against Flux v2.9.4's manifests, and FluxLiveCluster (under mocks, with
 * the same Flux Deployments as the live cluster) registers its patches. Merging those patches into the
 * shipped objects the way Server-Side Apply does must give exactly the objects kustomize built, apart
 * from live mode's own bookkeeping annotations.
 */
import { strict as assert } from "node:assert";
import { loadAll } from "js-yaml";
import { awsFluxPatchSet } from "../../provider/src/aws/patches";
import { planAws } from "../../provider/src/aws/plan";
import { azureFluxPatchSet } from "../../provider/src/azure/patches";
import { planAzure } from "../../provider/src/azure/plan";
import { AzureCloud } from "../../provider/src/azure/spec";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxPatchSet, mergePatchSets } from "../../provider/src/core/patch";
import { renderFluxSide } from "../../provider/src/flux/kustomization";
import { gcpFluxPatchSet } from "../../provider/src/gcp/patches";
import { planGcp } from "../../provider/src/gcp/plan";
import { FluxLiveCluster } from "../../provider/src/live/component";
import { SCOPES, azureInput } from "../helpers/azure-samples";
import { gcpInput, gcpTenantInput } from "../helpers/gcp-samples";
import { FluxFixture, KubeObject, find, kustomizeBuild, prepareFluxBuild } from "../helpers/kustomize";
import { childrenOf, serveDeployments } from "../helpers/live";
import { KubernetesReadMocks, Registration, settle, useKubernetesMocks, valueOf } from "../helpers/mocks";
import { arns, awsInput, tenantInput } from "../helpers/samples";
import { serverSideMerge } from "../helpers/ssa";

const T = SourceClusterType;
const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"];
/** Annotations live mode adds for its own bookkeeping; GitOps mode has no need for them. */
const OWN_ANNOTATIONS = ["flux-identity/identity-hash", "flux-identity/added-args", "pulumi.com/patchFieldManager", "pulumi.com/patchForce"];

const SAMPLES: Array<[string, () => FluxPatchSet]> = [
    ["AWS from kind: env and projected token", () => awsFluxPatchSet(planAws(awsInput(T.Generic, { controllers: { ecr: [{ repositoryArns: [arns().repo] }], kms: [{ keyArns: [arns().key] }] } })))],
    ["EKS IRSA: ServiceAccount annotations", () => awsFluxPatchSet(planAws(awsInput(T.Eks)))],
    [
        "AWS object level and controller level on one controller: feature gate and env",
        () => {
            const input = tenantInput(T.Generic);
            input.aws.controllers = { ecr: [{ repositoryArns: [arns().repo] }] };
            return awsFluxPatchSet(planAws(input));
        },
    ],
    ["Azure on AKS: labels and ServiceAccount annotations", () => azureFluxPatchSet(planAzure(azureInput(T.Aks)))],
    [
        "Azure private cloud: a mounted ConfigMap",
        () =>
            azureFluxPatchSet(
                planAzure(
                    azureInput(T.Aks, {
                        cloud: AzureCloud.Private,
                        privateCloud: { authorityHost: "https://login.core.private/", environment: { resourceManagerEndpoint: "https://management.core.private/" } },
                        controllers: { acr: [{ scopes: [SCOPES.registry] }] },
                    }),
                ),
            ),
    ],
    ["GCP from kind: credential configuration ConfigMaps", () => gcpFluxPatchSet(planGcp(gcpInput(T.Generic)))],
    ["GCP object level on GKE: feature gate and tenant RBAC", () => gcpFluxPatchSet(planGcp(gcpTenantInput(T.Gke)))],
    [
        "AWS and GCP from one kind cluster: one shared token volume",
        () => mergePatchSets([awsFluxPatchSet(planAws(awsInput(T.Generic, { controllers: { ecr: [{ repositoryArns: [arns().repo] }] } }))), gcpFluxPatchSet(planGcp(gcpInput(T.Generic)))]),
    ],
];

/** A copy without live mode's own annotations, dropping annotation maps left empty. */
function withoutOwnAnnotations(o: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
    const strip = (meta: { annotations?: Record<string, string> } | undefined) => {
        if (!meta?.annotations) return;
        for (const k of OWN_ANNOTATIONS) delete meta.annotations[k];
        if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    };
    strip(copy.metadata as { annotations?: Record<string, string> });
    const template = (copy.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template;
    strip(template?.metadata);
    if (template?.metadata && Object.keys(template.metadata).length === 0) delete template.metadata;
    return copy;
}

/** What the cluster holds after the registered patches for `name` are applied, in order, to `shipped`. */
function afterPatches(shipped: KubeObject, patches: Array<Registration | undefined>): unknown {
    let live: unknown = shipped;
    for (const p of patches) if (p) live = serverSideMerge(live, withoutOwnAnnotations(p.inputs));
    return withoutOwnAnnotations(live);
}

describe("live mode agrees with the GitOps kustomization.yaml built by kubectl kustomize", function () {
    let fixture: FluxFixture;
    let baseline: KubeObject[];
    let mocks: KubernetesReadMocks;

    before(function () {
        ({ fixture, baseline } = prepareFluxBuild(this));
    });

    for (const [title, sample] of SAMPLES) {
        it(title, async () => {
            const set = sample();
            const side = renderFluxSide(set);
            const built = kustomizeBuild(side.kustomizationYaml, fixture);
            mocks = await useKubernetesMocks();
            serveDeployments(mocks, baseline);
            const c = new FluxLiveCluster("x", { layout: set, patchSet: set });
            await valueOf(c.appliedObjects);
            await settle();
            const children = childrenOf(mocks, "x");

            for (const name of CONTROLLERS) {
                const patches = [children.get(`${name}-deployment`), children.get(`${name}-args`)];
                assert.deepEqual(afterPatches(find(baseline, "Deployment", name), patches), find(built, "Deployment", name), `Deployment ${name}`);
                const sa = children.get(`${name}-serviceaccount`);
                assert.deepEqual(afterPatches(find(baseline, "ServiceAccount", name), [sa]), find(built, "ServiceAccount", name), `ServiceAccount ${name}`);
            }
            const configMaps = built.filter((o) => o.kind === "ConfigMap");
            assert.equal(configMaps.length, set.configMaps.length);
            for (const cm of configMaps) {
                assert.deepEqual(withoutOwnAnnotations(children.get(`configmap-${cm.metadata.name}`)?.inputs), cm, `ConfigMap ${cm.metadata.name}`);
            }
            // Tenant ServiceAccounts and RBAC: what GitOps mode writes as manifests for the tenants' side.
            const tenants = (loadAll(side.tenantServiceAccountsYaml) as KubeObject[]).filter(Boolean);
            for (const sa of tenants) {
                // An empty annotation map and none are the same object to the API server.
                assert.deepEqual(withoutOwnAnnotations(children.get(`tenant-${sa.metadata.namespace}-${sa.metadata.name}`)?.inputs), withoutOwnAnnotations(sa), `tenant ${sa.metadata.name}`);
            }
            const rbac = (loadAll(side.tenantRbacYaml) as KubeObject[]).filter(Boolean);
            for (const o of rbac) {
                assert.deepEqual(withoutOwnAnnotations(children.get(`${o.kind.toLowerCase()}-${o.metadata.namespace}-${o.metadata.name}`)?.inputs), o, `${o.kind} ${o.metadata.name}`);
            }
            const expected = set.configMaps.length + tenants.length + rbac.length;
            const perController = [...children.keys()].filter((k) => CONTROLLERS.some((n) => k.startsWith(`${n}-`))).length;
            assert.equal(children.size, expected + perController, "nothing registered that GitOps mode does not write");
        });
    }

    it("the cross-check can fail: a patch that sets a different env value is caught", async () => {
        const set = SAMPLES[0][1]();
        const built = kustomizeBuild(renderFluxSide(set).kustomizationYaml, fixture);
        const other = JSON.parse(JSON.stringify(set)) as FluxPatchSet;
        other.controllers[0].env[0].value = "eu-west-1";
        mocks = await useKubernetesMocks();
        serveDeployments(mocks, baseline);
        const c = new FluxLiveCluster("y", { layout: other, patchSet: other });
        await valueOf(c.appliedObjects);
        await settle();
        const name = other.controllers[0].controller;
        assert.throws(() => assert.deepEqual(afterPatches(find(baseline, "Deployment", name), [childrenOf(mocks, "y").get(`${name}-deployment`)]), find(built, "Deployment", name)));
    });
});
