/**
 * KubernetesFluxIdentity: remote clusters reached over plain OIDC. It creates no cloud resource (the
 * remote side is manifests for the remote clusters' owners); it validates and plans like the cloud
 * components and outputs the Flux side and those manifests.
 */

import * as pulumi from "@pulumi/pulumi";
import { FluxPatchSet } from "../core/patch";
import { renderFluxSide } from "../flux/kustomization";
import { FluxObjectSetting } from "../flux/objects";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { SourceClusterArgs, isKnown, resolvedCluster } from "../pulumi/source-cluster-args";
import { kubernetesFluxPatchSet } from "./patches";
import { KubernetesPlan, KubernetesPlanInput, planKubernetes } from "./plan";
import { KubernetesTargetOptions } from "./spec";

export const KUBERNETES_FLUX_IDENTITY_TYPE = "flux-identity:index:KubernetesFluxIdentity";

export interface KubernetesFluxIdentityArgs extends KubernetesTargetOptions {
    /** The cluster Flux runs in. */
    cluster: SourceClusterArgs;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
}

export interface KubernetesFluxIdentityResult {
    patchSet: FluxPatchSet;
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    authenticationConfigurationYaml: string;
    remoteClusterRbacYaml: string;
    /** The remote user name per controller and tenant `<namespace>/<serviceAccount>`. */
    userNames: Record<string, string>;
    objectSettings: FluxObjectSetting[];
    warnings: string[];
}

const RESULT_KEYS = ["patchSet", "kustomizationYaml", "tenantServiceAccountsYaml", "authenticationConfigurationYaml", "remoteClusterRbacYaml", "userNames", "objectSettings", "warnings"] as const;

export function kubernetesFluxIdentityResult(plan: KubernetesPlan): KubernetesFluxIdentityResult {
    const patchSet = kubernetesFluxPatchSet(plan);
    return {
        patchSet,
        ...renderFluxSide(patchSet),
        authenticationConfigurationYaml: plan.authenticationConfigurationYaml,
        remoteClusterRbacYaml: plan.remoteClusterRbacYaml,
        userNames: Object.fromEntries(plan.identities.map((i) => [i.key, i.userName])),
        objectSettings: plan.objectSettings,
        warnings: plan.warnings,
    };
}

function input(args: KubernetesFluxIdentityArgs, issuerUrl: string): KubernetesPlanInput {
    const { cluster, fluxNamespace, ...target } = args;
    return { cluster: resolvedCluster(cluster, issuerUrl, isKnown(cluster.eksClusterName) ? cluster.eksClusterName : "pending"), fluxNamespace, kubernetes: { ...target } };
}

/** Flux applying to remote clusters whose API servers trust this cluster's issuer (kubeConfig provider: generic). */
export class KubernetesFluxIdentity extends pulumi.ComponentResource {
    /** The Flux side as data. */
    declare public readonly patchSet: pulumi.Output<FluxPatchSet>;
    /** flux-system/kustomization.yaml (object level: the feature gate). */
    declare public readonly kustomizationYaml: pulumi.Output<string>;
    /** Tenant ServiceAccounts (object level); empty without tenants. */
    declare public readonly tenantServiceAccountsYaml: pulumi.Output<string>;
    /** One AuthenticationConfiguration per remote cluster, for its kube-apiserver's --authentication-config. */
    declare public readonly authenticationConfigurationYaml: pulumi.Output<string>;
    /** (Cluster)RoleBindings to apply in the remote clusters. */
    declare public readonly remoteClusterRbacYaml: pulumi.Output<string>;
    /** The remote user name per controller and tenant. */
    declare public readonly userNames: pulumi.Output<Record<string, string>>;
    /** What each Kustomization or HelmRelease must set (the kubeConfig ConfigMap). */
    declare public readonly objectSettings: pulumi.Output<FluxObjectSetting[]>;
    /** Things the remote clusters' owners must do. */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: KubernetesFluxIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const known = isKnown(args.cluster.issuerUrl);
        // Validated before anything is registered; a pending issuer is planned with a placeholder first.
        const shape = planKubernetes(input(args, known ? (args.cluster.issuerUrl as string) : "pending"), { pending: { issuerUrl: !known } });
        super(KUBERNETES_FLUX_IDENTITY_TYPE, name, {}, opts);
        const result = known
            ? pulumi.output(kubernetesFluxIdentityResult(shape))
            : pulumi.output(args.cluster.issuerUrl).apply((issuer) => kubernetesFluxIdentityResult(planKubernetes(input(args, issuer))));
        defineLazyOutputs(this, result, RESULT_KEYS);
        this.registerOutputs(
            result.apply((r) => ({
                kustomizationYaml: r.kustomizationYaml,
                tenantServiceAccountsYaml: r.tenantServiceAccountsYaml,
                authenticationConfigurationYaml: r.authenticationConfigurationYaml,
                remoteClusterRbacYaml: r.remoteClusterRbacYaml,
                userNames: r.userNames,
                warnings: r.warnings,
            })),
        );
    }
}
