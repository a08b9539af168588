/**
 * Builds rendered kustomization.yaml files with the real `kubectl kustomize` against real Flux install
 * manifests (../shared/fixtures), or the project's own Flux-shaped fixture where those are absent.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadAll } from "js-yaml";
import { fromRoot } from "./paths";
import { skipWithReason } from "./skip";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    spec?: Record<string, unknown>;
    [key: string]: unknown;
}

export interface FluxFixture {
    dir: string;
    /** "shared" for the real Flux manifests, "project" for tests/fixtures/flux-mini. */
    source: "shared" | "project";
}

/** The real Flux manifests of `version` if ../shared is here, else the project's own fixture. */
export function fluxFixture(version = "flux-v2.9.4"): FluxFixture {
    const shared = path.resolve(fromRoot(), "..", "shared", "fixtures", version);
    if (existsSync(path.join(shared, "gotk-components.yaml"))) return { dir: shared, source: "shared" };
    return { dir: fromRoot("tests", "fixtures", "flux-mini"), source: "project" };
}

export function kubectlAvailable(): boolean {
    const r = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
    return !r.error && r.status === 0;
}

/** Runs `kubectl kustomize` on the kustomization next to copies of the fixture's gotk files. */
export function kustomizeBuild(kustomizationYaml: string, fixture: FluxFixture): KubeObject[] {
    const dir = mkdtempSync(path.join(tmpdir(), "flux-identity-kustomize-"));
    try {
        for (const f of ["gotk-components.yaml", "gotk-sync.yaml"]) copyFileSync(path.join(fixture.dir, f), path.join(dir, f));
        writeFileSync(path.join(dir, "kustomization.yaml"), kustomizationYaml);
        const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        if (r.error) throw r.error;
        if (r.status !== 0) throw new Error(`kubectl kustomize failed: ${r.stderr}`);
        return (loadAll(r.stdout) as KubeObject[]).filter((o) => o && o.kind);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`${kind} ${name} not in the build`);
    return o;
}

export interface Container {
    name: string;
    args?: string[];
    env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
    volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

export interface PodSpec {
    containers: Container[];
    volumes?: Array<Record<string, unknown> & { name: string }>;
    serviceAccountName?: string;
}

export function podSpec(deployment: KubeObject): PodSpec {
    return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

export function podLabels(deployment: KubeObject): Record<string, string> {
    return (deployment.spec as { template: { metadata: { labels?: Record<string, string> } } }).template.metadata.labels ?? {};
}

/** The two files `flux bootstrap` writes, unpatched: the baseline every patched build is compared with. */
export const BASE_KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n";

/**
 * For a suite's `before` hook: the Flux fixture and its unpatched build. Skips the suite, saying why,
 * where kubectl is missing.
 */
export function prepareFluxBuild(ctx: Mocha.Context, version = "flux-v2.9.4"): { fixture: FluxFixture; baseline: KubeObject[] } {
    if (!kubectlAvailable()) skipWithReason(ctx, "kubectl is not installed; these tests build with `kubectl kustomize`");
    const fixture = fluxFixture(version);
    if (fixture.source === "project") console.log("      note: ../shared/fixtures is absent; using tests/fixtures/flux-mini");
    return { fixture, baseline: kustomizeBuild(BASE_KUSTOMIZATION, fixture) };
}

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/**
 * Builds a folder of a Flux repository as kustomize-controller builds a Kustomization's `spec.path`
 * (fluxcd/pkg kustomize/kustomize_generator.go): with a kustomization file there, as it is; without one,
 * from a generated one listing every .yaml/.yml file under it (each must decode as Kubernetes YAML) and
 * every subfolder holding a kustomization file (as one resource, not descended into), in walk order.
 * The repository is not changed: the build runs on a copy.
 */
export function fluxPathBuild(folder: string): { objects: KubeObject[]; generated?: string[] } {
    const dir = mkdtempSync(path.join(tmpdir(), "flux-identity-flux-path-"));
    try {
        cpSync(folder, dir, { recursive: true });
        let generated: string[] | undefined;
        if (!KUSTOMIZATION_FILES.some((f) => existsSync(path.join(dir, f)))) {
            generated = [];
            const walk = (at: string) => {
                for (const name of readdirSync(at).sort()) {
                    const full = path.join(at, name);
                    const rel = "./" + path.relative(dir, full).split(path.sep).join("/");
                    if (statSync(full).isDirectory()) {
                        if (KUSTOMIZATION_FILES.some((f) => existsSync(path.join(full, f)))) (generated as string[]).push(rel);
                        else walk(full);
                    } else if (/\.ya?ml$/.test(name)) {
                        for (const doc of loadAll(readFileSync(full, "utf8"))) {
                            if (doc !== null && doc !== undefined && !(typeof doc === "object" && "apiVersion" in doc && "kind" in doc)) throw new Error(`failed to decode Kubernetes YAML from ${rel}`);
                        }
                        (generated as string[]).push(rel);
                    }
                }
            };
            walk(dir);
            writeFileSync(path.join(dir, "kustomization.yaml"), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${generated.map((r) => `- ${r}\n`).join("")}`);
        }
        const r = spawnSync("kubectl", ["kustomize", "--load-restrictor", "LoadRestrictionsNone", dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        if (r.error) throw r.error;
        if (r.status !== 0) throw new Error(`kubectl kustomize failed: ${r.stderr}`);
        const objects = (loadAll(r.stdout) as KubeObject[]).filter((o) => o && o.kind);
        return generated ? { objects, generated } : { objects };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
