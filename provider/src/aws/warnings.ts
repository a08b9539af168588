/** Things the user must do or know that the plan cannot do itself. */

import { FluxController, FluxKind, KIND_CONTROLLER, isFluxController, sortControllers } from "../core/catalog";
import { ResolvedSourceCluster, SourceClusterType } from "../core/cluster";
import { AwsGrant } from "./grants";
import { AwsAccessEntryPlan, AwsPodIdentityAssociationPlan, AwsRolePlan } from "./plan-model";
import { uniqueSorted } from "./policy";
import { AwsAuthMethod } from "./spec";
import { StsEndpoint } from "./sts-endpoint";
import { Tenant } from "./tenants";

export interface WarningInput {
    cluster: ResolvedSourceCluster;
    authMethod: AwsAuthMethod;
    roles: AwsRolePlan[];
    grantsByRole: Map<string, AwsGrant[]>;
    accountId: string;
    accessEntries: AwsAccessEntryPlan[];
    fluxNamespace: string;
    controllers: string[];
    podIdentityAssociations: AwsPodIdentityAssociationPlan[];
    /** Controller grants of controllers that act as Pod Identity target roles. */
    targetGrants: AwsGrant[];
    stsEndpoint?: StsEndpoint;
    tenants: Tenant[];
    region: string;
}

export function planWarnings(w: WarningInput): string[] {
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
            out.push(`Pod Identity with existing roles: associate each with its controller ServiceAccount yourself (${brought.join(", ")}); flux-identity creates nothing in AWS for roles it does not own (broughtIdentities lists each association and trust statement, with the aws commands).`);
        }
    }
    for (const a of w.podIdentityAssociations) {
        if (!a.targetRoleArn) continue;
        out.push(
            `${a.controller} acts as target role ${a.targetRoleArn}: its owner must add the trust statement for ${a.roleArn} with external ID ${a.externalId} (and the permissions ${a.controller} needs) listed in broughtIdentities; EKS caches target role credentials for up to 59 minutes.`,
        );
        for (const g of w.targetGrants) {
            if (g.service !== "eks" || !g.eks || !g.kinds.some((k) => KIND_CONTROLLER[k] === a.controller)) continue;
            out.push(`${g.eks.clusterArn} needs an access entry for ${a.targetRoleArn}, which ${a.controller} acts as: create it in account ${g.eks.account} (flux-identity makes access entries only for its own roles).`);
        }
    }
    if (w.authMethod === AwsAuthMethod.PodIdentity && w.tenants.length > 0) {
        out.push("controllers use EKS Pod Identity and tenants OIDC federation: Flux requests each tenant's token and exchanges it with sts:AssumeRoleWithWebIdentity, which Pod Identity cannot serve.");
    }
    if (w.stsEndpoint) {
        if (w.stsEndpoint.region === undefined) {
            out.push(`stsEndpoint ${w.stsEndpoint.url} is the global (legacy) endpoint, served from us-east-1; AWS recommends the regional one, https://sts.${w.region}.amazonaws.com.`);
        }
        for (const t of w.tenants) {
            const others = t.kinds.filter((k) => k !== FluxKind.Bucket);
            if (others.length === 0) continue;
            out.push(
                `tenant ${t.ref.namespace}/${t.ref.name} exchanges tokens for ${others.join(", ")} at the regional public endpoint sts.${w.region}.amazonaws.com, not ${w.stsEndpoint.url}: Flux takes an object-level STS endpoint only from a Bucket's spec.sts (a VPC endpoint with private DNS serves the regional name inside the VPC).`,
            );
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
