/**
 * One EKS cluster shared by two tenants, each with its own identities (object-level workload identity):
 *   team-a pulls OCI artifacts from its ECR repositories (AWS) and its Artifact Registry repository (GCP);
 *   team-b decrypts SOPS secrets with its Key Vault (Azure).
 * Each tenant ServiceAccount gets its own role, managed identity or principal, trusted for that
 * ServiceAccount only; the controllers themselves get no cloud access. On Flux 2.6 to 2.9 (config
 * `fluxVersion`) only the controllers serving the tenants' kinds get the ObjectLevelWorkloadIdentity feature
 * gate; Flux 2.10, the default, retired it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { FluxWorkloadIdentity } from "flux-identity";
import { FluxWorkloadIdentity } from "../../provider/src/workload-identity";
// In your own project: import { FluxKind, SourceClusterType } from "flux-identity/core";
import { FluxKind, SourceClusterType } from "../../provider/src/core";

const config = new pulumi.Config();
const clusterName = config.require("clusterName");
const eks = aws.eks.getClusterOutput({ name: clusterName });

// The tenant namespaces and the ServiceAccount each tenant's Flux objects name, one per cloud.
const teamA = config.get("teamANamespace") ?? "team-a";
const teamB = config.get("teamBNamespace") ?? "team-b";

// Plain values shape every identity and grant; the whole cluster is validated before anything is created.
const flux = new FluxWorkloadIdentity("flux", {
    cluster: { name: clusterName, type: SourceClusterType.Eks, issuerUrl: eks.identities[0].oidcs[0].issuer },
    // The Flux minor the cluster runs ("2.10" when unset): decides the feature gate and the token RBAC.
    fluxVersion: config.get("fluxVersion"),
    aws: {
        accountId: config.require("awsAccountId"),
        region: config.require("awsRegion"),
        oidcProviderArn: config.get("awsOidcProviderArn"),
        tenants: [
            {
                namespace: teamA,
                serviceAccount: "flux-aws",
                access: { ecr: [{ repositoryArns: [config.require("teamAEcrRepositoryArn")], usedBy: [FluxKind.OCIRepository] }] },
            },
        ],
    },
    gcp: {
        projectId: config.require("gcpProjectId"),
        projectNumber: config.require("gcpProjectNumber"),
        tenants: [
            {
                namespace: teamA,
                serviceAccount: "flux-gcp",
                access: { gar: [{ repositories: [config.require("teamAGarRepository")], usedBy: [FluxKind.OCIRepository] }] },
            },
        ],
    },
    azure: {
        tenantId: config.require("azureTenantId"),
        subscriptionId: config.require("azureSubscriptionId"),
        resourceGroupName: config.require("azureIdentityResourceGroup"),
        location: config.require("azureLocation"),
        tenants: [
            {
                namespace: teamB,
                serviceAccount: "flux-azure",
                access: { keyVault: [{ scopes: [config.require("teamBKeyVaultId")] }] },
            },
        ],
    },
    // Tenants' objects may only reference their own namespace, and overlays only local files.
    lockdown: { noCrossNamespaceRefs: true, noRemoteBases: true },
});

/** Commit this as clusters/<name>/flux-system/kustomization.yaml: the lockdown flags (and before Flux 2.10 the gate). */
export const kustomizationYaml = flux.kustomizationYaml;
/** The same for a Flux installed by the Flux Operator: merge into the cluster's FluxInstance. */
export const fluxInstanceYaml = flux.fluxInstanceYaml;
/** The tenant ServiceAccounts, annotated with their identities: commit them to the platform repository. */
export const tenantServiceAccountsYaml = flux.tenantServiceAccountsYaml;
/** Lets the serving controllers create the tenant ServiceAccounts' tokens: commit next to them. */
export const tenantRbacYaml = flux.tenantRbacYaml;
/** What each tenant's Flux objects set (`spec.provider`, `spec.serviceAccountName`, ...). */
export const objectSettings = flux.objectSettings;
/** Example Flux objects per tenant (provider and serviceAccountName set), validated against Flux's CRDs. */
export const fluxObjectsYaml = flux.fluxObjectsYaml;
export const awsTenantRoleArns = flux.targets().aws?.tenantRoleArns;
export const azureTenantClientIds = flux.targets().azure?.tenantClientIds;
export const gcpPrincipals = flux.targets().gcp?.principals;
export const notes = flux.warnings;
