/**
 * The AWS plan: from what the user states to every IAM role, trust policy, grant, OIDC provider, Pod
 * Identity association, EKS access entry and (opt-in) resource policy, with deterministic names.
 * Pure: the component, `render` and the tests all call this one function.
 */

import { tenantControllers } from "../core/tenants";
import { FluxController, controllerShortName, controllersForKinds, isFluxController, sortControllers } from "../core/catalog";
import { checkBoolean, checkKnownFields, enumValue, isRecord } from "../core/checks";
import { SourceCluster, SourceClusterType, resolveSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { controllersToCreate } from "../core/used-by";
import { checkNamespace, serviceAccountKey } from "../core/kubernetes";
import { DistinctPart } from "../core/names";
import { sortedRecord } from "../core/order";
import { planAccessEntries } from "./access-entries";
import { IAM_OIDC_PROVIDER, IAM_POLICY, IAM_ROLE, checkArn } from "./arn";
import { AwsGrant, resolveAccess, scopeGrants } from "./grants";
import { awsObjectSettings } from "./object-settings";
import { planOidcProvider } from "./oidc-provider";
import { AwsPartition, isRegionName, partitionOfRegion } from "./partition";
import {
    AwsExistingRolePlan,
    AwsIdentityServes,
    AwsOidcProviderPlan,
    AwsPlan,
    AwsPlanInput,
    AwsPlanOptions,
    AwsPodIdentityAssociationPlan,
    AwsRolePlan,
    COMPONENT_PATHS,
    DEFAULT_FLUX_NAMESPACE,
    DEFAULT_NAME_PREFIX,
} from "./plan-model";
import { planResourcePolicies } from "./resource-policies";
import { RoleContext, awsRoleSessionName, makeRole } from "./roles";
import { AwsAuthMethod, AwsRoleLayout, AwsTargetSpec } from "./spec";
import { checkTags } from "./tags";
import { resolveTenants } from "./tenants";
import { planWarnings } from "./warnings";

export * from "./plan-model";
export { AWS_TENANT_FIELDS } from "./tenants";

const PLACEHOLDER_ISSUER = "https://pending.flux-identity.invalid/issuer";
const ACCOUNT = /^\d{12}$/;
const NAME_PREFIX = /^[\w+=,.@-]{0,32}$/;
const IAM_PATH = /^\/(?:[\w+=,.@-]+\/)*$/;
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
    checkKnownFields(a as Record<string, unknown>, AWS_TARGET_FIELDS, at);

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
    const managedShortcut = checkBoolean(a.singleTenantManagedPolicies, at, "singleTenantManagedPolicies");
    const createOidcProvider = checkBoolean(a.createOidcProvider, at, "createOidcProvider", true);

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
    const createdControllers = controllersToCreate(controllerGrants, existing, at, "existingRoleArns", "role", "roles");
    if (createdControllers.length === 0 && existing.size === 0 && tenants.length === 0 && issues.count === 0) {
        at.add(undefined, "nothing to grant: no controller access, tenants or existing roles are listed.", "list what Flux must reach under controllers (ecr, ecrPublic, s3, kms, eks, codecommit) or tenants.");
    }
    if (cluster.type !== SourceClusterType.Eks) {
        for (const c of sortControllers([...createdControllers, ...existing.keys()])) {
            const session = awsRoleSessionName(c, fluxNamespace, region);
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
    const addRole = (key: string, readable: DistinctPart, serves: AwsIdentityServes, grants: AwsGrant[], managed: boolean) => {
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
            addRole(key, [t.ref.namespace, t.ref.name], serves, t.grants, false);
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
                tags: sortedRecord({ ...baseTags, "flux-identity/identity": role.key }),
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
        controllerRoles: sortedRecord(controllerRoles),
        tenantRoles: sortedRecord(tenantRoles),
        objectLevelControllers,
        tenantControllers: tenantControllers(tenants),
        objectSettings: awsObjectSettings(controllerGrants, tenants),
        warnings: planWarnings({ cluster, authMethod, roles, grantsByRole, accountId, accessEntries, fluxNamespace, controllers: Object.keys(controllerRoles) }),
    };
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
