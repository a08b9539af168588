/**
 * The cross-cloud matrix: every (EKS, AKS, GKE, generic) x (AWS, Azure, GCP, all three) x (controller,
 * object level) cell has a spec in examples/matrix. Each is rendered, built with the real `kubectl
 * kustomize` against Flux v2.9.4, and every ServiceAccount, Deployment, ConfigMap and tenant
 * ServiceAccount is checked against the docs (tests/helpers/docs-expectations.ts). The files render for
 * the default Flux version (2.10); object-level cells render for Flux 2.9 too, where the feature gate
 * still exists. The README's matrix table points at these files, so a test also keeps the table and the
 * directory in step.
 */
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { loadAll } from "js-yaml";
import { ClusterPlan, planCluster } from "../../provider/src/plan/cluster";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { DOCS_OBJECT_IDENTITY_RULE, FEATURE_GATE, deploymentChanges, expectedFluxSide } from "../helpers/docs-expectations";
import { assertDeployment, assertServiceAccount } from "../helpers/flux-asserts";
import { FluxFixture, KubeObject, find, kustomizeBuild, prepareFluxBuild } from "../helpers/kustomize";
import { fromRoot } from "../helpers/paths";

const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"];
const TYPE_OF: Record<string, string> = { eks: "eks", aks: "aks", gke: "gke", kind: "generic" };
const CELL = /^(eks|aks|gke|kind)-to-(aws|azure|gcp|all-clouds)-(controller|object)\.yaml$/;

interface Cell {
    file: string;
    type: string;
    clouds: string[];
    level: "controller" | "object";
}

function cells(): Cell[] {
    return readdirSync(fromRoot("examples", "matrix"))
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((file) => {
            const m = CELL.exec(file);
            if (!m) throw new Error(`examples/matrix/${file} does not name a cell (<type>-to-<cloud>-<level>.yaml)`);
            return { file, type: TYPE_OF[m[1]], clouds: m[2] === "all-clouds" ? ["aws", "azure", "gcp"] : [m[2]], level: m[3] as Cell["level"] };
        });
}

describe("the cross-cloud matrix, cell by cell (examples/matrix)", function () {
    let fixture: FluxFixture;
    let baseline: KubeObject[];

    before(function () {
        ({ fixture, baseline } = prepareFluxBuild(this));
    });

    it("holds all 24 single-cloud cells and the 8 all-three-clouds cells", () => {
        const names = cells().map((c) => `${c.type}/${c.clouds.join("+")}/${c.level}`);
        assert.equal(names.length, 32);
        for (const type of Object.values(TYPE_OF)) {
            for (const cloud of ["aws", "azure", "gcp", "aws+azure+gcp"]) {
                for (const level of ["controller", "object"]) assert.ok(names.includes(`${type}/${cloud}/${level}`), `missing ${type}/${cloud}/${level}`);
            }
        }
    });

    it("the README's matrix table links every cell file, and only those", () => {
        const readme = readFileSync(fromRoot("README.md"), "utf8");
        const linked = [...readme.matchAll(/\]\((examples\/matrix\/[a-z-]+\.yaml)\)/g)].map((m) => m[1]).sort();
        assert.deepEqual(linked, cells().map((c) => `examples/matrix/${c.file}`));
    });

    const runs = cells().flatMap((cell) => (cell.level === "object" ? [{ cell, version: undefined }, { cell, version: "2.9" }] : [{ cell, version: undefined }]));
    for (const { cell, version } of runs) {
        it(`${cell.file}${version ? ` (Flux ${version})` : ""}: ${cell.type} -> ${cell.clouds.join(", ")}, ${cell.level} level, as the docs patch it`, () => {
            const fleet = loadFleet(fromRoot("examples", "matrix", cell.file));
            assert.equal(fleet.clusters.length, 1);
            const spec = fleet.clusters[0];
            assert.equal(spec.type, cell.type, "the file name says the cluster type");
            assert.deepEqual(["aws", "azure", "gcp"].filter((c) => spec[c as "aws"] !== undefined), cell.clouds, "the file name says the clouds");
            assert.equal(spec.flux?.version, undefined, "the cell files leave the Flux version at its default");
            const plan: ClusterPlan = planCluster(version ? { ...spec, flux: { ...spec.flux, version } } : spec);
            assert.equal(plan.fluxVersion, version ?? "2.10");
            const tenants = plan.patchSet.tenantServiceAccounts;
            if (cell.level === "object") {
                assert.ok(tenants.length > 0, "object level has tenants");
                for (const c of cell.clouds) assert.equal(Object.keys(plan[c as "aws"]?.objectLevelControllers ?? []).length > 0, true, `${c} serves tenants`);
            } else {
                assert.equal(tenants.length, 0, "controller level has no tenants");
            }

            const built = kustomizeBuild(plan.kustomizationYaml, fixture);
            const want = expectedFluxSide(plan);
            for (const c of CONTROLLERS) {
                const e = want.controllers[c];
                assertServiceAccount(built, c, e && Object.keys(e.annotations).length > 0 ? e.annotations : undefined);
                assertDeployment(built, baseline, c, deploymentChanges(e));
            }
            // Only the controllers serving tenants carry the feature gate, and only before Flux 2.10: source
            // (OCI registries) and kustomize (SOPS) in every object-level cell.
            const gated = CONTROLLERS.filter((c) => want.controllers[c]?.args.includes(FEATURE_GATE));
            assert.deepEqual(gated, cell.level === "object" && version === "2.9" ? ["source-controller", "kustomize-controller"] : []);
            const builtGated = CONTROLLERS.filter((c) => (find(built, "Deployment", c).spec as { template: { spec: { containers: Array<{ args?: string[] }> } } }).template.spec.containers[0].args?.includes(FEATURE_GATE));
            assert.deepEqual(builtGated, gated, "the built Deployments carry the gate exactly where the docs put it");

            // ConfigMaps (GCP credential configurations) exist in the build exactly as the docs write them.
            const configMaps = built.filter((o) => o.kind === "ConfigMap" && !baseline.some((b) => b.kind === "ConfigMap" && b.metadata.name === o.metadata.name));
            assert.deepEqual(configMaps.map((o) => o.metadata.name).sort(), Object.keys(want.configMaps).sort());
            for (const [name, data] of Object.entries(want.configMaps)) {
                const cm = find(built, "ConfigMap", name);
                assert.equal(cm.metadata.namespace, "flux-system");
                assert.deepEqual(cm.data, data, `${name} data`);
            }

            // Tenant ServiceAccounts carry every cloud's annotations; RBAC lets exactly their controllers mint
            // tokens: the docs' rule (create on serviceaccounts/token), narrowed to the tenants by name.
            const tenantObjects = loadAll(plan.tenantServiceAccountsYaml) as KubeObject[];
            assert.deepEqual(
                Object.fromEntries(tenantObjects.filter(Boolean).map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.annotations])),
                want.tenants,
            );
            const rbac = (loadAll(plan.tenantRbacYaml) as KubeObject[]).filter(Boolean);
            const roles = rbac.filter((o) => o.kind === "Role").map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
            assert.deepEqual(roles, cell.level === "object" ? ["team-a/flux-source-controller-tenant-tokens", "team-b/flux-kustomize-controller-tenant-tokens"] : []);
            assert.deepEqual(rbac.filter((o) => o.kind.startsWith("Cluster")), [], "no cluster-wide grant without lockdown defaults");
            for (const role of rbac.filter((o) => o.kind === "Role")) {
                const names = tenantObjects.filter((t) => t && t.metadata.namespace === role.metadata.namespace).map((t) => t.metadata.name);
                assert.deepEqual(role.rules, [{ ...DOCS_OBJECT_IDENTITY_RULE, resourceNames: names }]);
            }
        });
    }

    it("a controller reaching all three clouds from a cluster without a cloud webhook mounts one volume with three tokens", () => {
        const plan = planCluster(loadFleet(fromRoot("examples", "matrix", "kind-to-all-clouds-controller.yaml")).clusters[0]);
        const built = kustomizeBuild(plan.kustomizationYaml, fixture);
        const spec = (find(built, "Deployment", "source-controller").spec as { template: { spec: { volumes: Array<{ name: string; projected?: { sources: Array<{ serviceAccountToken: { path: string; audience: string } }> } }> } } }).template.spec;
        const tokens = spec.volumes.filter((v) => v.projected);
        assert.deepEqual(tokens.map((v) => v.name), ["cloud-tokens"]);
        assert.deepEqual(tokens[0].projected?.sources.map((s) => s.serviceAccountToken.path), ["aws-token", "azure-token", "gcp-token"]);
        assert.deepEqual(
            tokens[0].projected?.sources.map((s) => s.serviceAccountToken.audience).slice(0, 2),
            ["sts.amazonaws.com", "api://AzureADTokenExchange"],
        );
    });
});
