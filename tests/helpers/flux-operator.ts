/**
 * The Flux Operator as a test judge: the FluxInstance CRD's own OpenAPI schema (../shared/fixtures/
 * flux-operator-v0.58.1, read in place) and what the operator adds to the Flux install for each
 * `spec.cluster` setting. The latter is copied from the operator's source, never from this project:
 * controlplaneio-fluxcd/flux-operator `internal/builder/profiles.go` (`profileClusterMultitenant`, the
 * patches verbatim), `internal/builder/workload_identity.go` (`ValidateAndApplyWorkloadIdentityConfig`:
 * which controllers get the gate and when it is `=false`) and its tests (`workload_identity_test.go`: the
 * gate's value in the patch, the default ServiceAccounts of the multitenant workload identity patch), and
 * the FluxInstance API reference (which controller takes which tenant default).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import { dump, load } from "js-yaml";
import { FluxFixture, KubeObject, kustomizeBuild } from "./kustomize";
import { fromRoot } from "./paths";

const CRD = path.resolve(fromRoot(), "..", "shared", "fixtures", "flux-operator-v0.58.1", "fluxinstances.crd.yaml");

export function fluxInstanceCrdAvailable(): boolean {
    return existsSync(CRD);
}

let validator: ValidateFunction | undefined;

/** Validates an object against the CRD's `spec.versions[v1].schema.openAPIV3Schema`; returns the errors. */
export function fluxInstanceSchemaErrors(object: unknown): string[] {
    if (!validator) {
        const crd = load(readFileSync(CRD, "utf8")) as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> } };
        const v1 = crd.spec.versions.find((v) => v.name === "v1");
        if (!v1) throw new Error("the FluxInstance CRD has no v1");
        // Kubernetes' structural schemas: additional properties are pruned, not refused, except where the
        // schema says so; x-kubernetes-* keywords are Kubernetes extensions Ajv does not know.
        validator = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(v1.schema.openAPIV3Schema);
    }
    if (validator(object)) return [];
    return (validator.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""}`);
}

/** The CRD's one CEL rule on spec.cluster, evaluated by hand (Ajv cannot run CEL). */
export function fluxInstanceCelErrors(object: { spec?: { cluster?: Record<string, unknown> } }): string[] {
    const c = object.spec?.cluster ?? {};
    if (c.multitenantWorkloadIdentity === true && c.objectLevelWorkloadIdentity !== true) {
        return [".objectLevelWorkloadIdentity must be set to true when .multitenantWorkloadIdentity is set to true"];
    }
    return [];
}

export interface OperatorPatch {
    target: { kind: string; name?: string };
    patch: string;
}

const FIRST_OBJECT_LEVEL = ["source-controller", "kustomize-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"];
const ALL_CONTROLLERS = [...FIRST_OBJECT_LEVEL, "helm-controller"];

function addArg(controllers: string, value: string): OperatorPatch {
    return { target: { kind: "Deployment", name: controllers }, patch: `- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: ${value}\n` };
}

/**
 * The patches the operator adds for `spec.cluster`, in its order (cluster multitenant profile, then the
 * workload identity configuration), for the Flux minor `version` ("2.9").
 */
export function operatorSettingPatches(cluster: Record<string, unknown>, version: string): OperatorPatch[] {
    const minor = Number(version.split(".")[1]);
    const out: OperatorPatch[] = [];
    const tenantDefault = (cluster.tenantDefaultServiceAccount as string | undefined) || "default";
    if (cluster.multitenant === true) {
        out.push(
            addArg("(kustomize-controller|helm-controller|notification-controller|image-reflector-controller|image-automation-controller)", "--no-cross-namespace-refs=true"),
            addArg("(kustomize-controller)", "--no-remote-bases=true"),
            addArg("(kustomize-controller|helm-controller)", `--default-service-account=${tenantDefault}`),
            { target: { kind: "Kustomization" }, patch: "- op: add\n  path: /spec/serviceAccountName\n  value: kustomize-controller\n" },
        );
    }
    const objectLevel = cluster.objectLevelWorkloadIdentity === true;
    if (minor < 7) {
        if (objectLevel) out.push(addArg(`(${FIRST_OBJECT_LEVEL.join("|")})`, "--feature-gates=ObjectLevelWorkloadIdentity=true"));
        return out;
    }
    out.push(addArg(`(${ALL_CONTROLLERS.join("|")})`, `--feature-gates=ObjectLevelWorkloadIdentity=${objectLevel}`));
    if (objectLevel && cluster.multitenantWorkloadIdentity === true) {
        out.push(
            addArg("(source-controller|notification-controller|image-reflector-controller|image-automation-controller)", `--default-service-account=${tenantDefault}`),
            addArg("(kustomize-controller)", `--default-decryption-service-account=${(cluster.tenantDefaultDecryptionServiceAccount as string | undefined) || "default"}`),
            addArg("(kustomize-controller|helm-controller)", `--default-kubeconfig-service-account=${(cluster.tenantDefaultKubeConfigServiceAccount as string | undefined) || "default"}`),
        );
    }
    return out;
}

/**
 * Builds what the operator would apply for a FluxInstance, on the fixture's manifests: its setting
 * patches first, then `spec.kustomize.patches`, as the operator appends the user's patches last.
 */
export function buildFluxInstance(instance: KubeObject, fixture: FluxFixture, version: string): KubeObject[] {
    const spec = instance.spec as { cluster?: Record<string, unknown>; kustomize?: { patches?: OperatorPatch[] } };
    const patches = [...operatorSettingPatches(spec.cluster ?? {}, version), ...(spec.kustomize?.patches ?? [])];
    const kustomization = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["gotk-components.yaml", "gotk-sync.yaml"], patches };
    return kustomizeBuild(dump(kustomization, { lineWidth: -1 }), fixture);
}

/** The args one setting patch adds, per controller, for the "never both a patch and a setting" check. */
export function argsAdded(patches: readonly OperatorPatch[]): Array<{ controller: string; arg: string }> {
    const out: Array<{ controller: string; arg: string }> = [];
    for (const p of patches) {
        if (p.target.kind !== "Deployment" || !p.target.name) continue;
        const names = p.target.name.replace(/^\(|\)$/g, "").split("|");
        const ops = load(p.patch) as unknown;
        const list = Array.isArray(ops) ? (ops as Array<{ op?: string; path?: string; value?: unknown }>) : [];
        for (const op of list) {
            if (op.op === "add" && op.path === "/spec/template/spec/containers/0/args/-" && typeof op.value === "string") {
                for (const controller of names) out.push({ controller, arg: op.value });
            }
        }
    }
    return out;
}
