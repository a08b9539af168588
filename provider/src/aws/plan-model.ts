/** The AWS plan as data: what the planner returns and `render`, the component and the patches read. */

import { BroughtIdentityRequirement } from "../core/brought";
import { FluxController } from "../core/catalog";
import { ResolvedSourceCluster, SourceCluster } from "../core/cluster";
import { DEFAULT_FLUX_NAMESPACE, ServiceAccountRef } from "../core/kubernetes";

export { DEFAULT_FLUX_NAMESPACE };
import { FluxObjectSetting } from "../flux/objects";
import { FluxVersion } from "../flux/version";
import { AwsPartition } from "./partition";
import { PolicyDocument } from "./policy";
import { AwsAuthMethod, AwsRoleLayout, AwsTargetSpec, EksAccessScope } from "./spec";

export const DEFAULT_NAME_PREFIX = "flux-";
/** Name of the inline policy on every role. */
export const INLINE_POLICY_NAME = "flux-identity";

/** Everything the AWS planner needs, with every value known. */
export interface AwsPlanInput {
    cluster: SourceCluster;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
    /** Flux minor version the cluster runs (`"2.10"`). Default the newest supported. */
    fluxVersion?: string;
    aws: AwsTargetSpec;
}

/** Where each part of the input sits in the user's document, for error messages. */
export interface AwsInputPaths {
    readonly cluster: string;
    readonly namespace: string;
    readonly aws: string;
    /** Where the Flux version sits; default `fluxVersion`. */
    readonly version?: string;
}

/** Paths of the component's arguments. */
export const COMPONENT_PATHS: AwsInputPaths = { cluster: "cluster", namespace: "fluxNamespace", aws: "", version: "fluxVersion" };

/** Values that are Pulumi outputs not resolved yet: the planner uses placeholders and skips their checks. */
export interface PendingValues {
    readonly issuerUrl?: boolean;
    readonly eksClusterName?: boolean;
    readonly oidcProviderArn?: boolean;
}

export interface AwsPlanOptions {
    readonly paths?: AwsInputPaths;
    readonly pending?: PendingValues;
}

/** Which controllers or which tenant an identity serves. */
export interface AwsIdentityServes {
    controllers: FluxController[];
    tenant?: ServiceAccountRef;
}

export interface AwsRolePlan {
    /** `source-controller`, `shared` or `tenant/<ns>/<sa>`. */
    key: string;
    /** Child resource name suffix. */
    logicalName: string;
    name: string;
    path: string;
    arn: string;
    description: string;
    serves: AwsIdentityServes;
    /** ServiceAccount subjects trusted (IRSA). */
    subjects: string[];
    trustPolicy: PolicyDocument;
    inlinePolicy?: PolicyDocument;
    managedPolicyArns: string[];
    permissionsBoundaryArn?: string;
    maxSessionDuration: number;
    tags: Record<string, string>;
}

export interface AwsExistingRolePlan {
    /** `existing/<controller>` or `existing/tenant/<ns>/<sa>`. */
    key: string;
    arn: string;
    serves: AwsIdentityServes;
}

export interface AwsOidcProviderPlan {
    /** False when an existing provider (`oidcProviderArn`) is used. */
    create: boolean;
    arn: string;
    url: string;
    clientIds: string[];
    tags: Record<string, string>;
}

export interface AwsPodIdentityAssociationPlan {
    logicalName: string;
    controller: FluxController;
    clusterName: string;
    region: string;
    namespace: string;
    serviceAccount: string;
    roleKey: string;
    roleArn: string;
    /** Cross-account: the role EKS assumes with `roleArn` and whose credentials the controller gets. */
    targetRoleArn?: string;
    disableSessionTags: boolean;
    /**
     * With a target role: the external ID EKS sets when it assumes it, in EKS's documented form
     * `<region>/<account>/<cluster>/<namespace>/<serviceAccount>`. The component outputs the value EKS returns.
     */
    externalId?: string;
    /** With a target role: what it must allow for the controller's access (its owner adds it). */
    targetRolePermissions?: PolicyDocument;
    tags: Record<string, string>;
}

export interface AwsAccessPolicyPlan {
    logicalName: string;
    policyArn: string;
    scope: EksAccessScope;
    namespaces: string[];
}

export interface AwsAccessEntryPlan {
    logicalName: string;
    /** False when the remote cluster is managed elsewhere (`createAccessEntry: false`): listed, not created. */
    create: boolean;
    roleKey: string;
    principalArn: string;
    clusterArn: string;
    clusterName: string;
    region: string;
    kubernetesGroups: string[];
    userName?: string;
    policies: AwsAccessPolicyPlan[];
    tags: Record<string, string>;
}

export type AwsResourcePolicyService = "ecr" | "s3" | "kms";

export interface AwsResourcePolicyPlan {
    logicalName: string;
    service: AwsResourcePolicyService;
    resourceArn: string;
    /** Repository name, bucket name or key ID. */
    target: string;
    region?: string;
    roleKeys: string[];
    policy: PolicyDocument;
}

export interface AwsPlan {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    fluxVersion: FluxVersion;
    partition: AwsPartition;
    accountId: string;
    region: string;
    authMethod: AwsAuthMethod;
    roleLayout: AwsRoleLayout;
    /** The STS endpoint Flux's exchanges use, when not the regional public one. */
    stsEndpoint?: string;
    oidcProvider?: AwsOidcProviderPlan;
    roles: AwsRolePlan[];
    existingRoles: AwsExistingRolePlan[];
    podIdentityAssociations: AwsPodIdentityAssociationPlan[];
    accessEntries: AwsAccessEntryPlan[];
    resourcePolicies: AwsResourcePolicyPlan[];
    /** Controller name to the key of the role it uses (in `roles` or `existingRoles`). */
    controllerRoles: Record<string, string>;
    /** `<ns>/<sa>` to the key of the tenant's role. */
    tenantRoles: Record<string, string>;
    /** Controllers that serve tenants and so need the object-level feature gate. */
    objectLevelControllers: FluxController[];
    /** Controllers serving each tenant ServiceAccount `<ns>/<sa>`: they request its tokens. */
    tenantControllers: Record<string, FluxController[]>;
    objectSettings: FluxObjectSetting[];
    /** What must exist on the AWS side for the roles flux-identity does not own (brought and target roles). */
    broughtIdentities: BroughtIdentityRequirement[];
    warnings: string[];
}
