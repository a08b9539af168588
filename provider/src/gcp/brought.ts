/**
 * What must exist on the GCP side for brought GSAs (`existingServiceAccountEmails`, a tenant's
 * `existingServiceAccountEmail`): `roles/iam.workloadIdentityUser` on the GSA for each Kubernetes
 * ServiceAccount's principal. flux-identity writes these members itself (non-authoritatively), so they
 * are marked managed; the owner can still check them, or add them where flux-identity may not.
 */

import { BroughtIdentityRequirement, documentJson, shellWord } from "../core/brought";
import { Cloud } from "../core/catalog";
import { serviceAccountKey } from "../core/kubernetes";
import { GCP_ROLES } from "./grants";
import { GcpPlan } from "./plan-model";

export type BroughtGcpInput = Pick<GcpPlan, "identities" | "workloadIdentityUsers">;

export function gcpBroughtIdentities(plan: BroughtGcpInput): BroughtIdentityRequirement[] {
    const out: BroughtIdentityRequirement[] = [];
    for (const i of plan.identities) {
        if (i.createsServiceAccount || !i.serviceAccountEmail) continue;
        const email = i.serviceAccountEmail;
        for (const u of plan.workloadIdentityUsers.filter((w) => w.identityKey === i.key)) {
            out.push({
                cloud: Cloud.Gcp,
                identityKey: i.key,
                identity: email,
                controllers: [...i.serves.controllers],
                tenant: i.serves.tenant ? serviceAccountKey(i.serves.tenant) : "",
                kind: "iam-member",
                resource: u.serviceAccountId,
                document: documentJson({ role: GCP_ROLES.workloadIdentityUser, member: u.member }),
                managed: true,
                check: `gcloud iam service-accounts get-iam-policy ${shellWord(email)} --format=json`,
                apply: `gcloud iam service-accounts add-iam-policy-binding ${shellWord(email)} --role=${GCP_ROLES.workloadIdentityUser} --member=${shellWord(u.member)}`,
            });
        }
    }
    return out;
}
