/**
 * The AWS plan: from what the user states to every IAM role, trust policy, grant, OIDC provider, Pod
 * Identity association, EKS access entry and (opt-in) resource policy, with deterministic names.
 * Pure: the component, `render` and the tests all call this one function.
 */

import { Cloud, FLUX_KINDS, FluxController, FluxKind, KIND_CONTROLLER, controllerShortName, controllersForKinds, isFluxController, isFluxKind, sortControllers } from "../core/catalog";
import { ResolvedSourceCluster, SourceCluster, SourceClusterType, resolveSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { ServiceAccountRef, checkNamespace, checkServiceAccountName, serviceAccountKey, serviceAccountSubject } from "../core/kubernetes";
import { boundedName } from "../core/names";
import { FluxObjectSetting, fluxObjectSetting } from "../flux/objects";
import { IAM_OIDC_PROVIDER, IAM_POLICY, IAM_ROLE, checkArn } from "./arn";
import { AwsGrant, ECR_READ_ACTIONS, KMS_ACTIONS, grantKinds, identityPermissions, resolveAccess, scopeGrants } from "./grants";
import { AwsPartition, STS_AUDIENCE, isRegionName, partitionOfRegion } from "./partition";
import { PolicyDocument, oneOrMany, policyDocument, statement, uniqueSorted } from "./policy";
import { AwsAuthMethod, AwsRoleLayout, AwsTargetSpec, EksAccessScope } from "./spec";
import { podIdentityTrustPolicy, webIdentityTrustPolicy } from "./trust";

export const DEFAULT_FLUX_NAMESPACE = "flux-system";
export const DEFAULT_NAME_PREFIX = "flux-";
/** Name of the inline policy on every role. */
export const INLINE_POLICY_NAME = "flux-identity";

/** Everything the AWS planner needs, with every value known. */
export interface AwsPlanInput {
    cluster: SourceCluster;
    /** Namespace Flux runs in. Default flux-system. */
    fluxNamespace?: string;
    aws: AwsTargetSpec;
}

/** Where each part of the input sits in the user's document, for error messages. */
export interface AwsInputPaths {
    readonly cluster: string;
    readonly namespace: string;
    readonly aws: string;
}

/** Paths of the component's arguments. */
export const COMPONENT_PATHS: AwsInputPaths = { cluster: "cluster", namespace: "fluxNamespace", aws: "" };

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
    partition: AwsPartition;
    accountId: string;
    region: string;
    authMethod: AwsAuthMethod;
    roleLayout: AwsRoleLayout;
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
    objectSettings: FluxObjectSetting[];
    warnings: string[];
}

const PLACEHOLDER_ISSUER = "https://pending.flux-identity.invalid/issuer";
const ACCOUNT = /^\d{12}$/;
const NAME_PREFIX = /^[\w+=,.@-]{0,32}$/;
const IAM_PATH = /^\/(?:[\w+=,.@-]+\/)*$/;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_KEYS_RESERVED = ["managed-by", "flux-identity/cluster", "flux-identity/identity"];
export const AWS_TENANT_FIELDS = ["namespace", "serviceAccount", "access", "existingRoleArn", "usedBy"];
export const AWS_TARGET_FIELDS = [
    "accountId",
    "region",
    "authMethod",
    "roleLayout",
    "namePrefix",
    "path",
    "permissionsBoundaryArn",
    "maxSessionDurationSeconds",
    "tags",
    "controllers",
    "tenants",
    "existingRoleArns",
    "singleTenantManagedPolicies",
    "createOidcProvider",
    "oidcProviderArn",
];

interface Tenant {
    ref: ServiceAccountRef;
    grants: AwsGrant[];
    existingRoleArn?: string;
    kinds: FluxKind[];
    path: string;
}

/** Plans the AWS side of one source cluster. Throws FluxIdentityValidationError listing every problem. */
export function planAws(input: AwsPlanInput, options: AwsPlanOptions = {}): AwsPlan {
    const paths = options.paths ?? COMPONENT_PATHS;
    const pending = options.pending ?? {};
    const issues = Issues.root();
    if (!isRecord(input) || !isRecord(input.cluster)) {
        issues.addAt(paths.cluster, `expected the source cluster (name, type, issuerUrl), got ${show(isRecord(input) ? input.cluster : input)}.`, "describe the cluster Flux runs in.");
        issues.throwIfAny();
    }
    const at = issues.within(paths.aws);
    const a: Partial<AwsTargetSpec> = isRecord(input.aws) ? input.aws : {};
    if (!isRecord(input.aws)) {
        at.add(undefined, `expected the AWS target settings, got ${show(input.aws)}.`, "give at least accountId, region and what Flux must reach.");
    }
    for (const key of Object.keys(a)) {
        if (!AWS_TARGET_FIELDS.includes(key)) {
            at.add(key, `unknown field ${show(key)}.`, `use only ${AWS_TARGET_FIELDS.join(", ")}.`);
        }
    }

    const clusterInput: SourceCluster = {
        ...input.cluster,
        issuerUrl: pending.issuerUrl ? PLACEHOLDER_ISSUER : input.cluster.issuerUrl,
        eksClusterName: pending.eksClusterName ? "pending" : input.cluster.eksClusterName,
    };
    const cluster = resolveSourceCluster(clusterInput, issues.within(paths.cluster), { placeholderIssuer: pending.issuerUrl });

    const fluxNamespace = input.fluxNamespace ?? DEFAULT_FLUX_NAMESPACE;
    checkNamespace(fluxNamespace, issues.within(paths.namespace), undefined);

    if (typeof a.accountId !== "string" || !ACCOUNT.test(a.accountId)) {
        at.add("accountId", `expected a 12-digit AWS account ID as a string, got ${show(a.accountId)}.`, "quote it in YAML (\"012345678901\") so leading zeros survive.");
    }
    let partition: AwsPartition | undefined;
    const regionPartition = typeof a.region === "string" ? partitionOfRegion(a.region) : undefined;
    if (!isRegionName(a.region) || regionPartition === undefined) {
        at.add("region", `expected an AWS region such as us-east-1, got ${show(a.region)}.`, "set region to the region of the STS endpoint Flux should call.");
    } else if (typeof regionPartition === "object") {
        at.add("region", `${a.region} is in ${regionPartition.unsupported}, which flux-identity does not support.`, "use a region of partition aws, aws-cn or aws-us-gov.");
    } else {
        partition = regionPartition;
    }
    const authMethod = enumValue(a.authMethod, Object.values(AwsAuthMethod), AwsAuthMethod.Irsa, at, "authMethod");
    const roleLayout = enumValue(a.roleLayout, Object.values(AwsRoleLayout), AwsRoleLayout.PerController, at, "roleLayout");
    const namePrefix = a.namePrefix ?? DEFAULT_NAME_PREFIX;
    if (typeof namePrefix !== "string" || !NAME_PREFIX.test(namePrefix)) {
        at.add("namePrefix", `${show(namePrefix)} is not a valid role name prefix.`, "use at most 32 letters, digits and +=,.@_- characters.");
    }
    const iamPath = a.path ?? "/";
    if (typeof iamPath !== "string" || iamPath.length > 512 || !IAM_PATH.test(iamPath)) {
        at.add("path", `${show(iamPath)} is not a valid IAM path.`, "start and end with '/', for example /flux/.");
    }
    const maxSessionDuration = a.maxSessionDurationSeconds ?? 3600;
    if (typeof maxSessionDuration !== "number" || !Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
        at.add("maxSessionDurationSeconds", `${show(maxSessionDuration)} is outside IAM's range.`, "use a whole number of seconds from 3600 to 43200.");
    }
    const userTags = checkTags(a.tags, at);
    const managedShortcut = checkFlag(a.singleTenantManagedPolicies, at, "singleTenantManagedPolicies");
    const createOidcProvider = a.createOidcProvider === undefined ? true : checkFlag(a.createOidcProvider, at, "createOidcProvider");

    // Without a partition no ARN can be judged; report what we have.
    if (partition === undefined || cluster === undefined) {
        issues.throwIfAny();
        throw new Error("unreachable: invalid input without issues");
    }
    const accountId = a.accountId as string;
    const region = a.region as string;

    if (a.permissionsBoundaryArn !== undefined) {
        checkArn(a.permissionsBoundaryArn, IAM_POLICY, partition, at, "permissionsBoundaryArn");
    }

    // Bring-your-own controller roles.
    const existing = new Map<FluxController, string>();
    if (a.existingRoleArns !== undefined) {
        if (!isRecord(a.existingRoleArns)) {
            at.add("existingRoleArns", `expected a map from controller name to role ARN, got ${show(a.existingRoleArns)}.`, "write existingRoleArns: { source-controller: arn:... }.");
        } else {
            for (const [controller, arn] of Object.entries(a.existingRoleArns)) {
                if (!isFluxController(controller)) {
                    at.at("existingRoleArns").add(controller, `unknown Flux controller ${show(controller)}.`, `use one of ${Object.values(FluxController).join(", ")}.`);
                } else if (checkArn(arn, IAM_ROLE, partition, at.at("existingRoleArns"), controller)) {
                    existing.set(controller, arn);
                }
            }
        }
    }

    const controllerGrants = resolveAccess(a.controllers, at.at("controllers"), { partition, managedShortcut });
    if (isRecord(a.controllers) && Object.keys(a.controllers).length === 0) {
        at.add("controllers", "controllers is empty.", "list what the controllers must reach (ecr, s3, kms, ...), or remove controllers.");
    }
    const tenants = resolveTenants(a.tenants, at, partition);

    if (authMethod === AwsAuthMethod.PodIdentity) {
        if (cluster.type !== SourceClusterType.Eks) {
            at.add(
                "authMethod",
                `EKS Pod Identity only exists on EKS, but cluster ${show(cluster.name)} is of type ${cluster.type}.`,
                "set authMethod: irsa; OIDC federation works from every cluster type.",
            );
        } else if (!pending.issuerUrl && cluster.eks) {
            const eksPartition = partitionOfRegion(cluster.eks.region);
            if (eksPartition !== partition) {
                at.add(
                    "region",
                    `the EKS cluster runs in ${cluster.eks.region}, outside partition ${partition} of region ${region}.`,
                    `Pod Identity roles live with the cluster: use a region of the cluster's partition, such as ${cluster.eks.region}.`,
                );
            }
        }
        if (tenants.length > 0) {
            at.add(
                "tenants",
                "EKS Pod Identity cannot serve object-level tenants: it only issues credentials to pods, never to tokens a controller requests for another ServiceAccount.",
                "set authMethod: irsa (OIDC federation serves controllers and tenants alike), or remove tenants.",
            );
        }
    }

    // Which controllers need an identity.
    const controllersWithGrants = controllersForKinds(grantKinds(controllerGrants));
    for (const c of controllersWithGrants) {
        if (existing.has(c)) {
            const grant = controllerGrants.find((g) => g.kinds.some((k) => KIND_CONTROLLER[k] === c));
            at.at("existingRoleArns").add(
                c,
                `${c} uses an existing role, but ${grant?.path ?? "controllers"} also grants it access; flux-identity does not change the permissions of roles it does not own.`,
                `grant the existing role that access yourself and remove the grant, or remove existingRoleArns.${c}.`,
            );
        }
    }
    const createdControllers = controllersWithGrants.filter((c) => !existing.has(c));
    if (createdControllers.length === 0 && existing.size === 0 && tenants.length === 0 && issues.count === 0) {
        at.add(undefined, "nothing to grant: no controller access, tenants or existing roles are listed.", "list what Flux must reach under controllers (ecr, ecrPublic, s3, kms, eks, codecommit) or tenants.");
    }
    if (cluster.type !== SourceClusterType.Eks) {
        for (const c of sortControllers([...createdControllers, ...existing.keys()])) {
            const session = `${c}.${fluxNamespace}.${region}.fluxcd.io`;
            if (session.length > 64) {
                issues.addAt(paths.namespace, `the AWS role session name ${show(session)} is longer than IAM's 64 characters.`, "use a shorter Flux namespace.");
                break;
            }
        }
    }

    const needsOidc = authMethod === AwsAuthMethod.Irsa && (createdControllers.length > 0 || tenants.some((t) => !t.existingRoleArn));
    let oidcProvider: AwsOidcProviderPlan | undefined;
    const baseTags = { ...userTags, "managed-by": "flux-identity", "flux-identity/cluster": cluster.name };
    if (needsOidc) {
        oidcProvider = planOidcProvider(a.oidcProviderArn, createOidcProvider, cluster, { partition, accountId, pending, at, issuesRoot: issues, clusterPath: paths.cluster, tags: baseTags });
    } else if (a.oidcProviderArn !== undefined && !pending.oidcProviderArn) {
        checkArn(a.oidcProviderArn, IAM_OIDC_PROVIDER, partition, at, "oidcProviderArn");
    }

    issues.throwIfAny();

    // Roles.
    const ctx: RoleContext = {
        cluster,
        fluxNamespace,
        partition,
        accountId,
        region,
        namePrefix,
        path: iamPath,
        authMethod,
        oidcProvider,
        permissionsBoundaryArn: a.permissionsBoundaryArn,
        maxSessionDuration,
        baseTags,
    };
    const roles: AwsRolePlan[] = [];
    const grantsByRole = new Map<string, AwsGrant[]>();
    const addRole = (key: string, readable: string, serves: AwsIdentityServes, grants: AwsGrant[], managed: boolean) => {
        roles.push(makeRole(ctx, key, readable, serves, grants, managed));
        grantsByRole.set(key, grants);
    };
    const controllerRoles: Record<string, string> = {};
    if (roleLayout === AwsRoleLayout.Shared && createdControllers.length > 0) {
        addRole("shared", "shared", { controllers: createdControllers }, scopeGrants(controllerGrants, new Set(createdControllers)), managedShortcut);
        for (const c of createdControllers) controllerRoles[c] = "shared";
    } else {
        for (const c of createdControllers) {
            addRole(c, controllerShortName(c), { controllers: [c] }, scopeGrants(controllerGrants, new Set([c])), managedShortcut);
            controllerRoles[c] = c;
        }
    }
    const existingRoles: AwsExistingRolePlan[] = [];
    for (const c of sortControllers(existing.keys())) {
        const key = `existing/${c}`;
        existingRoles.push({ key, arn: existing.get(c) as string, serves: { controllers: [c] } });
        controllerRoles[c] = key;
    }
    const tenantRoles: Record<string, string> = {};
    for (const t of tenants) {
        const tkey = serviceAccountKey(t.ref);
        const serves = { controllers: controllersForKinds(t.kinds), tenant: t.ref };
        if (t.existingRoleArn) {
            const key = `existing/tenant/${tkey}`;
            existingRoles.push({ key, arn: t.existingRoleArn, serves });
            tenantRoles[tkey] = key;
        } else {
            const key = `tenant/${tkey}`;
            addRole(key, `${t.ref.namespace}-${t.ref.name}`, serves, t.grants, false);
            tenantRoles[tkey] = key;
        }
    }

    const roleByKey = new Map(roles.map((r) => [r.key, r]));

    const podIdentityAssociations: AwsPodIdentityAssociationPlan[] = [];
    if (authMethod === AwsAuthMethod.PodIdentity && cluster.eks) {
        for (const c of createdControllers) {
            const role = roleByKey.get(controllerRoles[c]) as AwsRolePlan;
            podIdentityAssociations.push({
                logicalName: `pod-identity-${controllerShortName(c)}`,
                controller: c,
                clusterName: cluster.eks.clusterName,
                region: cluster.eks.region,
                namespace: fluxNamespace,
                serviceAccount: c,
                roleKey: role.key,
                roleArn: role.arn,
                tags: sortedTags({ ...baseTags, "flux-identity/identity": role.key }),
            });
        }
    }

    const accessEntries = planAccessEntries(roles, grantsByRole, accountId, baseTags, issues);
    const resourcePolicies = planResourcePolicies(roles, grantsByRole, partition, accountId, issues);
    issues.throwIfAny();

    const objectLevelControllers = controllersForKinds(tenants.flatMap((t) => t.kinds));
    return {
        cluster,
        fluxNamespace,
        partition,
        accountId,
        region,
        authMethod,
        roleLayout,
        oidcProvider,
        roles,
        existingRoles,
        podIdentityAssociations,
        accessEntries,
        resourcePolicies,
        controllerRoles: sortedTags(controllerRoles),
        tenantRoles: sortedTags(tenantRoles),
        objectLevelControllers,
        objectSettings: objectSettings(controllerGrants, tenants),
        warnings: planWarnings({ cluster, authMethod, roles, grantsByRole, accountId, accessEntries, fluxNamespace, controllers: Object.keys(controllerRoles) }),
    };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function enumValue<T extends string>(value: unknown, allowed: readonly T[], fallback: T, issues: Issues, field: string): T {
    if (value === undefined) return fallback;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        issues.add(field, `${show(value)} is not one of ${allowed.join(", ")}.`, `set ${field} to one of ${allowed.join(", ")}, or omit it for ${fallback}.`);
        return fallback;
    }
    return value as T;
}

function checkFlag(value: unknown, issues: Issues, field: string): boolean {
    if (value === undefined) return false;
    if (typeof value !== "boolean") {
        issues.add(field, `expected true or false, got ${show(value)}.`, `set ${field}: true or false.`);
        return false;
    }
    return value;
}

function checkTags(value: unknown, issues: Issues): Record<string, string> {
    if (value === undefined) return {};
    if (!isRecord(value)) {
        issues.add("tags", `expected a map of tag keys to values, got ${show(value)}.`, "write tags as key: value pairs.");
        return {};
    }
    const out: Record<string, string> = {};
    const keys = Object.keys(value);
    if (keys.length > 47) {
        issues.add("tags", `${keys.length} tags are more than the 47 IAM leaves room for next to flux-identity's own three.`, "use at most 47 tags.");
    }
    for (const key of keys) {
        const v = value[key];
        if (key.length === 0 || key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith("aws:") || TAG_KEYS_RESERVED.includes(key)) {
            issues.at("tags").add(key, `${show(key)} is not a usable tag key.`, "use 1-128 letters, digits, spaces and _.:/=+-@, not starting with aws: and not one of flux-identity's own keys.");
        } else if (typeof v !== "string" || v.length > 256 || !TAG_TEXT.test(v)) {
            issues.at("tags").add(key, `${show(v)} is not a usable tag value.`, "use a string of at most 256 letters, digits, spaces and _.:/=+-@ (quote numbers in YAML).");
        } else {
            out[key] = v;
        }
    }
    return out;
}

function resolveTenants(value: unknown, at: Issues, partition: AwsPartition): Tenant[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        at.add("tenants", `expected a list of tenants, got ${show(value)}.`, "write tenants as a YAML list of {namespace, serviceAccount, access}.");
        return [];
    }
    const out: Tenant[] = [];
    const seen = new Map<string, number>();
    value.forEach((raw, i) => {
        const ti = at.at("tenants").at(i);
        if (!isRecord(raw)) {
            ti.add(undefined, `expected a tenant {namespace, serviceAccount, access}, got ${show(raw)}.`, "give namespace, serviceAccount and access.");
            return;
        }
        for (const key of Object.keys(raw)) {
            if (!AWS_TENANT_FIELDS.includes(key)) ti.add(key, `unknown field ${show(key)}.`, `use only ${AWS_TENANT_FIELDS.join(", ")}.`);
        }
        const before = ti.count;
        const nsOk = checkNamespace(raw.namespace, ti, "namespace");
        const saOk = checkServiceAccountName(raw.serviceAccount, ti, "serviceAccount");
        if (nsOk && saOk) {
            const key = `${raw.namespace}/${raw.serviceAccount}`;
            const first = seen.get(key);
            if (first !== undefined) {
                ti.add(undefined, `tenant ServiceAccount ${key} is already listed at tenants[${first}].`, "list each tenant ServiceAccount once, merging their access.");
            } else {
                seen.set(key, i);
            }
        }
        let grants: AwsGrant[] = [];
        let kinds: FluxKind[] = [];
        let existingRoleArn: string | undefined;
        if (raw.existingRoleArn !== undefined) {
            if (raw.access !== undefined) {
                ti.add("access", "a tenant with existingRoleArn cannot also list access: flux-identity does not change roles it does not own.", "remove access, or remove existingRoleArn to let flux-identity create the role.");
            }
            if (checkArn(raw.existingRoleArn, IAM_ROLE, partition, ti, "existingRoleArn")) existingRoleArn = raw.existingRoleArn as string;
            if (!Array.isArray(raw.usedBy) || raw.usedBy.length === 0) {
                ti.add("usedBy", `a tenant with an existing role needs usedBy, the Flux kinds its objects use, got ${show(raw.usedBy)}.`, "list kinds such as OCIRepository or Kustomization, so their controllers get the object-level feature gate.");
            } else {
                raw.usedBy.forEach((k, j) => {
                    if (!isFluxKind(k)) ti.at("usedBy").add(j, `unknown Flux kind ${show(k)}.`, `use one of ${Object.values(FluxKind).join(", ")}.`);
                    else if (!kinds.includes(k)) kinds.push(k);
                });
                kinds = FLUX_KINDS.filter((k) => kinds.includes(k));
            }
        } else {
            if (raw.usedBy !== undefined) {
                ti.add("usedBy", "usedBy at tenant level only goes with existingRoleArn; with access, each entry has its own usedBy.", "move usedBy into the access entries.");
            }
            if (!isRecord(raw.access) || Object.keys(raw.access).length === 0) {
                ti.add("access", `a tenant needs access (what its Flux objects reach) or an existingRoleArn, got ${show(raw.access)}.`, "list the tenant's repositories, buckets or keys under access.");
            } else {
                grants = resolveAccess(raw.access, ti.at("access"), { partition, managedShortcut: false });
                kinds = grantKinds(grants);
            }
        }
        if (ti.count === before && nsOk && saOk) {
            out.push({ ref: { namespace: raw.namespace as string, name: raw.serviceAccount as string }, grants, existingRoleArn, kinds, path: ti.path() });
        }
    });
    return out.sort((x, y) => (serviceAccountKey(x.ref) < serviceAccountKey(y.ref) ? -1 : 1));
}

interface OidcContext {
    partition: AwsPartition;
    accountId: string;
    pending: PendingValues;
    at: Issues;
    issuesRoot: Issues;
    clusterPath: string;
    tags: Record<string, string>;
}

function planOidcProvider(arnInput: unknown, create: boolean, cluster: ResolvedSourceCluster, c: OidcContext): AwsOidcProviderPlan | undefined {
    const tags = sortedTags(c.tags);
    if (arnInput !== undefined) {
        if (c.pending.oidcProviderArn) {
            return { create: false, arn: `arn:${c.partition}:iam::${c.accountId}:oidc-provider/${cluster.issuerHostPath}`, url: cluster.issuerUrl, clientIds: [STS_AUDIENCE], tags };
        }
        const arn = checkArn(arnInput, IAM_OIDC_PROVIDER, c.partition, c.at, "oidcProviderArn");
        if (!arn) return undefined;
        if (arn.account !== c.accountId) {
            c.at.add("oidcProviderArn", `the OIDC provider is in account ${arn.account}, but the roles are created in ${c.accountId}; a role can only trust a provider of its own account.`, "give the provider of account " + c.accountId + ", or omit oidcProviderArn to create one.");
            return undefined;
        }
        const hostPath = arn.resource.slice("oidc-provider/".length);
        if (!c.pending.issuerUrl && hostPath !== cluster.issuerHostPath) {
            c.at.add("oidcProviderArn", `the provider is for ${show(hostPath)}, but the cluster's issuer is ${show(cluster.issuerHostPath)}.`, "give the provider created for this cluster's issuer, or omit oidcProviderArn to create one.");
            return undefined;
        }
        return { create: false, arn: arnInput as string, url: cluster.issuerUrl, clientIds: [STS_AUDIENCE], tags };
    }
    if (!create) {
        c.at.add("oidcProviderArn", "IRSA needs an IAM OIDC provider for the cluster's issuer, but none is given and createOidcProvider is false.", "give oidcProviderArn, or set createOidcProvider: true.");
        return undefined;
    }
    if (cluster.issuerHasPort) {
        c.issuesRoot.within(c.clusterPath).add("issuerUrl", "AWS IAM OIDC providers cannot have a port in their URL.", "serve the issuer on port 443 without an explicit port.");
        return undefined;
    }
    return {
        create: true,
        arn: `arn:${c.partition}:iam::${c.accountId}:oidc-provider/${cluster.issuerHostPath}`,
        url: cluster.issuerUrl,
        clientIds: [STS_AUDIENCE],
        tags,
    };
}

interface RoleContext {
    cluster: ResolvedSourceCluster;
    fluxNamespace: string;
    partition: AwsPartition;
    accountId: string;
    region: string;
    namePrefix: string;
    path: string;
    authMethod: AwsAuthMethod;
    oidcProvider?: AwsOidcProviderPlan;
    permissionsBoundaryArn?: string;
    maxSessionDuration: number;
    baseTags: Record<string, string>;
}

/** IAM role names: at most 64 of [\w+=,.@-]. The hash covers partition, account, region, issuer and identity. */
export function roleName(ctx: Pick<RoleContext, "cluster" | "partition" | "accountId" | "region" | "namePrefix">, key: string, readable: string): string {
    const seed = JSON.stringify(["aws-role", ctx.partition, ctx.accountId, ctx.region, ctx.cluster.issuerUrl, ctx.cluster.name, key]);
    return boundedName([`${ctx.namePrefix}${ctx.cluster.name}-${readable}`], seed, { maxLength: 64, allowed: /[\w+=,.@-]/ });
}

function makeRole(ctx: RoleContext, key: string, readable: string, serves: AwsIdentityServes, grants: AwsGrant[], managedShortcut: boolean): AwsRolePlan {
    const name = roleName(ctx, key, readable);
    const subjects = serves.tenant
        ? [serviceAccountSubject(serves.tenant.namespace, serves.tenant.name)]
        : serves.controllers.map((c) => serviceAccountSubject(ctx.fluxNamespace, c));
    const trustPolicy =
        ctx.authMethod === AwsAuthMethod.PodIdentity
            ? podIdentityTrustPolicy()
            : webIdentityTrustPolicy((ctx.oidcProvider as AwsOidcProviderPlan).arn, ctx.cluster.issuerHostPath, subjects);
    const permissions = identityPermissions(grants, ctx.partition, managedShortcut);
    const who = serves.tenant ? `tenant ${serviceAccountKey(serves.tenant)}` : serves.controllers.join(", ");
    const role: AwsRolePlan = {
        key,
        logicalName: key.startsWith("tenant/") ? `role-${key}` : `role-${readable}`,
        name,
        path: ctx.path,
        arn: `arn:${ctx.partition}:iam::${ctx.accountId}:role${ctx.path}${name}`,
        description: `Flux ${who} on cluster ${ctx.cluster.name} (managed by flux-identity)`,
        serves,
        subjects: ctx.authMethod === AwsAuthMethod.PodIdentity ? [] : uniqueSorted(subjects),
        trustPolicy,
        managedPolicyArns: permissions.managedPolicyArns,
        maxSessionDuration: ctx.maxSessionDuration,
        tags: sortedTags({ ...ctx.baseTags, "flux-identity/identity": key }),
    };
    if (permissions.statements.length > 0) role.inlinePolicy = policyDocument(permissions.statements);
    if (ctx.permissionsBoundaryArn !== undefined) role.permissionsBoundaryArn = ctx.permissionsBoundaryArn;
    return role;
}

function planAccessEntries(roles: AwsRolePlan[], grantsByRole: Map<string, AwsGrant[]>, accountId: string, baseTags: Record<string, string>, issues: Issues): AwsAccessEntryPlan[] {
    const entries = new Map<string, AwsAccessEntryPlan>();
    for (const role of roles) {
        for (const g of grantsByRole.get(role.key) ?? []) {
            if (!g.eks) continue;
            const e = g.eks;
            if (e.create && e.account !== accountId) {
                issues.within(g.path).add(
                    "clusterArn",
                    `the remote cluster is in account ${e.account}, but this target creates resources in ${accountId}; its access entry must be created in ${e.account}.`,
                    "set createAccessEntry: false and create the entry listed in plan.json with credentials for that account.",
                );
                continue;
            }
            const key = `${role.key}@${e.clusterArn}`;
            const logicalName = `access-entry-${role.logicalName.replace(/^role-/, "")}-${e.account}-${e.region}-${e.clusterName}`;
            const current = entries.get(key);
            const policies: AwsAccessPolicyPlan[] = e.policies.map((p) => ({
                logicalName: `${logicalName}-${p.policyArn.split("/").pop()}`,
                policyArn: p.policyArn,
                scope: p.scope,
                namespaces: [...p.namespaces],
            }));
            if (!current) {
                const entry: AwsAccessEntryPlan = {
                    logicalName,
                    create: e.create,
                    roleKey: role.key,
                    principalArn: role.arn,
                    clusterArn: e.clusterArn,
                    clusterName: e.clusterName,
                    region: e.region,
                    kubernetesGroups: [...e.kubernetesGroups],
                    policies,
                    tags: sortedTags({ ...baseTags, "flux-identity/identity": role.key }),
                };
                if (e.userName !== undefined) entry.userName = e.userName;
                entries.set(key, entry);
                continue;
            }
            // The same role reaches the same cluster through two entries (shared role, Kustomization and HelmRelease).
            if (current.create !== e.create || current.userName !== e.userName) {
                issues.addAt(g.path, `two entries for cluster ${e.clusterArn} disagree on createAccessEntry or userName for role ${role.key}.`, "give both entries the same createAccessEntry and userName, or merge them.");
                continue;
            }
            current.kubernetesGroups = uniqueSorted([...current.kubernetesGroups, ...e.kubernetesGroups]);
            for (const p of policies) {
                const twin = current.policies.find((q) => q.policyArn === p.policyArn);
                if (!twin) {
                    current.policies.push(p);
                } else if (twin.scope !== p.scope || twin.namespaces.join(",") !== p.namespaces.join(",")) {
                    issues.within(g.path).add("accessPolicies", `policy ${p.policyArn} is associated twice with role ${role.key} on ${e.clusterArn} with different scopes.`, "give it one scope in one entry.");
                }
            }
            current.policies.sort((x, y) => (x.policyArn < y.policyArn ? -1 : 1));
        }
    }
    return [...entries.values()].sort((x, y) => (x.logicalName < y.logicalName ? -1 : 1));
}

function planResourcePolicies(roles: AwsRolePlan[], grantsByRole: Map<string, AwsGrant[]>, partition: AwsPartition, accountId: string, issues: Issues): AwsResourcePolicyPlan[] {
    const wanted = new Map<string, { service: AwsResourcePolicyService; path: string }>();
    for (const role of roles) {
        for (const g of grantsByRole.get(role.key) ?? []) {
            if (!g.writeResourcePolicy || (g.service !== "ecr" && g.service !== "s3" && g.service !== "kms")) continue;
            g.parsed.forEach((arn, i) => {
                if (arn.account !== "" && arn.account !== accountId) {
                    issues.addAt(
                        g.path,
                        `${g.resources[i]} is in account ${arn.account}; its resource policy can only be written with that account's credentials, but this target works in ${accountId}.`,
                        "remove the write*Policy flag and add the statement from plan.json's warnings in that account.",
                    );
                    return;
                }
                wanted.set(g.resources[i], { service: g.service as AwsResourcePolicyService, path: g.path });
            });
        }
    }
    const out: AwsResourcePolicyPlan[] = [];
    for (const [resourceArn, { service }] of wanted) {
        const reaching = roles.filter((r) => (grantsByRole.get(r.key) ?? []).some((g) => g.service === service && g.resources.includes(resourceArn)));
        const principals = oneOrMany(uniqueSorted(reaching.map((r) => r.arn)));
        const [, , , region, account, resource] = resourceArn.split(":");
        let policy: PolicyDocument;
        let target: string;
        let logicalName: string;
        let policyRegion: string | undefined = region;
        if (service === "ecr") {
            target = resource.slice("repository/".length);
            logicalName = `ecr-policy-${region}-${target}`;
            policy = policyDocument([statement({ Sid: "FluxIdentityRead", Effect: "Allow", Principal: { AWS: principals }, Action: [...ECR_READ_ACTIONS] })]);
        } else if (service === "s3") {
            target = resource;
            policyRegion = undefined;
            logicalName = `bucket-policy-${target}`;
            policy = policyDocument([
                statement({ Sid: "FluxIdentityListBucket", Effect: "Allow", Principal: { AWS: principals }, Action: "s3:ListBucket", Resource: resourceArn }),
                statement({ Sid: "FluxIdentityGetObject", Effect: "Allow", Principal: { AWS: principals }, Action: "s3:GetObject", Resource: `${resourceArn}/*` }),
            ]);
        } else {
            target = resource.slice("key/".length);
            logicalName = `key-policy-${region}-${target}`;
            // In a key policy "*" means "this key". The root statement keeps the key manageable through IAM,
            // which KMS's lockout check requires.
            policy = policyDocument([
                statement({ Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" }),
                statement({ Sid: "FluxIdentityDecrypt", Effect: "Allow", Principal: { AWS: principals }, Action: [...KMS_ACTIONS], Resource: "*" }),
            ]);
        }
        const plan: AwsResourcePolicyPlan = { logicalName, service, resourceArn, target, roleKeys: reaching.map((r) => r.key).sort(), policy };
        if (policyRegion !== undefined) plan.region = policyRegion;
        out.push(plan);
    }
    return out.sort((x, y) => (x.logicalName < y.logicalName ? -1 : 1));
}

function objectSettings(controllerGrants: AwsGrant[], tenants: Tenant[]): FluxObjectSetting[] {
    const out: FluxObjectSetting[] = [];
    const seen = new Set<string>();
    const push = (s: FluxObjectSetting) => {
        const key = JSON.stringify(s);
        if (!seen.has(key)) {
            seen.add(key);
            out.push(s);
        }
    };
    const fromGrants = (grants: AwsGrant[], tenant?: ServiceAccountRef) => {
        for (const g of grants) {
            for (const kind of g.kinds) {
                const resources = g.service === "eks" ? g.resources : [undefined];
                for (const resource of resources) {
                    push(fluxObjectSetting({ cloud: Cloud.Aws, integration: g.service, kind, tenant, resource }));
                }
            }
        }
    };
    fromGrants(controllerGrants);
    for (const t of tenants) {
        if (t.existingRoleArn) {
            for (const kind of t.kinds) push(fluxObjectSetting({ cloud: Cloud.Aws, integration: "", kind, tenant: t.ref }));
        } else {
            fromGrants(t.grants, t.ref);
        }
    }
    return out.sort(compareSettings);
}

const SERVICE_ORDER = ["", "ecr", "ecrPublic", "s3", "kms", "eks", "codecommit"];

/** Controller level first, then tenants by namespace and name; within each, catalog order. */
function compareSettings(a: FluxObjectSetting, b: FluxObjectSetting): number {
    const key = (s: FluxObjectSetting) => [
        s.level === "controller" ? "0" : "1",
        s.namespace ?? "",
        s.serviceAccountName ?? "",
        String(SERVICE_ORDER.indexOf(s.integration)).padStart(2, "0"),
        String(FLUX_KINDS.indexOf(s.kind)).padStart(2, "0"),
        s.resource ?? "",
    ];
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < x.length; i++) {
        if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

interface WarningInput {
    cluster: ResolvedSourceCluster;
    authMethod: AwsAuthMethod;
    roles: AwsRolePlan[];
    grantsByRole: Map<string, AwsGrant[]>;
    accountId: string;
    accessEntries: AwsAccessEntryPlan[];
    fluxNamespace: string;
    controllers: string[];
}

function planWarnings(w: WarningInput): string[] {
    const out: string[] = [];
    for (const role of w.roles) {
        for (const g of w.grantsByRole.get(role.key) ?? []) {
            g.parsed.forEach((arn, i) => {
                if (arn.account === "" || arn.account === w.accountId || g.service === "eks") return;
                if (g.service === "codecommit") {
                    out.push(`${g.resources[i]} is in account ${arn.account}: CodeCommit has no resource policies, so role ${role.name} cannot reach it across accounts.`);
                } else {
                    const what = g.service === "ecr" ? "repository policy" : "key policy";
                    out.push(`${g.resources[i]} is in account ${arn.account}: its ${what} must also allow ${role.arn}; an identity policy alone does not grant cross-account access.`);
                }
            });
            if (g.service === "kms" && !g.writeResourcePolicy && g.parsed.some((arn) => arn.account === w.accountId)) {
                out.push(`role ${role.name} decrypts with KMS keys of its own account: this works only if each key policy enables IAM policies (the default key policy does); otherwise set writeKeyPolicy.`);
            }
        }
    }
    for (const e of w.accessEntries) {
        if (e.kubernetesGroups.length === 0 && e.policies.length === 0) {
            out.push(`the access entry for ${e.principalArn} on ${e.clusterArn} grants no Kubernetes permissions until a (Cluster)RoleBinding names its user, or accessPolicies are added.`);
        }
        if (!e.create) {
            out.push(`create the access entry for ${e.principalArn} on ${e.clusterArn} in account ${e.clusterArn.split(":")[4]} (createAccessEntry is false).`);
        }
    }
    if (w.authMethod === AwsAuthMethod.PodIdentity) {
        const brought = w.controllers.filter((c) => !w.roles.some((r) => r.serves.controllers.includes(c as FluxController)));
        if (brought.length > 0) {
            out.push(`Pod Identity with existing roles: associate each with its controller ServiceAccount yourself (${brought.join(", ")}); flux-identity creates nothing in AWS for roles it does not own.`);
        }
    }
    if (w.cluster.type === SourceClusterType.Eks && w.controllers.length > 0) {
        const restart = `kubectl -n ${w.fluxNamespace} rollout restart deployment ${sortControllers(w.controllers.filter(isFluxController)).join(" ")}`;
        out.push(
            w.authMethod === AwsAuthMethod.PodIdentity
                ? `EKS Pod Identity needs the Pod Identity Agent add-on (standard EKS) and takes effect when the controller pods restart: ${restart}`
                : `ServiceAccount annotations take effect when the controller pods restart: after Flux applies the patch, run ${restart}`,
        );
    }
    return uniqueSorted(out);
}

function sortedTags(r: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of Object.keys(r).sort()) out[k] = r[k];
    return out;
}

/** The role ARN each controller and tenant uses, planned or brought. */
export function plannedRoleArns(plan: AwsPlan): { controllers: Record<string, string>; tenants: Record<string, string> } {
    const arnOf = (key: string) => plan.roles.find((r) => r.key === key)?.arn ?? plan.existingRoles.find((r) => r.key === key)?.arn ?? "";
    const controllers: Record<string, string> = {};
    for (const [c, key] of Object.entries(plan.controllerRoles)) controllers[c] = arnOf(key);
    const tenants: Record<string, string> = {};
    for (const [t, key] of Object.entries(plan.tenantRoles)) tenants[t] = arnOf(key);
    return { controllers, tenants };
}
