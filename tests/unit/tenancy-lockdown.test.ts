/**
 * Flux's multi-tenancy lockdown: input validation, which flag lands on which controller (expected values
 * are literals from the Flux docs and controller sources, not the module's own table), and the lockdown
 * merged with object-level AWS, Azure and GCP patch sets, built with the real `kubectl kustomize` against
 * the real Flux manifests.
 */
import { strict as assert } from "node:assert";
import { load } from "js-yaml";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError, Issues } from "../../provider/src/core/errors";
import { FluxPatchSet, mergePatchSets } from "../../provider/src/core/patch";
import { renderKustomization } from "../../provider/src/flux/kustomization";
import {
    FLUX_LOCKDOWN_FIELDS,
    FluxLockdownOptions,
    checkLockdown,
    lockdownKustomizePatches,
    lockdownPatchSet,
    lockdownWarnings,
} from "../../provider/src/flux/lockdown";
import { ClusterSpec, planCluster } from "../../provider/src/plan/cluster";
import { azureTenantInput } from "../helpers/azure-samples";
import { gcpTenantInput } from "../helpers/gcp-samples";
import { FluxFixture, KubeObject, find, kustomizeBuild, podSpec, prepareFluxBuild } from "../helpers/kustomize";
import { awsInput, tenantInput } from "../helpers/samples";

const GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";
const SOURCE = "source-controller";
const KUSTOMIZE = "kustomize-controller";
const HELM = "helm-controller";
const NOTIFICATION = "notification-controller";
const REFLECTOR = "image-reflector-controller";
const AUTOMATION = "image-automation-controller";
const ALL = [SOURCE, KUSTOMIZE, HELM, NOTIFICATION, REFLECTOR, AUTOMATION];

/** Every option, with a different ServiceAccount per flag so each one can be traced to its controllers. */
const FULL: FluxLockdownOptions = {
    noCrossNamespaceRefs: true,
    noRemoteBases: true,
    defaultServiceAccount: "tenant-impersonated",
    defaultWorkloadIdentityServiceAccount: "tenant-cloud",
    defaultDecryptionServiceAccount: "tenant-sops",
    defaultKubeConfigServiceAccount: "tenant-remote",
};

/**
 * The args per controller the Flux docs give for FULL: the lockdown page and security best practices
 * (--no-cross-namespace-refs on kustomize, helm, notification, image-reflector, image-automation;
 * --no-remote-bases on kustomize; --default-service-account for impersonation on kustomize and helm), and
 * the workload identity lock-down (--default-decryption-service-account and
 * --default-kubeconfig-service-account for kustomize-controller, --default-kubeconfig-service-account for
 * helm-controller, --default-service-account for source, notification, image-reflector and
 * image-automation), each of the latter with the ObjectLevelWorkloadIdentity gate.
 */
const FULL_ARGS: Record<string, string[]> = {
    [SOURCE]: [GATE, "--default-service-account=tenant-cloud"],
    [KUSTOMIZE]: [
        GATE,
        "--no-cross-namespace-refs=true",
        "--no-remote-bases=true",
        "--default-service-account=tenant-impersonated",
        "--default-decryption-service-account=tenant-sops",
        "--default-kubeconfig-service-account=tenant-remote",
    ],
    [HELM]: [GATE, "--no-cross-namespace-refs=true", "--default-service-account=tenant-impersonated", "--default-kubeconfig-service-account=tenant-remote"],
    [NOTIFICATION]: [GATE, "--no-cross-namespace-refs=true", "--default-service-account=tenant-cloud"],
    [REFLECTOR]: [GATE, "--no-cross-namespace-refs=true", "--default-service-account=tenant-cloud"],
    [AUTOMATION]: [GATE, "--no-cross-namespace-refs=true", "--default-service-account=tenant-cloud"],
};

/** Flux 2.10 retired the gate (flux2 v2.10.0 release notes): the same flags, without it. */
const FULL_ARGS_2_10: Record<string, string[]> = Object.fromEntries(Object.entries(FULL_ARGS).map(([c, args]) => [c, args.filter((a) => a !== GATE)]));

/** The fixture's Flux (v2.9.4), whose workload identity defaults need the gate. */
const V29 = "2.9";

function argsOf(set: FluxPatchSet): Record<string, string[]> {
    return Object.fromEntries(set.controllers.map((c) => [c.controller, c.args]));
}

function issuesOf(raw: unknown) {
    const issues = Issues.root("clusters[0].flux.lockdown");
    const options = checkLockdown(raw, issues);
    return { options, issues: issues.list };
}

describe("tenancy: lockdown options", () => {
    it("lists its fields", () => {
        assert.deepEqual(FLUX_LOCKDOWN_FIELDS, [
            "noCrossNamespaceRefs",
            "noRemoteBases",
            "defaultServiceAccount",
            "defaultWorkloadIdentityServiceAccount",
            "defaultDecryptionServiceAccount",
            "defaultKubeConfigServiceAccount",
        ]);
    });

    it("accepts valid input and treats an absent section as no lockdown", () => {
        assert.deepEqual(issuesOf(undefined), { options: {}, issues: [] });
        assert.deepEqual(issuesOf({ ...FULL }), { options: FULL, issues: [] });
        assert.deepEqual(issuesOf({ noRemoteBases: false, defaultServiceAccount: "tenant.reconciler" }), {
            options: { noRemoteBases: false, defaultServiceAccount: "tenant.reconciler" },
            issues: [],
        });
    });

    it("refuses an unknown field, naming its path and every known field", () => {
        const { issues } = issuesOf({ noCrossNamespaceRef: true });
        assert.equal(issues.length, 1);
        assert.equal(issues[0].path, "clusters[0].flux.lockdown.noCrossNamespaceRef");
        assert.match(issues[0].message, /unknown field "noCrossNamespaceRef"/);
        for (const field of FLUX_LOCKDOWN_FIELDS) assert.ok(issues[0].fix.includes(field), `fix lists ${field}: ${issues[0].fix}`);
    });

    it("refuses ServiceAccount names that are not DNS-1123 subdomains, suggesting one", () => {
        const { options, issues } = issuesOf({ defaultServiceAccount: "Tenant_SA", defaultDecryptionServiceAccount: "-sops", defaultKubeConfigServiceAccount: "" });
        assert.deepEqual(
            issues.map((i) => i.path),
            ["clusters[0].flux.lockdown.defaultServiceAccount", "clusters[0].flux.lockdown.defaultDecryptionServiceAccount", "clusters[0].flux.lockdown.defaultKubeConfigServiceAccount"],
        );
        assert.match(issues[0].message, /"Tenant_SA" is not a valid ServiceAccount name: it must be a DNS-1123 subdomain/);
        assert.match(issues[0].fix, /"tenant-sa"/);
        assert.match(issues[2].message, /required and must be a non-empty string/);
        assert.deepEqual(options, {}, "invalid fields are left out");
    });

    it("refuses non-boolean flags and a section that is not a map, all problems at once", () => {
        const { issues } = issuesOf({ noCrossNamespaceRefs: "yes", noRemoteBases: 1, defaultWorkloadIdentityServiceAccount: 7 });
        assert.deepEqual(
            issues.map((i) => [i.path, i.message]),
            [
                ["clusters[0].flux.lockdown.noCrossNamespaceRefs", 'expected true or false, got "yes".'],
                ["clusters[0].flux.lockdown.noRemoteBases", "expected true or false, got 1."],
                ["clusters[0].flux.lockdown.defaultWorkloadIdentityServiceAccount", "ServiceAccount name is required and must be a non-empty string, got 7."],
            ],
        );
        const notMap = issuesOf("strict").issues;
        assert.equal(notMap.length, 1);
        assert.equal(notMap[0].path, "clusters[0].flux.lockdown");
        assert.match(notMap[0].fix, /noCrossNamespaceRefs/);
    });

    it("refuses invalid options given straight to lockdownPatchSet (JavaScript callers)", () => {
        assert.throws(
            () => lockdownPatchSet({ defaultServiceAccount: "No Spaces" } as FluxLockdownOptions, "flux-system"),
            (err: unknown) => err instanceof FluxIdentityValidationError && err.issues[0].path === "lockdown.defaultServiceAccount",
        );
    });
});

describe("tenancy: lockdown flags per controller", () => {
    it("gives each controller exactly the flags Flux defines for it (Flux 2.9 and 2.10)", () => {
        const set = lockdownPatchSet(FULL, "flux-system", V29);
        assert.equal(set.namespace, "flux-system");
        assert.deepEqual(set.controllers.map((c) => c.controller), ALL, "catalog order");
        assert.deepEqual(argsOf(set), FULL_ARGS);
        assert.deepEqual(argsOf(lockdownPatchSet(FULL, "flux-system")), FULL_ARGS_2_10, "the default version, 2.10: no gate");
        for (const c of set.controllers) {
            assert.deepEqual([c.env, c.volumes, c.volumeMounts, c.serviceAccountAnnotations, c.podLabels], [[], [], [], {}, {}], `${c.controller} gets args only`);
        }
        assert.deepEqual([set.tenantServiceAccounts, set.configMaps], [[], []]);
    });

    it("never gives source-controller --no-cross-namespace-refs or --no-remote-bases, which it does not define", () => {
        const set = lockdownPatchSet({ noCrossNamespaceRefs: true, noRemoteBases: true }, "flux-system");
        assert.deepEqual(argsOf(set), {
            [KUSTOMIZE]: ["--no-cross-namespace-refs=true", "--no-remote-bases=true"],
            [HELM]: ["--no-cross-namespace-refs=true"],
            [NOTIFICATION]: ["--no-cross-namespace-refs=true"],
            [REFLECTOR]: ["--no-cross-namespace-refs=true"],
            [AUTOMATION]: ["--no-cross-namespace-refs=true"],
        });
    });

    it("adds the feature gate only with a workload identity default, on exactly its controllers (Flux 2.7 to 2.9)", () => {
        // Impersonation needs no gate: kustomize and helm accept --default-service-account since Flux 0.26.
        assert.deepEqual(argsOf(lockdownPatchSet({ defaultServiceAccount: "default" }, "flux-system", V29)), {
            [KUSTOMIZE]: ["--default-service-account=default"],
            [HELM]: ["--default-service-account=default"],
        });
        assert.deepEqual(argsOf(lockdownPatchSet({ defaultDecryptionServiceAccount: "sops" }, "flux-system", V29)), {
            [KUSTOMIZE]: [GATE, "--default-decryption-service-account=sops"],
        });
        assert.deepEqual(argsOf(lockdownPatchSet({ defaultDecryptionServiceAccount: "sops" }, "flux-system", "2.7")), {
            [KUSTOMIZE]: [GATE, "--default-decryption-service-account=sops"],
        });
        assert.deepEqual(argsOf(lockdownPatchSet({ defaultDecryptionServiceAccount: "sops" }, "flux-system", "2.10")), {
            [KUSTOMIZE]: ["--default-decryption-service-account=sops"],
        });
        assert.throws(() => lockdownPatchSet({ defaultDecryptionServiceAccount: "sops" }, "flux-system", "2.6"), /lockdown\.defaultDecryptionServiceAccount: --default-decryption-service-account exists from Flux v2\.7 on/);
        assert.deepEqual(argsOf(lockdownPatchSet({ defaultKubeConfigServiceAccount: "remote" }, "flux-system", V29)), {
            [KUSTOMIZE]: [GATE, "--default-kubeconfig-service-account=remote"],
            [HELM]: [GATE, "--default-kubeconfig-service-account=remote"],
        });
        assert.deepEqual(argsOf(lockdownPatchSet({ defaultWorkloadIdentityServiceAccount: "cloud" }, "flux-system", V29)), {
            [SOURCE]: [GATE, "--default-service-account=cloud"],
            [NOTIFICATION]: [GATE, "--default-service-account=cloud"],
            [REFLECTOR]: [GATE, "--default-service-account=cloud"],
            [AUTOMATION]: [GATE, "--default-service-account=cloud"],
        });
    });

    it("changes nothing for empty or all-off options", () => {
        assert.deepEqual(lockdownPatchSet({}, "flux-system").controllers, []);
        assert.deepEqual(lockdownPatchSet({ noCrossNamespaceRefs: false, noRemoteBases: false }, "flux-system").controllers, []);
        assert.deepEqual(lockdownKustomizePatches({ noCrossNamespaceRefs: true }, "flux-system"), []);
    });

    it("merges with an object-level patch set without repeating the feature gate", () => {
        const plan = planCluster(clusterSpec("aws", V29));
        const merged = mergePatchSets([plan.patchSet, lockdownPatchSet(FULL, plan.fluxNamespace, V29)]);
        for (const c of merged.controllers) {
            assert.equal(c.args.filter((a) => a === GATE).length, 1, `${c.controller} has the gate once`);
            assert.deepEqual([...c.args].sort(), [...FULL_ARGS[c.controller]].sort(), `${c.controller} args`);
        }
    });

    it("runs the bootstrap Kustomization as kustomize-controller when impersonation is enforced, as the docs do", () => {
        assert.deepEqual(lockdownKustomizePatches({ defaultServiceAccount: "default" }, "flux-system"), [
            { patch: "- op: add\n  path: /spec/serviceAccountName\n  value: kustomize-controller\n", target: { kind: "Kustomization", name: "flux-system" } },
        ]);
        const doc = load(renderKustomization(lockdownPatchSet(FULL, "flux-system"), { extraPatches: lockdownKustomizePatches(FULL, "flux-system") })) as { patches: Array<{ target: { kind: string } }> };
        assert.equal(doc.patches[doc.patches.length - 1].target.kind, "Kustomization", "after the controllers' patches");
    });
});

describe("tenancy: lockdown warnings", () => {
    it("warns when a workload identity default would take over controller-level objects", () => {
        const plan = planCluster({ ...awsInput(SourceClusterType.Generic).cluster, aws: awsInput(SourceClusterType.Generic).aws });
        const warnings = lockdownWarnings(FULL, plan.objectSettings, plan.fluxNamespace);
        assert.equal(warnings.length, 3);
        assert.match(warnings[0], /^lockdown\.defaultWorkloadIdentityServiceAccount is "tenant-cloud", but OCIRepository, HelmRepository, /);
        assert.match(warnings[0], /ServiceAccount flux-system\/tenant-cloud instead of their controller/);
        assert.match(warnings[1], /^lockdown\.defaultDecryptionServiceAccount is "tenant-sops", but Kustomization decrypt SOPS secrets/);
        assert.match(warnings[2], /^lockdown\.defaultKubeConfigServiceAccount is "tenant-remote", but Kustomization, HelmRelease reach remote clusters/);
        assert.deepEqual(lockdownWarnings({ noCrossNamespaceRefs: true, defaultServiceAccount: "x" }, plan.objectSettings, "flux-system"), []);
    });

    it("has nothing to warn about at object level", () => {
        const plan = planCluster(clusterSpec("aws"));
        assert.deepEqual(lockdownWarnings(FULL, plan.objectSettings, plan.fluxNamespace), []);
    });
});

/** An object-level cluster (generic, so the cloud patches carry env and volumes as well) of one cloud. */
function clusterSpec(cloud: "aws" | "azure" | "gcp", version?: string): ClusterSpec {
    const T = SourceClusterType.Generic;
    const flux = version ? { flux: { version } } : {};
    if (cloud === "aws") {
        const i = tenantInput(T);
        return { ...i.cluster, ...flux, aws: i.aws };
    }
    if (cloud === "azure") {
        const i = azureTenantInput(T);
        return { ...i.cluster, ...flux, azure: i.azure };
    }
    const i = gcpTenantInput(T);
    return { ...i.cluster, ...flux, gcp: i.gcp };
}

describe("tenancy: lockdown built by kubectl kustomize with object-level patch sets", function () {
    let fixture: FluxFixture;
    let baseline: KubeObject[];

    before(function () {
        ({ fixture, baseline } = prepareFluxBuild(this));
    });

    for (const cloud of ["aws", "azure", "gcp"] as const) {
        it(`applies the lockdown merged with ${cloud}'s object-level patches (Flux 2.9): each flag only on its controllers`, () => {
            const plan = planCluster(clusterSpec(cloud, V29));
            const served = new Set<string>(plan.patchSet.controllers.filter((c) => c.args.includes(GATE)).map((c) => c.controller));
            assert.ok(served.has(SOURCE) && served.has(KUSTOMIZE), "the object-level plan gates source and kustomize");
            const merged = mergePatchSets([plan.patchSet, lockdownPatchSet(FULL, plan.fluxNamespace, V29)]);
            const built = kustomizeBuild(renderKustomization(merged, { extraPatches: lockdownKustomizePatches(FULL, plan.fluxNamespace) }), fixture);
            for (const controller of ALL) {
                const base = podSpec(find(baseline, "Deployment", controller)).containers[0].args ?? [];
                const got = podSpec(find(built, "Deployment", controller)).containers[0].args ?? [];
                assert.deepEqual(got.slice(0, base.length), base, `${controller} keeps its shipped args first`);
                const added = got.slice(base.length);
                // Order: the cloud's args (the gate) first, then the lockdown's new ones.
                const expected = served.has(controller) ? [GATE, ...FULL_ARGS[controller].filter((a) => a !== GATE)] : FULL_ARGS[controller];
                assert.deepEqual(added, expected, `${controller} args`);
            }
            const sync = find(built, "Kustomization", plan.fluxNamespace);
            assert.equal((sync.spec as { serviceAccountName?: string }).serviceAccountName, "kustomize-controller");
        });
    }

    it("leaves source-controller as shipped with only the cross-namespace and remote-bases flags", () => {
        const built = kustomizeBuild(renderKustomization(lockdownPatchSet({ noCrossNamespaceRefs: true, noRemoteBases: true }, "flux-system")), fixture);
        assert.deepEqual(find(built, "Deployment", SOURCE), find(baseline, "Deployment", SOURCE));
        const sync = find(built, "Kustomization", "flux-system");
        assert.deepEqual(sync, find(baseline, "Kustomization", "flux-system"), "no impersonation, no bootstrap patch");
    });
});
