import { strict as assert } from "node:assert";
import {
    Cloud,
    FLUX_CONTROLLERS,
    FluxController,
    FluxKind,
    INTEGRATIONS,
    controllersForKinds,
} from "../../provider/src/core/catalog";
import { SourceClusterType, normalizeIssuerUrl, resolveSourceCluster } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError, Issues } from "../../provider/src/core/errors";
import { checkNamespace, checkServiceAccountName } from "../../provider/src/core/kubernetes";
import { boundedName } from "../../provider/src/core/names";
import { FluxPatchSet, PatchConflictError, SHARED_TOKEN_VOLUME, emptyControllerPatch, mergePatchSets } from "../../provider/src/core/patch";
import { ISSUERS } from "../helpers/samples";
import { load } from "js-yaml";
import { renderKustomization } from "../../provider/src/flux/kustomization";
import { fluxObjectSetting } from "../../provider/src/flux/objects";

describe("catalog", () => {
    it("lists the six Flux controllers in a fixed order", () => {
        assert.deepEqual(FLUX_CONTROLLERS, [
            "source-controller",
            "kustomize-controller",
            "helm-controller",
            "notification-controller",
            "image-reflector-controller",
            "image-automation-controller",
        ]);
    });

    it("maps kinds to the controllers that reconcile them", () => {
        assert.deepEqual(controllersForKinds([FluxKind.ImageRepository, FluxKind.OCIRepository, FluxKind.Bucket]), [FluxController.Source, FluxController.ImageReflector]);
        assert.deepEqual(controllersForKinds([FluxKind.HelmRelease, FluxKind.Kustomization]), [FluxController.Kustomize, FluxController.Helm]);
        assert.deepEqual(controllersForKinds([FluxKind.ImageUpdateAutomation, FluxKind.Provider]), [FluxController.Notification, FluxController.ImageAutomation]);
    });

    it("has every integration's default kinds among its kinds, and the docs' integrations per cloud", () => {
        for (const i of INTEGRATIONS) {
            assert.ok(i.defaultKinds.length > 0, i.id);
            for (const k of i.defaultKinds) assert.ok(i.kinds.includes(k), `${i.cloud}/${i.id}`);
        }
        const ids = (cloud: string) => INTEGRATIONS.filter((i) => i.cloud === cloud).map((i) => i.id);
        assert.deepEqual(ids("aws"), ["ecr", "ecrPublic", "s3", "kms", "eks", "codecommit"]);
        assert.deepEqual(ids("azure"), ["acr", "azureDevOps", "blob", "keyVault", "aks", "eventHubs"]);
        assert.deepEqual(ids("gcp"), ["gar", "gcs", "kms", "gke", "pubsub"]);
    });
});

describe("issuer URLs", () => {
    const norm = (raw: unknown) => {
        const issues = Issues.root();
        const out = normalizeIssuerUrl(raw, issues, "issuerUrl");
        return { out, issues: issues.list };
    };

    it("lowercases scheme and host but keeps the path byte for byte (AKS issuers end with '/')", () => {
        assert.equal(norm("  HTTPS://Oidc.EKS.us-east-1.amazonaws.com/id/ABCdef ").out, "https://oidc.eks.us-east-1.amazonaws.com/id/ABCdef");
        assert.equal(norm(ISSUERS.aks).out, ISSUERS.aks);
        assert.equal(norm("https://example.com").out, "https://example.com");
    });

    for (const [bad, why] of [
        ["http://example.com", "http"],
        ["https://example.com/x?y=1", "query"],
        ["https://example.com/x#frag", "fragment"],
        ["https://user@example.com", "user info"],
        ["https://exa mple.com", "host"],
        ["example.com/issuer", "not absolute"],
        ["https://example.com//x", "empty segment"],
        ["", "empty"],
        [42, "number"],
    ] as Array<[unknown, string]>) {
        it(`rejects ${JSON.stringify(bad)} (${why}) naming the field`, () => {
            const r = norm(bad);
            assert.equal(r.out, undefined);
            assert.equal(r.issues.length, 1);
            assert.equal(r.issues[0].path, "issuerUrl");
            assert.ok(r.issues[0].fix.length > 10);
        });
    }

    it("checks the issuer shape of EKS, GKE and AKS and reads the EKS region off it", () => {
        const ok = (type: SourceClusterType) => {
            const issues = Issues.root();
            const r = resolveSourceCluster({ name: "c", type, issuerUrl: ISSUERS[type] }, issues);
            assert.equal(issues.count, 0, JSON.stringify(issues.list));
            return r;
        };
        assert.equal(ok(SourceClusterType.Eks)?.eks?.region, "us-east-1");
        ok(SourceClusterType.Gke);
        ok(SourceClusterType.Aks);
        ok(SourceClusterType.Generic);
        const issues = Issues.root("cluster");
        resolveSourceCluster({ name: "c", type: SourceClusterType.Eks, issuerUrl: ISSUERS.gke }, issues);
        assert.equal(issues.list[0].path, "cluster.issuerUrl");
        assert.match(issues.list[0].message, /not a valid EKS issuer/);
        assert.match(issues.list[0].fix, /type: generic/);
    });

    it("refuses an AKS issuer without its trailing '/', naming the fix (every cloud matches iss byte for byte)", () => {
        const issues = Issues.root("cluster");
        const bare = ISSUERS.aks.replace(/\/$/, "");
        assert.equal(resolveSourceCluster({ name: "c", type: SourceClusterType.Aks, issuerUrl: bare }, issues), undefined);
        assert.equal(issues.list.length, 1, JSON.stringify(issues.list));
        assert.equal(issues.list[0].path, "cluster.issuerUrl");
        assert.match(issues.list[0].message, /lacks the trailing '\/' every AKS issuer has/);
        assert.equal(issues.list[0].fix, `set issuerUrl: ${ISSUERS.aks} (as \`az aks show --query oidcIssuerProfile.issuerUrl\` prints it).`);
        // The same URL on a generic cluster is whatever that cluster's issuer is.
        assert.equal(resolveSourceCluster({ name: "c", type: SourceClusterType.Generic, issuerUrl: bare }, Issues.root())?.issuerUrl, bare);
    });

    it("reports a type that cannot even become a string as a field error, not a TypeError", () => {
        // A property-test counterexample: this value used to index the issuer-shape table and throw.
        for (const type of [[{ toString: 0 }], { toString: 0 }, Object.create(null), 10n]) {
            const issues = Issues.root("cluster");
            resolveSourceCluster({ name: "c", type: type as unknown as SourceClusterType, issuerUrl: ISSUERS.eks }, issues);
            assert.deepEqual(
                issues.list.map((i) => i.path),
                ["cluster.type"],
            );
            assert.match(issues.list[0].message, /unknown cluster type/);
        }
    });
});

describe("Kubernetes names", () => {
    it("accepts DNS labels for namespaces and subdomains for ServiceAccounts", () => {
        const issues = Issues.root();
        assert.ok(checkNamespace("team-a", issues, "ns"));
        assert.ok(checkServiceAccountName("flux.aws-1", issues, "sa"));
        assert.equal(issues.count, 0);
    });
    it("rejects invalid names with a suggestion", () => {
        const issues = Issues.root("tenants[0]");
        assert.equal(checkNamespace("Team_A", issues, "namespace"), false);
        assert.equal(checkNamespace("a".repeat(64), issues, "namespace"), false);
        assert.equal(checkServiceAccountName("-sa", issues, "serviceAccount"), false);
        assert.deepEqual(issues.list.map((i) => i.path), ["tenants[0].namespace", "tenants[0].namespace", "tenants[0].serviceAccount"]);
        assert.match(issues.list[0].fix, /"team-a"/);
    });
    it("lists every issue in one error", () => {
        const issues = Issues.root();
        issues.add("a", "first.", "fix a.");
        issues.add("b", "second.", "fix b.");
        assert.throws(() => issues.throwIfAny(), (e: unknown) => e instanceof FluxIdentityValidationError && e.issues.length === 2 && /a: first\. Fix: fix a\./.test(e.message));
    });
});

describe("bounded names", () => {
    it("fit the limit, keep the hash, and differ when the seed differs", () => {
        const long = ["x".repeat(100)];
        const a = boundedName(long, "seed-a", { maxLength: 64 });
        const b = boundedName(long, "seed-b", { maxLength: 64 });
        assert.equal(a.length, 64);
        assert.notEqual(a, b);
        assert.equal(boundedName(["short"], "s", { maxLength: 64 }), boundedName(["short"], "s", { maxLength: 64 }));
        assert.match(boundedName(["a b/c"], "s", { maxLength: 64 }), /^a-b-c-[0-9a-f]{8}$/);
    });
});

describe("patch sets", () => {
    const base = (): FluxPatchSet => ({ namespace: "flux-system", controllers: [], tenantServiceAccounts: [], configMaps: [] });

    it("merges controllers, unions token sources of one volume, and collapses identical entries", () => {
        const a = base();
        const pa = emptyControllerPatch(FluxController.Source);
        pa.env.push({ name: "A", value: "1" });
        pa.volumes.push({ name: "tokens", projectedTokens: [{ audience: "x", expirationSeconds: 3600, path: "x-token" }] });
        pa.args.push("--flag");
        a.controllers.push(pa);
        const b = base();
        const pb = emptyControllerPatch(FluxController.Source);
        pb.env.push({ name: "A", value: "1" }, { name: "B", value: "2" });
        pb.volumes.push({ name: "tokens", projectedTokens: [{ audience: "y", expirationSeconds: 3600, path: "y-token" }] });
        pb.args.push("--flag");
        b.controllers.push(pb, emptyControllerPatch(FluxController.Helm));
        const m = mergePatchSets([a, b]);
        assert.deepEqual(m.controllers.map((c) => c.controller), ["source-controller", "helm-controller"]);
        assert.deepEqual(m.controllers[0].env, [{ name: "A", value: "1" }, { name: "B", value: "2" }]);
        assert.deepEqual(m.controllers[0].args, ["--flag"]);
        assert.deepEqual(m.controllers[0].volumes[0].projectedTokens?.map((t) => t.audience), ["x", "y"]);
    });

    it("refuses conflicting values instead of picking one", () => {
        const a = base();
        const pa = emptyControllerPatch(FluxController.Source);
        pa.serviceAccountAnnotations["k"] = "1";
        a.controllers.push(pa);
        const b = base();
        const pb = emptyControllerPatch(FluxController.Source);
        pb.serviceAccountAnnotations["k"] = "2";
        b.controllers.push(pb);
        assert.throws(() => mergePatchSets([a, b]), PatchConflictError);
    });

    it("merges ConfigMaps by name, refuses two contents for one key, and renders them with fixed names", () => {
        const a = base();
        a.configMaps.push({ name: "z-config", data: { "a.json": "{}" } });
        const b = base();
        b.configMaps.push({ name: "z-config", data: { "b.json": "{\"k\": \"v=w\"}" } }, { name: "a-config", data: { "c.json": "[]" } });
        const m = mergePatchSets([a, b]);
        assert.deepEqual(m.configMaps, [
            { name: "a-config", data: { "c.json": "[]" } },
            { name: "z-config", data: { "a.json": "{}", "b.json": "{\"k\": \"v=w\"}" } },
        ]);
        const c = base();
        c.configMaps.push({ name: "z-config", data: { "a.json": "[1]" } });
        assert.throws(() => mergePatchSets([a, c]), PatchConflictError);
        const doc = load(renderKustomization(m)) as { configMapGenerator: Array<{ name: string; namespace: string; options: { disableNameSuffixHash: boolean }; literals: string[] }> };
        assert.deepEqual(doc.configMapGenerator.map((g) => [g.name, g.namespace, g.options.disableNameSuffixHash, g.literals]), [
            ["a-config", "flux-system", true, ["c.json=[]"]],
            ["z-config", "flux-system", true, ["a.json={}", "b.json={\"k\": \"v=w\"}"]],
        ]);
    });

    it("puts the token volumes of several clouds at one path into one projected volume, each file kept", () => {
        const a = base();
        const pa = emptyControllerPatch(FluxController.Source);
        pa.volumes.push({ name: "aws-token", projectedTokens: [{ audience: "sts.amazonaws.com", expirationSeconds: 3600, path: "aws-token" }] });
        pa.volumeMounts.push({ name: "aws-token", mountPath: "/var/run/service-account", readOnly: true });
        a.controllers.push(pa);
        const b = base();
        const pb = emptyControllerPatch(FluxController.Source);
        pb.volumes.push({ name: "azure-token", projectedTokens: [{ audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-token" }] });
        pb.volumeMounts.push({ name: "azure-token", mountPath: "/var/run/service-account", readOnly: true });
        b.controllers.push(pb);
        const merged = mergePatchSets([a, b]).controllers[0];
        assert.deepStrictEqual(merged.volumes, [
            {
                name: SHARED_TOKEN_VOLUME,
                projectedTokens: [
                    { audience: "sts.amazonaws.com", expirationSeconds: 3600, path: "aws-token" },
                    { audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-token" },
                ],
            },
        ]);
        assert.deepStrictEqual(merged.volumeMounts, [{ name: SHARED_TOKEN_VOLUME, mountPath: "/var/run/service-account", readOnly: true }]);
    });

    it("refuses two token files of one name with different audiences, and a ConfigMap at a token path", () => {
        const token = (name: string, audience: string, file: string) => {
            const set = base();
            const p = emptyControllerPatch(FluxController.Source);
            p.volumes.push({ name, projectedTokens: [{ audience, expirationSeconds: 3600, path: file }] });
            p.volumeMounts.push({ name, mountPath: "/var/run/service-account", readOnly: true });
            set.controllers.push(p);
            return set;
        };
        assert.throws(() => mergePatchSets([token("a", "sts.amazonaws.com", "token"), token("b", "api://AzureADTokenExchange", "token")]), /both write a token file token/);
        const cm = base();
        const pc = emptyControllerPatch(FluxController.Source);
        pc.volumes.push({ name: "settings", configMapName: "settings" });
        pc.volumeMounts.push({ name: "settings", mountPath: "/var/run/service-account", readOnly: true });
        cm.controllers.push(pc);
        assert.throws(() => mergePatchSets([token("aws-token", "sts.amazonaws.com", "aws-token"), cm]), /mount volumes aws-token and settings both at \/var\/run\/service-account/);
    });
});

describe("what Flux objects must set", () => {
    it("never tells a tenant to set serviceAccountName on a HelmRepository, whose CRD has no such field", () => {
        const tenant = fluxObjectSetting({ cloud: Cloud.Aws, integration: "ecr", kind: FluxKind.HelmRepository, tenant: { namespace: "team-a", name: "flux-aws" } });
        assert.deepEqual(tenant.set, { "OCIRepository spec.provider": "aws", "OCIRepository spec.serviceAccountName": "flux-aws" });
        assert.match(tenant.note ?? "", /OCIRepository/);
        const oci = fluxObjectSetting({ cloud: Cloud.Aws, integration: "ecr", kind: FluxKind.OCIRepository, tenant: { namespace: "team-a", name: "flux-aws" } });
        assert.deepEqual(oci.set, { "spec.provider": "aws", "spec.serviceAccountName": "flux-aws" });
    });
});

describe("notification Provider settings", () => {
    it("name the Provider type the Flux docs give for each service", () => {
        assert.deepEqual(fluxObjectSetting({ cloud: Cloud.Gcp, integration: "pubsub", kind: FluxKind.Provider }).set, { "spec.type": "googlepubsub" });
        assert.deepEqual(fluxObjectSetting({ cloud: Cloud.Azure, integration: "eventHubs", kind: FluxKind.Provider, tenant: { namespace: "t", name: "sa" } }).set, { "spec.type": "azureeventhub", "spec.serviceAccountName": "sa" });
    });
});
