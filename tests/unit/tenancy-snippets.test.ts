/**
 * Example Flux objects for object-level clusters of each cloud: every snippet sets what its object setting
 * says, validates against @kubernetes-models/flux-cd's schemas (inside the module) and against the CRDs of
 * the real Flux v2.9.4 install (here, with unknown fields refused as the API server's strict field
 * validation would), and renders byte-identically across runs and input orders.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import { loadAll } from "js-yaml";
import { Cloud as CatalogCloud, FLUX_KINDS, FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { KubernetesObject } from "../../provider/src/flux/manifests";
import { FLUX_CD_MODEL_FILES, FluxObjectSnippet, fluxObjectSnippets, renderFluxObjectSnippets } from "../../provider/src/flux/object-snippets";
import { FluxAuthLevel, FluxObjectSetting } from "../../provider/src/flux/objects";
import { ClusterSpec, planCluster } from "../../provider/src/plan/cluster";
import { azureInput, fullAzureAccess } from "../helpers/azure-samples";
import { gcpFullAccess, gcpInput } from "../helpers/gcp-samples";
import { fluxFixture } from "../helpers/kustomize";
import { fromRoot } from "../helpers/paths";
import { awsInput, fullAccess } from "../helpers/samples";
import { skipWithReason } from "../helpers/skip";

type Cloud = "aws" | "azure" | "gcp";
const CLOUDS: Cloud[] = ["aws", "azure", "gcp"];
const TENANT_SA: Record<Cloud, string> = { aws: "flux-aws", azure: "flux-azure", gcp: "flux-gcp" };

/**
 * A generic cluster of one cloud whose tenant team-a reaches every integration of that cloud with every
 * consuming kind (object level), next to the same access at controller level.
 */
function clusterSpec(cloud: Cloud): ClusterSpec {
    const T = SourceClusterType.Generic;
    if (cloud === "aws") {
        const i = awsInput(T);
        return { ...i.cluster, aws: { ...i.aws, tenants: [{ namespace: "team-a", serviceAccount: TENANT_SA.aws, access: fullAccess() }] } };
    }
    if (cloud === "azure") {
        const i = azureInput(T);
        return { ...i.cluster, azure: { ...i.azure, tenants: [{ namespace: "team-a", serviceAccount: TENANT_SA.azure, access: fullAzureAccess() }] } };
    }
    const i = gcpInput(T);
    return { ...i.cluster, gcp: { ...i.gcp, tenants: [{ namespace: "team-a", serviceAccount: TENANT_SA.gcp, access: gcpFullAccess() }] } };
}

function settingsOf(cloud: Cloud): FluxObjectSetting[] {
    return planCluster(clusterSpec(cloud)).objectSettings;
}

/** Tenants bringing their own identities for every kind each cloud serves. */
function broughtSettings(): FluxObjectSetting[] {
    const T = SourceClusterType.Generic;
    const a = awsInput(T);
    const z = azureInput(T);
    const aws = planCluster({
        ...a.cluster,
        aws: { ...a.aws, controllers: undefined, tenants: [{ namespace: "team-x", serviceAccount: "brought", existingRoleArn: "arn:aws:iam::123456789012:role/brought", usedBy: FLUX_KINDS.filter((k) => k !== FluxKind.Provider) }] },
    });
    const azure = planCluster({
        ...z.cluster,
        azure: { ...z.azure, controllers: undefined, tenants: [{ namespace: "team-z", serviceAccount: "brought", existingIdentity: { clientId: "00000000-0000-4000-8000-0000000000cc" }, usedBy: [FluxKind.Provider] }] },
    });
    return [...aws.objectSettings, ...azure.objectSettings];
}

function get(o: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
}

/** The object a `spec.*` setting applies to (the OCIRepository stands in for an object-level HelmRepository). */
function target(snippet: FluxObjectSnippet, setting: FluxObjectSetting, kind: string = setting.kind): KubernetesObject {
    const wanted = kind === FluxKind.HelmRepository && setting.level === FluxAuthLevel.Object ? "OCIRepository" : kind;
    const found = snippet.objects.find((o) => o.kind === wanted);
    assert.ok(found, `${setting.kind} snippet holds a ${wanted}`);
    return found;
}

/** Asserts every field the setting names is set, with the value it gives, in the snippet's objects. */
function assertSetsWhatSettingSays(snippet: FluxObjectSnippet, setting: FluxObjectSetting): void {
    for (const [key, value] of Object.entries(setting.set)) {
        const where = `${setting.kind} ${setting.level} ${setting.integration}: ${key}`;
        if (key === "spec.kubeConfig.configMapRef.name") {
            const configMap = target(snippet, setting, "ConfigMap");
            assert.equal(get(target(snippet, setting), "spec.kubeConfig.configMapRef.name"), configMap.metadata.name, where);
        } else if (key.startsWith("configMap.")) {
            assert.equal(get(target(snippet, setting, "ConfigMap"), `data.${key.slice("configMap.".length)}`), value, where);
        } else if (key.startsWith("GitRepository ") || key.startsWith("OCIRepository ")) {
            const [kind, field] = key.split(" ");
            assert.equal(get(target(snippet, setting, kind), field), value, where);
        } else {
            assert.ok(key.startsWith("spec."), `unexpected setting key ${key}`);
            assert.equal(get(target(snippet, setting), key), value, where);
        }
    }
}

function allServiceAccountNames(o: unknown): string[] {
    if (!o || typeof o !== "object") return [];
    return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => (k === "serviceAccountName" && typeof v === "string" ? [v] : allServiceAccountNames(v)));
}

describe("tenancy: Flux object snippets", () => {
    for (const cloud of CLOUDS) {
        describe(`an object-level ${cloud} cluster`, () => {
            let settings: FluxObjectSetting[];
            let snippets: FluxObjectSnippet[];

            before(() => {
                settings = settingsOf(cloud);
                snippets = fluxObjectSnippets(settings);
            });

            it("has one snippet per (kind, namespace, ServiceAccount, integration, remote cluster) with objects", () => {
                const keys = settings.map((s) => [s.kind, s.namespace, s.serviceAccountName, s.integration, s.resource].join("|"));
                assert.equal(snippets.length, new Set(keys).size);
                assert.ok(snippets.some((s) => s.level === FluxAuthLevel.Object) && snippets.some((s) => s.level === FluxAuthLevel.Controller));
                for (const s of snippets) assert.ok(s.objects.length > 0, `${s.kind} ${s.integration} has an example`);
            });

            it("sets exactly the provider and ServiceAccount fields each setting says", () => {
                for (const setting of settings) {
                    const snippet = snippets.find(
                        (s) => s.kind === setting.kind && s.integration === setting.integration && s.serviceAccountName === setting.serviceAccountName && s.resource === setting.resource,
                    );
                    assert.ok(snippet, `a snippet for ${JSON.stringify(setting)}`);
                    assertSetsWhatSettingSays(snippet, setting);
                    const names = snippet.objects.flatMap((o) => [...allServiceAccountNames(o), ...(o.kind === "ConfigMap" ? allServiceAccountNames({ serviceAccountName: (o.data as Record<string, string>).serviceAccountName }) : [])]);
                    if (setting.level === FluxAuthLevel.Controller) {
                        assert.deepEqual(names, [], `${setting.kind} ${setting.integration}: no ServiceAccount at controller level`);
                        for (const o of snippet.objects) assert.equal(o.metadata.namespace, "flux-system");
                    } else {
                        assert.ok(names.length > 0 && names.every((n) => n === TENANT_SA[cloud]), `${setting.kind} ${setting.integration}: the tenant ServiceAccount ${names}`);
                        for (const o of snippet.objects) assert.equal(o.metadata.namespace, "team-a");
                    }
                }
            });

            it("names the cloud in spec.provider wherever the kind has one", () => {
                for (const s of snippets) {
                    for (const o of s.objects) {
                        const provider = get(o, "spec.provider");
                        if (o.kind === "Kustomization" && get(o, "spec.decryption")) assert.equal(get(o, "spec.decryption.provider"), "sops");
                        else if (["OCIRepository", "HelmRepository", "Bucket", "ImageRepository", "GitRepository"].includes(o.kind)) assert.equal(provider, cloud, `${o.kind} ${o.metadata.name}`);
                        else if (o.kind === "ConfigMap") assert.equal((o.data as Record<string, string>).provider, cloud);
                    }
                }
            });

            it("uses only obvious placeholders for what the plan does not know", () => {
                const yaml = renderFluxObjectSnippets(settings);
                for (const url of yaml.match(/(url|image|address|endpoint): .*/g) ?? []) {
                    assert.ok(url.includes("<your-") || /endpoint: (s3\.amazonaws\.com|storage\.googleapis\.com)$/.test(url), `placeholder in ${url}`);
                }
            });

            it("renders byte-identical YAML across runs and whatever order the settings come in", () => {
                const once = renderFluxObjectSnippets(settings);
                assert.equal(renderFluxObjectSnippets([...settings].reverse()), once);
                assert.equal(renderFluxObjectSnippets(settings.map((s) => ({ ...s, set: Object.fromEntries(Object.entries(s.set)) }))), once);
                const script =
                    `const { planCluster } = require("./dist/provider/src/plan/cluster");` +
                    `const { renderFluxObjectSnippets } = require("./dist/provider/src/flux/object-snippets");` +
                    `process.stdout.write(renderFluxObjectSnippets(planCluster(${JSON.stringify(clusterSpec(cloud))}).objectSettings));`;
                const r = spawnSync(process.execPath, ["-e", script], { cwd: fromRoot(), encoding: "utf8" });
                assert.equal(r.status, 0, r.stderr);
                assert.equal(r.stdout, once, "a fresh process renders the same bytes");
            });

            it("writes every snippet object once into a multi-document YAML with a header", () => {
                const yaml = renderFluxObjectSnippets(settings);
                assert.ok(yaml.startsWith("# Generated by flux-identity: example Flux objects"));
                const docs = (loadAll(yaml) as KubernetesObject[]).filter((d) => d);
                const ids = docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`);
                assert.equal(new Set(ids).size, ids.length, "no object twice");
                const expected = new Set(snippets.flatMap((s) => s.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)));
                assert.deepEqual(new Set(ids), expected);
            });
        });
    }

    it("renders a cluster of all three clouds without two different objects under one name", () => {
        const spec: ClusterSpec = { ...clusterSpec("aws"), azure: clusterSpec("azure").azure, gcp: clusterSpec("gcp").gcp };
        const yaml = renderFluxObjectSnippets(planCluster(spec).objectSettings);
        const docs = (loadAll(yaml) as KubernetesObject[]).filter((d) => d);
        assert.ok(docs.length > 60, `${docs.length} objects`);
        // SOPS is cloud-agnostic: AWS KMS and GCP KMS at controller level share one example.
        assert.equal(docs.filter((d) => d.kind === "Kustomization" && d.metadata.name === "kms" && d.metadata.namespace === "flux-system").length, 1);
    });

    it("gives brought identities (kinds known, grants unknown) examples carrying their ServiceAccount", () => {
        const snippets = fluxObjectSnippets(broughtSettings());
        const provider = snippets.find((s) => s.kind === FluxKind.Provider);
        assert.ok(provider);
        assert.deepEqual(provider.objects, [], "a notification Provider's type depends on the service");
        assert.ok(provider.comment.some((line) => line.startsWith("No example: set spec.type")));
        for (const s of snippets.filter((x) => x.kind !== FluxKind.Provider)) {
            assert.ok(s.objects.length > 0, `${s.kind} has an example`);
            const names = s.objects.flatMap((o) => allServiceAccountNames(o.kind === "ConfigMap" ? { serviceAccountName: (o.data as Record<string, string>).serviceAccountName } : o));
            assert.ok(names.length > 0 && names.every((n) => n === "brought"), `${s.kind}: ${names}`);
        }
    });

    it("renders nothing for no settings", () => {
        assert.equal(renderFluxObjectSnippets([]), "");
    });

    it("types AWS GitRepositories as plain objects, the library lacking provider aws", () => {
        const snippets = fluxObjectSnippets(settingsOf("aws"));
        const git = snippets.find((s) => s.kind === FluxKind.GitRepository && s.level === FluxAuthLevel.Object);
        assert.ok(git);
        assert.deepEqual(git.objects[0].spec, {
            interval: "10m",
            url: "https://git-codecommit.<your-region>.amazonaws.com/v1/repos/<your-repository>",
            ref: { branch: "<your-branch>" },
            provider: "aws",
            serviceAccountName: "flux-aws",
        });
    });

    it("shows an object-level OCI Helm chart as an OCIRepository, Flux's HelmRepository having no serviceAccountName", () => {
        const s = fluxObjectSnippets(settingsOf("gcp")).find((x) => x.kind === FluxKind.HelmRepository && x.level === FluxAuthLevel.Object);
        assert.ok(s);
        assert.deepEqual(s.objects.map((o) => o.kind), ["OCIRepository"]);
        assert.deepEqual(get(s.objects[0], "spec.layerSelector"), { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", operation: "copy" });
        assert.ok(s.comment.some((line) => line.includes("HelmRepository has no spec.serviceAccountName")));
    });

    it("loads only the flux-cd model files a cluster needs, and none on import", () => {
        const ociOnly: FluxObjectSetting[] = [
            { cloud: CatalogCloud.Aws, integration: "ecr", kind: FluxKind.OCIRepository, level: FluxAuthLevel.Object, namespace: "team-a", serviceAccountName: "flux-aws", set: { "spec.provider": "aws", "spec.serviceAccountName": "flux-aws" } },
        ];
        const script =
            `const m = require("./dist/provider/src/flux/object-snippets");` +
            `const before = Object.keys(require.cache).filter((k) => k.includes("@kubernetes-models"));` +
            `m.renderFluxObjectSnippets(${JSON.stringify(ociOnly)});` +
            `const after = Object.keys(require.cache).filter((k) => k.includes("@kubernetes-models"));` +
            `process.stdout.write(JSON.stringify({ before, after }));`;
        const r = spawnSync(process.execPath, ["-e", script], { cwd: fromRoot(), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, "", "no warning from loading ES modules");
        const { before, after } = JSON.parse(r.stdout) as { before: string[]; after: string[] };
        assert.deepEqual(before, []);
        assert.deepEqual(
            after.map((f) => f.split(`${path.sep}@kubernetes-models${path.sep}flux-cd${path.sep}`)[1]),
            [`${FLUX_CD_MODEL_FILES.OCIRepository}.js`],
        );
    });
});

/** Validators for Flux's CRDs (storage versions), unknown fields refused as strict field validation does. */
function crdValidators(file: string): Map<string, ValidateFunction> {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const out = new Map<string, ValidateFunction>();
    const docs = loadAll(readFileSync(file, "utf8")) as Array<{ kind?: string; spec?: { group: string; names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: unknown } }> } }>;
    for (const d of docs) {
        if (d?.kind !== "CustomResourceDefinition" || !d.spec) continue;
        for (const v of d.spec.versions) out.set(`${d.spec.group}/${v.name}/${d.spec.names.kind}`, ajv.compile(closeObjects(v.schema.openAPIV3Schema) as object));
    }
    return out;
}

/** The schema with `additionalProperties: false` wherever an object lists its properties and keeps no unknown fields. */
function closeObjects(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(closeObjects);
    if (!schema || typeof schema !== "object") return schema;
    const s: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
        s[k] = k === "properties" ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, ps]) => [p, closeObjects(ps)])) : closeObjects(v);
    }
    if (s.properties && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) s.additionalProperties = false;
    return s;
}

describe("tenancy: Flux object snippets against Flux v2.9.4's CRDs", function () {
    let validators: Map<string, ValidateFunction>;

    before(function () {
        const fixture = fluxFixture("flux-v2.9.4");
        if (fixture.source === "project") skipWithReason(this, "../shared/fixtures is absent; the project's own fixture has no CRDs");
        validators = crdValidators(path.join(fixture.dir, "gotk-components.yaml"));
    });

    function validate(o: KubernetesObject): void {
        if (o.apiVersion === "v1") return;
        const v = validators.get(`${o.apiVersion}/${o.kind}`);
        assert.ok(v, `Flux v2.9.4 serves ${o.apiVersion} ${o.kind}`);
        assert.ok(v(o), `${o.kind} ${o.metadata.name}: ${JSON.stringify(v.errors)}`);
    }

    it("refuses what Flux refuses (the check can fail)", () => {
        const v = validators.get("source.toolkit.fluxcd.io/v1/HelmRepository") as ValidateFunction;
        assert.equal(v({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "HelmRepository", metadata: { name: "x" }, spec: { url: "oci://x", interval: "1m", serviceAccountName: "sa" } }), false);
        const git = validators.get("source.toolkit.fluxcd.io/v1/GitRepository") as ValidateFunction;
        assert.equal(git({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "x" }, spec: { url: "https://x", interval: "1m", provider: "gcp" } }), false);
    });

    for (const cloud of [...CLOUDS, "brought"] as const) {
        it(`accepts every ${cloud} snippet, and the CRDs' CEL rules hold`, () => {
            for (const s of fluxObjectSnippets(cloud === "brought" ? broughtSettings() : settingsOf(cloud))) {
                for (const o of s.objects) {
                    validate(o);
                    const spec = (o.spec ?? {}) as Record<string, unknown>;
                    // x-kubernetes-validations the schema check cannot run:
                    if (o.kind === "GitRepository" && spec.serviceAccountName) assert.ok(spec.provider === "azure" || spec.provider === "aws", "GitRepository: serviceAccountName only with provider azure or aws");
                    if (o.kind === "Bucket") assert.ok(spec.provider !== "generic" || !spec.serviceAccountName, "Bucket: no serviceAccountName with the generic provider");
                    if (o.kind === "Kustomization" || o.kind === "HelmRelease") {
                        const kc = spec.kubeConfig as Record<string, unknown> | undefined;
                        if (kc) assert.ok(Boolean(kc.configMapRef) !== Boolean(kc.secretRef), "kubeConfig: exactly one of configMapRef and secretRef");
                    }
                    if (o.kind === "HelmRelease") assert.ok(Boolean(spec.chart) !== Boolean(spec.chartRef), "HelmRelease: chart or chartRef");
                }
            }
        });
    }
});
