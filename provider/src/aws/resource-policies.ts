/**
 * Opt-in resource policies (ECR repository, S3 bucket, KMS key). Each REPLACES the resource's whole
 * policy, so one is written per resource, naming every role that reaches it.
 */

import { Issues } from "../core/errors";
import { compareStrings } from "../core/order";
import { AwsGrant, ECR_READ_ACTIONS, KMS_ACTIONS } from "./grants";
import { AwsPartition } from "./partition";
import { AwsResourcePolicyPlan, AwsResourcePolicyService, AwsRolePlan } from "./plan-model";
import { PolicyDocument, oneOrMany, policyDocument, statement, uniqueSorted } from "./policy";

export function planResourcePolicies(roles: AwsRolePlan[], grantsByRole: Map<string, AwsGrant[]>, partition: AwsPartition, accountId: string, issues: Issues): AwsResourcePolicyPlan[] {
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
    return out.sort((x, y) => compareStrings(x.logicalName, y.logicalName));
}
