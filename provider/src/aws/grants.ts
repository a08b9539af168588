/**
 * Grants: what Flux must reach in AWS, validated, and the least-privilege identity statements for them.
 * The actions are the ones the Flux AWS docs list for each integration.
 */

import { Cloud, FluxKind, integrationsOf } from "../core/catalog";
import { Issues, show } from "../core/errors";
import { grantKinds, resolveUsedBy, scopeGrants } from "../core/used-by";

export { grantKinds, scopeGrants };
import { checkBoolean, checkKnownFields, checkMap, isRecord } from "../core/checks";
import { checkNamespace } from "../core/kubernetes";
import { compareStrings } from "../core/order";
import { CODECOMMIT_REPOSITORY, ECR_REPOSITORY, EKS_CLUSTER, KMS_KEY, ParsedArn, S3_BUCKET, checkArn } from "./arn";
import { AwsPartition, managedPolicyArn } from "./partition";
import { PolicyStatement, oneOrMany, statement, uniqueSorted } from "./policy";
import { EksAccessScope } from "./spec";
import { REMOTE_CLUSTER_ENDPOINT_FIELDS, RemoteClusterEndpoint, endpointIsComplete, resolveRemoteClusterEndpoint } from "../core/remote-cluster";

export type AwsService = "ecr" | "ecrPublic" | "s3" | "kms" | "eks" | "codecommit";

/** ECR read actions from the Flux docs; `ecr:GetAuthorizationToken` is separate because it only takes `*`. */
export const ECR_READ_ACTIONS: readonly string[] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:GetRepositoryPolicy",
    "ecr:DescribeRepositories",
    "ecr:ListImages",
    "ecr:DescribeImages",
    "ecr:BatchGetImage",
    "ecr:GetLifecyclePolicy",
    "ecr:GetLifecyclePolicyPreview",
    "ecr:ListTagsForResource",
    "ecr:DescribeImageScanFindings",
];
export const ECR_PUBLIC_ACTIONS: readonly string[] = ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"];
export const KMS_ACTIONS: readonly string[] = ["kms:Decrypt", "kms:DescribeKey"];

/** The AWS-managed read-only policies the Flux docs name, for the single-tenant shortcut. */
export const MANAGED_READ_ONLY_POLICIES: Partial<Record<AwsService, string>> = {
    ecr: "AmazonEC2ContainerRegistryReadOnly",
    ecrPublic: "AmazonElasticContainerRegistryPublicReadOnly",
    s3: "AmazonS3ReadOnlyAccess",
};

export interface EksAccessPolicyGrant {
    readonly policyArn: string;
    readonly scope: EksAccessScope;
    readonly namespaces: readonly string[];
}

export interface EksAccessEntryGrant {
    readonly clusterArn: string;
    readonly clusterName: string;
    readonly region: string;
    readonly account: string;
    readonly kubernetesGroups: readonly string[];
    readonly userName?: string;
    readonly policies: readonly EksAccessPolicyGrant[];
    readonly create: boolean;
}

/** One validated entry of an access list. */
export interface AwsGrant {
    readonly service: AwsService;
    readonly kinds: readonly FluxKind[];
    /** Validated ARNs (empty only for ECR Public, or under the single-tenant shortcut). */
    readonly resources: readonly string[];
    readonly parsed: readonly ParsedArn[];
    readonly writeResourcePolicy: boolean;
    readonly eks?: EksAccessEntryGrant;
    /** Remote EKS clusters: the kubeConfig `address` and `ca.crt`, when given. */
    readonly endpoint?: RemoteClusterEndpoint;
    /** Field path of the entry, for messages. */
    readonly path: string;
}

export interface ResolveAccessContext {
    readonly partition: AwsPartition;
    /** Single-tenant shortcut in effect: ECR and S3 may list no resources. */
    readonly managedShortcut: boolean;
}

/** The access keys, in catalog order. */
const SERVICES = integrationsOf(Cloud.Aws).map((i) => i.id) as AwsService[];

/** Validates an access block and returns its grants. */
export function resolveAccess(access: unknown, issues: Issues, ctx: ResolveAccessContext): AwsGrant[] {
    if (access === undefined || access === null) {
        return [];
    }
    if (!isRecord(access)) {
        issues.add(undefined, `expected a map of services (${SERVICES.join(", ")}), got ${show(access)}.`, "list what Flux must reach under the service keys.");
        return [];
    }
    const grants: AwsGrant[] = [];
    for (const key of Object.keys(access)) {
        if (!(SERVICES as readonly string[]).includes(key)) {
            issues.add(key, `unknown AWS integration ${show(key)}.`, `use one of ${SERVICES.join(", ")}.`);
        }
    }
    const a = access;
    for (const service of SERVICES) {
        const value = a[service];
        if (value === undefined) {
            continue;
        }
        if (service === "ecrPublic") {
            const g = resolveEcrPublic(value, issues.at(service), ctx);
            if (g) grants.push(g);
            continue;
        }
        if (!Array.isArray(value)) {
            issues.add(service, `expected a list, got ${show(value)}.`, `write ${service} as a YAML list of entries.`);
            continue;
        }
        value.forEach((entry, i) => {
            const g = resolveEntry(service, entry, issues.at(service).at(i), ctx);
            if (g) grants.push(g);
        });
    }
    return grants;
}

function resolveKinds(service: AwsService, value: unknown, issues: Issues): FluxKind[] | undefined {
    return resolveUsedBy(Cloud.Aws, service, value, issues);
}

function resolveEcrPublic(value: unknown, issues: Issues, ctx: ResolveAccessContext): AwsGrant | undefined {
    const entry = checkMap(value, issues, "ecrPublic entry");
    if (!entry) return undefined;
    checkKnownFields(entry, ["usedBy"], issues);
    if (ctx.partition !== "aws") {
        issues.add(undefined, `Amazon ECR Public exists only in partition aws, but this target is in ${ctx.partition}.`, "remove ecrPublic, or target a region of partition aws.");
        return undefined;
    }
    const kinds = resolveKinds("ecrPublic", entry.usedBy, issues);
    if (!kinds) return undefined;
    return { service: "ecrPublic", kinds, resources: [], parsed: [], writeResourcePolicy: false, path: issues.path() };
}

const ENTRY_FIELDS: Record<Exclude<AwsService, "ecrPublic">, { list: string; kind: typeof ECR_REPOSITORY; write?: string; extra?: readonly string[] }> = {
    ecr: { list: "repositoryArns", kind: ECR_REPOSITORY, write: "writeRepositoryPolicy" },
    s3: { list: "bucketArns", kind: S3_BUCKET, write: "writeBucketPolicy" },
    kms: { list: "keyArns", kind: KMS_KEY, write: "writeKeyPolicy" },
    eks: { list: "clusterArn", kind: EKS_CLUSTER, extra: ["kubernetesGroups", "userName", "accessPolicies", "createAccessEntry", ...REMOTE_CLUSTER_ENDPOINT_FIELDS] },
    codecommit: { list: "repositoryArns", kind: CODECOMMIT_REPOSITORY },
};

function resolveEntry(service: Exclude<AwsService, "ecrPublic">, value: unknown, issues: Issues, ctx: ResolveAccessContext): AwsGrant | undefined {
    const entry = checkMap(value, issues, `${service} entry`);
    if (!entry) return undefined;
    const fields = ENTRY_FIELDS[service];
    checkKnownFields(entry, [fields.list, "usedBy", ...(fields.write ? [fields.write] : []), ...(fields.extra ?? [])], issues);
    const before = issues.count;
    const kinds = resolveKinds(service, entry.usedBy, issues);
    const write = fields.write ? checkBoolean(entry[fields.write], issues, fields.write) : false;

    const parsed: ParsedArn[] = [];
    const resources: string[] = [];
    if (service === "eks") {
        const arn = checkArn(entry.clusterArn, EKS_CLUSTER, ctx.partition, issues, "clusterArn");
        if (arn) {
            parsed.push(arn);
            resources.push(entry.clusterArn as string);
        }
    } else {
        const list = entry[fields.list];
        const emptyAllowed = ctx.managedShortcut && (service === "ecr" || service === "s3");
        if (!Array.isArray(list) || (list.length === 0 && !emptyAllowed)) {
            issues.add(
                fields.list,
                `expected a non-empty list of ${fields.kind.what}s, got ${show(list)}.`,
                `list at least one ${fields.kind.what} (${fields.kind.example(ctx.partition)}); flux-identity grants nothing account-wide unless singleTenantManagedPolicies is set.`,
            );
        } else {
            list.forEach((item, i) => {
                const arn = checkArn(item, fields.kind, ctx.partition, issues.at(fields.list), i);
                if (!arn) return;
                if (write && /[*?]/.test(arn.resource)) {
                    issues.at(fields.list).add(i, `${show(item)} contains a wildcard, but ${fields.write} needs concrete resources.`, `list each resource, or remove ${fields.write}.`);
                    return;
                }
                parsed.push(arn);
                resources.push(item as string);
            });
        }
    }
    let eks: EksAccessEntryGrant | undefined;
    let endpoint: RemoteClusterEndpoint | undefined;
    if (service === "eks") {
        endpoint = resolveRemoteClusterEndpoint(entry, issues);
        if (parsed.length === 1) eks = resolveEksAccessEntry(entry, parsed[0], issues, ctx);
    }
    if (issues.count > before || !kinds) {
        return undefined;
    }
    const grant: AwsGrant = { service, kinds, resources: uniqueSorted(resources), parsed, writeResourcePolicy: write, eks, path: issues.path() };
    return endpoint ? { ...grant, endpoint } : grant;
}

const ACCESS_POLICY_NAME = /^AmazonEKS[A-Za-z]+Policy$/;

function resolveEksAccessEntry(entry: Record<string, unknown>, arn: ParsedArn, issues: Issues, ctx: ResolveAccessContext): EksAccessEntryGrant | undefined {
    const before = issues.count;
    const create = checkBoolean(entry.createAccessEntry, issues, "createAccessEntry", true);
    const groups: string[] = [];
    if (entry.kubernetesGroups !== undefined) {
        if (!Array.isArray(entry.kubernetesGroups)) {
            issues.add("kubernetesGroups", `expected a list of group names, got ${show(entry.kubernetesGroups)}.`, "write kubernetesGroups as a YAML list.");
        } else {
            entry.kubernetesGroups.forEach((g, i) => {
                if (typeof g !== "string" || g.trim() === "") {
                    issues.at("kubernetesGroups").add(i, `expected a group name, got ${show(g)}.`, "use a non-empty group name.");
                } else if (g.startsWith("system:")) {
                    issues.at("kubernetesGroups").add(i, `${show(g)} starts with "system:", which EKS access entries refuse.`, "use your own group name and bind it with a (Cluster)RoleBinding, or use accessPolicies.");
                } else {
                    groups.push(g);
                }
            });
        }
    }
    let userName: string | undefined;
    if (entry.userName !== undefined) {
        if (typeof entry.userName !== "string" || entry.userName.trim() === "" || entry.userName.startsWith("system:")) {
            issues.add("userName", `${show(entry.userName)} is not a usable Kubernetes user name.`, "use a non-empty name that does not start with \"system:\", or omit userName.");
        } else {
            userName = entry.userName;
        }
    }
    const policies: EksAccessPolicyGrant[] = [];
    if (entry.accessPolicies !== undefined) {
        if (!Array.isArray(entry.accessPolicies)) {
            issues.add("accessPolicies", `expected a list, got ${show(entry.accessPolicies)}.`, "write accessPolicies as a YAML list of {policy, scope, namespaces}.");
        } else {
            entry.accessPolicies.forEach((p, i) => {
                const pol = resolveAccessPolicy(p, issues.at("accessPolicies").at(i), ctx.partition);
                if (!pol) return;
                if (policies.some((q) => q.policyArn === pol.policyArn)) {
                    issues.at("accessPolicies").add(i, `policy ${pol.policyArn} is listed twice.`, "list each access policy once; EKS allows one association per policy and principal.");
                    return;
                }
                policies.push(pol);
            });
        }
    }
    if (issues.count > before) return undefined;
    return {
        clusterArn: `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`,
        clusterName: arn.resource.slice("cluster/".length),
        region: arn.region,
        account: arn.account,
        kubernetesGroups: uniqueSorted(groups),
        userName,
        policies: [...policies].sort((a, b) => compareStrings(a.policyArn, b.policyArn)),
        create,
    };
}

function resolveAccessPolicy(value: unknown, issues: Issues, partition: AwsPartition): EksAccessPolicyGrant | undefined {
    const p = checkMap(value, issues, "accessPolicies entry");
    if (!p) return undefined;
    checkKnownFields(p, ["policy", "scope", "namespaces"], issues);
    const before = issues.count;
    let policyArn: string | undefined;
    const prefix = `arn:${partition}:eks::aws:cluster-access-policy/`;
    if (typeof p.policy === "string" && ACCESS_POLICY_NAME.test(p.policy)) {
        policyArn = prefix + p.policy;
    } else if (typeof p.policy === "string" && p.policy.startsWith(prefix) && ACCESS_POLICY_NAME.test(p.policy.slice(prefix.length))) {
        policyArn = p.policy;
    } else {
        issues.add("policy", `${show(p.policy)} is not an EKS access policy of partition ${partition}.`, `use a name such as AmazonEKSViewPolicy, AmazonEKSEditPolicy or AmazonEKSClusterAdminPolicy, or ${prefix}<name>.`);
    }
    const scope = p.scope;
    if (scope !== EksAccessScope.Cluster && scope !== EksAccessScope.Namespace) {
        issues.add("scope", `expected cluster or namespace, got ${show(scope)}.`, "set scope: cluster, or scope: namespace with namespaces.");
    }
    const namespaces: string[] = [];
    if (scope === EksAccessScope.Namespace) {
        if (!Array.isArray(p.namespaces) || p.namespaces.length === 0) {
            issues.add("namespaces", `namespace scope needs a non-empty list of namespaces, got ${show(p.namespaces)}.`, "list the namespaces the policy applies to.");
        } else {
            p.namespaces.forEach((ns, i) => {
                if (checkNamespace(ns, issues.at("namespaces"), i)) namespaces.push(ns);
            });
        }
    } else if (scope === EksAccessScope.Cluster && p.namespaces !== undefined) {
        issues.add("namespaces", "namespaces only apply to namespace scope.", "remove namespaces, or set scope: namespace.");
    }
    if (issues.count > before || !policyArn) return undefined;
    return { policyArn, scope: scope as EksAccessScope, namespaces: uniqueSorted(namespaces) };
}

/** Grants narrowed to what the given controllers serve (a kind counts only if its controller is in the set). */
export interface IdentityPermissions {
    readonly statements: PolicyStatement[];
    readonly managedPolicyArns: string[];
}

/** Least-privilege statements (and, under the shortcut, managed policies) for a set of grants. */
export function identityPermissions(grants: readonly AwsGrant[], partition: AwsPartition, managedShortcut: boolean): IdentityPermissions {
    const of = (service: AwsService) => grants.filter((g) => g.service === service);
    const resources = (gs: readonly AwsGrant[]) => uniqueSorted(gs.flatMap((g) => g.resources));
    const statements: PolicyStatement[] = [];
    const managed: string[] = [];

    const ecr = of("ecr");
    if (ecr.length > 0) {
        if (managedShortcut) {
            managed.push(managedPolicyArn(partition, MANAGED_READ_ONLY_POLICIES.ecr as string));
        } else {
            statements.push(statement({ Sid: "EcrAuthorizationToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }));
            statements.push(statement({ Sid: "EcrRead", Effect: "Allow", Action: [...ECR_READ_ACTIONS], Resource: oneOrMany(resources(ecr)) }));
        }
    }
    if (of("ecrPublic").length > 0) {
        if (managedShortcut) {
            managed.push(managedPolicyArn(partition, MANAGED_READ_ONLY_POLICIES.ecrPublic as string));
        } else {
            statements.push(statement({ Sid: "EcrPublicAuthorizationToken", Effect: "Allow", Action: [...ECR_PUBLIC_ACTIONS], Resource: "*" }));
        }
    }
    const s3 = of("s3");
    if (s3.length > 0) {
        if (managedShortcut) {
            managed.push(managedPolicyArn(partition, MANAGED_READ_ONLY_POLICIES.s3 as string));
        } else {
            const buckets = resources(s3);
            statements.push(statement({ Sid: "S3ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: oneOrMany(buckets) }));
            statements.push(statement({ Sid: "S3GetObject", Effect: "Allow", Action: "s3:GetObject", Resource: oneOrMany(buckets.map((b) => `${b}/*`)) }));
        }
    }
    const kms = of("kms");
    if (kms.length > 0) {
        statements.push(statement({ Sid: "KmsDecrypt", Effect: "Allow", Action: [...KMS_ACTIONS], Resource: oneOrMany(resources(kms)) }));
    }
    // With both address and ca.crt Flux never calls DescribeCluster (fluxcd/pkg auth/aws NewRESTConfig).
    const eks = of("eks").filter((g) => !endpointIsComplete(g.endpoint));
    if (eks.length > 0) {
        statements.push(statement({ Sid: "EksDescribeCluster", Effect: "Allow", Action: "eks:DescribeCluster", Resource: oneOrMany(resources(eks)) }));
    }
    const git = of("codecommit");
    if (git.length > 0) {
        statements.push(statement({ Sid: "CodeCommitPull", Effect: "Allow", Action: "codecommit:GitPull", Resource: oneOrMany(resources(git)) }));
        const push = git.filter((g) => g.kinds.includes(FluxKind.ImageUpdateAutomation));
        if (push.length > 0) {
            statements.push(statement({ Sid: "CodeCommitPush", Effect: "Allow", Action: "codecommit:GitPush", Resource: oneOrMany(resources(push)) }));
        }
    }
    return { statements, managedPolicyArns: uniqueSorted(managed) };
}

/** All kinds named by the grants. */
