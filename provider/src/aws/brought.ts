/**
 * What must exist on the AWS side for roles flux-identity does not own: brought roles (`existingRoleArns`,
 * a tenant's `existingRoleArn`) and Pod Identity target roles. Each requirement carries the exact
 * document and the aws CLI commands to check and add it.
 */

import { BroughtIdentityRequirement, documentJson, shellWord } from "../core/brought";
import { Cloud } from "../core/catalog";
import { serviceAccountKey, serviceAccountSubject } from "../core/kubernetes";
import { parseArn } from "./arn";
import { STS_AUDIENCE } from "./partition";
import { AwsIdentityServes, AwsPlan, AwsPodIdentityAssociationPlan, INLINE_POLICY_NAME } from "./plan-model";
import { PolicyStatement } from "./policy";
import { targetRoleTrustStatements } from "./pod-identity";
import { AwsAuthMethod } from "./spec";
import { podIdentityTrustPolicy, webIdentityTrustPolicy } from "./trust";

/** The parts of the plan the requirements are read from. */
export type BroughtAwsInput = Pick<AwsPlan, "cluster" | "partition" | "accountId" | "authMethod" | "fluxNamespace" | "existingRoles" | "podIdentityAssociations">;

/** A role's name: the last segment of its ARN (`role/<path>/<name>`). */
function roleNameOf(roleArn: string): string {
    return (parseArn(roleArn)?.resource ?? roleArn).split("/").pop() as string;
}

function trustRequirement(base: Omit<BroughtIdentityRequirement, "kind" | "resource" | "document" | "managed" | "check" | "apply">, statements: PolicyStatement[]): BroughtIdentityRequirement {
    const name = shellWord(roleNameOf(base.identity));
    const doc = documentJson(statements);
    const current = `aws iam get-role --role-name ${name} --query Role.AssumeRolePolicyDocument --output json`;
    return {
        ...base,
        kind: "iam-role-trust-statement",
        resource: base.identity,
        document: doc,
        managed: false,
        check: current,
        // Appends the statements to the trust policy the role has, so nothing else in it changes.
        apply: `aws iam update-assume-role-policy --role-name ${name} --policy-document "$(${current} | jq -c --argjson add ${shellWord(doc)} '.Statement += $add')"`,
    };
}

function who(serves: AwsIdentityServes): { controllers: string[]; tenant: string } {
    return { controllers: [...serves.controllers], tenant: serves.tenant ? serviceAccountKey(serves.tenant) : "" };
}

/**
 * Requirements for one association's target role; `externalId` defaults to the planned one (EKS's
 * documented form), and the component passes the value EKS returned.
 */
export function targetRoleRequirements(a: AwsPodIdentityAssociationPlan, externalId = a.externalId as string): BroughtIdentityRequirement[] {
    const target = a.targetRoleArn as string;
    const base = { cloud: Cloud.Aws, identityKey: `target/${a.controller}`, identity: target, controllers: [a.controller], tenant: "" };
    const out = [trustRequirement(base, targetRoleTrustStatements(a.roleArn, externalId))];
    if (a.targetRolePermissions) {
        const name = shellWord(roleNameOf(target));
        const doc = documentJson(a.targetRolePermissions);
        out.push({
            ...base,
            kind: "iam-role-permissions",
            resource: target,
            document: doc,
            managed: false,
            check: `aws iam get-role-policy --role-name ${name} --policy-name ${INLINE_POLICY_NAME}`,
            apply: `aws iam put-role-policy --role-name ${name} --policy-name ${INLINE_POLICY_NAME} --policy-document ${shellWord(doc)}`,
        });
    }
    return out;
}

/** Every requirement of a plan's brought and target roles, with the planned external IDs. */
export function awsBroughtIdentities(plan: BroughtAwsInput, externalIds: Readonly<Record<string, string>> = {}): BroughtIdentityRequirement[] {
    const out: BroughtIdentityRequirement[] = [];
    const { cluster, partition } = plan;
    for (const r of plan.existingRoles) {
        const base = { cloud: Cloud.Aws, identityKey: r.key, identity: r.arn, ...who(r.serves) };
        const roleAccount = parseArn(r.arn)?.account ?? plan.accountId;
        if (r.serves.tenant || plan.authMethod === AwsAuthMethod.Irsa) {
            // OIDC federation: the role's own account must hold an IAM OIDC provider for the issuer.
            const providerArn = `arn:${partition}:iam::${roleAccount}:oidc-provider/${cluster.issuerHostPath}`;
            out.push({
                ...base,
                kind: "iam-oidc-provider",
                resource: providerArn,
                document: documentJson({ Url: cluster.issuerUrl, ClientIDList: [STS_AUDIENCE] }),
                managed: false,
                check: `aws iam get-open-id-connect-provider --open-id-connect-provider-arn ${shellWord(providerArn)}`,
                apply: `aws iam create-open-id-connect-provider --url ${shellWord(cluster.issuerUrl)} --client-id-list ${STS_AUDIENCE}`,
            });
            const subjects = r.serves.tenant
                ? [serviceAccountSubject(r.serves.tenant.namespace, r.serves.tenant.name)]
                : r.serves.controllers.map((c) => serviceAccountSubject(plan.fluxNamespace, c));
            out.push(trustRequirement(base, webIdentityTrustPolicy(providerArn, cluster.issuerHostPath, subjects).Statement));
            continue;
        }
        // EKS Pod Identity: the service principal's trust, and the association flux-identity leaves to the owner.
        out.push(trustRequirement(base, podIdentityTrustPolicy().Statement));
        const eks = cluster.eks as { region: string; clusterName: string };
        for (const c of r.serves.controllers) {
            const clusterArn = `arn:${partition}:eks:${eks.region}:${plan.accountId}:cluster/${eks.clusterName}`;
            const where = `--region ${eks.region} --cluster-name ${shellWord(eks.clusterName)} --namespace ${plan.fluxNamespace} --service-account ${c}`;
            out.push({
                ...base,
                kind: "eks-pod-identity-association",
                resource: clusterArn,
                document: documentJson({ clusterName: eks.clusterName, namespace: plan.fluxNamespace, serviceAccount: c, roleArn: r.arn }),
                managed: false,
                check: `aws eks list-pod-identity-associations ${where}`,
                apply: `aws eks create-pod-identity-association ${where} --role-arn ${shellWord(r.arn)}`,
            });
        }
    }
    for (const a of plan.podIdentityAssociations) {
        if (a.targetRoleArn) out.push(...targetRoleRequirements(a, externalIds[a.logicalName] || a.externalId));
    }
    return out;
}
