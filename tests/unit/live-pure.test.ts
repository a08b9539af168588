/**
 * Live-cluster mode, pure parts: the args merge under Server-Side Apply, the identity hash, the Flux
 * Kustomization drift decision, option and layout checks, and which objects a patch set plans.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { FluxController } from "../../provider/src/core/catalog";
import { FluxIdentityValidationError, Issues } from "../../provider/src/core/errors";
import { FluxControllerPatch, FluxPatchSet, OBJECT_LEVEL_FEATURE_GATE, emptyControllerPatch } from "../../provider/src/core/patch";
import { ADDED_ARGS_ANNOTATION, formatAddedArgs, mergeContainerArgs, parseAddedArgs } from "../../provider/src/live/args";
import { fluxKustomizationWarning } from "../../provider/src/live/drift";
import { IDENTITY_HASH_ANNOTATION, canonicalJson, identityHash } from "../../provider/src/live/identity-hash";
import { liveDeploymentFacts } from "../../provider/src/live/live-deployment";
import { argsPatchBody, deploymentPatchBody } from "../../provider/src/live/objects";
import { LiveOptions, liveOptions } from "../../provider/src/live/options";
import { checkPatchSetStructure } from "../../provider/src/live/structure";
import { assertMatchesLayout, planLiveObjects } from "../../provider/src/live/plan";
import { serverSideMerge } from "../helpers/ssa";

const C = FluxController;
/** source-controller's shipped args in Flux v2.9.4 (gotk-components.yaml). */
const SHIPPED = [
    "--events-addr=http://notification-controller.$(RUNTIME_NAMESPACE).svc.cluster.local./",
    "--watch-all-namespaces=true",
    "--log-level=info",
    "--log-encoding=json",
    "--enable-leader-election",
    "--storage-path=/data",
    "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.",
];
const GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";
const ROLE_A = "arn:aws:iam::123456789012:role/flux-source-a";
const ROLE_B = "arn:aws:iam::123456789012:role/flux-source-b";

const DEFAULTS: LiveOptions = { restartOnIdentityChange: true, fieldManager: "flux-identity", applyTenantServiceAccounts: true, applyTenantRbac: true, detectFluxSystemKustomization: true };

function kindPatch(roleArn = ROLE_A): FluxControllerPatch {
    return {
        ...emptyControllerPatch(C.Source),
        env: [
            { name: "AWS_REGION", value: "us-east-1" },
            { name: "AWS_ROLE_ARN", value: roleArn },
        ],
        volumes: [{ name: "aws-token", projectedTokens: [{ audience: "sts.amazonaws.com", expirationSeconds: 3600, path: "aws-token" }] }],
        volumeMounts: [{ name: "aws-token", mountPath: "/var/run/service-account", readOnly: true }],
    };
}

function set(controllers: FluxControllerPatch[], extra: Partial<FluxPatchSet> = {}): FluxPatchSet {
    return { namespace: "flux-system", controllers, tenantServiceAccounts: [], configMaps: [], ...extra };
}

describe("live mode: container args under Server-Side Apply", () => {
    it("applies the shipped list plus the feature gate, in order, because args is an atomic list", () => {
        assert.deepEqual(mergeContainerArgs(SHIPPED, [], [GATE]), { args: [...SHIPPED, GATE], added: [GATE] });
    });

    it("is a fixed point: re-reading the applied list and its record and merging again changes nothing", () => {
        const once = mergeContainerArgs(SHIPPED, [], [GATE]);
        assert.deepEqual(mergeContainerArgs(once.args, once.added, [GATE]), once);
    });

    it("keeps a flag already there once, where it was, and does not record it as added", () => {
        assert.deepEqual(mergeContainerArgs([GATE, ...SHIPPED], [], [GATE]), { args: [GATE, ...SHIPPED], added: [] });
        assert.deepEqual(mergeContainerArgs([...SHIPPED, "--log-level=info"], [], []).args, SHIPPED, "duplicates in the live list collapse");
    });

    it("removes a flag it added before and no longer wants, and keeps flags others added", () => {
        const live = [...SHIPPED, "--concurrent=10", GATE];
        assert.deepEqual(mergeContainerArgs(live, [GATE], []), { args: [...SHIPPED, "--concurrent=10"], added: [] });
        assert.deepEqual(mergeContainerArgs(live, [GATE, "--old-flag"], ["--new-flag"]), { args: [...SHIPPED, "--concurrent=10", "--new-flag"], added: ["--new-flag"] });
    });

    it("keeps a wanted flag that was shipped when it stops being wanted, since it was never recorded", () => {
        const first = mergeContainerArgs([...SHIPPED, GATE], [], [GATE]);
        assert.deepEqual(mergeContainerArgs(first.args, first.added, []).args, [...SHIPPED, GATE]);
    });

    it("never loses a live flag it did not add, never duplicates, ends with every wanted flag, and is a fixed point (property)", () => {
        const flag = fc.constantFrom<string>("--a", "--b=1", "--c", GATE, "--log-level=info", "--d");
        fc.assert(
            fc.property(fc.array(flag, { maxLength: 8 }), fc.array(flag, { maxLength: 3 }), fc.array(flag, { maxLength: 3 }), (live, previous, wanted) => {
                const out = mergeContainerArgs(live, previous, wanted);
                assert.equal(new Set(out.args).size, out.args.length, "no duplicates");
                for (const w of wanted) assert.ok(out.args.includes(w), `wanted ${w}`);
                for (const l of live) if (!previous.includes(l)) assert.ok(out.args.includes(l), `kept ${l}`);
                for (const a of previous) if (!wanted.includes(a)) assert.ok(!out.args.includes(a), `removed ${a}`);
                for (const a of out.added) assert.ok(wanted.includes(a), `recorded only wanted flags: ${a}`);
                assert.deepEqual(mergeContainerArgs(out.args, out.added, wanted), out, "fixed point");
            }),
        );
    });

    it("records added flags in an annotation that reads back, and treats a missing or broken one as none", () => {
        assert.deepEqual(parseAddedArgs(formatAddedArgs([GATE, "--x"])), [GATE, "--x"]);
        assert.deepEqual(parseAddedArgs(undefined), []);
        assert.deepEqual(parseAddedArgs("not json"), []);
        assert.deepEqual(parseAddedArgs('{"a":1}'), []);
        assert.deepEqual(parseAddedArgs('["--x", 3]'), ["--x"]);
    });

    it("an args patch sets only the manager container's full list and the record, never env or volumes", () => {
        const body = argsPatchBody("flux-system", "source-controller", mergeContainerArgs(SHIPPED, [], [GATE]));
        assert.deepEqual(body, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "source-controller", namespace: "flux-system", annotations: { [ADDED_ARGS_ANNOTATION]: JSON.stringify([GATE]) } },
            spec: { template: { spec: { containers: [{ name: "manager", args: [...SHIPPED, GATE] }] } } },
        });
    });

    it("applying only the extra flag would wipe Flux's flags; the full list keeps them (SSA model)", () => {
        const live = { spec: { template: { spec: { containers: [{ name: "manager", args: SHIPPED, image: "x" }] } } } };
        const naive = serverSideMerge(live, { spec: { template: { spec: { containers: [{ name: "manager", args: [GATE] }] } } } }) as typeof live;
        assert.deepEqual(naive.spec.template.spec.containers[0].args, [GATE], "atomic: replaced whole");
        const full = serverSideMerge(live, argsPatchBody("flux-system", "source-controller", mergeContainerArgs(SHIPPED, [], [GATE]))) as typeof live;
        assert.deepEqual(full.spec.template.spec.containers[0].args, [...SHIPPED, GATE]);
        assert.equal(full.spec.template.spec.containers[0].image, "x", "the container's other fields stay");
    });
});

describe("live mode: identity hash", () => {
    it("changes when a role ARN changes, on the ServiceAccount or in env", () => {
        const sa = (arn: string) => ({ ...emptyControllerPatch(C.Source), serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": arn } });
        assert.notEqual(identityHash(sa(ROLE_A), []), identityHash(sa(ROLE_B), []));
        assert.notEqual(identityHash(kindPatch(ROLE_A), []), identityHash(kindPatch(ROLE_B), []));
    });

    it("is stable: same inputs, same hash, 16 hex digits", () => {
        assert.equal(identityHash(kindPatch(), []), identityHash(kindPatch(), []));
        assert.match(identityHash(kindPatch(), []), /^[0-9a-f]{16}$/);
    });

    it("does not depend on key order, env order or volume order", () => {
        const a = { ...kindPatch(), serviceAccountAnnotations: { x: "1", y: "2" }, podLabels: { p: "1", q: "2" } };
        const b: FluxControllerPatch = {
            volumeMounts: [...a.volumeMounts],
            volumes: [...a.volumes].reverse(),
            env: [...a.env].reverse(),
            args: [],
            podLabels: { q: "2", p: "1" },
            serviceAccountAnnotations: { y: "2", x: "1" },
            controller: C.Source,
        };
        assert.equal(identityHash(a, []), identityHash(b, []));
        assert.equal(canonicalJson({ b: 1, a: { d: 1, c: 2 } }), canonicalJson({ a: { c: 2, d: 1 }, b: 1 }));
    });

    it("changes with the data of a ConfigMap the controller mounts, and ignores ConfigMaps it does not mount", () => {
        const p = { ...emptyControllerPatch(C.Source), volumes: [{ name: "cfg", configMapName: "source-cfg" }], volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg", readOnly: true }] };
        const h = (data: string, other: string) =>
            identityHash(p, [
                { name: "source-cfg", data: { "config.json": data } },
                { name: "other", data: { "config.json": other } },
            ]);
        assert.notEqual(h("{}", "x"), h('{"a":1}', "x"));
        assert.equal(h("{}", "x"), h("{}", "y"));
    });

    it("changes with labels and args", () => {
        const base = kindPatch();
        assert.notEqual(identityHash(base, []), identityHash({ ...base, podLabels: { "azure.workload.identity/use": "true" } }, []));
        assert.notEqual(identityHash(base, []), identityHash({ ...base, args: [GATE] }, []));
    });

    it("lands on the pod template, where a change rolls the Deployment", () => {
        const body = deploymentPatchBody("flux-system", kindPatch(), "0123456789abcdef") as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
        assert.deepEqual(body.spec.template.metadata.annotations, { [IDENTITY_HASH_ANNOTATION]: "0123456789abcdef" });
    });
});

describe("live mode: Flux Kustomization drift warning", () => {
    const labels = { "kustomize.toolkit.fluxcd.io/name": "flux-system", "kustomize.toolkit.fluxcd.io/namespace": "flux-system", "app.kubernetes.io/part-of": "flux" };

    it("warns, naming the Kustomization and recommending GitOps mode, when the labels are there", () => {
        const w = fluxKustomizationWarning({ controller: "source-controller", namespace: "flux-system", labels, appliesArgs: false });
        assert.ok(w);
        assert.match(w, /^source-controller: /);
        assert.match(w, /Flux Kustomization flux-system\/flux-system/);
        assert.match(w, /forced field ownership/);
        assert.match(w, /kustomization\.yaml/);
        assert.match(w, /GitOps mode/);
        assert.doesNotMatch(w, /feature gate/);
    });

    it("says the feature gate will be taken back when args are applied", () => {
        const w = fluxKustomizationWarning({ controller: "kustomize-controller", namespace: "flux-system", labels, appliesArgs: true });
        assert.match(w ?? "", /atomic list/);
        assert.match(w ?? "", /feature gate/);
    });

    it("names a Kustomization in another namespace, and falls back to the Deployment's namespace", () => {
        const other = { "kustomize.toolkit.fluxcd.io/name": "infra", "kustomize.toolkit.fluxcd.io/namespace": "platform" };
        assert.match(fluxKustomizationWarning({ controller: "helm-controller", namespace: "flux", labels: other, appliesArgs: false }) ?? "", /Kustomization platform\/infra/);
        assert.match(fluxKustomizationWarning({ controller: "helm-controller", namespace: "flux", labels: { "kustomize.toolkit.fluxcd.io/name": "infra" }, appliesArgs: false }) ?? "", /Kustomization flux\/infra/);
    });

    it("stays silent without the name label (flux install, Helm, or an unmanaged Deployment)", () => {
        const cases: Array<Record<string, string> | undefined> = [undefined, {}, { "app.kubernetes.io/part-of": "flux" }, { "kustomize.toolkit.fluxcd.io/namespace": "flux-system" }, { "kustomize.toolkit.fluxcd.io/name": "" }];
        for (const l of cases) {
            assert.equal(fluxKustomizationWarning({ controller: "source-controller", namespace: "flux-system", labels: l, appliesArgs: true }), undefined, JSON.stringify(l));
        }
    });
});

describe("live mode: options, layout and plan", () => {
    it("fills in the documented defaults", () => {
        const issues = Issues.root();
        assert.deepEqual(liveOptions({}, issues), DEFAULTS);
        assert.equal(issues.count, 0);
    });

    it("refuses non-boolean flags and unusable field managers, naming the field", () => {
        const issues = Issues.root();
        liveOptions({ restartOnIdentityChange: "yes" as never, fieldManager: "", applyTenantRbac: 1 as never }, issues);
        assert.deepEqual(issues.list.map((i) => i.path).sort(), ["applyTenantRbac", "fieldManager", "restartOnIdentityChange"]);
        const long = Issues.root();
        liveOptions({ fieldManager: "m".repeat(124) }, long);
        assert.equal(long.count, 1, "room is left for the -args suffix");
    });

    it("refuses a layout with unknown controllers, duplicates or invalid names", () => {
        const issues = Issues.root();
        const bad = {
            namespace: "Flux_System",
            controllers: [emptyControllerPatch(C.Source), emptyControllerPatch(C.Source), { ...emptyControllerPatch(C.Helm), controller: "argo" }],
            tenantServiceAccounts: [{ namespace: "team-a", name: "Bad Name", annotations: {}, servedBy: [C.Source] }],
            configMaps: [],
        };
        assert.equal(checkPatchSetStructure(bad, issues.at("layout")), false);
        const paths = issues.list.map((i) => i.path);
        assert.ok(paths.includes("layout.namespace"), paths.join());
        assert.ok(paths.includes("layout.controllers[1].controller"), paths.join());
        assert.ok(paths.includes("layout.controllers[2].controller"), paths.join());
        assert.ok(paths.includes("layout.tenantServiceAccounts[0].name"), paths.join());
    });

    it("plans a ServiceAccount patch for annotations, a Deployment patch for identity fields, an args patch for flags", () => {
        const irsa = { ...emptyControllerPatch(C.Kustomize), serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": ROLE_A } };
        const gate = { ...emptyControllerPatch(C.Helm), args: [GATE] };
        const plan = planLiveObjects(set([kindPatch(), irsa, gate]), DEFAULTS);
        assert.deepEqual(
            plan.objects.map((o) => `${o.id}:${o.kind}`),
            ["source-controller-deployment:Deployment", "kustomize-controller-serviceaccount:ServiceAccount", "kustomize-controller-deployment:Deployment", "helm-controller-args:Deployment"],
        );
        assert.deepEqual(plan.reads, [C.Source, C.Kustomize, C.Helm]);
        for (const o of plan.objects) {
            const args = o.role === "args";
            assert.equal(o.fieldManager, args ? "flux-identity-args" : "flux-identity", o.id);
            assert.equal(o.force, args, `${o.id}: only the atomic args list is taken over by force`);
            assert.equal(o.retainOnDelete, args, `${o.id}: only the args list stays when its patch is deleted`);
        }
    });

    it("without restarts, an annotation-only controller gets no Deployment patch; without detection only args need a read", () => {
        const irsa = { ...emptyControllerPatch(C.Kustomize), serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": ROLE_A } };
        const gate = { ...emptyControllerPatch(C.Helm), args: [GATE] };
        const plan = planLiveObjects(set([irsa, gate]), { ...DEFAULTS, restartOnIdentityChange: false, detectFluxSystemKustomization: false });
        assert.deepEqual(plan.objects.map((o) => o.id), ["kustomize-controller-serviceaccount", "helm-controller-args"]);
        assert.deepEqual(plan.reads, [C.Helm]);
    });

    it("plans tenant ServiceAccounts and RBAC unless turned off", () => {
        const tenants = set([{ ...emptyControllerPatch(C.Source), args: [OBJECT_LEVEL_FEATURE_GATE] }], {
            tenantServiceAccounts: [{ namespace: "team-a", name: "flux-aws", annotations: { "eks.amazonaws.com/role-arn": ROLE_A }, servedBy: [C.Source] }],
        });
        assert.deepEqual(
            planLiveObjects(tenants, DEFAULTS).objects.map((o) => o.id),
            ["source-controller-args", "tenant-team-a-flux-aws", "role-team-a-flux-source-controller-tenant-tokens", "rolebinding-team-a-flux-source-controller-tenant-tokens"],
        );
        assert.deepEqual(planLiveObjects(tenants, { ...DEFAULTS, applyTenantServiceAccounts: false, applyTenantRbac: false }).objects.map((o) => o.id), ["source-controller-args"]);
    });

    it("accepts a patch set that differs from the layout only in values, and names every structural difference", () => {
        const layout = set([{ ...emptyControllerPatch(C.Source), serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "<pending>" } }]);
        const plan = planLiveObjects(layout, DEFAULTS);
        const real = set([{ ...emptyControllerPatch(C.Source), serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": ROLE_A } }]);
        assert.equal(assertMatchesLayout(plan, real, DEFAULTS), real);
        const other = set([kindPatch(), { ...emptyControllerPatch(C.Helm), args: [GATE] }], { configMaps: [{ name: "extra", data: {} }] });
        assert.throws(
            () => assertMatchesLayout(plan, other, DEFAULTS),
            (e: unknown) =>
                e instanceof FluxIdentityValidationError &&
                /patch set needs Deployment flux-system\/helm-controller \(args\)/.test(e.message) &&
                /patch set needs ConfigMap flux-system\/extra/.test(e.message) &&
                /layout plans ServiceAccount flux-system\/source-controller/.test(e.message) &&
                e.issues.every((i) => i.path === "patchSet"),
        );
        assert.throws(() => assertMatchesLayout(plan, { namespace: "flux-system" }, DEFAULTS), /patchSet\.controllers/);
    });
});

describe("live mode: reading a controller Deployment", () => {
    it("takes labels, annotations and the manager container's args", () => {
        const facts = liveDeploymentFacts(
            "flux-system",
            "source-controller",
            { labels: { a: "1" }, annotations: { [ADDED_ARGS_ANNOTATION]: "[]" } },
            { template: { spec: { containers: [{ name: "sidecar", args: ["--x"] }, { name: "manager", args: SHIPPED }] } } },
        );
        assert.deepEqual(facts, { labels: { a: "1" }, annotations: { [ADDED_ARGS_ANNOTATION]: "[]" }, args: SHIPPED });
    });

    it("refuses a Deployment without a manager container", () => {
        assert.throws(() => liveDeploymentFacts("flux-system", "source-controller", {}, { template: { spec: { containers: [{ name: "app" }] } } }), /no container named manager/);
    });
});
