/** The Azure plan as data: what the planner returns and `render`, the component and the patches read. */

import { BroughtIdentityRequirement } from "../core/brought";
import { FluxController } from "../core/catalog";
import { ResolvedSourceCluster, SourceCluster } from "../core/cluster";
import { ServiceAccountRef } from "../core/kubernetes";
import { FluxObjectSetting } from "../flux/objects";
import { FluxVersion } from "../flux/version";
import { AzureCloud, AzureIdentityLayout, AzurePrivateCloud, AzureTargetSpec } from "./spec";

/** Azure's limit of federated identity credentials on one managed identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;

export interface AzurePlanInput {
    cluster: SourceCluster;
    fluxNamespace?: string;
    /** Flux minor version the cluster runs (`"2.10"`). Default the newest supported. */
    fluxVersion?: string;
    azure: AzureTargetSpec;
}

/** Where each part of the input sits in the user's document, for error messages. */
export interface AzureInputPaths {
    readonly cluster: string;
    readonly namespace: string;
    readonly azure: string;
    /** Where the Flux version sits; default `fluxVersion`. */
    readonly version?: string;
}

export const AZURE_COMPONENT_PATHS: AzureInputPaths = { cluster: "cluster", namespace: "fluxNamespace", azure: "", version: "fluxVersion" };

export interface AzurePlanOptions {
    readonly paths?: AzureInputPaths;
    /** The issuer is a Pulumi output not resolved yet: plan with a placeholder and skip its checks. */
    readonly pendingIssuer?: boolean;
}

/** Which controllers or tenants an identity serves. */
export interface AzureIdentityServes {
    controllers: FluxController[];
    tenants: ServiceAccountRef[];
}

export interface AzureFederatedCredentialPlan {
    logicalName: string;
    /** Credential name inside the identity. */
    name: string;
    issuer: string;
    subject: string;
    audiences: string[];
}

export interface AzureRoleAssignmentPlan {
    logicalName: string;
    /** Deterministic GUID: re-runs find the same assignment instead of adding one. */
    name: string;
    scope: string;
    roleDefinitionId: string;
    roleName: string;
}

/** The Azure DevOps project group an identity joins. */
export enum AzureDevOpsGroup {
    /** Enough for GitRepository. */
    Readers = "Readers",
    /** Needed to push commits (ImageUpdateAutomation) and post commit statuses (Provider). */
    Contributors = "Contributors",
}

/** An Azure DevOps organization an identity must be onboarded into: Azure RBAC does not cover it. */
export interface AzureDevOpsOnboardingPlan {
    identityKey: string;
    organization: string;
    project: string;
    /** Readers for GitRepository; Contributors for image automation pushes and commit statuses. */
    group: AzureDevOpsGroup;
    kinds: string[];
}

export interface AzureIdentityPlan {
    /** `source-controller`, `shared`, `tenant/<ns>/<sa>` or `group/<name>[/<n>]`. */
    key: string;
    /** Child resource name. */
    logicalName: string;
    name: string;
    resourceGroupName: string;
    location: string;
    tags: Record<string, string>;
    serves: AzureIdentityServes;
    credentials: AzureFederatedCredentialPlan[];
    roleAssignments: AzureRoleAssignmentPlan[];
}

export interface AzureExistingIdentityPlan {
    /** `existing/<controller>` or `existing/tenant/<ns>/<sa>`. */
    key: string;
    clientId: string;
    tenantId: string;
    serves: AzureIdentityServes;
}

export interface AzurePlan {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    fluxVersion: FluxVersion;
    tenantId: string;
    subscriptionId: string;
    resourceGroupName: string;
    location: string;
    cloud: AzureCloud;
    /** AZURE_AUTHORITY_HOST for the cloud. */
    authorityHost: string;
    privateCloud?: AzurePrivateCloud;
    identityLayout: AzureIdentityLayout;
    identities: AzureIdentityPlan[];
    existingIdentities: AzureExistingIdentityPlan[];
    /** Controller name to the key of its identity (in `identities` or `existingIdentities`). */
    controllerIdentities: Record<string, string>;
    /** `<ns>/<sa>` to the key of the tenant's identity. */
    tenantIdentities: Record<string, string>;
    /** Controllers that serve tenants and so need the object-level feature gate. */
    objectLevelControllers: FluxController[];
    /** Controllers serving each tenant ServiceAccount `<ns>/<sa>`: they request its tokens. */
    tenantControllers: Record<string, FluxController[]>;
    devOps: AzureDevOpsOnboardingPlan[];
    objectSettings: FluxObjectSetting[];
    /** What must exist on the Azure side for the identities flux-identity does not own. */
    broughtIdentities: BroughtIdentityRequirement[];
    warnings: string[];
}
