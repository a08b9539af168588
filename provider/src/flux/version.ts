/**
 * The Flux minor version a cluster runs, and what it decides about the Flux side. Pure.
 *
 * | fact | 2.6 | 2.7, 2.8, 2.9 | 2.10 | sources |
 * | --- | --- | --- | --- | --- |
 * | object-level workload identity exists | yes | yes | yes (GA) | Flux 2.6 announcement; flux-operator `internal/builder` refuses it below 2.6 |
 * | `--feature-gates=ObjectLevelWorkloadIdentity=true` needed | yes | yes | no: retired, logged and ignored | source-controller v1.10.1 `internal/features/features.go` `retiredFeatures`; fluxcd/pkg/runtime v0.122.0 `features.SupportedFeatures`; fluxcd/pkg/auth v0.66.0 `FeatureGateObjectLevelWorkloadIdentityRetirementReason` |
 * | helm-controller serves object-level identities | no | yes | yes | flux-operator `newObjectLevelWorkloadIdentity` ("From the Flux version >= 2.7.0, helm-controller also supports object level workload identity") |
 * | lockdown defaults for workload identity (`--default-service-account` on source, notification, image-*; `--default-decryption-service-account`; `--default-kubeconfig-service-account`) | no | yes | yes | fluxcd/pkg auth `controller_flags.go`; flux-operator refuses `multitenantWorkloadIdentity` on 2.6.x |
 * | Flux's own install grants `create` on `serviceaccounts/token` cluster-wide | yes (crd-controller ClusterRole) | yes | no: the object identity installation page prescribes a ClusterRole `flux-object-identity` bound by a ClusterRoleBinding | flux2 v2.6.4 and v2.9.5 `manifests/rbac/controller.yaml`; fluxcd.io/flux/installation/configuration/object-identity/ |
 * | kustomize-controller `--sops-vault-configmap` (SOPS with Vault ServiceAccount-token logins) | no | 2.9 only (not in 2.7's kustomize-controller v1.7.3; 2.8 not checked) | yes | kustomize-controller v1.7.3, v1.9.6 and v1.10.1 `main.go` |
 * | minimum Kubernetes | (not checked) | (not checked) | 1.35 (1.35.2) | flux2 v2.10.0 release notes, "Kubernetes compatibility" |
 *
 * The range starts at 2.6 because object-level identity, the tenant ServiceAccounts and RBAC this project
 * renders, starts there; it ends at the newest minor whose facts were checked against Flux's sources.
 */

import { FluxController } from "../core/catalog";
import { Issues, show } from "../core/errors";
import { OBJECT_LEVEL_FEATURE_GATE } from "../core/patch";

/** Every Flux minor version this project renders for, oldest first. */
export const SUPPORTED_FLUX_VERSIONS = ["2.6", "2.7", "2.8", "2.9", "2.10"] as const;

/** A supported Flux minor version, as `"major.minor"`. */
export type FluxVersion = (typeof SUPPORTED_FLUX_VERSIONS)[number];

/** The version assumed when none is given: the newest supported minor. */
export const DEFAULT_FLUX_VERSION: FluxVersion = "2.10";

/** What a Flux minor version decides about the rendered Flux side. */
export interface FluxVersionFacts {
    readonly version: FluxVersion;
    /** Controllers serving tenants need `--feature-gates=ObjectLevelWorkloadIdentity=true` (2.6 to 2.9). */
    readonly objectLevelFeatureGate: boolean;
    /** Controllers that can serve object-level identities at all. */
    readonly objectLevelControllers: readonly FluxController[];
    /** The workload identity defaults of the multi-tenancy lockdown exist (2.7 and later). */
    readonly lockdownWorkloadIdentityDefaults: boolean;
    /**
     * Flux's own install no longer lets every controller create tokens for every ServiceAccount (2.10):
     * whatever a controller must mint beyond the tenants listed here needs an explicit grant.
     */
    readonly explicitTokenGrants: boolean;
    /** kustomize-controller has `--sops-vault-configmap` (2.9 and later; absent in 2.7, 2.8 not checked). */
    readonly sopsVault: boolean;
    /** The oldest Kubernetes minor the release supports, where this project checked it. */
    readonly minimumKubernetes?: string;
}

const C = FluxController;
const FIRST_OBJECT_LEVEL_CONTROLLERS: readonly FluxController[] = [C.Source, C.Kustomize, C.Notification, C.ImageReflector, C.ImageAutomation];
const ALL_OBJECT_LEVEL_CONTROLLERS: readonly FluxController[] = [C.Source, C.Kustomize, C.Helm, C.Notification, C.ImageReflector, C.ImageAutomation];

function minorOf(version: FluxVersion): number {
    return Number(version.split(".")[1]);
}

export function fluxVersionFacts(version: FluxVersion = DEFAULT_FLUX_VERSION): FluxVersionFacts {
    const minor = minorOf(version);
    const facts: FluxVersionFacts = {
        version,
        objectLevelFeatureGate: minor <= 9,
        objectLevelControllers: minor >= 7 ? ALL_OBJECT_LEVEL_CONTROLLERS : FIRST_OBJECT_LEVEL_CONTROLLERS,
        lockdownWorkloadIdentityDefaults: minor >= 7,
        explicitTokenGrants: minor >= 10,
        sopsVault: minor >= 9,
    };
    return minor >= 10 ? { ...facts, minimumKubernetes: "1.35" } : facts;
}

export function isFluxVersion(value: unknown): value is FluxVersion {
    return typeof value === "string" && (SUPPORTED_FLUX_VERSIONS as readonly string[]).includes(value);
}

/** `2.10`, `v2.10`, `2.10.x` and `2.10.3` all name the minor `2.10`. */
const VERSION_FORM = /^v?(\d+)\.(\d+)(?:\.(?:\d+|x))?$/;

/**
 * The Flux minor version of a `flux.version` field: absent means {@link DEFAULT_FLUX_VERSION}; a patch
 * release or `.x` is accepted and reduced to its minor. Anything else, or a minor outside the supported
 * range, is reported at `field` and the default is returned.
 */
export function checkFluxVersion(raw: unknown, issues: Issues, field: string | undefined): FluxVersion {
    if (raw === undefined || raw === null) return DEFAULT_FLUX_VERSION;
    const range = `${SUPPORTED_FLUX_VERSIONS[0]} to ${SUPPORTED_FLUX_VERSIONS[SUPPORTED_FLUX_VERSIONS.length - 1]}`;
    if (typeof raw === "number") {
        issues.add(
            field,
            `expected the Flux version as a string, got the number ${show(raw)} (YAML reads 2.10 as the number 2.1).`,
            `quote it: "${raw === 2.1 ? "2.10" : String(raw)}".`,
        );
        return DEFAULT_FLUX_VERSION;
    }
    const m = typeof raw === "string" ? VERSION_FORM.exec(raw.trim()) : null;
    if (!m) {
        issues.add(field, `${show(raw)} is not a Flux version.`, `write the Flux minor version the cluster runs, such as "${DEFAULT_FLUX_VERSION}" (supported: ${range}).`);
        return DEFAULT_FLUX_VERSION;
    }
    const minor = `${Number(m[1])}.${Number(m[2])}`;
    if (!isFluxVersion(minor)) {
        const older = Number(m[1]) < 2 || (Number(m[1]) === 2 && Number(m[2]) < minorOf(SUPPORTED_FLUX_VERSIONS[0]));
        issues.add(
            field,
            older
                ? `Flux ${minor} is older than Flux 2.6, the first release with object-level workload identity; flux-identity renders for Flux ${range}.`
                : `Flux ${minor} is newer than the releases flux-identity knows (${range}); what it needs was not checked against that release.`,
            older ? `upgrade Flux to ${range} and set the version it runs.` : `set the newest supported version, "${DEFAULT_FLUX_VERSION}", if that release keeps its settings, or use a flux-identity release that supports Flux ${minor}.`,
        );
        return DEFAULT_FLUX_VERSION;
    }
    return minor;
}

/** The container args a controller serving tenants needs on this version: the feature gate, or nothing. */
export function objectLevelArgs(version: FluxVersion = DEFAULT_FLUX_VERSION): string[] {
    return fluxVersionFacts(version).objectLevelFeatureGate ? [OBJECT_LEVEL_FEATURE_GATE] : [];
}

/**
 * Reports, at the version field, controllers asked to serve tenants that this Flux version cannot make
 * serve them (helm-controller before 2.7).
 */
export function checkObjectLevelControllers(version: FluxVersion, controllers: readonly FluxController[], issues: Issues): void {
    const facts = fluxVersionFacts(version);
    const unable = controllers.filter((c) => !facts.objectLevelControllers.includes(c));
    if (unable.length === 0) return;
    issues.add(
        undefined,
        `Flux ${version}'s ${unable.join(", ")} cannot use a tenant's ServiceAccount (object-level workload identity there starts with Flux 2.7), but tenants need it for the kinds it reconciles.`,
        `set the Flux version to 2.7 or later, or reach those resources at controller level.`,
    );
}

/** The version a patch set was made for: its own when supported, else the default. */
export function patchSetFluxVersion(set: { fluxVersion?: string }): FluxVersion {
    return isFluxVersion(set.fluxVersion) ? set.fluxVersion : DEFAULT_FLUX_VERSION;
}
