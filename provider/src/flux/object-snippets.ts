/**
 * Example Flux objects for a cluster's object settings: per (kind, namespace, ServiceAccount, integration)
 * one object that sets exactly what `FluxObjectSetting.set` says (`spec.provider`, `spec.serviceAccountName`,
 * `spec.decryption.serviceAccountName`, or the kubeConfig ConfigMap's keys), with obvious `<placeholders>`
 * for everything else. Remote clusters get one example per cluster, as each needs its own ConfigMap.
 *
 * The objects are built with @kubernetes-models/flux-cd's typed models and checked with their `validate()`
 * (the schemas of Flux's CRDs). That package is ESM-only with `import`-only exports, so it cannot be loaded
 * with a package specifier from this CommonJS project: each model file is required by its path inside the
 * package (Node.js >= 20.19 loads ES modules with `require`), on first use, so only the kinds a cluster
 * needs are loaded. Its class typings need a resolver that reads `exports`; this project resolves the data
 * interfaces (IOCIRepository, ...) only, which is what the objects are typed against.
 *
 * Known gaps of @kubernetes-models/flux-cd 4.0.0 against Flux's CRDs (checked against Flux v2.9.4):
 * - GitRepository `spec.provider` is typed `generic | azure | github`; Flux also accepts `aws` (CodeCommit).
 *   AWS GitRepositories are therefore plain objects, typed against the library's interface otherwise.
 * - HelmRepository has no `spec.serviceAccountName`, in the library and in Flux's CRD alike: object level for
 *   an OCI Helm chart is shown as an OCIRepository with Flux's Helm chart layer selector instead.
 */

import { existsSync } from "node:fs";
import * as path from "node:path";
import type { IBucket } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/Bucket";
import type { IGitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository";
import type { IGitRepositorySpec } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepositorySpec";
import type { IHelmRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository";
import type { IOCIRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/OCIRepository";
import type { IImageRepository } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageRepository";
import type { IImageUpdateAutomation } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageUpdateAutomation";
import type { IKustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization";
import type { IHelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease";
import type { IProvider } from "@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Provider";
import { FLUX_KINDS, FluxKind, INTEGRATIONS } from "../core/catalog";
import { DEFAULT_FLUX_NAMESPACE } from "../core/kubernetes";
import { boundedName } from "../core/names";
import { compareStrings } from "../core/order";
import { KubernetesObject, toYaml } from "./manifests";
import { FluxAuthLevel, FluxObjectSetting, REMOTE_CLUSTER_INTEGRATIONS } from "./objects";

/** The models used, by the path of their file inside @kubernetes-models/flux-cd (without `.js`). */
export const FLUX_CD_MODEL_FILES = {
    OCIRepository: "source.toolkit.fluxcd.io/v1/OCIRepository",
    Bucket: "source.toolkit.fluxcd.io/v1/Bucket",
    GitRepository: "source.toolkit.fluxcd.io/v1/GitRepository",
    HelmRepository: "source.toolkit.fluxcd.io/v1/HelmRepository",
    ImageRepository: "image.toolkit.fluxcd.io/v1/ImageRepository",
    ImageUpdateAutomation: "image.toolkit.fluxcd.io/v1/ImageUpdateAutomation",
    Kustomization: "kustomize.toolkit.fluxcd.io/v1/Kustomization",
    HelmRelease: "helm.toolkit.fluxcd.io/v2/HelmRelease",
    Provider: "notification.toolkit.fluxcd.io/v1beta3/Provider",
} as const;

type ModelName = keyof typeof FLUX_CD_MODEL_FILES;

interface ModelData {
    OCIRepository: IOCIRepository;
    Bucket: IBucket;
    GitRepository: IGitRepository;
    HelmRepository: IHelmRepository;
    ImageRepository: IImageRepository;
    ImageUpdateAutomation: IImageUpdateAutomation;
    Kustomization: IKustomization;
    HelmRelease: IHelmRelease;
    Provider: IProvider;
}

/** What this module uses of a @kubernetes-models model instance. */
interface FluxModel {
    validate(): void;
    toJSON(): unknown;
}

type FluxModelClass<T> = new (data: T) => FluxModel;

let fluxCdRoot: string | undefined;
const modelCache = new Map<ModelName, unknown>();

/** The package folder, found the way Node.js looks for packages, without going through its `exports`. */
function packageRoot(): string {
    if (fluxCdRoot) return fluxCdRoot;
    for (const dir of require.resolve.paths("@kubernetes-models/flux-cd") ?? []) {
        const candidate = path.join(dir, "@kubernetes-models", "flux-cd");
        if (existsSync(path.join(candidate, "package.json"))) {
            fluxCdRoot = candidate;
            return candidate;
        }
    }
    throw new Error("@kubernetes-models/flux-cd is not installed; run npm install.");
}

function modelClass<K extends ModelName>(name: K): FluxModelClass<ModelData[K]> {
    let cls = modelCache.get(name);
    if (!cls) {
        const file = path.join(packageRoot(), `${FLUX_CD_MODEL_FILES[name]}.js`);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(file) as Record<string, unknown>;
        cls = mod[name];
        if (typeof cls !== "function") throw new Error(`${file} does not export ${name}`);
        modelCache.set(name, cls);
    }
    return cls as FluxModelClass<ModelData[K]>;
}

/** A typed Flux object, checked against the library's copy of Flux's CRD schema. */
function typed<K extends ModelName>(name: K, data: ModelData[K]): KubernetesObject {
    const Model = modelClass(name);
    const model = new Model(data);
    model.validate();
    return JSON.parse(JSON.stringify(model.toJSON())) as KubernetesObject;
}

/** Example objects for one setting, with the comment lines written above them. */
export interface FluxObjectSnippet {
    readonly kind: FluxKind;
    readonly level: FluxAuthLevel;
    readonly integration: string;
    /** Where the objects live: the tenant namespace, or the Flux namespace at controller level. */
    readonly namespace: string;
    readonly serviceAccountName?: string;
    /** Remote clusters: the cluster the ConfigMap names. */
    readonly resource?: string;
    readonly comment: readonly string[];
    /** Empty when no Flux object can express the setting (the comment says why). */
    readonly objects: readonly KubernetesObject[];
}

export interface FluxObjectSnippetOptions {
    /** Namespace of the controller-level examples. Default flux-system. */
    readonly fluxNamespace?: string;
}

const INTERVAL = "10m";
const OCI_HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/** Registry placeholders without the scheme, by integration (then by cloud for brought identities). */
const REGISTRY: Record<string, string> = {
    ecr: "<your-account-id>.dkr.ecr.<your-region>.amazonaws.com/<your-repository>",
    ecrPublic: "public.ecr.aws/<your-alias>/<your-repository>",
    acr: "<your-registry>.azurecr.io/<your-repository>",
    gar: "<your-region>-docker.pkg.dev/<your-project>/<your-repository>/<your-image>",
    aws: "<your-account-id>.dkr.ecr.<your-region>.amazonaws.com/<your-repository>",
    azure: "<your-registry>.azurecr.io/<your-repository>",
    gcp: "<your-region>-docker.pkg.dev/<your-project>/<your-repository>/<your-image>",
};

const GIT_URL: Record<string, string> = {
    aws: "https://git-codecommit.<your-region>.amazonaws.com/v1/repos/<your-repository>",
    azure: "https://dev.azure.com/<your-organization>/<your-project>/_git/<your-repository>",
};

const BUCKET: Record<string, { endpoint: string; bucketName: string; region?: string }> = {
    aws: { endpoint: "s3.amazonaws.com", bucketName: "<your-bucket>", region: "<your-bucket-region>" },
    azure: { endpoint: "https://<your-storage-account>.blob.core.windows.net", bucketName: "<your-container>" },
    gcp: { endpoint: "storage.googleapis.com", bucketName: "<your-bucket>" },
};

type CloudProvider = "aws" | "azure" | "gcp";

function isCloudProvider(v: string | undefined): v is CloudProvider {
    return v === "aws" || v === "azure" || v === "gcp";
}

/** The cloud a setting names, where it names one (SOPS and notification Providers do not). */
function settingCloud(s: FluxObjectSetting): CloudProvider | undefined {
    const v = s.set["spec.provider"] ?? s.set["configMap.provider"] ?? s.set["GitRepository spec.provider"] ?? s.set["OCIRepository spec.provider"];
    return isCloudProvider(v) ? v : undefined;
}

/** Catalog position of an integration id (ids shared by two clouds, such as kms, take the first). */
function integrationOrder(id: string): string {
    return String(INTEGRATIONS.findIndex((i) => i.id === id) + 1).padStart(2, "0");
}

/** The last segment of a cluster ARN, resource ID or GKE resource name: the cluster's own name. */
function clusterShortName(resource: string): string {
    const parts = resource.split(/[/:]/).filter((p) => p.length > 0);
    return parts[parts.length - 1] ?? resource;
}

/** A DNS-1123 label from readable parts; long ones are cut and get a hash of the full name. */
function objectName(parts: readonly (string | undefined)[]): string {
    const readable = parts
        .filter((p): p is string => p !== undefined && p.length > 0)
        .map((p) => p.toLowerCase().replace(/[^a-z0-9-]+/g, "-"))
        .join("-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
    const name = readable || "flux";
    if (name.length <= 63) return name;
    return boundedName([name], name, { maxLength: 63 });
}

interface SnippetContext {
    readonly setting: FluxObjectSetting;
    readonly namespace: string;
    readonly cloud?: CloudProvider;
    /** The base name of the snippet's objects. */
    readonly name: string;
}

function metadata(ctx: SnippetContext, name = ctx.name): { name: string; namespace: string } {
    return { name, namespace: ctx.namespace };
}

function sa(ctx: SnippetContext, key = "spec.serviceAccountName"): string | undefined {
    return ctx.setting.set[key];
}

/** A brought identity's ServiceAccount, for the kinds whose settings only carry it in their note. */
function broughtSa(ctx: SnippetContext): string | undefined {
    return ctx.setting.integration === "" ? ctx.setting.serviceAccountName : undefined;
}

function ociRepository(ctx: SnippetContext): KubernetesObject {
    const url = `oci://${REGISTRY[ctx.setting.integration] ?? REGISTRY[ctx.cloud ?? ""] ?? "<your-registry>/<your-repository>"}`;
    return typed("OCIRepository", {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        metadata: metadata(ctx),
        spec: { interval: INTERVAL, url, ref: { tag: "<your-tag>" }, provider: ctx.cloud, serviceAccountName: sa(ctx) },
    });
}

function helmRepository(ctx: SnippetContext): KubernetesObject {
    const registry = REGISTRY[ctx.setting.integration] ?? REGISTRY[ctx.cloud ?? ""] ?? "<your-registry>/<your-repository>";
    const tenantSa = sa(ctx, "OCIRepository spec.serviceAccountName") ?? sa(ctx);
    if (tenantSa === undefined) {
        return typed("HelmRepository", {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "HelmRepository",
            metadata: metadata(ctx),
            spec: { interval: INTERVAL, type: "oci", url: `oci://${registry.replace(/\/[^/]*$/, "")}`, provider: ctx.cloud },
        });
    }
    // Flux's HelmRepository has no spec.serviceAccountName: an OCIRepository selecting the chart layer
    // carries the tenant identity, and HelmReleases use it through spec.chartRef.
    return typed("OCIRepository", {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        metadata: metadata(ctx, `${ctx.name}-chart`),
        spec: {
            interval: INTERVAL,
            url: `oci://${registry}`,
            ref: { semver: "<your-chart-version-range>" },
            layerSelector: { mediaType: OCI_HELM_CHART_LAYER, operation: "copy" },
            provider: ctx.cloud,
            serviceAccountName: tenantSa,
        },
    });
}

function bucket(ctx: SnippetContext): KubernetesObject {
    const b = BUCKET[ctx.cloud ?? ""] ?? { endpoint: "<your-endpoint>", bucketName: "<your-bucket>" };
    return typed("Bucket", {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "Bucket",
        metadata: metadata(ctx),
        spec: { interval: INTERVAL, bucketName: b.bucketName, endpoint: b.endpoint, region: b.region, provider: ctx.cloud, serviceAccountName: sa(ctx) },
    });
}

/** GitRepository spec with `provider: aws`, which the library's type does not list. */
type AwsGitRepository = Omit<IGitRepository, "spec"> & { spec: Omit<IGitRepositorySpec, "provider"> & { provider: "aws" } };

function gitRepository(ctx: SnippetContext, provider: string | undefined, serviceAccountName: string | undefined): KubernetesObject {
    const url = GIT_URL[provider ?? ""] ?? "https://<your-git-host>/<your-repository>";
    if (provider === "aws") {
        // @kubernetes-models/flux-cd 4.0.0 does not list `aws` as a GitRepository provider (Flux's CRD
        // does, for CodeCommit): a plain object, typed against the library's interface otherwise.
        const plain: AwsGitRepository = {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "GitRepository",
            metadata: metadata(ctx),
            spec: { interval: INTERVAL, url, ref: { branch: "<your-branch>" }, provider: "aws", serviceAccountName },
        };
        return JSON.parse(JSON.stringify(plain)) as KubernetesObject;
    }
    return typed("GitRepository", {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: metadata(ctx),
        spec: { interval: INTERVAL, url, ref: { branch: "<your-branch>" }, provider: provider === "azure" ? "azure" : undefined, serviceAccountName },
    });
}

function imageRepository(ctx: SnippetContext): KubernetesObject {
    const image = REGISTRY[ctx.setting.integration] ?? REGISTRY[ctx.cloud ?? ""] ?? "<your-registry>/<your-repository>";
    return typed("ImageRepository", {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImageRepository",
        metadata: metadata(ctx),
        spec: { interval: INTERVAL, image, provider: ctx.cloud, serviceAccountName: sa(ctx) },
    });
}

function imageUpdateAutomation(ctx: SnippetContext): KubernetesObject[] {
    const repo = gitRepository(ctx, ctx.setting.set["GitRepository spec.provider"], sa(ctx, "GitRepository spec.serviceAccountName"));
    const automation = typed("ImageUpdateAutomation", {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImageUpdateAutomation",
        metadata: metadata(ctx),
        spec: {
            interval: INTERVAL,
            sourceRef: { kind: "GitRepository", name: repo.metadata.name },
            git: {
                checkout: { ref: { branch: "<your-branch>" } },
                commit: { author: { name: "fluxcdbot", email: "<your-bot-email>" } },
                push: { branch: "<your-branch>" },
            },
            update: { path: "./<your-path>", strategy: "Setters" },
        },
    });
    return [repo, automation];
}

const KUSTOMIZATION_SOURCE = { interval: INTERVAL, path: "./<your-path>", prune: true, sourceRef: { kind: "GitRepository", name: "<your-source>" } } as const;

/** A Kustomization spec applying the placeholder source, plus `extra` (decryption or kubeConfig). */
function kustomizationSpec<T extends object>(extra: T) {
    return {
        interval: KUSTOMIZATION_SOURCE.interval,
        path: KUSTOMIZATION_SOURCE.path,
        prune: KUSTOMIZATION_SOURCE.prune,
        sourceRef: { ...KUSTOMIZATION_SOURCE.sourceRef },
        ...extra,
    };
}

function sopsKustomization(ctx: SnippetContext): KubernetesObject {
    return typed("Kustomization", {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: metadata(ctx),
        spec: kustomizationSpec({ decryption: { provider: "sops" as const, serviceAccountName: sa(ctx, "spec.decryption.serviceAccountName") ?? broughtSa(ctx) } }),
    });
}

/** The kubeConfig ConfigMap and the Kustomization or HelmRelease naming it. */
function remoteCluster(ctx: SnippetContext): KubernetesObject[] {
    const configMapName = `${ctx.name}-kubeconfig`;
    const provider = ctx.setting.set["configMap.provider"] ?? "<your-provider: aws, azure, gcp or generic>";
    const data: Record<string, string> = { provider };
    // The generic provider (plain OIDC) names no cloud resource; its address is required instead.
    if (provider !== "generic") data.cluster = ctx.setting.set["configMap.cluster"] ?? "<your-cluster-resource-name>";
    for (const [path, value] of Object.entries(ctx.setting.set)) {
        const key = path.startsWith("configMap.") ? path.slice("configMap.".length) : undefined;
        if (key !== undefined && !["provider", "cluster", "serviceAccountName"].includes(key)) data[key] = value;
    }
    const tenantSa = ctx.setting.set["configMap.serviceAccountName"] ?? broughtSa(ctx);
    if (tenantSa !== undefined) data.serviceAccountName = tenantSa;
    const configMap: KubernetesObject = { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(ctx, configMapName), data };
    const kubeConfig = { configMapRef: { name: configMapName } };
    const target =
        ctx.setting.kind === FluxKind.HelmRelease
            ? typed("HelmRelease", {
                  apiVersion: "helm.toolkit.fluxcd.io/v2",
                  kind: "HelmRelease",
                  metadata: metadata(ctx),
                  spec: { interval: INTERVAL, chartRef: { kind: "OCIRepository", name: "<your-chart-source>" }, kubeConfig },
              })
            : typed("Kustomization", {
                  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
                  kind: "Kustomization",
                  metadata: metadata(ctx),
                  spec: kustomizationSpec({ kubeConfig }),
              });
    return [configMap, target];
}

type NotificationType = NonNullable<IProvider["spec"]>["type"];

const NOTIFICATION: Record<string, { type: NotificationType; address: string; channel?: string; note: string }> = {
    azureDevOps: {
        type: "azuredevops",
        address: "https://dev.azure.com/<your-organization>/<your-project>/_git/<your-repository>",
        note: "Commit statuses: address is the Azure DevOps repository URL.",
    },
    eventHubs: {
        type: "azureeventhub",
        address: "<your-event-hub>",
        channel: "<your-event-hubs-namespace>",
        note: "With workload identity, channel is the Event Hubs namespace and address the event hub's name.",
    },
    pubsub: {
        type: "googlepubsub",
        address: "<your-gcp-project-id>",
        channel: "<your-topic-id>",
        note: "address is the topic's project ID, channel the topic ID.",
    },
};

function notificationProvider(ctx: SnippetContext): { objects: KubernetesObject[]; note?: string } {
    const n = NOTIFICATION[ctx.setting.integration];
    if (!n) return { objects: [] };
    return {
        objects: [
            typed("Provider", {
                apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
                kind: "Provider",
                metadata: metadata(ctx),
                spec: { type: n.type, address: n.address, channel: n.channel, serviceAccountName: sa(ctx) },
            }),
        ],
        note: n.note,
    };
}

/** GitRepository authenticates with a cloud identity only for these providers (Flux v2.9 CRD). */
function gitProvider(provider: string | undefined): boolean {
    return provider === "aws" || provider === "azure";
}

const NO_GIT_PROVIDER = "No example: Flux's GitRepository takes a cloud identity only with provider aws (CodeCommit) or azure (Azure DevOps).";

function build(ctx: SnippetContext): { objects: KubernetesObject[]; notes: string[] } {
    const { setting } = ctx;
    const notes: string[] = [];
    let objects: KubernetesObject[] = [];
    switch (setting.kind) {
        case FluxKind.OCIRepository:
            objects = [ociRepository(ctx)];
            break;
        case FluxKind.HelmRepository:
            objects = [helmRepository(ctx)];
            if (sa(ctx) !== undefined) {
                notes.push("Flux's HelmRepository has no spec.serviceAccountName: at object level, pull the chart with this OCIRepository and reference it from HelmRelease spec.chartRef.");
            }
            break;
        case FluxKind.Bucket:
            objects = [bucket(ctx)];
            break;
        case FluxKind.GitRepository:
            if (gitProvider(setting.set["spec.provider"])) objects = [gitRepository(ctx, setting.set["spec.provider"], sa(ctx))];
            else notes.push(NO_GIT_PROVIDER);
            break;
        case FluxKind.ImageRepository:
            objects = [imageRepository(ctx)];
            break;
        case FluxKind.ImageUpdateAutomation:
            if (gitProvider(setting.set["GitRepository spec.provider"])) objects = imageUpdateAutomation(ctx);
            else notes.push(NO_GIT_PROVIDER);
            break;
        case FluxKind.Kustomization:
            objects = REMOTE_CLUSTER_INTEGRATIONS.has(setting.integration) ? remoteCluster(ctx) : [sopsKustomization(ctx)];
            break;
        case FluxKind.HelmRelease:
            // HelmRelease reaches a cloud only as a remote cluster, also for a brought identity.
            objects = remoteCluster(ctx);
            break;
        case FluxKind.Provider: {
            const p = notificationProvider(ctx);
            objects = p.objects;
            if (p.note) notes.push(p.note);
            else notes.push("No example: set spec.type to the service this identity reaches (azureeventhub, azuredevops or googlepubsub).");
            break;
        }
    }
    return { objects, notes };
}

function describe(setting: FluxObjectSetting): string {
    const level = setting.level === FluxAuthLevel.Object ? `object level, ServiceAccount ${setting.namespace}/${setting.serviceAccountName}` : "controller level";
    const what = setting.integration === "" ? "brought identity" : setting.integration;
    return `${setting.kind} (${what}; ${level})${setting.resource ? ` for ${setting.resource}` : ""}`;
}

function snippetKey(s: FluxObjectSetting): string[] {
    return [
        s.level === FluxAuthLevel.Controller ? "0" : "1",
        s.namespace ?? "",
        s.serviceAccountName ?? "",
        integrationOrder(s.integration),
        s.integration,
        String(FLUX_KINDS.indexOf(s.kind)).padStart(2, "0"),
        s.resource ?? "",
    ];
}

function compareKeys(x: readonly string[], y: readonly string[]): number {
    for (let i = 0; i < x.length; i++) {
        if (x[i] !== y[i]) return compareStrings(x[i], y[i]);
    }
    return 0;
}

/**
 * One snippet per (kind, namespace, ServiceAccount, integration), and per cluster for remote clusters, in a
 * stable order whatever order the settings come in: controller level first, then tenants by namespace and
 * ServiceAccount, then integration and catalog kind order.
 */
export function fluxObjectSnippets(settings: readonly FluxObjectSetting[], options: FluxObjectSnippetOptions = {}): FluxObjectSnippet[] {
    const fluxNamespace = options.fluxNamespace ?? DEFAULT_FLUX_NAMESPACE;
    const byKey = new Map<string, FluxObjectSetting>();
    for (const s of settings) {
        const key = JSON.stringify(snippetKey(s));
        if (!byKey.has(key)) byKey.set(key, s);
    }
    const ordered = [...byKey.values()].sort((a, b) => compareKeys(snippetKey(a), snippetKey(b)));
    return ordered.map((setting) => {
        const cloud = settingCloud(setting);
        const namespace = setting.level === FluxAuthLevel.Object && setting.namespace ? setting.namespace : fluxNamespace;
        const integration = setting.integration === "" ? "identity" : setting.integration.toLowerCase();
        const name = objectName([cloud && !integration.startsWith(cloud) ? cloud : undefined, integration, setting.serviceAccountName, setting.resource ? clusterShortName(setting.resource) : undefined]);
        const { objects, notes } = build({ setting, namespace, cloud, name });
        // Multi-line values (a CA bundle) would break out of the comment; the object below shows them.
        const sets = Object.entries(setting.set).map(([k, v]) => `${k}: ${v.includes("\n") ? "(as below)" : v}`);
        const comment = [describe(setting), ...(sets.length > 0 ? [`Sets ${sets.join(", ")}.`] : []), ...(setting.note ? [setting.note] : []), ...notes];
        const snippet: FluxObjectSnippet = {
            kind: setting.kind,
            level: setting.level,
            integration: setting.integration,
            namespace,
            ...(setting.serviceAccountName !== undefined ? { serviceAccountName: setting.serviceAccountName } : {}),
            ...(setting.resource !== undefined ? { resource: setting.resource } : {}),
            comment,
            objects,
        };
        return snippet;
    });
}

/**
 * The snippets as one multi-document YAML with a header comment; each snippet's comment precedes its first
 * object. An object shared by two snippets (the GitRepository of a GitRepository and of an
 * ImageUpdateAutomation, one kubeConfig ConfigMap) is written once. Empty when there are no settings.
 */
export function renderFluxObjectSnippets(settings: readonly FluxObjectSetting[], options: FluxObjectSnippetOptions = {}): string {
    if (settings.length === 0) return "";
    // Fleets repeat cluster shapes, and building and validating typed objects is the dearest part of a
    // render: the output is a pure function of its input, so identical inputs share one rendering.
    const key = JSON.stringify([settings, options]);
    const cached = SNIPPET_CACHE.get(key);
    if (cached !== undefined) return cached;
    const text = renderUncached(settings, options);
    if (SNIPPET_CACHE.size >= SNIPPET_CACHE_SIZE) SNIPPET_CACHE.delete(SNIPPET_CACHE.keys().next().value as string);
    SNIPPET_CACHE.set(key, text);
    return text;
}

const SNIPPET_CACHE_SIZE = 256;
const SNIPPET_CACHE = new Map<string, string>();

function renderUncached(settings: readonly FluxObjectSetting[], options: FluxObjectSnippetOptions): string {
    const snippets = fluxObjectSnippets(settings, options);
    if (snippets.length === 0) return "";
    const written = new Map<string, string>();
    let out =
        "# Generated by flux-identity: example Flux objects for the identities planned for this cluster.\n" +
        "# Replace every <placeholder>; keep the provider and serviceAccountName fields as shown.\n";
    for (const snippet of snippets) {
        const comment = snippet.comment.map((line) => `# ${line}\n`).join("");
        const fresh = snippet.objects.filter((o) => {
            const id = `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
            const text = toYaml(o);
            const previous = written.get(id);
            if (previous === undefined) {
                written.set(id, text);
                return true;
            }
            if (previous !== text) throw new Error(`two example objects named ${id} differ`);
            return false;
        });
        if (fresh.length === 0) {
            // Everything already written: the comment still says what this setting needs.
            out += comment;
            continue;
        }
        fresh.forEach((o, i) => {
            out += `---\n${i === 0 ? comment : ""}${toYaml(o)}`;
        });
    }
    return out;
}
