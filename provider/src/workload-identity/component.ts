/**
 * FluxWorkloadIdentity: one source cluster and every cloud its Flux controllers reach. It composes the
 * per-cloud components as children and merges their Flux patches into one patch set and one
 * kustomization.yaml. The whole cluster is planned (and validated) before anything is registered.
 */

import * as pulumi from "@pulumi/pulumi";
import { AwsFluxIdentity } from "../aws/component";
import { AwsTargetOptions } from "../aws/spec";
import { AzureFluxIdentity } from "../azure/component";
import { AzureTargetOptions } from "../azure/spec";
import { FluxPatchSet } from "../core/patch";
import { ComposedFluxSide, composeFluxSide } from "../flux/flux-side";
import { FluxLockdownOptions } from "../flux/lockdown";
import { FluxLiveCluster } from "../live/component";
import { FluxObjectSetting } from "../flux/objects";
import { GcpFluxIdentity } from "../gcp/component";
import { GcpTargetOptions } from "../gcp/spec";
import { KubernetesFluxIdentity } from "../kubernetes/component";
import { KubernetesTargetOptions } from "../kubernetes/spec";
import { VaultTargetOptions } from "../vault/spec";
import { ClusterPlan, ClusterSpec, planCluster } from "../plan/cluster";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { SourceClusterArgs, isKnown } from "../pulumi/source-cluster-args";

export const FLUX_WORKLOAD_IDENTITY_TYPE = "flux-identity:index:FluxWorkloadIdentity";

/** The AWS target of a cluster: the AwsFluxIdentity settings without the cluster. */
export interface AwsTargetArgs extends AwsTargetOptions {
    /** An existing IAM OIDC provider for the cluster's issuer; may be an output. */
    oidcProviderArn?: pulumi.Input<string>;
}

export interface FluxWorkloadIdentityArgs {
    /** The cluster Flux runs in. */
    cluster: SourceClusterArgs;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
    /** What Flux reaches in AWS. */
    aws?: AwsTargetArgs;
    /** What Flux reaches in Azure. */
    azure?: AzureTargetOptions;
    /** What Flux reaches in GCP. */
    gcp?: GcpTargetOptions;
    /** Remote Kubernetes clusters whose API servers trust this cluster's issuer (kubeConfig provider: generic). */
    kubernetes?: KubernetesTargetOptions;
    /** Vault or OpenBao transit keys for SOPS (needs @pulumi/vault installed). */
    vault?: VaultTargetOptions;
    /** Multi-tenancy lockdown flags for the controllers (Flux's multi-tenancy lockdown). */
    lockdown?: FluxLockdownOptions;
    /**
     * Opt-in: also apply the Flux side to the running cluster (with the Kubernetes provider passed in
     * `opts.providers`), for clusters whose flux-system is not managed from Git. The kustomization.yaml
     * output stays the recommended path: Flux re-applies flux-system and takes its fields back.
     */
    liveCluster?: FluxLiveClusterSettings;
}

/** Live-cluster mode settings; see FluxLiveCluster. */
export interface FluxLiveClusterSettings {
    /** Apply the patch set to the cluster. */
    enabled: boolean;
    /** Roll a controller's Deployment when its identity changes. Default true. */
    restartOnIdentityChange?: boolean;
    /** Server-Side Apply field manager. Default "flux-identity". */
    fieldManager?: string;
    /** Apply tenant ServiceAccounts (object level). Default true. */
    applyTenantServiceAccounts?: boolean;
    /** Apply the tenant token RBAC (object level). Default true. */
    applyTenantRbac?: boolean;
    /** Warn when a Flux Kustomization manages the controllers. Default true. */
    detectFluxSystemKustomization?: boolean;
}

/**
 * What FluxWorkloadIdentity reads of its VaultFluxIdentity child, typed here so that @pulumi/vault (an
 * optional peer dependency) and its types load only with flux-identity/vault.
 */
export interface VaultTargetChild extends pulumi.ComponentResource {
    readonly roleNames: pulumi.Output<Record<string, string>>;
    readonly patchSet: pulumi.Output<FluxPatchSet>;
    readonly objectSettings: pulumi.Output<FluxObjectSetting[]>;
    readonly warnings: pulumi.Output<string[]>;
}

type VaultComponentModule = { VaultFluxIdentity: new (name: string, args: VaultTargetOptions & { cluster: SourceClusterArgs; fluxNamespace?: string }, opts?: pulumi.ComponentResourceOptions) => VaultTargetChild };

/** The per-cloud components a FluxWorkloadIdentity composes; absent for clouds it does not reach. */
export interface FluxWorkloadIdentityTargets {
    aws?: AwsFluxIdentity;
    azure?: AzureFluxIdentity;
    gcp?: GcpFluxIdentity;
    kubernetes?: KubernetesFluxIdentity;
    /** The VaultFluxIdentity child (from flux-identity/vault). */
    vault?: VaultTargetChild;
    /** The live-cluster applier, when `liveCluster.enabled`. */
    live?: FluxLiveCluster;
}

/** Everything the component outputs, computed once from the children's results. */
export interface FluxWorkloadIdentityResult extends Omit<ComposedFluxSide, "lockdownWarnings"> {
    objectSettings: FluxObjectSetting[];
    warnings: string[];
    /** AWS role ARN per controller; empty without an AWS target. */
    awsRoleArns: Record<string, string>;
    /** Azure client ID per controller; empty without an Azure target. */
    azureClientIds: Record<string, string>;
    /** GCP service account email per controller (impersonation); empty otherwise. */
    gcpServiceAccountEmails: Record<string, string>;
    /** RBAC to apply in remote GKE clusters; empty without GKE grants. */
    gcpRemoteClusterRbacYaml: string;
    /** AuthenticationConfiguration documents for remote clusters over OIDC; empty without them. */
    kubernetesAuthenticationConfigurationYaml: string;
    /** RBAC to apply in remote clusters over OIDC; empty without them. */
    kubernetesRemoteClusterRbacYaml: string;
    /** Vault role name per controller and tenant; empty without a Vault target. */
    vaultRoleNames: Record<string, string>;
}

const RESULT_KEYS = [
    "patchSet", "kustomizationYaml", "tenantServiceAccountsYaml", "tenantRbacYaml", "fluxObjectsYaml", "objectSettings", "warnings",
    "awsRoleArns", "azureClientIds", "gcpServiceAccountEmails", "gcpRemoteClusterRbacYaml",
    "kubernetesAuthenticationConfigurationYaml", "kubernetesRemoteClusterRbacYaml", "vaultRoleNames",
] as const;

/** The cluster spec the pure planner reads, with placeholders where the args hold outputs. */
export function clusterSpecFromArgs(args: FluxWorkloadIdentityArgs): ClusterSpec {
    const { cluster } = args;
    const spec: ClusterSpec = { name: cluster.name, type: cluster.type, issuerUrl: isKnown(cluster.issuerUrl) ? (cluster.issuerUrl as string) : "pending" };
    if (cluster.eksClusterName !== undefined) spec.eksClusterName = isKnown(cluster.eksClusterName) ? cluster.eksClusterName : "pending";
    if (args.fluxNamespace !== undefined) spec.flux = { namespace: args.fluxNamespace };
    if (args.lockdown !== undefined) spec.flux = { ...spec.flux, lockdown: args.lockdown };
    if (args.aws) {
        const { oidcProviderArn, ...aws } = args.aws;
        spec.aws = oidcProviderArn === undefined ? aws : { ...aws, oidcProviderArn: isKnown(oidcProviderArn) ? oidcProviderArn : "pending" };
    }
    if (args.azure) spec.azure = args.azure;
    if (args.gcp) spec.gcp = args.gcp;
    if (args.kubernetes) spec.kubernetes = args.kubernetes;
    if (args.vault) spec.vault = args.vault;
    return spec;
}

/** Plans the whole cluster (placeholders for pending outputs); throws FluxIdentityValidationError on bad input. */
export function planWorkloadIdentity(args: FluxWorkloadIdentityArgs): ClusterPlan {
    return planCluster(clusterSpecFromArgs(args), "", {
        issuerUrl: !isKnown(args.cluster.issuerUrl),
        eksClusterName: !isKnown(args.cluster.eksClusterName),
        awsOidcProviderArn: !isKnown(args.aws?.oidcProviderArn),
    });
}

// Held outside the class: schema inference reads every class member as a component output, and the
// children are resources of other types.
const CHILDREN = new WeakMap<FluxWorkloadIdentity, FluxWorkloadIdentityTargets>();

/**
 * Secret-less access for the Flux controllers (and object-level tenants) of one source cluster to any
 * subset of AWS, Azure and GCP, with one merged Flux side.
 */
export class FluxWorkloadIdentity extends pulumi.ComponentResource {
    /** The merged Flux side as data. */
    declare public readonly patchSet: pulumi.Output<FluxPatchSet>;
    /** flux-system/kustomization.yaml with every cloud's patches: commit next to gotk-components.yaml. */
    declare public readonly kustomizationYaml: pulumi.Output<string>;
    /** Tenant ServiceAccounts (object level), as a manifest; empty without tenants. */
    declare public readonly tenantServiceAccountsYaml: pulumi.Output<string>;
    /** Roles letting the serving controllers get tenant ServiceAccounts and create their tokens; empty without tenants. */
    declare public readonly tenantRbacYaml: pulumi.Output<string>;
    /** Example Flux objects (validated against Flux's CRDs) with each tenant's provider and serviceAccountName. */
    declare public readonly fluxObjectsYaml: pulumi.Output<string>;
    /** What each Flux object must set, for every cloud. */
    declare public readonly objectSettings: pulumi.Output<FluxObjectSetting[]>;
    /** Things to do or know that the component cannot do itself, from every cloud. */
    declare public readonly warnings: pulumi.Output<string[]>;
    /** AWS role ARN per controller. */
    declare public readonly awsRoleArns: pulumi.Output<Record<string, string>>;
    /** Azure client ID per controller. */
    declare public readonly azureClientIds: pulumi.Output<Record<string, string>>;
    /** GCP service account email per controller (impersonation). */
    declare public readonly gcpServiceAccountEmails: pulumi.Output<Record<string, string>>;
    /** RBAC to apply in remote GKE clusters. */
    declare public readonly gcpRemoteClusterRbacYaml: pulumi.Output<string>;
    /** AuthenticationConfiguration documents for the remote clusters over OIDC (their kube-apiserver's --authentication-config). */
    declare public readonly kubernetesAuthenticationConfigurationYaml: pulumi.Output<string>;
    /** RBAC to apply in the remote clusters over OIDC. */
    declare public readonly kubernetesRemoteClusterRbacYaml: pulumi.Output<string>;
    /** Vault role name per controller and tenant. */
    declare public readonly vaultRoleNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FluxWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        // Every cloud is validated, and the patches checked for collisions, before anything is registered.
        const shape = planWorkloadIdentity(args);
        super(FLUX_WORKLOAD_IDENTITY_TYPE, name, {}, opts);
        const { cluster, fluxNamespace } = args;
        const child = { parent: this };
        const children: FluxWorkloadIdentityTargets = {};
        CHILDREN.set(this, children);
        if (args.aws) children.aws = new AwsFluxIdentity(name, { cluster, fluxNamespace, ...args.aws }, child);
        if (args.azure) children.azure = new AzureFluxIdentity(name, { cluster, fluxNamespace, ...args.azure }, child);
        if (args.gcp) children.gcp = new GcpFluxIdentity(name, { cluster, fluxNamespace, ...args.gcp }, child);
        if (args.kubernetes) children.kubernetes = new KubernetesFluxIdentity(name, { cluster, fluxNamespace, ...args.kubernetes }, child);
        if (args.vault) {
            // Loaded only when used: @pulumi/vault is an optional peer dependency.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { VaultFluxIdentity: Vault } = require("../vault/component") as VaultComponentModule;
            children.vault = new Vault(name, { cluster, fluxNamespace, ...args.vault }, child);
        }
        const { aws, azure, gcp, kubernetes, vault } = children;

        const none = pulumi.output<Record<string, string>>({});
        const result: pulumi.Output<FluxWorkloadIdentityResult> = pulumi
            .all([
                pulumi.all([aws?.patchSet, azure?.patchSet, gcp?.patchSet, kubernetes?.patchSet, vault?.patchSet]),
                pulumi.all([aws?.objectSettings ?? [], azure?.objectSettings ?? [], gcp?.objectSettings ?? [], kubernetes?.objectSettings ?? [], vault?.objectSettings ?? []]),
                pulumi.all([aws?.warnings ?? [], azure?.warnings ?? [], gcp?.warnings ?? [], kubernetes?.warnings ?? [], vault?.warnings ?? []]),
                pulumi.all([aws?.roleArns ?? none, azure?.clientIds ?? none, gcp?.serviceAccountEmails ?? none, gcp?.remoteClusterRbacYaml ?? ""]),
                pulumi.all([kubernetes?.authenticationConfigurationYaml ?? "", kubernetes?.remoteClusterRbacYaml ?? "", vault?.roleNames ?? none]),
            ])
            .apply(([sets, settings, warnings, [awsRoleArns, azureClientIds, gcpServiceAccountEmails, gcpRemoteClusterRbacYaml], [kubernetesAuthenticationConfigurationYaml, kubernetesRemoteClusterRbacYaml, vaultRoleNames]]) => {
                const objectSettings = settings.flat();
                const { lockdownWarnings, ...side } = composeFluxSide(
                    sets.filter((s): s is FluxPatchSet => s !== undefined),
                    { lockdown: args.lockdown, objectSettings },
                );
                return {
                    ...side,
                    objectSettings,
                    warnings: [...warnings.flat(), ...lockdownWarnings],
                    awsRoleArns,
                    azureClientIds,
                    gcpServiceAccountEmails,
                    gcpRemoteClusterRbacYaml,
                    kubernetesAuthenticationConfigurationYaml,
                    kubernetesRemoteClusterRbacYaml,
                    vaultRoleNames,
                };
            });
        if (args.liveCluster?.enabled) {
            const { enabled: _enabled, ...live } = args.liveCluster;
            // The planned patch set decides which objects exist; the result's carries the created identities.
            children.live = new FluxLiveCluster(name, { ...live, layout: shape.patchSet, patchSet: result.apply((r) => r.patchSet) }, { parent: this });
        }
        defineLazyOutputs(this, result, RESULT_KEYS);
        this.registerOutputs(
            result.apply((r) => ({
                kustomizationYaml: r.kustomizationYaml,
                tenantServiceAccountsYaml: r.tenantServiceAccountsYaml,
                tenantRbacYaml: r.tenantRbacYaml,
                fluxObjectsYaml: r.fluxObjectsYaml,
                warnings: r.warnings,
                awsRoleArns: r.awsRoleArns,
                azureClientIds: r.azureClientIds,
                gcpServiceAccountEmails: r.gcpServiceAccountEmails,
                gcpRemoteClusterRbacYaml: r.gcpRemoteClusterRbacYaml,
                kubernetesAuthenticationConfigurationYaml: r.kubernetesAuthenticationConfigurationYaml,
                kubernetesRemoteClusterRbacYaml: r.kubernetesRemoteClusterRbacYaml,
                vaultRoleNames: r.vaultRoleNames,
            })),
        );
    }

    /** The per-cloud children, for programs that want their detailed outputs (tenant role ARNs, principals, ...). */
    public targets(): FluxWorkloadIdentityTargets {
        return { ...CHILDREN.get(this) };
    }
}
