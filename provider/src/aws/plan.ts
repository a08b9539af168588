/**
 * The AWS plan: from what the user states to every IAM role, trust policy, grant, OIDC provider, Pod
 * Identity association, EKS access entry and (opt-in) resource policy, with deterministic names.
 * Pure: the component, `render` and the tests all call this one function.
 */

import { tenantControllers } from "../core/tenants";
import { sortRequirements } from "../core/brought";
import { FluxController, FluxKind, KIND_CONTROLLER, controllerShortName, controllersForKinds, sortControllers } from "../core/catalog";
import { checkBoolean, checkKnownFields, enumValue, isRecord } from "../core/checks";
import { SourceCluster, SourceClusterType, resolveSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { controllersToCreate } from "../core/used-by";
import { checkNamespace, serviceAccountKey } from "../core/kubernetes";
import { DistinctPart } from "../core/names";
import { sortedRecord } from "../core/order";
import { checkFluxVersion, checkObjectLevelControllers } from "../flux/version";
import { planAccessEntries } from "./access-entries";
import { IAM_OIDC_PROVIDER, IAM_POLICY, checkArn, checkControllerRoleArns } from "./arn";
import { awsBroughtIdentities } from "./brought";
import { AwsGrant, identityPermissions, resolveAccess, scopeGrants } from "./grants";
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
import { assumeTargetRoleStatement, podIdentityExternalId, resolvePodIdentity } from "./pod-identity";
import { PolicyStatement, policyDocument } from "./policy";
import { planResourcePolicies } from "./resource-policies";
import { RoleContext, awsRoleSessionName, makeRole } from "./roles";
import { AwsAuthMethod, AwsRoleLayout, AwsTargetSpec } from "./spec";
import { checkStsEndpoint } from "./sts-endpoint";
import { checkTags } from "./tags";
import { Tenant, resolveTenants } from "./tenants";
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
    "podIdentity",
    "stsEndpoint",
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
    const versionIssues = issues.within(paths.version ?? "fluxVersion");
    const fluxVersion = checkFluxVersion(input.fluxVersion, versionIssues, undefined);

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
    const existing = checkControllerRoleArns(a.existingRoleArns, partition, at, "existingRoleArns");

    const controllerGrants = resolveAccess(a.controllers, at.at("controllers"), { partition, managedShortcut });
    if (isRecord(a.controllers) && Object.keys(a.controllers).length === 0) {
        at.add("controllers", "controllers is empty.", "list what the controllers must reach (ecr, s3, kms, ...), or remove controllers.");
    }
    const tenants = resolveTenants(a.tenants, at, partition);
    const podIdentity = resolvePodIdentity(a.podIdentity, authMethod, partition, at);
    const stsEndpoint = a.stsEndpoint === undefined ? undefined : checkStsEndpoint(a.stsEndpoint, region, partition, at, "stsEndpoint");

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
    }

    // Which controllers need an identity: those with grants, and those whose association names a target role.
    const granted = controllersToCreate(controllerGrants, existing, at, "existingRoleArns", "role", "roles");
    for (const c of podIdentity.targetRoleArns.keys()) {
        if (existing.has(c)) {
            at.at("podIdentity").at("targetRoleArns").add(
                c,
                `${c} uses an existing role (existingRoleArns), whose Pod Identity association you make yourself; a target role goes on an association flux-identity creates.`,
                `give the target role in your own association (aws eks create-pod-identity-association --target-role-arn ...), or remove existingRoleArns.${c}.`,
            );
        }
    }
    const targeted = new Set([...podIdentity.targetRoleArns.keys()].filter((c) => !existing.has(c)));
    const createdControllers = sortControllers(new Set([...granted, ...targeted]));
    if (targeted.size > 0) {
        if (managedShortcut) {
            at.add("singleTenantManagedPolicies", "singleTenantManagedPolicies attaches AWS-managed policies to roles flux-identity creates, but a controller with a Pod Identity target role acts as that role, whose policies its owner manages.", "remove singleTenantManagedPolicies, or the target roles.");
        }
        for (const g of controllerGrants) {
            if (g.writeResourcePolicy && g.kinds.some((k) => targeted.has(KIND_CONTROLLER[k]))) {
                issues.addAt(`${g.path}`, "this entry writes a resource policy naming flux-identity's roles, but a controller it serves acts as its Pod Identity target role.", "remove the write*Policy flag and let the target role's owner grant it on the resource.");
            }
        }
    }
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
    // Tenants' sessions are named by Flux itself, <sa>.<ns>.<region>.fluxcd.io (fluxcd/pkg auth/aws
    // getRoleSessionName), in the region of what the object reaches (the ECR, KMS, EKS or CodeCommit ARN's,
    // or a Bucket's spec.region, taken as the target's): STS refuses names over 64 characters.
    for (const t of tenants) {
        const session = tenantSessionRegions(t, region)
            .map((r) => awsRoleSessionName(t.ref.name, t.ref.namespace, r))
            .sort((a, b) => b.length - a.length)[0];
        if (session.length > 64) {
            issues.addAt(
                `${t.path}.serviceAccount`,
                `Flux names this tenant's AWS role session ${show(session)} (${session.length} characters), but STS accepts at most 64.`,
                `shorten the ServiceAccount name or the namespace ${t.ref.namespace} by ${session.length - 64} characters in total.`,
            );
        }
    }

    // Tenants always federate through the issuer's OIDC provider, whatever the controllers use.
    const needsOidc = (authMethod === AwsAuthMethod.Irsa && createdControllers.length > 0) || tenants.some((t) => !t.existingRoleArn);
    if (stsEndpoint !== undefined) {
        const irsaControllers = authMethod === AwsAuthMethod.Irsa && (createdControllers.length > 0 || existing.size > 0);
        const tenantBuckets = tenants.some((t) => t.kinds.includes(FluxKind.Bucket));
        if (!irsaControllers && !tenantBuckets) {
            at.add(
                "stsEndpoint",
                authMethod === AwsAuthMethod.PodIdentity
                    ? "no token exchange of this target uses stsEndpoint: Pod Identity controllers get credentials from the EKS Pod Identity Agent, and Flux takes an object-level STS endpoint only from a Bucket's spec.sts."
                    : "no token exchange of this target uses stsEndpoint: there are no controller roles, and Flux takes an object-level STS endpoint only from a Bucket's spec.sts.",
                "remove stsEndpoint.",
            );
        }
    }
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
    const addRole = (key: string, readable: DistinctPart, serves: AwsIdentityServes, grants: AwsGrant[], managed: boolean, extra: PolicyStatement[] = []) => {
        roles.push(makeRole(ctx, key, readable, serves, grants, managed, extra));
        grantsByRole.set(key, grants);
    };
    // A controller with a target role acts as that role: its grants are the target's, and its own
    // (association) role may only assume the target.
    const ownGrants = (controllers: FluxController[]) => scopeGrants(controllerGrants, new Set(controllers.filter((c) => !targeted.has(c))));
    const assumeTargets = (controllers: FluxController[]) => {
        const arns = controllers.filter((c) => targeted.has(c)).map((c) => podIdentity.targetRoleArns.get(c) as string);
        return arns.length > 0 ? [assumeTargetRoleStatement(arns)] : [];
    };
    const controllerRoles: Record<string, string> = {};
    if (roleLayout === AwsRoleLayout.Shared && createdControllers.length > 0) {
        addRole("shared", "shared", { controllers: createdControllers }, ownGrants(createdControllers), managedShortcut, assumeTargets(createdControllers));
        for (const c of createdControllers) controllerRoles[c] = "shared";
    } else {
        for (const c of createdControllers) {
            addRole(c, controllerShortName(c), { controllers: [c] }, ownGrants([c]), managedShortcut, assumeTargets([c]));
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
            const association: AwsPodIdentityAssociationPlan = {
                logicalName: `pod-identity-${controllerShortName(c)}`,
                controller: c,
                clusterName: cluster.eks.clusterName,
                region: cluster.eks.region,
                namespace: fluxNamespace,
                serviceAccount: c,
                roleKey: role.key,
                roleArn: role.arn,
                disableSessionTags: podIdentity.disableSessionTags,
                tags: sortedRecord({ ...baseTags, "flux-identity/identity": role.key }),
            };
            const target = podIdentity.targetRoleArns.get(c);
            if (target) {
                association.targetRoleArn = target;
                // The association's role lives in the cluster's account (EKS passes it with iam:PassRole).
                association.externalId = podIdentityExternalId(cluster.eks.region, accountId, cluster.eks.clusterName, fluxNamespace, c);
                const permissions = identityPermissions(scopeGrants(controllerGrants, new Set([c])), partition, false).statements;
                if (permissions.length > 0) association.targetRolePermissions = policyDocument(permissions);
            }
            podIdentityAssociations.push(association);
        }
    }

    const accessEntries = planAccessEntries(roles, grantsByRole, accountId, baseTags, issues);
    const resourcePolicies = planResourcePolicies(roles, grantsByRole, partition, accountId, issues);
    const objectLevelControllers = controllersForKinds(tenants.flatMap((t) => t.kinds));
    checkObjectLevelControllers(fluxVersion, objectLevelControllers, versionIssues);
    issues.throwIfAny();

    const plan: AwsPlan = {
        cluster,
        fluxNamespace,
        fluxVersion,
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
        objectSettings: awsObjectSettings(controllerGrants, tenants, stsEndpoint?.url),
        broughtIdentities: [],
        warnings: planWarnings({
            cluster,
            authMethod,
            roles,
            grantsByRole,
            accountId,
            accessEntries,
            fluxNamespace,
            controllers: Object.keys(controllerRoles),
            podIdentityAssociations,
            targetGrants: controllerGrants.filter((g) => g.kinds.some((k) => targeted.has(KIND_CONTROLLER[k]))),
            stsEndpoint,
            tenants,
            region,
        }),
    };
    if (stsEndpoint) plan.stsEndpoint = stsEndpoint.url;
    plan.broughtIdentities = sortRequirements(awsBroughtIdentities(plan));
    return plan;
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

/** The regions a tenant's sessions may be named with: its ARNs' regions, and the target's for the rest. */
function tenantSessionRegions(t: Tenant, targetRegion: string): string[] {
    const regions = new Set<string>([targetRegion]);
    for (const g of t.grants) {
        for (const arn of g.parsed) if (arn.region !== "") regions.add(arn.region);
    }
    return [...regions];
}
