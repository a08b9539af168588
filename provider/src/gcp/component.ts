/**
 * GcpFluxIdentity: wires the GCP plan to Pulumi resources. All knowledge lives in the pure planner;
 * this file only turns its resource list into children and its patch set into outputs.
 */

import { BroughtIdentityRequirement } from "../core/brought";
import type * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { FluxIdentityValidationError } from "../core/errors";
import { FluxPatchSet } from "../core/patch";
import { renderTargetFluxSide } from "../flux/flux-instance";
import { FluxObjectSetting } from "../flux/objects";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { FLUX_IDENTITY_INVOKES, unansweredInvoke } from "../pulumi/invokes";
import { loadPeerSdk } from "../pulumi/peer-sdk";
import { createPlannedChildren } from "../pulumi/planned-resources";
import { SourceClusterArgs, isKnown, resolvedCluster } from "../pulumi/source-cluster-args";
import { gcpFluxPatchSet } from "./patches";
import { GcpPendingValues, GcpPlan, GcpPlanInput, planGcp, plannedPrincipals } from "./plan";
import { PROVIDER_LOGICAL_NAME, describeGcpResources } from "./resources";
import { GcpTargetOptions } from "./spec";

export const GCP_FLUX_IDENTITY_TYPE = "flux-identity:index:GcpFluxIdentity";

export interface GcpFluxIdentityArgs extends GcpTargetOptions {
    /** The cluster Flux runs in. */
    cluster: SourceClusterArgs;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
    /** Flux minor version the cluster runs (`"2.10"`); decides the object-level feature gate. Default the newest supported. */
    fluxVersion?: string;
}

// @pulumi/gcp loads with the first GcpFluxIdentity built, not with this module (see ../pulumi/peer-sdk).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gcpSdk = (): typeof import("./sdk") => loadPeerSdk("@pulumi/gcp", "GcpFluxIdentity", () => require("./sdk"));

interface Prepared {
    /** Plan with every value known, or with placeholders for pending outputs. */
    shape: GcpPlan;
    /** The real plan, once pending outputs resolve. */
    plan: pulumi.Output<GcpPlan> | undefined;
}

/** Validates and plans before anything is registered; throws FluxIdentityValidationError on bad input. */
function prepare(args: GcpFluxIdentityArgs): Prepared {
    const { cluster, fluxNamespace, fluxVersion, ...target } = args;
    const pending: GcpPendingValues = { issuerUrl: !isKnown(cluster.issuerUrl) };
    const eksPending = !isKnown(cluster.eksClusterName);
    const input = (issuerUrl: string, eksClusterName: string | undefined): GcpPlanInput => ({
        cluster: resolvedCluster(cluster, issuerUrl, eksClusterName),
        fluxNamespace,
        fluxVersion,
        gcp: { ...target },
    });
    if (!pending.issuerUrl && !eksPending) {
        return { shape: planGcp(input(cluster.issuerUrl as string, cluster.eksClusterName as string | undefined)), plan: undefined };
    }
    const placeholder = (v: pulumi.Input<string> | undefined) => (isKnown(v) ? v : "pending");
    const shape = planGcp(input(placeholder(cluster.issuerUrl) as string, placeholder(cluster.eksClusterName)), { pending });
    const shapeNames = describeGcpResources(shape).map((r) => `${r.type}/${r.name}`);
    const plan = pulumi.all([cluster.issuerUrl, cluster.eksClusterName]).apply(([issuer, eksName]) => {
        const real = planGcp(input(issuer, eksName));
        const names = describeGcpResources(real).map((r) => `${r.type}/${r.name}`);
        if (names.join("\n") !== shapeNames.join("\n")) {
            throw new Error(`flux-identity: resolved values changed the resource set (${shapeNames.length} planned, ${names.length} now); this is a bug`);
        }
        return real;
    });
    return { shape, plan };
}

/** Everything the component outputs, computed once. */
export interface GcpFluxIdentityResult {
    serviceAccountEmails: Record<string, string>;
    tenantServiceAccountEmails: Record<string, string>;
    principals: Record<string, string>;
    workloadIdentityProvider: string;
    patchSet: FluxPatchSet;
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    fluxInstanceYaml: string;
    remoteClusterRbacYaml: string;
    objectSettings: FluxObjectSetting[];
    broughtIdentities: BroughtIdentityRequirement[];
    warnings: string[];
}

const RESULT_KEYS = [
    "serviceAccountEmails",
    "tenantServiceAccountEmails",
    "principals",
    "workloadIdentityProvider",
    "patchSet",
    "kustomizationYaml",
    "tenantServiceAccountsYaml",
    "fluxInstanceYaml",
    "remoteClusterRbacYaml",
    "objectSettings",
    "broughtIdentities",
    "warnings",
] as const;

/**
 * The outputs for a plan. Emails and names are the planned ones: they are deterministic and the
 * component creates nothing until the project number is confirmed.
 */
export function gcpFluxIdentityResult(plan: GcpPlan): GcpFluxIdentityResult {
    const patchSet = gcpFluxPatchSet(plan);
    return {
        ...plannedPrincipals(plan),
        workloadIdentityProvider: plan.workloadIdentityPool?.providerName ?? "",
        patchSet,
        ...renderTargetFluxSide(patchSet, plan.cluster.type),
        remoteClusterRbacYaml: plan.remoteClusterRbacYaml,
        objectSettings: plan.objectSettings,
        broughtIdentities: plan.broughtIdentities,
        warnings: plan.warnings,
    };
}

/**
 * GCP access for Flux's ServiceAccounts (their own principals, or impersonated GCP service accounts), a
 * Workload Identity Pool for non-GKE clusters, least-privilege IAM members, and the Flux-side patches,
 * for one source cluster reaching GCP.
 */
export class GcpFluxIdentity extends pulumi.ComponentResource {
    /** GSA email per controller name (impersonating controllers only, created or brought). */
    declare public readonly serviceAccountEmails: pulumi.Output<Record<string, string>>;
    /** GSA email per tenant `<namespace>/<serviceAccount>` (impersonating tenants only). */
    declare public readonly tenantServiceAccountEmails: pulumi.Output<Record<string, string>>;
    /** The IAM member holding the grants, per controller name and tenant `<namespace>/<serviceAccount>`. */
    declare public readonly principals: pulumi.Output<Record<string, string>>;
    /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`; empty on GKE. */
    declare public readonly workloadIdentityProvider: pulumi.Output<string>;
    /** The Flux side as data. */
    declare public readonly patchSet: pulumi.Output<FluxPatchSet>;
    /** flux-system/kustomization.yaml to commit next to gotk-components.yaml. */
    declare public readonly kustomizationYaml: pulumi.Output<string>;
    /** Tenant ServiceAccounts (object level), as a manifest; empty without tenants. */
    declare public readonly tenantServiceAccountsYaml: pulumi.Output<string>;
    /** The same Flux side as a FluxInstance, for Flux installed by the Flux Operator (flux-operator/flux-instance.yaml). */
    declare public readonly fluxInstanceYaml: pulumi.Output<string>;
    /** (Cluster)RoleBindings to apply in remote GKE clusters; empty without remote clusters. */
    declare public readonly remoteClusterRbacYaml: pulumi.Output<string>;
    /** What each Flux object must set (`spec.provider: gcp`, `spec.serviceAccountName`, ...). */
    declare public readonly objectSettings: pulumi.Output<FluxObjectSetting[]>;
    /** The roles/iam.workloadIdentityUser members brought GSAs hold (flux-identity writes them), for their owners to check. */
    declare public readonly broughtIdentities: pulumi.Output<BroughtIdentityRequirement[]>;
    /** Things to do or know that the component cannot do itself. */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: GcpFluxIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const prepared = prepare(args);
        const { shape } = prepared;
        const resources = describeGcpResources(shape);
        // Only creating needs @pulumi/gcp: a plan that creates nothing neither requires it installed nor pays its load.
        const sdk = resources.length > 0 ? gcpSdk() : undefined;
        super(GCP_FLUX_IDENTITY_TYPE, name, {}, opts);
        const described = prepared.plan?.apply(describeGcpResources);

        // Principals and audiences are built from projectNumber: a wrong number would never match, silently.
        // Every other resource depends on the roots, so holding the roots until the check passes holds everything.
        const gate = sdk ? verifyProjectNumber(sdk, shape.projectId, shape.projectNumber, this).apply((): pulumi.Resource[] => []) : undefined;
        const created = sdk ? createPlannedChildren({ parent: this, prefix: name, resources, described, factories: sdk.GCP_FACTORIES, gate }) : new Map<string, pulumi.CustomResource>();

        // The result waits for the GSAs and the provider it names.
        const provider = created.get(PROVIDER_LOGICAL_NAME) as gcp.iam.WorkloadIdentityPoolProvider | undefined;
        const awaited = pulumi.all([...shape.serviceAccounts.map((sa) => (created.get(sa.logicalName) as gcp.serviceaccount.Account).email), ...(provider ? [provider.name] : [])]);
        let result: pulumi.Output<GcpFluxIdentityResult>;
        if (prepared.plan) {
            result = pulumi.all([prepared.plan, awaited]).apply(([plan]) => gcpFluxIdentityResult(plan));
        } else {
            const known = gcpFluxIdentityResult(shape);
            result = awaited.apply(() => known);
        }
        defineLazyOutputs(this, result, RESULT_KEYS);
        // State records what users read back; the patch set and object settings stay in-program data
        // (derivable from the plan, and large).
        this.registerOutputs(
            result.apply((r) => ({
                serviceAccountEmails: r.serviceAccountEmails,
                tenantServiceAccountEmails: r.tenantServiceAccountEmails,
                principals: r.principals,
                workloadIdentityProvider: r.workloadIdentityProvider,
                kustomizationYaml: r.kustomizationYaml,
                tenantServiceAccountsYaml: r.tenantServiceAccountsYaml,
                fluxInstanceYaml: r.fluxInstanceYaml,
                remoteClusterRbacYaml: r.remoteClusterRbacYaml,
                broughtIdentities: r.broughtIdentities,
                warnings: r.warnings,
            })),
        );
    }
}

/** Resolves once GCP reports `projectNumber` for `projectId`; rejects otherwise. */
function verifyProjectNumber(sdk: typeof import("./sdk"), projectId: string, projectNumber: string, parent: pulumi.Resource): pulumi.Output<true> {
    return sdk.gcpProject(projectId, parent).apply((project) => {
        if (typeof project?.number !== "string") throw unansweredInvoke(FLUX_IDENTITY_INVOKES.gcpProject, "number");
        if (project.number !== projectNumber) {
            throw new FluxIdentityValidationError([
                {
                    path: "projectNumber",
                    message: `project ${projectId} has number ${project.number}, but projectNumber is ${projectNumber}; principals and token audiences built from it would never match.`,
                    fix: `set projectNumber: "${project.number}", or correct projectId.`,
                },
            ]);
        }
        return true as const;
    });
}
