/**
 * The Flux Operator install path: flux-operator/flux-instance.yaml for every matrix cell and for the
 * lockdown's settings. Judged by what we did not write: the FluxInstance CRD's own schema (flux-operator
 * v0.58.1), what the operator adds for each `spec.cluster` setting (read off its source, see
 * tests/helpers/flux-operator.ts), and the real `kubectl kustomize` on Flux v2.9.4's manifests, whose
 * ServiceAccounts and Deployments must come out as they do from the bootstrap kustomization.yaml.
 */
import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { loadAll } from "js-yaml";
import { FluxLockdownOptions } from "../../provider/src/flux/lockdown";
import { ClusterPlan, ClusterSpec, planCluster } from "../../provider/src/plan/cluster";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { argsAdded, buildFluxInstance, fluxInstanceCelErrors, fluxInstanceCrdAvailable, fluxInstanceSchemaErrors, operatorSettingPatches, OperatorPatch } from "../helpers/flux-operator";
import { FluxFixture, KubeObject, find, kustomizeBuild, podSpec, prepareFluxBuild } from "../helpers/kustomize";
import { fromRoot } from "../helpers/paths";
import { skipWithReason } from "../helpers/skip";

const GATE_PREFIX = "--feature-gates=ObjectLevelWorkloadIdentity=";

interface Rendered {
    instance: KubeObject;
    configMaps: KubeObject[];
}

function rendered(plan: ClusterPlan): Rendered {
    const [instance, ...configMaps] = (loadAll(plan.fluxInstanceYaml) as KubeObject[]).filter((o) => o && o.kind);
    assert.equal(instance.kind, "FluxInstance");
    return { instance, configMaps };
}

function cluster(instance: KubeObject): Record<string, unknown> {
    return ((instance.spec as { cluster?: Record<string, unknown> }).cluster ?? {}) as Record<string, unknown>;
}

function patchesOf(instance: KubeObject): OperatorPatch[] {
    return (instance.spec as { kustomize?: { patches?: OperatorPatch[] } }).kustomize?.patches ?? [];
}

function argsOfDeployment(d: KubeObject): string[] {
    return podSpec(d).containers[0].args ?? [];
}

/**
 * The operator's build carries the same ServiceAccounts and Deployments as the bootstrap build, with one
 * documented difference: the operator's own gate argument. On 2.7 to 2.9 it sets the gate on every
 * controller (`=false` unless objectLevelWorkloadIdentity), where the bootstrap kustomization sets it only
 * on the controllers serving tenants; Flux 2.10 retired the gate, so its value changes nothing there. Args
 * are compared as sets (their order changes no flag), everything else field by field.
 */
function assertSameFluxSide(operator: KubeObject[], bootstrap: KubeObject[], version: string): void {
    const strip = (args: string[]) => args.filter((a) => !a.startsWith(GATE_PREFIX)).sort();
    for (const b of bootstrap.filter((o) => o.kind === "ServiceAccount" || o.kind === "Deployment")) {
        const o = find(operator, b.kind, b.metadata.name);
        if (b.kind === "ServiceAccount") {
            assert.deepEqual(o, b, `ServiceAccount ${b.metadata.name}`);
            continue;
        }
        const copy = (d: KubeObject) => {
            const c = JSON.parse(JSON.stringify(d)) as KubeObject;
            const container = podSpec(c).containers[0];
            container.args = strip(container.args ?? []);
            return c;
        };
        assert.deepEqual(copy(o), copy(b), `Deployment ${b.metadata.name}`);
        const gated = argsOfDeployment(b).includes(`${GATE_PREFIX}true`);
        if (gated) {
            // pflag keeps the last value of a repeated map flag: that is what the controller runs with.
            const last = argsOfDeployment(o).filter((a) => a.startsWith(GATE_PREFIX)).pop();
            assert.equal(last, `${GATE_PREFIX}true`, `${b.metadata.name}: the operator must turn on the gate the bootstrap patch turns on (Flux ${version})`);
        }
    }
}

/** No flag is set both by a setting (through the operator) and by a patch, and the gate is never a patch. */
function assertNeverBoth(instance: KubeObject, version: string): void {
    const flag = (arg: string) => arg.split("=")[0];
    const bySettings = argsAdded(operatorSettingPatches(cluster(instance), version));
    const patches = patchesOf(instance);
    for (const p of argsAdded(patches)) {
        assert.ok(!p.arg.startsWith(GATE_PREFIX), `a patch sets the feature gate on ${p.controller}; the operator sets it from objectLevelWorkloadIdentity`);
        const twin = bySettings.find((s) => s.controller === p.controller && flag(s.arg) === flag(p.arg));
        assert.equal(twin, undefined, `${p.controller}: ${p.arg} is a patch while a setting makes the operator add ${twin?.arg}`);
    }
    if (cluster(instance).multitenant === true) {
        assert.ok(!patches.some((p) => p.target.kind === "Kustomization"), "the multitenant setting already points the install's Kustomization at kustomize-controller");
    }
}

function assertValid(instance: KubeObject): void {
    assert.deepEqual(fluxInstanceSchemaErrors(instance), [], "the FluxInstance CRD's schema accepts it");
    assert.deepEqual(fluxInstanceCelErrors(instance), [], "the CRD's CEL rule accepts it");
}

/** The bootstrap build's generated ConfigMaps, as the rendered file's ConfigMaps must be. */
function generatedConfigMaps(build: KubeObject[], baseline: KubeObject[]): KubeObject[] {
    return build.filter((o) => o.kind === "ConfigMap" && !baseline.some((b) => b.kind === "ConfigMap" && b.metadata.name === o.metadata.name));
}

function matrixSpec(file: string): ClusterSpec {
    return loadFleet(fromRoot("examples", "matrix", file)).clusters[0];
}

function withFlux(spec: ClusterSpec, flux: { version?: string; lockdown?: FluxLockdownOptions }): ClusterSpec {
    return { ...spec, flux: { ...spec.flux, ...flux } };
}

describe("the Flux Operator path (flux-operator/flux-instance.yaml)", function () {
    let fixture: FluxFixture;
    let baseline: KubeObject[];

    before(function () {
        if (!fluxInstanceCrdAvailable()) skipWithReason(this, "../shared/fixtures/flux-operator-v0.58.1 is absent; the FluxInstance CRD judges these tests");
        ({ fixture, baseline } = prepareFluxBuild(this));
    });

    /** Renders, validates, builds both ways and compares; returns the FluxInstance. */
    function check(spec: ClusterSpec): KubeObject {
        const plan = planCluster(spec);
        const { instance, configMaps } = rendered(plan);
        assertValid(instance);
        assertNeverBoth(instance, plan.fluxVersion);
        const bootstrap = kustomizeBuild(plan.kustomizationYaml, fixture);
        assertSameFluxSide(buildFluxInstance(instance, fixture, plan.fluxVersion), bootstrap, plan.fluxVersion);
        assert.deepEqual(configMaps, generatedConfigMaps(bootstrap, baseline), "the ConfigMaps beside the FluxInstance are the ones the bootstrap kustomization generates");
        return instance;
    }

    const files = readdirSync(fromRoot("examples", "matrix")).filter((f) => f.endsWith(".yaml")).sort();
    for (const file of files) {
        const versions = file.endsWith("-object.yaml") ? ["2.10", "2.9"] : ["2.10"];
        for (const version of versions) {
            it(`${file} (Flux ${version}): a valid FluxInstance whose patches and settings build what the bootstrap kustomization builds`, () => {
                const instance = check(withFlux(matrixSpec(file), { version }));
                const spec = instance.spec as { distribution: { version: string }; cluster: Record<string, unknown> };
                assert.equal(spec.distribution.version, `${version}.x`);
                const type = matrixSpec(file).type;
                assert.equal(spec.cluster.type, { eks: "aws", aks: "azure", gke: "gcp", generic: "kubernetes" }[type]);
                assert.equal(spec.cluster.objectLevelWorkloadIdentity, file.endsWith("-object.yaml") ? true : undefined);
            });
        }
    }

    describe("the lockdown: a setting where the operator's setting adds exactly the same flags, patches otherwise", () => {
        const base = () => matrixSpec("kind-to-aws-object.yaml");
        const cases: Array<{ name: string; version: string; lockdown: FluxLockdownOptions; settings: Record<string, unknown> }> = [
            {
                name: "the full multi-tenancy lockdown becomes multitenant with its default ServiceAccount",
                version: "2.10",
                lockdown: { noCrossNamespaceRefs: true, noRemoteBases: true, defaultServiceAccount: "tenant-deployer" },
                settings: { multitenant: true, tenantDefaultServiceAccount: "tenant-deployer" },
            },
            { name: "part of it stays a patch (the setting would add flags not asked for)", version: "2.10", lockdown: { noCrossNamespaceRefs: true }, settings: {} },
            {
                name: "all three workload identity defaults become multitenantWorkloadIdentity (2.9)",
                version: "2.9",
                lockdown: { defaultWorkloadIdentityServiceAccount: "flux-wi", defaultDecryptionServiceAccount: "flux-sops", defaultKubeConfigServiceAccount: "flux-kubeconfig" },
                settings: { multitenantWorkloadIdentity: true, tenantDefaultServiceAccount: "flux-wi", tenantDefaultDecryptionServiceAccount: "flux-sops", tenantDefaultKubeConfigServiceAccount: "flux-kubeconfig" },
            },
            {
                name: "all three workload identity defaults become multitenantWorkloadIdentity (2.10)",
                version: "2.10",
                lockdown: { defaultWorkloadIdentityServiceAccount: "flux-wi", defaultDecryptionServiceAccount: "flux-sops", defaultKubeConfigServiceAccount: "flux-kubeconfig" },
                settings: { multitenantWorkloadIdentity: true, tenantDefaultServiceAccount: "flux-wi" },
            },
            { name: "one workload identity default alone stays a patch", version: "2.9", lockdown: { defaultDecryptionServiceAccount: "flux-sops" }, settings: {} },
            {
                name: "both lockdowns with different default ServiceAccounts: multitenant a setting, the workload identity defaults patches",
                version: "2.9",
                lockdown: {
                    noCrossNamespaceRefs: true,
                    noRemoteBases: true,
                    defaultServiceAccount: "tenant-deployer",
                    defaultWorkloadIdentityServiceAccount: "flux-wi",
                    defaultDecryptionServiceAccount: "flux-wi",
                    defaultKubeConfigServiceAccount: "flux-wi",
                },
                settings: { multitenant: true, tenantDefaultServiceAccount: "tenant-deployer" },
            },
            {
                name: "both lockdowns sharing one default ServiceAccount: both settings",
                version: "2.10",
                lockdown: {
                    noCrossNamespaceRefs: true,
                    noRemoteBases: true,
                    defaultServiceAccount: "flux-tenant",
                    defaultWorkloadIdentityServiceAccount: "flux-tenant",
                    defaultDecryptionServiceAccount: "flux-tenant",
                    defaultKubeConfigServiceAccount: "flux-tenant",
                },
                settings: { multitenant: true, multitenantWorkloadIdentity: true, tenantDefaultServiceAccount: "flux-tenant" },
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const instance = check(withFlux(base(), { version: c.version, lockdown: c.lockdown }));
                const got = cluster(instance);
                for (const [k, v] of Object.entries(c.settings)) assert.equal(got[k], v, `spec.cluster.${k}`);
                if (c.settings.multitenant === undefined) assert.equal(got.multitenant, undefined);
                if (c.settings.multitenantWorkloadIdentity === undefined) assert.equal(got.multitenantWorkloadIdentity, undefined);
            });
        }

        it("a controller-level cluster with workload identity defaults still turns on object level (the defaults need it)", () => {
            const instance = check(withFlux(matrixSpec("kind-to-aws-controller.yaml"), { version: "2.9", lockdown: { defaultWorkloadIdentityServiceAccount: "flux-wi" } }));
            assert.equal(cluster(instance).objectLevelWorkloadIdentity, true);
        });
    });

    describe("the judges fail on broken input", () => {
        it("the CRD schema refuses a FluxInstance without its distribution, or with a cluster type it does not know", () => {
            const { instance } = rendered(planCluster(matrixSpec("eks-to-aws-object.yaml")));
            const noDistribution = JSON.parse(JSON.stringify(instance)) as KubeObject;
            delete (noDistribution.spec as Record<string, unknown>).distribution;
            assert.ok(fluxInstanceSchemaErrors(noDistribution).some((e) => e.includes("distribution")));
            const badType = JSON.parse(JSON.stringify(instance)) as KubeObject;
            (badType.spec as { cluster: Record<string, unknown> }).cluster.type = "eks";
            assert.ok(fluxInstanceSchemaErrors(badType).some((e) => e.includes("/spec/cluster/type")));
            const cel = JSON.parse(JSON.stringify(instance)) as KubeObject;
            (cel.spec as { cluster: Record<string, unknown> }).cluster = { multitenantWorkloadIdentity: true };
            assert.equal(fluxInstanceCelErrors(cel).length, 1);
        });

        it("the build comparison fails when a patch is lost", () => {
            const plan = planCluster(matrixSpec("kind-to-all-clouds-controller.yaml"));
            const { instance } = rendered(plan);
            const broken = JSON.parse(JSON.stringify(instance)) as KubeObject;
            (broken.spec as { kustomize: { patches: unknown[] } }).kustomize.patches.pop();
            const bootstrap = kustomizeBuild(plan.kustomizationYaml, fixture);
            assert.throws(() => assertSameFluxSide(buildFluxInstance(broken, fixture, plan.fluxVersion), bootstrap, plan.fluxVersion), /Deployment|ServiceAccount/);
        });

        it("the comparison fails when the gate the bootstrap patch sets is not turned on by a setting (Flux 2.9)", () => {
            const plan = planCluster(withFlux(matrixSpec("eks-to-aws-object.yaml"), { version: "2.9" }));
            const { instance } = rendered(plan);
            const broken = JSON.parse(JSON.stringify(instance)) as KubeObject;
            delete (broken.spec as { cluster: Record<string, unknown> }).cluster.objectLevelWorkloadIdentity;
            const bootstrap = kustomizeBuild(plan.kustomizationYaml, fixture);
            assert.throws(() => assertSameFluxSide(buildFluxInstance(broken, fixture, plan.fluxVersion), bootstrap, plan.fluxVersion), /gate/);
        });

        it("the never-both check fails on a patch that repeats a setting's flag, or sets the gate", () => {
            const { instance } = rendered(planCluster(withFlux(matrixSpec("kind-to-aws-object.yaml"), { lockdown: { noCrossNamespaceRefs: true, noRemoteBases: true, defaultServiceAccount: "tenant-deployer" } })));
            const twice = JSON.parse(JSON.stringify(instance)) as KubeObject;
            const spec = twice.spec as { kustomize?: { patches: OperatorPatch[] } };
            spec.kustomize = { patches: [...(spec.kustomize?.patches ?? []), { target: { kind: "Deployment", name: "helm-controller" }, patch: "- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: --no-cross-namespace-refs=true\n" }] };
            assert.throws(() => assertNeverBoth(twice, "2.10"), /helm-controller/);
            const gate = JSON.parse(JSON.stringify(instance)) as KubeObject;
            const gspec = gate.spec as { kustomize?: { patches: OperatorPatch[] } };
            gspec.kustomize = { patches: [{ target: { kind: "Deployment", name: "source-controller" }, patch: `- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: ${GATE_PREFIX}true\n` }] };
            assert.throws(() => assertNeverBoth(gate, "2.9"), /feature gate/);
        });
    });

    it("the file says what it is and how to merge it into an existing FluxInstance", () => {
        const plan = planCluster(matrixSpec("aks-to-azure-object.yaml"));
        assert.ok(plan.fluxInstanceYaml.startsWith("# Generated by flux-identity: the Flux side for a Flux installed by the Flux Operator"));
        assert.match(plan.fluxInstanceYaml, /Existing FluxInstance: merge into yours/);
    });
});
