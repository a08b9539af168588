/**
 * One source cluster and all its targets, planned together: the per-cloud plans, one merged patch set,
 * the kustomization.yaml, and the plan document `render` writes. Pure.
 */

import { BroughtIdentityRequirement } from "../core/brought";
import { ResolvedSourceCluster, SourceCluster } from "../core/cluster";
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
import { FluxVersion, checkFluxVersion } from "../flux/version";
import { KubernetesPlan, planKubernetes } from "../kubernetes/plan";
import { kubernetesFluxPatchSet } from "../kubernetes/patches";
import { KubernetesTargetSpec } from "../kubernetes/spec";
import { VaultPlan, planVault } from "../vault/plan";
import { vaultFluxPatchSet } from "../vault/patches";
import { describeVaultResources } from "../vault/resources";
import { VaultTargetSpec } from "../vault/spec";
import { withArticle } from "../core/articles";

export const PLAN_API_VERSION = "flux-identity/v1alpha1";

/** Flux installation settings of a cluster. */
export interface FluxSettings {
    /** Namespace Flux runs in. Default flux-system. */
    namespace?: string;
    /**
     * The Flux minor version the cluster runs, as `"major.minor"` (`"2.10"`; a patch release such as
     * `"2.9.4"` names its minor). It decides the object-level feature gate (2.6 to 2.9), the token RBAC
     * and which lockdown flags exist. Default the newest supported minor.
     */
    version?: string;
    /** Multi-tenancy lockdown flags for the controllers (Flux's multi-tenancy lockdown). */
    lockdown?: FluxLockdownOptions;
}

/** A source cluster with the targets it reaches. */
export interface ClusterSpec extends SourceCluster {
    flux?: FluxSettings;
    aws?: AwsTargetSpec;
    azure?: AzureTargetSpec;
    gcp?: GcpTargetSpec;
    /** Remote Kubernetes clusters whose API servers trust this cluster's issuer (kubeConfig provider: generic). */
    kubernetes?: KubernetesTargetSpec;
    /** Vault or OpenBao transit keys for SOPS, logged in with ServiceAccount tokens. */
    vault?: VaultTargetSpec;
}

export interface ClusterPlan {
    name: string;
    fluxNamespace: string;
    /** The Flux minor version the Flux side is rendered for. */
    fluxVersion: FluxVersion;
    aws?: AwsPlan;
    azure?: AzurePlan;
    /** Azure DevOps onboarding, with placeholders for the IDs of identities not created yet. */
    azureDevOpsOnboarding?: AzureDevOpsOnboarding[];
    gcp?: GcpPlan;
    kubernetes?: KubernetesPlan;
    vault?: VaultPlan;
    patchSet: FluxPatchSet;
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    tenantRbacYaml: string;
    /** The same Flux side for clusters whose Flux the Flux Operator installs: a FluxInstance (see flux/flux-instance.ts). */
    fluxInstanceYaml: string;
    /** Example Flux objects showing each setting's provider and ServiceAccount. */
    fluxObjectsYaml: string;
    objectSettings: FluxObjectSetting[];
    /** What must exist on each cloud's side for the identities flux-identity does not own. */
    broughtIdentities: BroughtIdentityRequirement[];
    warnings: string[];
}

const TARGETS = ["aws", "azure", "gcp", "kubernetes", "vault"] as const;

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
        issues.addAt(path, `cluster ${JSON.stringify(spec.name)} has no target cloud.`, `add ${withArticle(`${TARGETS.slice(0, -1).join(", ")} or ${TARGETS[TARGETS.length - 1]} section`)} saying what Flux must reach.`);
        issues.throwIfAny();
    }
    const cluster: SourceCluster = { name: spec.name, type: spec.type, issuerUrl: spec.issuerUrl };
    if (spec.eksClusterName !== undefined) cluster.eksClusterName = spec.eksClusterName;
    const fluxNamespace = spec.flux?.namespace ?? DEFAULT_FLUX_NAMESPACE;
    const fluxVersionInput = spec.flux?.version;
    const versionPath = at("flux.version");

    const collected: ValidationIssue[] = [];
    // Every target is planned even when another fails, so one run reports every target's problems.
    const attempt = <T>(plan: () => T): T | undefined => {
        try {
            return plan();
        } catch (err) {
            if (!(err instanceof FluxIdentityValidationError)) throw err;
            collected.push(...err.issues);
            return undefined;
        }
    };
    const paths = { cluster: path, namespace: at("flux.namespace"), version: versionPath };
    const aws: AwsPlan | undefined =
        spec.aws === undefined
            ? undefined
            : attempt(() =>
                  planAws(
                      { cluster, fluxNamespace, fluxVersion: fluxVersionInput, aws: spec.aws as AwsTargetSpec },
                      { paths: { ...paths, aws: at("aws") }, pending: { issuerUrl: pending.issuerUrl, eksClusterName: pending.eksClusterName, oidcProviderArn: pending.awsOidcProviderArn } },
                  ),
              );
    const azure: AzurePlan | undefined =
        spec.azure === undefined
            ? undefined
            : attempt(() =>
                  planAzure({ cluster, fluxNamespace, fluxVersion: fluxVersionInput, azure: spec.azure as AzureTargetSpec }, { paths: { ...paths, azure: at("azure") }, pendingIssuer: pending.issuerUrl }),
              );
    const gcp: GcpPlan | undefined =
        spec.gcp === undefined
            ? undefined
            : attempt(() => planGcp({ cluster, fluxNamespace, fluxVersion: fluxVersionInput, gcp: spec.gcp as GcpTargetSpec }, { paths: { ...paths, gcp: at("gcp") }, pending: { issuerUrl: pending.issuerUrl } }));
    const kubernetes: KubernetesPlan | undefined =
        spec.kubernetes === undefined
            ? undefined
            : attempt(() =>
                  planKubernetes(
                      { cluster, fluxNamespace, fluxVersion: fluxVersionInput, kubernetes: spec.kubernetes as KubernetesTargetSpec },
                      { paths: { ...paths, kubernetes: at("kubernetes") }, pending: { issuerUrl: pending.issuerUrl } },
                  ),
              );
    const vault: VaultPlan | undefined =
        spec.vault === undefined
            ? undefined
            : attempt(() =>
                  planVault({ cluster, fluxNamespace, fluxVersion: fluxVersionInput, vault: spec.vault as VaultTargetSpec }, { paths: { ...paths, vault: at("vault") }, pending: { issuerUrl: pending.issuerUrl } }),
              );
    // Reported once here too, for a cluster whose targets all failed before reaching the version.
    const vi = Issues.root(versionPath);
    const fluxVersion = checkFluxVersion(fluxVersionInput, vi, undefined);
    collected.push(...vi.list);
    let lockdown: FluxLockdownOptions | undefined;
    if (spec.flux?.lockdown !== undefined) {
        const li = Issues.root(at("flux.lockdown"));
        lockdown = checkLockdown(spec.flux.lockdown, li, vi.count === 0 ? fluxVersion : undefined);
        collected.push(...li.list);
    }
    if (collected.length > 0) {
        throw new FluxIdentityValidationError(dedupeIssues(collected));
    }

    const patchSets: FluxPatchSet[] = [];
    if (aws) patchSets.push(awsFluxPatchSet(aws));
    if (azure) patchSets.push(azureFluxPatchSet(azure));
    if (gcp) patchSets.push(gcpFluxPatchSet(gcp));
    if (kubernetes) patchSets.push(kubernetesFluxPatchSet(kubernetes));
    if (vault) patchSets.push(vaultFluxPatchSet(vault));
    const objectSettings = [...(aws?.objectSettings ?? []), ...(azure?.objectSettings ?? []), ...(gcp?.objectSettings ?? []), ...(kubernetes?.objectSettings ?? []), ...(vault?.objectSettings ?? [])];
    const { lockdownWarnings, ...side } = composeFluxSide(patchSets, { path, lockdown, objectSettings, fluxVersion, clusterType: spec.type });
    const plan: ClusterPlan = {
        name: spec.name,
        fluxNamespace,
        fluxVersion,
        ...side,
        objectSettings,
        broughtIdentities: [...(aws?.broughtIdentities ?? []), ...(azure?.broughtIdentities ?? []), ...(gcp?.broughtIdentities ?? [])],
        warnings: [...(aws?.warnings ?? []), ...(azure?.warnings ?? []), ...(gcp?.warnings ?? []), ...(kubernetes?.warnings ?? []), ...(vault?.warnings ?? []), ...lockdownWarnings],
    };
    if (aws) plan.aws = aws;
    if (azure) plan.azure = azure;
    if (azure) plan.azureDevOpsOnboarding = azureDevOpsOnboardings(azure);
    if (gcp) plan.gcp = gcp;
    if (kubernetes) plan.kubernetes = kubernetes;
    if (vault) plan.vault = vault;
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
    /** `eksClusterName`: EKS clusters' name in EKS, which Pod Identity associations and access entries name. */
    cluster: { name: string; type: string; issuerUrl: string; eksClusterName?: string };
    /** `version` is the Flux minor the side was rendered for (`"2.10"`): it decides which auth code judges it. */
    flux: { namespace: string; version: FluxVersion; patchSet: FluxPatchSet; objectSettings: FluxObjectSetting[] };
    aws?: {
        partition: string;
        accountId: string;
        region: string;
        authMethod: string;
        roleLayout: string;
        /** The STS endpoint Flux's token exchanges use, when not the regional public one (a VPC endpoint, FIPS). */
        stsEndpoint?: string;
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
    /** Remote clusters over OIDC: nothing is created; the remote side is manifests for their owners. */
    kubernetes?: {
        usernamePrefix: string;
        identities: Array<{ key: string; subject: string; userName: string }>;
        /** Per remote cluster, what each user must be able to do there (`access`: a ClusterRole, cluster-wide or in namespaces, for those kinds). */
        remoteClusters: Array<{ name: string; address: string; audiences: string[]; users: string[]; access: Array<{ user: string; clusterRole: string; namespaces: string[]; kinds: string[] }> }>;
        /** AuthenticationConfiguration documents for the remote kube-apiservers (--authentication-config). */
        authenticationConfigurationYaml: string;
        /** RBAC manifests to apply in the remote clusters. */
        remoteClusterRbacYaml: string;
        warnings: string[];
    };
    vault?: {
        address: string;
        namespace?: string;
        loginPath: string;
        identities: Array<{ key: string; roleName: string; subject: string; policyName: string; decryptPaths: string[] }>;
        resources: PlannedResource[];
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
    const resolved = (aws ?? plan.azure ?? plan.gcp ?? plan.kubernetes ?? plan.vault)?.cluster;
    const doc: ClusterPlanDocument = {
        apiVersion: PLAN_API_VERSION,
        kind: "ClusterPlan",
        cluster: resolved ? clusterDocument(resolved) : { name: plan.name, type: "", issuerUrl: "" },
        flux: { namespace: plan.fluxNamespace, version: plan.fluxVersion, patchSet: plan.patchSet, objectSettings: plan.objectSettings },
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
            ...(aws.stsEndpoint === undefined ? {} : { stsEndpoint: aws.stsEndpoint }),
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
    const k = plan.kubernetes;
    if (k) {
        doc.kubernetes = {
            usernamePrefix: k.usernamePrefix,
            identities: k.identities.map((i) => ({ key: i.key, subject: i.subject, userName: i.userName })),
            remoteClusters: k.remoteClusters.map((r) => ({
                name: r.name,
                address: r.address,
                audiences: [...r.audiences],
                users: r.bindings.map((b) => b.userName),
                access: r.bindings.map((b) => ({ user: b.userName, clusterRole: b.clusterRole, namespaces: [...b.namespaces], kinds: [...b.kinds] })),
            })),
            authenticationConfigurationYaml: k.authenticationConfigurationYaml,
            remoteClusterRbacYaml: k.remoteClusterRbacYaml,
            warnings: k.warnings,
        };
    }
    const v = plan.vault;
    if (v) {
        doc.vault = {
            address: v.address,
            ...(v.namespace !== undefined ? { namespace: v.namespace } : {}),
            loginPath: v.jwtAuth.loginPath,
            identities: v.identities.map((i) => ({ key: i.key, roleName: i.roleName, subject: i.subject, policyName: i.policyName, decryptPaths: [...i.decryptPaths] })),
            resources: describeVaultResources(v),
            warnings: v.warnings,
        };
    }
    return doc;
}

function clusterDocument(c: ResolvedSourceCluster): ClusterPlanDocument["cluster"] {
    const out: ClusterPlanDocument["cluster"] = { name: c.name, type: c.type, issuerUrl: c.issuerUrl };
    if (c.eks) out.eksClusterName = c.eks.clusterName;
    return out;
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
