/**
 * One source cluster and all its targets, planned together: the per-cloud plans, one merged patch set,
 * the kustomization.yaml, and the plan document `render` writes. Pure.
 */

import { BroughtIdentityRequirement } from "../core/brought";
import { SourceCluster } from "../core/cluster";
import { FluxIdentityValidationError, Issues, ValidationIssue } from "../core/errors";
import { FluxPatchSet } from "../core/patch";
import { AwsPlan, DEFAULT_FLUX_NAMESPACE, planAws } from "../aws/plan";
import { awsFluxPatchSet } from "../aws/patches";
import { describeAwsResources } from "../aws/resources";
import { PlannedResource } from "../core/resources";
import { AwsTargetSpec } from "../aws/spec";
import { AzurePlan, planAzure } from "../azure/plan";
import { describeAzureResources } from "../azure/resources";
import { AzureDevOpsOnboarding } from "../azure/devops";
import { azureFluxPatchSet } from "../azure/patches";
import { azureDevOpsOnboardings } from "../azure/result";
import { AzureTargetSpec } from "../azure/spec";
import { composeFluxSide } from "../flux/flux-side";
import { FluxLockdownOptions, checkLockdown } from "../flux/lockdown";
import { gcpFluxPatchSet } from "../gcp/patches";
import { GcpPlan, planGcp, plannedPrincipals } from "../gcp/plan";
import { describeGcpResources } from "../gcp/resources";
import { GcpTargetSpec } from "../gcp/spec";
import { FluxObjectSetting } from "../flux/objects";

export const PLAN_API_VERSION = "flux-identity/v1alpha1";

/** Flux installation settings of a cluster. */
export interface FluxSettings {
    /** Namespace Flux runs in. Default flux-system. */
    namespace?: string;
    /** Multi-tenancy lockdown flags for the controllers (Flux's multi-tenancy lockdown). */
    lockdown?: FluxLockdownOptions;
}

/** A source cluster with the targets it reaches. */
export interface ClusterSpec extends SourceCluster {
    flux?: FluxSettings;
    aws?: AwsTargetSpec;
    azure?: AzureTargetSpec;
    gcp?: GcpTargetSpec;
}

export interface ClusterPlan {
    name: string;
    fluxNamespace: string;
    aws?: AwsPlan;
    azure?: AzurePlan;
    /** Azure DevOps onboarding, with placeholders for the IDs of identities not created yet. */
    azureDevOpsOnboarding?: AzureDevOpsOnboarding[];
    gcp?: GcpPlan;
    patchSet: FluxPatchSet;
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    tenantRbacYaml: string;
    /** Example Flux objects showing each setting's provider and ServiceAccount. */
    fluxObjectsYaml: string;
    objectSettings: FluxObjectSetting[];
    /** What must exist on each cloud's side for the identities flux-identity does not own. */
    broughtIdentities: BroughtIdentityRequirement[];
    warnings: string[];
}

const TARGETS = ["aws", "azure", "gcp"] as const;

/** Cluster values that are not known yet (Pulumi outputs): planned with placeholders, for shape and validation. */
export interface PendingClusterValues {
    issuerUrl?: boolean;
    eksClusterName?: boolean;
    awsOidcProviderArn?: boolean;
}

/** Plans a cluster; `path` is where it sits in the user's document (`clusters[3]`). */
export function planCluster(spec: ClusterSpec, path = "", pending: PendingClusterValues = {}): ClusterPlan {
    const at = (field: string) => (path ? `${path}.${field}` : field);
    const issues = Issues.root();
    if (!TARGETS.some((t) => spec[t] !== undefined)) {
        issues.addAt(path, `cluster ${JSON.stringify(spec.name)} has no target cloud.`, `add an ${TARGETS.join(", ")} section saying what Flux must reach.`);
        issues.throwIfAny();
    }
    const cluster: SourceCluster = { name: spec.name, type: spec.type, issuerUrl: spec.issuerUrl };
    if (spec.eksClusterName !== undefined) cluster.eksClusterName = spec.eksClusterName;
    const fluxNamespace = spec.flux?.namespace ?? DEFAULT_FLUX_NAMESPACE;

    const collected: ValidationIssue[] = [];
    let aws: AwsPlan | undefined;
    if (spec.aws !== undefined) {
        try {
            aws = planAws(
                { cluster, fluxNamespace, aws: spec.aws },
                { paths: { cluster: path, namespace: at("flux.namespace"), aws: at("aws") }, pending: { issuerUrl: pending.issuerUrl, eksClusterName: pending.eksClusterName, oidcProviderArn: pending.awsOidcProviderArn } },
            );
        } catch (err) {
            if (!(err instanceof FluxIdentityValidationError)) throw err;
            collected.push(...err.issues);
        }
    }
    let azure: AzurePlan | undefined;
    if (spec.azure !== undefined) {
        try {
            azure = planAzure({ cluster, fluxNamespace, azure: spec.azure }, { paths: { cluster: path, namespace: at("flux.namespace"), azure: at("azure") }, pendingIssuer: pending.issuerUrl });
        } catch (err) {
            if (!(err instanceof FluxIdentityValidationError)) throw err;
            collected.push(...err.issues);
        }
    }
    let gcp: GcpPlan | undefined;
    if (spec.gcp !== undefined) {
        try {
            gcp = planGcp({ cluster, fluxNamespace, gcp: spec.gcp }, { paths: { cluster: path, namespace: at("flux.namespace"), gcp: at("gcp") }, pending: { issuerUrl: pending.issuerUrl } });
        } catch (err) {
            if (!(err instanceof FluxIdentityValidationError)) throw err;
            collected.push(...err.issues);
        }
    }
    let lockdown: FluxLockdownOptions | undefined;
    if (spec.flux?.lockdown !== undefined) {
        const li = Issues.root(at("flux.lockdown"));
        lockdown = checkLockdown(spec.flux.lockdown, li);
        collected.push(...li.list);
    }
    if (collected.length > 0) {
        throw new FluxIdentityValidationError(dedupeIssues(collected));
    }

    const patchSets: FluxPatchSet[] = [];
    if (aws) patchSets.push(awsFluxPatchSet(aws));
    if (azure) patchSets.push(azureFluxPatchSet(azure));
    if (gcp) patchSets.push(gcpFluxPatchSet(gcp));
    const objectSettings = [...(aws?.objectSettings ?? []), ...(azure?.objectSettings ?? []), ...(gcp?.objectSettings ?? [])];
    const { lockdownWarnings, ...side } = composeFluxSide(patchSets, { path, lockdown, objectSettings });
    const plan: ClusterPlan = {
        name: spec.name,
        fluxNamespace,
        ...side,
        objectSettings,
        broughtIdentities: [...(aws?.broughtIdentities ?? []), ...(azure?.broughtIdentities ?? []), ...(gcp?.broughtIdentities ?? [])],
        warnings: [...(aws?.warnings ?? []), ...(azure?.warnings ?? []), ...(gcp?.warnings ?? []), ...lockdownWarnings],
    };
    if (aws) plan.aws = aws;
    if (azure) plan.azure = azure;
    if (azure) plan.azureDevOpsOnboarding = azureDevOpsOnboardings(azure);
    if (gcp) plan.gcp = gcp;
    return plan;
}

/** Cluster-level problems (a bad issuer) are reported once, not once per target. */
function dedupeIssues(issues: ValidationIssue[]): ValidationIssue[] {
    const seen = new Set<string>();
    return issues.filter((i) => {
        const key = `${i.path}\n${i.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

export interface IdentityDocument {
    key: string;
    created: boolean;
    roleArn: string;
    controllers: string[];
    tenant?: string;
}

/** plan.json: every cloud resource `up` would create, with its policy documents, and the Flux side. */
export interface ClusterPlanDocument {
    apiVersion: string;
    kind: "ClusterPlan";
    cluster: { name: string; type: string; issuerUrl: string };
    flux: { namespace: string; patchSet: FluxPatchSet; objectSettings: FluxObjectSetting[] };
    aws?: {
        partition: string;
        accountId: string;
        region: string;
        authMethod: string;
        roleLayout: string;
        identities: IdentityDocument[];
        resources: PlannedResource[];
        /** Resources the user must create elsewhere (for example access entries in another account). */
        external: PlannedResource[];
        /** What must exist for the roles flux-identity does not own (brought and Pod Identity target roles). */
        broughtIdentities: BroughtIdentityRequirement[];
        warnings: string[];
    };
    azure?: {
        tenantId: string;
        subscriptionId: string;
        resourceGroupName: string;
        location: string;
        cloud: string;
        identityLayout: string;
        identities: AzureIdentityDocument[];
        resources: PlannedResource[];
        azureDevOpsOnboarding: AzureDevOpsOnboarding[];
        /** The federated credentials brought identities must hold. */
        broughtIdentities: BroughtIdentityRequirement[];
        warnings: string[];
    };
    gcp?: {
        projectId: string;
        projectNumber: string;
        authMode: string;
        workloadIdentityProvider: string;
        identities: GcpPlan["identities"];
        principals: Record<string, string>;
        resources: PlannedResource[];
        /** RBAC manifests to apply in remote GKE clusters. */
        remoteClusterRbacYaml: string;
        /** The roles/iam.workloadIdentityUser members brought GSAs must hold. */
        broughtIdentities: BroughtIdentityRequirement[];
        warnings: string[];
    };
    warnings: string[];
}

export interface AzureIdentityDocument {
    key: string;
    created: boolean;
    /** Managed identity name (created) or client ID (brought). */
    name?: string;
    clientId?: string;
    controllers: string[];
    tenants: string[];
}

export function clusterPlanDocument(plan: ClusterPlan): ClusterPlanDocument {
    const aws = plan.aws;
    const resolved = (aws ?? plan.azure ?? plan.gcp)?.cluster;
    const doc: ClusterPlanDocument = {
        apiVersion: PLAN_API_VERSION,
        kind: "ClusterPlan",
        cluster: resolved ? { name: resolved.name, type: resolved.type, issuerUrl: resolved.issuerUrl } : { name: plan.name, type: "", issuerUrl: "" },
        flux: { namespace: plan.fluxNamespace, patchSet: plan.patchSet, objectSettings: plan.objectSettings },
        warnings: plan.warnings,
    };
    if (aws) {
        const identities: IdentityDocument[] = [
            ...aws.roles.map((r) => identity(r.key, true, r.arn, r.serves.controllers, r.serves.tenant)),
            ...aws.existingRoles.map((r) => identity(r.key, false, r.arn, r.serves.controllers, r.serves.tenant)),
        ];
        doc.aws = {
            partition: aws.partition,
            accountId: aws.accountId,
            region: aws.region,
            authMethod: aws.authMethod,
            roleLayout: aws.roleLayout,
            identities,
            resources: describeAwsResources(aws),
            external: externalAwsResources(aws),
            broughtIdentities: aws.broughtIdentities,
            warnings: aws.warnings,
        };
    }
    const azure = plan.azure;
    if (azure && plan.azureDevOpsOnboarding) {
        doc.azure = {
            tenantId: azure.tenantId,
            subscriptionId: azure.subscriptionId,
            resourceGroupName: azure.resourceGroupName,
            location: azure.location,
            cloud: azure.cloud,
            identityLayout: azure.identityLayout,
            identities: [
                ...azure.identities.map((i) => ({ key: i.key, created: true, name: i.name, controllers: [...i.serves.controllers], tenants: i.serves.tenants.map((t) => `${t.namespace}/${t.name}`) })),
                ...azure.existingIdentities.map((i) => ({ key: i.key, created: false, clientId: i.clientId, controllers: [...i.serves.controllers], tenants: i.serves.tenants.map((t) => `${t.namespace}/${t.name}`) })),
            ],
            resources: describeAzureResources(azure),
            azureDevOpsOnboarding: plan.azureDevOpsOnboarding,
            broughtIdentities: azure.broughtIdentities,
            warnings: azure.warnings,
        };
    }
    const gcp = plan.gcp;
    if (gcp) {
        doc.gcp = {
            projectId: gcp.projectId,
            projectNumber: gcp.projectNumber,
            authMode: gcp.authMode,
            workloadIdentityProvider: gcp.workloadIdentityPool?.providerName ?? "",
            identities: gcp.identities,
            principals: plannedPrincipals(gcp).principals,
            resources: describeGcpResources(gcp),
            remoteClusterRbacYaml: gcp.remoteClusterRbacYaml,
            broughtIdentities: gcp.broughtIdentities,
            warnings: gcp.warnings,
        };
    }
    return doc;
}

function identity(key: string, created: boolean, roleArn: string, controllers: string[], tenant?: { namespace: string; name: string }): IdentityDocument {
    const out: IdentityDocument = { key, created, roleArn, controllers: [...controllers] };
    if (tenant) out.tenant = `${tenant.namespace}/${tenant.name}`;
    return out;
}

/** Access entries with createAccessEntry: false, described like created ones so users can apply them. */
function externalAwsResources(aws: AwsPlan): PlannedResource[] {
    const external = aws.accessEntries.filter((e) => !e.create);
    if (external.length === 0) return [];
    const asCreated = describeAwsResources({ ...aws, accessEntries: external.map((e) => ({ ...e, create: true })), oidcProvider: undefined, podIdentityAssociations: [], resourcePolicies: [] });
    return asCreated.filter((r) => r.type.startsWith("aws:eks/access"));
}

export function planJson(doc: ClusterPlanDocument): string {
    return JSON.stringify(doc, null, 2) + "\n";
}
