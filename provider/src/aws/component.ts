/**
 * AwsFluxIdentity: wires the AWS plan to Pulumi resources. All knowledge lives in the pure planner;
 * this file only turns its resource list into children and its patch set into outputs.
 */

import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BroughtIdentityRequirement, sortRequirements } from "../core/brought";
import { FluxIdentityValidationError } from "../core/errors";
import { FLUX_IDENTITY_INVOKES, unansweredInvoke } from "../pulumi/invokes";
import { FluxPatchSet } from "../core/patch";
import { renderTargetFluxSide } from "../flux/flux-instance";
import { FluxObjectSetting } from "../flux/objects";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { loadPeerSdk } from "../pulumi/peer-sdk";
import { createPlannedChildren } from "../pulumi/planned-resources";
import { SourceClusterArgs, isKnown, resolvedCluster } from "../pulumi/source-cluster-args";
import { awsBroughtIdentities } from "./brought";
import { awsFluxPatchSet } from "./patches";
import { AwsPlan, AwsPlanInput, PendingValues, plannedRoleArns, planAws } from "./plan";
import { POLICY_PROPERTIES, describeAwsResources } from "./resources";
import { PolicyDocument, policyJson } from "./policy";
import { AwsTargetOptions } from "./spec";

export const AWS_FLUX_IDENTITY_TYPE = "flux-identity:index:AwsFluxIdentity";

export interface AwsFluxIdentityArgs extends AwsTargetOptions {
    /** The cluster Flux runs in. */
    cluster: SourceClusterArgs;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
    /** Flux minor version the cluster runs (`"2.10"`); decides the object-level feature gate. Default the newest supported. */
    fluxVersion?: string;
    /** An existing IAM OIDC provider for the cluster's issuer; may be an output. */
    oidcProviderArn?: pulumi.Input<string>;
}

// @pulumi/aws loads with the first AwsFluxIdentity built, not with this module (see ../pulumi/peer-sdk).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const awsSdk = (): typeof import("./sdk") => loadPeerSdk("@pulumi/aws", "AwsFluxIdentity", () => require("./sdk"));

/** The value a planned property takes as a resource argument: policy documents become JSON. */
export function awsArgumentValue(key: string, value: unknown): unknown {
    return POLICY_PROPERTIES.includes(key) ? policyJson(value as PolicyDocument) : value;
}

interface Prepared {
    /** Plan with every value known, or with placeholders for pending outputs. */
    shape: AwsPlan;
    /** The real plan, once pending outputs resolve. */
    plan: pulumi.Output<AwsPlan> | undefined;
}

/** Validates and plans before anything is registered; throws FluxIdentityValidationError on bad input. */
function prepare(args: AwsFluxIdentityArgs): Prepared {
    const { cluster, fluxNamespace, fluxVersion, oidcProviderArn, ...target } = args;
    const pending: PendingValues = {
        issuerUrl: !isKnown(cluster.issuerUrl),
        eksClusterName: !isKnown(cluster.eksClusterName),
        oidcProviderArn: !isKnown(oidcProviderArn),
    };
    const input = (issuerUrl: string, eksClusterName: string | undefined, arn: string | undefined): AwsPlanInput => ({
        cluster: resolvedCluster(cluster, issuerUrl, eksClusterName),
        fluxNamespace,
        fluxVersion,
        aws: arn === undefined ? { ...target } : { ...target, oidcProviderArn: arn },
    });
    if (!pending.issuerUrl && !pending.eksClusterName && !pending.oidcProviderArn) {
        const known = input(cluster.issuerUrl as string, cluster.eksClusterName as string | undefined, oidcProviderArn as string | undefined);
        return { shape: planAws(known), plan: undefined };
    }
    const placeholder = (v: pulumi.Input<string> | undefined) => (isKnown(v) ? v : "pending");
    const shape = planAws(input(placeholder(cluster.issuerUrl) as string, placeholder(cluster.eksClusterName), placeholder(oidcProviderArn)), { pending });
    const shapeNames = describeAwsResources(shape).map((r) => `${r.type}/${r.name}`);
    const plan = pulumi.all([cluster.issuerUrl, cluster.eksClusterName, oidcProviderArn]).apply(([issuer, eksName, arn]) => {
        const real = planAws(input(issuer, eksName, arn));
        const names = describeAwsResources(real).map((r) => `${r.type}/${r.name}`);
        if (names.join("\n") !== shapeNames.join("\n")) {
            throw new Error(`flux-identity: resolved values changed the resource set (${shapeNames.length} planned, ${names.length} now); this is a bug`);
        }
        return real;
    });
    return { shape, plan };
}

/** Everything the component outputs, computed once. */
export interface AwsFluxIdentityResult {
    roleArns: Record<string, string>;
    tenantRoleArns: Record<string, string>;
    oidcProviderArn: string;
    patchSet: FluxPatchSet;
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    fluxInstanceYaml: string;
    objectSettings: FluxObjectSetting[];
    warnings: string[];
}

const RESULT_KEYS = ["roleArns", "tenantRoleArns", "oidcProviderArn", "patchSet", "kustomizationYaml", "tenantServiceAccountsYaml", "fluxInstanceYaml", "objectSettings", "warnings"] as const;

/**
 * The outputs for a plan. Role ARNs are the planned ones: names are deterministic and the component
 * creates nothing until the credentials' account is the planned account.
 */
export function awsFluxIdentityResult(plan: AwsPlan): AwsFluxIdentityResult {
    const arns = plannedRoleArns(plan);
    const patchSet = awsFluxPatchSet(plan, arns);
    return {
        roleArns: arns.controllers,
        tenantRoleArns: arns.tenants,
        oidcProviderArn: plan.oidcProvider?.arn ?? "",
        patchSet,
        ...renderTargetFluxSide(patchSet, plan.cluster.type),
        objectSettings: plan.objectSettings,
        warnings: plan.warnings,
    };
}

/**
 * IAM roles with exact trust for Flux's ServiceAccounts (IRSA / OIDC federation or EKS Pod Identity),
 * least-privilege grants, and the Flux-side patches, for one source cluster reaching AWS.
 */
export class AwsFluxIdentity extends pulumi.ComponentResource {
    /** Role ARN per controller name (created or brought). */
    declare public readonly roleArns: pulumi.Output<Record<string, string>>;
    /** Role ARN per tenant `<namespace>/<serviceAccount>`. */
    declare public readonly tenantRoleArns: pulumi.Output<Record<string, string>>;
    /** The IAM OIDC provider the roles trust (created or given); empty for Pod Identity or brought roles only. */
    declare public readonly oidcProviderArn: pulumi.Output<string>;
    /** The Flux side as data. */
    declare public readonly patchSet: pulumi.Output<FluxPatchSet>;
    /** flux-system/kustomization.yaml to commit next to gotk-components.yaml. */
    declare public readonly kustomizationYaml: pulumi.Output<string>;
    /** Tenant ServiceAccounts (object level), as a manifest; empty without tenants. */
    declare public readonly tenantServiceAccountsYaml: pulumi.Output<string>;
    /** The same Flux side as a FluxInstance, for Flux installed by the Flux Operator (flux-operator/flux-instance.yaml). */
    declare public readonly fluxInstanceYaml: pulumi.Output<string>;
    /** What each Flux object must set (`spec.provider: aws`, `spec.serviceAccountName`, ...). */
    declare public readonly objectSettings: pulumi.Output<FluxObjectSetting[]>;
    /** Things to do or know that the component cannot do itself. */
    declare public readonly warnings: pulumi.Output<string[]>;
    /**
     * What must exist in AWS for the roles flux-identity does not own (brought roles, Pod Identity target
     * roles), with the external IDs EKS returned for the associations.
     */
    declare public readonly broughtIdentities: pulumi.Output<BroughtIdentityRequirement[]>;

    constructor(name: string, args: AwsFluxIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const prepared = prepare(args);
        const { shape } = prepared;
        const resources = describeAwsResources(shape);
        // Only creating needs @pulumi/aws: brought roles alone neither require it installed nor pay its load.
        const sdk = resources.length > 0 ? awsSdk() : undefined;
        super(AWS_FLUX_IDENTITY_TYPE, name, {}, opts);
        const described = prepared.plan?.apply(describeAwsResources);

        // Role ARNs are planned from accountId: refuse to create anything with credentials of another account.
        // Every other resource depends on the roots, so holding the roots until the check passes holds everything.
        const gate = sdk ? verifyCallerAccount(sdk, shape.accountId, shape.partition, this).apply((): pulumi.Resource[] => []) : undefined;
        const created = sdk ? createPlannedChildren({ parent: this, prefix: name, resources, described, factories: sdk.AWS_FACTORIES, argumentValue: awsArgumentValue, gate }) : new Map<string, pulumi.CustomResource>();

        // The result waits for the roles and OIDC provider it names.
        const awaited = pulumi.all(
            [...shape.roles.map((r) => r.logicalName), "oidc-provider"]
                .map((n) => created.get(n) as aws.iam.Role | aws.iam.OpenIdConnectProvider | undefined)
                .filter((r) => r !== undefined)
                .map((r) => r.arn),
        );
        let result: pulumi.Output<AwsFluxIdentityResult>;
        if (prepared.plan) {
            result = pulumi.all([prepared.plan, awaited]).apply(([plan]) => awsFluxIdentityResult(plan));
        } else {
            const known = awsFluxIdentityResult(shape);
            result = awaited.apply(() => known);
        }
        defineLazyOutputs(this, result, RESULT_KEYS);
        // Its own output: EKS reports a new association's external ID only once it exists, and the other
        // outputs must not wait for that in a preview.
        const targetRoles = shape.podIdentityAssociations.filter((a) => a.targetRoleArn);
        const brought =
            targetRoles.length === 0 && !prepared.plan
                ? pulumi.output(sortRequirements(awsBroughtIdentities(shape, {})))
                : pulumi
                      .all([prepared.plan ?? shape, pulumi.all(Object.fromEntries(targetRoles.map((a) => [a.logicalName, (created.get(a.logicalName) as aws.eks.PodIdentityAssociation).externalId])))])
                      .apply(([plan, ids]) => sortRequirements(awsBroughtIdentities(plan, ids)));
        Object.defineProperty(this, "broughtIdentities", { enumerable: true, value: brought });
        // State records what users read back; the patch set and object settings stay in-program data
        // (derivable from the plan, and large).
        this.registerOutputs(
            pulumi.all([result, brought]).apply(([r, broughtIdentities]) => ({
                roleArns: r.roleArns,
                tenantRoleArns: r.tenantRoleArns,
                oidcProviderArn: r.oidcProviderArn,
                kustomizationYaml: r.kustomizationYaml,
                tenantServiceAccountsYaml: r.tenantServiceAccountsYaml,
                fluxInstanceYaml: r.fluxInstanceYaml,
                warnings: r.warnings,
                broughtIdentities,
            })),
        );
    }
}

/** Resolves once the AWS credentials are known to be for `accountId` in `partition`; rejects otherwise. */
function verifyCallerAccount(sdk: typeof import("./sdk"), accountId: string, partition: string, parent: pulumi.Resource): pulumi.Output<true> {
    return sdk.awsCallerIdentity(parent).apply((id) => {
        if (typeof id?.accountId !== "string" || typeof id.arn !== "string") throw unansweredInvoke(FLUX_IDENTITY_INVOKES.awsCallerIdentity, "accountId and arn");
        const callerPartition = id.arn.split(":")[1];
        if (id.accountId !== accountId || callerPartition !== partition) {
            throw new FluxIdentityValidationError([
                {
                    path: "accountId",
                    message: `the AWS credentials are for account ${id.accountId} in partition ${callerPartition}, but the roles are planned in ${accountId} (${partition}).`,
                    fix: `deploy with credentials (an AWS provider) for account ${accountId}, or correct accountId and region.`,
                },
            ]);
        }
        return true as const;
    });
}
