/**
 * Flux's multi-tenancy lockdown as typed options: which controller flags a platform sets so tenants
 * cannot reach other tenants' objects, remote bases, the controllers' own Kubernetes permissions, or the
 * controllers' own cloud identities. Pure: options in, a patch set (container args per controller) out,
 * merged by `mergePatchSets` with the cloud targets' patch sets.
 *
 * Every flag below was checked against Flux's own sources before being emitted; an unknown flag makes a
 * controller exit at start-up, so each one goes to exactly the controllers that define it:
 *
 * | flag | controllers | since | sources |
 * | --- | --- | --- | --- |
 * | `--no-cross-namespace-refs=true` | kustomize, helm, notification, image-reflector, image-automation (not source) | Flux v0.26 (2022) | fluxcd.io "Multi-tenancy lockdown" and "Security best practices" pages; flag defined by fluxcd/pkg runtime/acl |
 * | `--no-remote-bases=true` | kustomize | kustomize-controller v0.25 (fluxcd/kustomize-controller#638, 2022) | kustomize-controller main.go; fluxcd.io lockdown page |
 * | `--default-service-account=<sa>` (Kubernetes impersonation) | kustomize, helm | Flux v0.26 (fluxcd/flux2#2340) | kustomize-controller and helm-controller main.go ("Default service account used for impersonation."); fluxcd.io lockdown page |
 * | `--default-service-account=<sa>` (workload identity) | source, notification, image-reflector, image-automation | Flux v2.7 | fluxcd.io "Security best practices" (multi-tenancy lock-down); fluxcd/flux2#5465; fluxcd/pkg auth/controller_flags.go; flux-operator refuses multi-tenant workload identity below 2.7 |
 * | `--default-decryption-service-account=<sa>` | kustomize | Flux v2.7 | kustomize-controller main.go; fluxcd/pkg auth/controller_flags.go; "Security best practices" |
 * | `--default-kubeconfig-service-account=<sa>` | kustomize, helm | Flux v2.7 | kustomize-controller main.go; helm-controller flag reference; "Security best practices" |
 *
 * On Flux 2.7 to 2.9 the three workload identity defaults need the `ObjectLevelWorkloadIdentity` feature
 * gate on the same controller: fluxcd/pkg auth v0.54 `InconsistentObjectLevelConfiguration` makes a
 * controller exit when a default ServiceAccount is set without it. The patch set therefore carries the gate
 * on exactly those controllers. Flux 2.10 retired the gate (fluxcd/pkg auth v0.66 has no such check), so
 * there the flags go alone. The impersonation default (`defaultServiceAccount`) is unrelated to workload
 * identity and needs no gate. On Flux 2.6 the workload identity defaults do not exist: asking for one is an
 * error naming the field, since an unknown flag makes a controller exit at start-up.
 */

import { FluxController, FLUX_CONTROLLERS, KIND_CONTROLLER } from "../core/catalog";
import { checkBoolean, checkKnownFields, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { checkServiceAccountName } from "../core/kubernetes";
import { FluxControllerPatch, FluxPatchSet, emptyControllerPatch } from "../core/patch";
import { KustomizePatchEntry } from "./kustomization";
import { FluxAuthLevel, FluxObjectSetting, REMOTE_CLUSTER_INTEGRATIONS } from "./objects";
import { DEFAULT_FLUX_VERSION, FluxVersion, fluxVersionFacts, objectLevelArgs } from "./version";

export type { KustomizePatchEntry };

/** Flux's multi-tenancy lockdown. Every field is optional; an empty object changes nothing. */
export interface FluxLockdownOptions {
    /**
     * `--no-cross-namespace-refs=true` on kustomize-, helm-, notification-, image-reflector- and
     * image-automation-controller: Flux objects may only reference objects in their own namespace.
     */
    noCrossNamespaceRefs?: boolean;
    /** `--no-remote-bases=true` on kustomize-controller: kustomize overlays may only use local files. */
    noRemoteBases?: boolean;
    /**
     * `--default-service-account=<name>` on kustomize- and helm-controller: Kustomizations and HelmReleases
     * without `spec.serviceAccountName` impersonate this ServiceAccount of their own namespace. The
     * bootstrap Kustomization must then name `kustomize-controller` (see `lockdownKustomizePatches`).
     */
    defaultServiceAccount?: string;
    /**
     * `--default-service-account=<name>` on source-, notification-, image-reflector- and
     * image-automation-controller (Flux 2.7+): objects with a cloud `spec.provider` and no
     * `spec.serviceAccountName` authenticate as this ServiceAccount of their own namespace, never as the
     * controller.
     */
    defaultWorkloadIdentityServiceAccount?: string;
    /**
     * `--default-decryption-service-account=<name>` on kustomize-controller (Flux 2.7+): SOPS decryption
     * without `spec.decryption.serviceAccountName` uses this ServiceAccount of the Kustomization's namespace.
     */
    defaultDecryptionServiceAccount?: string;
    /**
     * `--default-kubeconfig-service-account=<name>` on kustomize- and helm-controller (Flux 2.7+): remote
     * cluster access through `spec.kubeConfig.configMapRef` without `serviceAccountName` in the ConfigMap
     * uses this ServiceAccount of the object's namespace.
     */
    defaultKubeConfigServiceAccount?: string;
}

/** The fields of `FluxLockdownOptions`, in the order they are checked and rendered. */
export const FLUX_LOCKDOWN_FIELDS: readonly (keyof FluxLockdownOptions)[] = [
    "noCrossNamespaceRefs",
    "noRemoteBases",
    "defaultServiceAccount",
    "defaultWorkloadIdentityServiceAccount",
    "defaultDecryptionServiceAccount",
    "defaultKubeConfigServiceAccount",
];

const C = FluxController;

/** One lockdown flag: the controllers that define it, and whether it needs the object-level gate. */
export interface FluxLockdownFlag {
    readonly field: keyof FluxLockdownOptions;
    readonly flag: string;
    readonly controllers: readonly FluxController[];
    readonly needsObjectLevelGate: boolean;
    /** The first release that defines the flag on all of `controllers`. */
    readonly since: string;
}

/** Which flag each field sets, and where. See the table at the top of this file for the sources. */
export const FLUX_LOCKDOWN_FLAGS: readonly FluxLockdownFlag[] = [
    {
        field: "noCrossNamespaceRefs",
        flag: "--no-cross-namespace-refs",
        controllers: [C.Kustomize, C.Helm, C.Notification, C.ImageReflector, C.ImageAutomation],
        needsObjectLevelGate: false,
        since: "Flux v0.26",
    },
    { field: "noRemoteBases", flag: "--no-remote-bases", controllers: [C.Kustomize], needsObjectLevelGate: false, since: "kustomize-controller v0.25" },
    { field: "defaultServiceAccount", flag: "--default-service-account", controllers: [C.Kustomize, C.Helm], needsObjectLevelGate: false, since: "Flux v0.26" },
    {
        field: "defaultWorkloadIdentityServiceAccount",
        flag: "--default-service-account",
        controllers: [C.Source, C.Notification, C.ImageReflector, C.ImageAutomation],
        needsObjectLevelGate: true,
        since: "Flux v2.7",
    },
    { field: "defaultDecryptionServiceAccount", flag: "--default-decryption-service-account", controllers: [C.Kustomize], needsObjectLevelGate: true, since: "Flux v2.7" },
    { field: "defaultKubeConfigServiceAccount", flag: "--default-kubeconfig-service-account", controllers: [C.Kustomize, C.Helm], needsObjectLevelGate: true, since: "Flux v2.7" },
];

const BOOLEAN_FIELDS = new Set<keyof FluxLockdownOptions>(["noCrossNamespaceRefs", "noRemoteBases"]);

/**
 * Checks user input for the lockdown options. `issues` is positioned at the lockdown field itself
 * (for example `issues.at("lockdown")`), so problems are reported as `<that path>.<field>`. Absent input
 * means no lockdown. With a Flux version, a field whose flag that version lacks is reported too. Returns
 * the options with every invalid field left out.
 */
export function checkLockdown(raw: unknown, issues: Issues, version?: FluxVersion): FluxLockdownOptions {
    if (raw === undefined || raw === null) return {};
    if (!isRecord(raw)) {
        issues.add(undefined, `expected the Flux lockdown options (a map), got ${show(raw)}.`, `use a map with any of ${FLUX_LOCKDOWN_FIELDS.join(", ")}, or remove it.`);
        return {};
    }
    const map = raw;
    checkKnownFields(map, FLUX_LOCKDOWN_FIELDS, issues);
    const out: FluxLockdownOptions = {};
    for (const field of FLUX_LOCKDOWN_FIELDS) {
        const value = map[field];
        if (value === undefined) continue;
        if (BOOLEAN_FIELDS.has(field)) {
            const before = issues.count;
            const b = checkBoolean(value, issues, field);
            if (issues.count === before) (out as Record<string, unknown>)[field] = b;
        } else if (checkServiceAccountName(value, issues, field)) {
            (out as Record<string, unknown>)[field] = value;
        }
    }
    if (version !== undefined && !fluxVersionFacts(version).lockdownWorkloadIdentityDefaults) {
        for (const flag of FLUX_LOCKDOWN_FLAGS.filter((f) => f.needsObjectLevelGate && out[f.field] !== undefined)) {
            issues.add(
                flag.field,
                `${flag.flag} exists from ${flag.since} on; Flux ${version}'s controllers would exit at start-up on an unknown flag.`,
                `remove ${flag.field}, or set the Flux version to 2.7 or later once the cluster runs it.`,
            );
            delete out[flag.field];
        }
    }
    return out;
}

/** The arg one field adds, or undefined when the field leaves the controllers as shipped. */
function flagArg(flag: FluxLockdownFlag, options: FluxLockdownOptions): string | undefined {
    const value = options[flag.field];
    if (value === undefined || value === false) return undefined;
    return value === true ? `${flag.flag}=true` : `${flag.flag}=${value}`;
}

/**
 * Each controller's container args for the lockdown, as a patch set for `mergePatchSets`: on Flux 2.7 to
 * 2.9 the feature gate first where a workload identity default needs it, then the flags in
 * `FLUX_LOCKDOWN_FLAGS` order. Controllers the options leave alone are not listed. Throws
 * `FluxIdentityValidationError` on invalid options (JavaScript callers, unchecked input), and on a flag
 * the version lacks.
 */
export function lockdownPatchSet(options: FluxLockdownOptions, namespace: string, version: FluxVersion = DEFAULT_FLUX_VERSION): FluxPatchSet {
    const issues = Issues.root("lockdown");
    checkLockdown(options, issues, version);
    issues.throwIfAny();
    options = options ?? {};
    const gate = objectLevelArgs(version);
    const byController = new Map<FluxController, FluxControllerPatch>();
    const patch = (c: FluxController) => {
        let p = byController.get(c);
        if (!p) {
            p = emptyControllerPatch(c);
            byController.set(c, p);
        }
        return p;
    };
    for (const flag of FLUX_LOCKDOWN_FLAGS) {
        const arg = flagArg(flag, options);
        if (arg === undefined) continue;
        for (const c of flag.controllers) {
            const p = patch(c);
            if (flag.needsObjectLevelGate) for (const g of gate) if (!p.args.includes(g)) p.args.unshift(g);
            p.args.push(arg);
        }
    }
    return {
        namespace,
        controllers: FLUX_CONTROLLERS.filter((c) => byController.has(c)).map((c) => byController.get(c) as FluxControllerPatch),
        tenantServiceAccounts: [],
        configMaps: [],
        fluxVersion: version,
    };
}

/**
 * Patches beyond the controllers' Deployments that the lockdown needs in the flux-system
 * kustomization.yaml. With `defaultServiceAccount`, the bootstrap Kustomization (named after the Flux
 * namespace by `flux bootstrap`, in gotk-sync.yaml) would otherwise impersonate that unprivileged
 * ServiceAccount and stop applying the platform's own manifests; the Flux lockdown docs therefore set its
 * `spec.serviceAccountName` to `kustomize-controller`.
 */
export function lockdownKustomizePatches(options: FluxLockdownOptions, namespace: string): KustomizePatchEntry[] {
    if (options.defaultServiceAccount === undefined) return [];
    return [
        {
            patch: `- op: add\n  path: /spec/serviceAccountName\n  value: ${FluxController.Kustomize}\n`,
            target: { kind: "Kustomization", name: namespace },
        },
    ];
}

/**
 * What the lockdown breaks among the given object settings: under a workload identity default, an object
 * without a ServiceAccount authenticates as that default ServiceAccount of its own namespace, never as its
 * controller, so controller-level settings of the locked-down controllers stop working unless the Flux
 * namespace holds a ServiceAccount of that name carrying the identity.
 */
export function lockdownWarnings(options: FluxLockdownOptions, settings: readonly FluxObjectSetting[], namespace: string): string[] {
    const warnings: string[] = [];
    const controllerLevel = settings.filter((s) => s.level === FluxAuthLevel.Controller);
    const kindsOf = (pick: (s: FluxObjectSetting) => boolean) => [...new Set(controllerLevel.filter(pick).map((s) => s.kind))];
    const warn = (field: keyof FluxLockdownOptions, kinds: string[], what: string) => {
        const sa = options[field];
        if (typeof sa !== "string" || kinds.length === 0) return;
        warnings.push(
            `lockdown.${field} is ${JSON.stringify(sa)}, but ${kinds.join(", ")} ${what} at controller level: ` +
                `under the lockdown those objects authenticate as ServiceAccount ${namespace}/${sa} instead of their controller. ` +
                `Give them a tenant ServiceAccount (object level), or create ${namespace}/${sa} with the controller's identity.`,
        );
    };
    const sops = (s: FluxObjectSetting) => s.integration === "kms" || s.integration === "keyVault";
    const remote = (s: FluxObjectSetting) => REMOTE_CLUSTER_INTEGRATIONS.has(s.integration);
    const wiControllers = new Set<FluxController>(FLUX_LOCKDOWN_FLAGS.find((f) => f.field === "defaultWorkloadIdentityServiceAccount")?.controllers ?? []);
    warn("defaultWorkloadIdentityServiceAccount", kindsOf((s) => wiControllers.has(KIND_CONTROLLER[s.kind])), "authenticate with a cloud");
    warn("defaultDecryptionServiceAccount", kindsOf((s) => s.kind === "Kustomization" && sops(s)), "decrypt SOPS secrets");
    warn("defaultKubeConfigServiceAccount", kindsOf(remote), "reach remote clusters");
    return warnings;
}
