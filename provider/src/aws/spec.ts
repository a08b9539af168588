/**
 * What a user states about AWS: which AWS resources Flux must reach, for which Flux kinds, at controller
 * level or per tenant, and how the IAM roles should look. Plain data: the same shapes serve the fleet
 * spec file, the component's arguments and the pure planner.
 *
 * These types avoid unions and intersections so Pulumi's schema inference can publish them to Python,
 * Go and .NET users.
 */

import { FluxKind } from "../core/catalog";

/** How Flux's ServiceAccounts obtain AWS credentials. */
export enum AwsAuthMethod {
    /** OIDC federation (IRSA on EKS): works on every cluster type, at controller and object level. */
    Irsa = "irsa",
    /** EKS Pod Identity: EKS only, controller level only. */
    PodIdentity = "podIdentity",
}

/** How many IAM roles the controllers get. */
export enum AwsRoleLayout {
    /** One role per controller, each with only what that controller's kinds need (the default). */
    PerController = "perController",
    /** One role trusted by every controller that needs AWS, with the union of their grants. */
    Shared = "shared",
}

/** Scope of an EKS access policy association. */
export enum EksAccessScope {
    Cluster = "cluster",
    Namespace = "namespace",
}

/** Private ECR repositories (OCIRepository, HelmRepository of type oci, ImageRepository). */
export interface AwsEcrAccess {
    /** Repository ARNs; `*` may appear in the repository name (`repository/team-a/*`). */
    repositoryArns: string[];
    /** Flux kinds that pull from these repositories. Default: OCIRepository. */
    usedBy?: FluxKind[];
    /**
     * Also write each repository's ECR repository policy granting the roles read access. Needed when the
     * repository is in another account. REPLACES the repository's entire policy: any statement not
     * written by flux-identity is removed. Off by default.
     */
    writeRepositoryPolicy?: boolean;
}

/** Amazon ECR Public (authenticated pulls get higher rate limits). */
export interface AwsEcrPublicAccess {
    /** Flux kinds that pull from public ECR. Default: OCIRepository. */
    usedBy?: FluxKind[];
}

/** S3 buckets (Bucket). */
export interface AwsS3Access {
    /** Bucket ARNs, `arn:aws:s3:::<bucket>`. */
    bucketArns: string[];
    /** Default: Bucket. */
    usedBy?: FluxKind[];
    /**
     * Also write each bucket's bucket policy granting the roles read access. REPLACES the bucket's entire
     * policy. Off by default.
     */
    writeBucketPolicy?: boolean;
}

/** KMS keys for SOPS decryption (Kustomization). */
export interface AwsKmsAccess {
    /** Key ARNs (not aliases): `arn:aws:kms:<region>:<account>:key/<id>`. */
    keyArns: string[];
    /** Default: Kustomization. */
    usedBy?: FluxKind[];
    /**
     * Also write each key's key policy (keeping the account root statement so the key stays manageable)
     * granting the roles decrypt. Needed for keys whose policy does not enable IAM policies. REPLACES the
     * key's entire policy. Off by default.
     */
    writeKeyPolicy?: boolean;
}

/** An EKS access policy to associate with the role's access entry. */
export interface AwsEksAccessPolicy {
    /** Policy name (`AmazonEKSEditPolicy`) or full cluster access policy ARN. */
    policy: string;
    /** `cluster` or `namespace`. */
    scope: EksAccessScope;
    /** Namespaces, required for namespace scope. */
    namespaces?: string[];
}

/** A remote EKS cluster that Kustomizations or HelmReleases apply to. */
export interface AwsEksAccess {
    clusterArn: string;
    /** Kustomization and/or HelmRelease. Default: Kustomization. */
    usedBy?: FluxKind[];
    /** Kubernetes groups of the access entry, to bind with RoleBindings in the remote cluster. */
    kubernetesGroups?: string[];
    /** Kubernetes user name of the access entry. Default: chosen by EKS from the role ARN. */
    userName?: string;
    /** EKS access policies to associate with the access entry. */
    accessPolicies?: AwsEksAccessPolicy[];
    /**
     * Create the EKS access entry (and access policy associations). Default true. Set false when the
     * remote cluster is in another account; plan.json then lists what to create there.
     */
    createAccessEntry?: boolean;
    /**
     * The API server address for the kubeConfig ConfigMap (`address`). With `caCert` too, Flux reaches
     * the cluster without looking it up in the cloud API, so a private endpoint or proxy can be used and
     * the lookup permission is not granted. Alone, it must be the address the cloud reports (Flux compares it with the cluster's endpoint).
     */
    address?: string;
    /** PEM CA certificates of the API server, rendered as the ConfigMap's `ca.crt`. */
    caCert?: string;
}

/** CodeCommit repositories (GitRepository pulls; ImageUpdateAutomation pulls and pushes). */
export interface AwsCodeCommitAccess {
    repositoryArns: string[];
    /** GitRepository and/or ImageUpdateAutomation. Default: GitRepository. */
    usedBy?: FluxKind[];
}

/** Everything Flux must reach in AWS, grouped by service. */
export interface AwsAccess {
    ecr?: AwsEcrAccess[];
    ecrPublic?: AwsEcrPublicAccess;
    s3?: AwsS3Access[];
    kms?: AwsKmsAccess[];
    eks?: AwsEksAccess[];
    codecommit?: AwsCodeCommitAccess[];
}

/** An object-level tenant: a ServiceAccount in a tenant namespace with its own role. */
export interface AwsTenant {
    namespace: string;
    serviceAccount: string;
    /** What this tenant's Flux objects reach. Give this or `existingRoleArn`. */
    access?: AwsAccess;
    /** Bring your own role instead: only the ServiceAccount annotation and feature gate are made. */
    existingRoleArn?: string;
    /** With `existingRoleArn`: the Flux kinds the tenant uses, to enable the feature gate on their controllers. */
    usedBy?: FluxKind[];
}

/** AWS target options that are plain values in every form (spec file, component, planner). */
export interface AwsTargetOptions {
    /** The 12-digit account the roles live in. */
    accountId: string;
    /** Region of the STS endpoint (AWS_REGION for non-EKS clusters); decides the partition. */
    region: string;
    /** Default: irsa. */
    authMethod?: AwsAuthMethod;
    /** Default: perController. */
    roleLayout?: AwsRoleLayout;
    /** Prefix of role names. Default `flux-`. */
    namePrefix?: string;
    /** IAM path of the roles. Default `/`. */
    path?: string;
    /** Permissions boundary policy ARN attached to every role created. */
    permissionsBoundaryArn?: string;
    /** Maximum session duration of the roles, 3600 to 43200 seconds. Default 3600. */
    maxSessionDurationSeconds?: number;
    /** Tags added to every taggable resource. */
    tags?: Record<string, string>;
    /** What the controllers reach (controller level). */
    controllers?: AwsAccess;
    /** Object-level tenants. */
    tenants?: AwsTenant[];
    /** Bring your own roles for controllers, keyed by controller name (`source-controller`, ...). */
    existingRoleArns?: Record<string, string>;
    /**
     * Single-tenant shortcut: attach the AWS-managed read-only policies the Flux docs name
     * (AmazonEC2ContainerRegistryReadOnly, AmazonElasticContainerRegistryPublicReadOnly,
     * AmazonS3ReadOnlyAccess) to controller roles instead of least-privilege inline policies. These
     * grant read access to every repository or bucket in the account. Off by default.
     */
    singleTenantManagedPolicies?: boolean;
    /** Create the IAM OIDC provider for the cluster's issuer when `oidcProviderArn` is not given. Default true. */
    createOidcProvider?: boolean;
}

/** The AWS target with every value known. */
export interface AwsTargetSpec extends AwsTargetOptions {
    /**
     * An existing IAM OIDC provider for the cluster's issuer (for example the one eksctl or the EKS module
     * created). An account holds one provider per issuer, so give this when it exists.
     */
    oidcProviderArn?: string;
}
