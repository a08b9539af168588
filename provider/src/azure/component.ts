/**
 * AzureFluxIdentity: wires the Azure plan to Pulumi resources. All knowledge lives in the pure planner;
 * this file only turns its resource list into children and its patch set into outputs.
 */

import { BroughtIdentityRequirement } from "../core/brought";
import type * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { SourceClusterType } from "../core/cluster";
import { FluxIdentityValidationError } from "../core/errors";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { FLUX_IDENTITY_INVOKES, unansweredInvoke } from "../pulumi/invokes";
import { loadPeerSdk } from "../pulumi/peer-sdk";
import { createPlannedChildren } from "../pulumi/planned-resources";
import { SourceClusterArgs, isKnown, resolvedCluster } from "../pulumi/source-cluster-args";
import { AzureFluxIdentityResult, AZURE_RESULT_KEYS, azureFluxIdentityResult } from "./result";
import { AzureIdentityIds } from "./devops";
import { AzurePlan, AzurePlanInput, planAzure } from "./plan";
import { describeAzureResources } from "./resources";
import { AzureTargetOptions } from "./spec";
import { AKS_OBJECT_LEVEL_WARNING } from "./warnings";

export const AZURE_FLUX_IDENTITY_TYPE = "flux-identity:index:AzureFluxIdentity";

export interface AzureFluxIdentityArgs extends AzureTargetOptions {
    /** The cluster Flux runs in. */
    cluster: SourceClusterArgs;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
    /** Flux minor version the cluster runs (`"2.10"`); decides the object-level feature gate. Default the newest supported. */
    fluxVersion?: string;
}

// @pulumi/azure-native loads with the first AzureFluxIdentity built, not with this module (see ../pulumi/peer-sdk).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const azureSdk = (): typeof import("./sdk") => loadPeerSdk("@pulumi/azure-native", "AzureFluxIdentity", () => require("./sdk"));

interface Prepared {
    shape: AzurePlan;
    plan: pulumi.Output<AzurePlan> | undefined;
}

/** Validates and plans before anything is registered; throws FluxIdentityValidationError on bad input. */
function prepare(args: AzureFluxIdentityArgs): Prepared {
    const { cluster, fluxNamespace, fluxVersion, ...target } = args;
    const input = (issuerUrl: string): AzurePlanInput => ({ cluster: resolvedCluster(cluster, issuerUrl, undefined), fluxNamespace, fluxVersion, azure: { ...target } });
    if (isKnown(cluster.issuerUrl)) {
        return { shape: planAzure(input(cluster.issuerUrl as string)), plan: undefined };
    }
    const shape = planAzure(input("pending"), { pendingIssuer: true });
    const shapeNames = describeAzureResources(shape).map((r) => `${r.type}/${r.name}`);
    const plan = pulumi.output(cluster.issuerUrl).apply((issuer) => {
        const real = planAzure(input(issuer));
        const names = describeAzureResources(real).map((r) => `${r.type}/${r.name}`);
        if (names.join("\n") !== shapeNames.join("\n")) {
            throw new Error(`flux-identity: the resolved issuer changed the resource set (${shapeNames.length} planned, ${names.length} now); this is a bug`);
        }
        return real;
    });
    return { shape, plan };
}

/**
 * User-assigned managed identities federated with Flux's ServiceAccounts, least-privilege role
 * assignments, and the Flux-side patches, for one source cluster reaching Azure.
 */
export class AzureFluxIdentity extends pulumi.ComponentResource {
    /** Client ID per controller name (created or brought). */
    declare public readonly clientIds: pulumi.Output<Record<string, string>>;
    /** Principal (object) ID per controller name, for Kubernetes RBAC bindings and Azure DevOps; empty for brought identities. */
    declare public readonly principalIds: pulumi.Output<Record<string, string>>;
    /** Client ID per tenant `<namespace>/<serviceAccount>`. */
    declare public readonly tenantClientIds: pulumi.Output<Record<string, string>>;
    /** Managed identity names per identity key. */
    declare public readonly identityNames: pulumi.Output<Record<string, string>>;
    /** The Flux side as data. */
    declare public readonly patchSet: pulumi.Output<AzureFluxIdentityResult["patchSet"]>;
    /** flux-system/kustomization.yaml to commit next to gotk-components.yaml. */
    declare public readonly kustomizationYaml: pulumi.Output<string>;
    /** Tenant ServiceAccounts (object level), as a manifest; empty without tenants. */
    declare public readonly tenantServiceAccountsYaml: pulumi.Output<string>;
    /** The same Flux side as a FluxInstance, for Flux installed by the Flux Operator (flux-operator/flux-instance.yaml). */
    declare public readonly fluxInstanceYaml: pulumi.Output<string>;
    /** What each Flux object must set (`spec.provider: azure`, `spec.serviceAccountName`, ...). */
    declare public readonly objectSettings: pulumi.Output<AzureFluxIdentityResult["objectSettings"]>;
    /** Azure DevOps onboarding each identity still needs, with exact steps (not done by this component). */
    declare public readonly azureDevOpsOnboarding: pulumi.Output<AzureFluxIdentityResult["azureDevOpsOnboarding"]>;
    /** The federated credentials brought identities must hold (issuer, subject, audience), for their owners to check or add. */
    declare public readonly broughtIdentities: pulumi.Output<BroughtIdentityRequirement[]>;
    /** Things to do or know that the component cannot do itself. */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: AzureFluxIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const prepared = prepare(args);
        const { shape } = prepared;
        const resources = describeAzureResources(shape);
        // Only creating needs @pulumi/azure-native: brought identities alone neither require it installed nor pay its load.
        const sdk = resources.length > 0 ? azureSdk() : undefined;
        super(AZURE_FLUX_IDENTITY_TYPE, name, {}, opts);
        if (Object.keys(shape.tenantIdentities).length > 0 && shape.cluster.type === SourceClusterType.Aks) {
            void pulumi.log.warn(AKS_OBJECT_LEVEL_WARNING, this);
        }
        // Identities are named in the planned subscription and tenant: refuse credentials for any other.
        const gate = sdk ? verifyClientConfig(sdk, shape.subscriptionId, shape.tenantId, this).apply((): pulumi.Resource[] => []) : undefined;
        const created = sdk ? createPlannedChildren({ parent: this, prefix: name, resources, described: prepared.plan?.apply(describeAzureResources), factories: sdk.AZURE_FACTORIES, gate }) : new Map<string, pulumi.CustomResource>();

        const ids = pulumi.all(
            shape.identities.map((i) => {
                const identity = created.get(i.logicalName) as managedidentity.UserAssignedIdentity;
                return pulumi.all([identity.clientId, identity.principalId]).apply(([clientId, principalId]) => [i.key, { clientId, principalId }] as const);
            }),
        );
        // The result also waits for every credential and assignment: Flux must not be pointed at an identity it cannot use yet.
        const settled = pulumi.all([...created.values()].map((r) => r.urn));
        const planned = prepared.plan ?? pulumi.output(shape);
        const result: pulumi.Output<AzureFluxIdentityResult> = pulumi.all([planned, ids, settled]).apply(([plan, pairs]) => {
            const byKey: Record<string, AzureIdentityIds> = {};
            for (const [key, v] of pairs) byKey[key] = v;
            return azureFluxIdentityResult(plan, byKey);
        });
        defineLazyOutputs(this, result, AZURE_RESULT_KEYS);
        this.registerOutputs(
            result.apply((r) => ({
                clientIds: r.clientIds,
                principalIds: r.principalIds,
                tenantClientIds: r.tenantClientIds,
                identityNames: r.identityNames,
                kustomizationYaml: r.kustomizationYaml,
                tenantServiceAccountsYaml: r.tenantServiceAccountsYaml,
                fluxInstanceYaml: r.fluxInstanceYaml,
                azureDevOpsOnboarding: r.azureDevOpsOnboarding,
                broughtIdentities: r.broughtIdentities,
                warnings: r.warnings,
            })),
        );
    }
}

/** Resolves once the Azure credentials are known to be for `subscriptionId` in `tenantId`; rejects otherwise. */
function verifyClientConfig(sdk: typeof import("./sdk"), subscriptionId: string, tenantId: string, parent: pulumi.Resource): pulumi.Output<true> {
    return sdk.azureClientConfig(parent).apply((config) => {
        if (typeof config?.subscriptionId !== "string" || typeof config.tenantId !== "string") throw unansweredInvoke(FLUX_IDENTITY_INVOKES.azureClientConfig, "subscriptionId and tenantId");
        const sub = config.subscriptionId.toLowerCase();
        const tenant = config.tenantId.toLowerCase();
        if (sub !== subscriptionId || tenant !== tenantId) {
            throw new FluxIdentityValidationError([
                {
                    path: "subscriptionId",
                    message: `the Azure credentials are for subscription ${sub} in tenant ${tenant}, but the identities are planned in ${subscriptionId} (${tenantId}).`,
                    fix: `deploy with credentials (an azure-native provider) for subscription ${subscriptionId}, or correct subscriptionId and tenantId.`,
                },
            ]);
        }
        return true as const;
    });
}
