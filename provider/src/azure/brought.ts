/**
 * What must exist on the Azure side for brought identities (`existingIdentities`, a tenant's
 * `existingIdentity`): one federated identity credential per ServiceAccount, matching the token byte
 * for byte (issuer, subject, audience). The document is the `az ad app federated-credential create
 * --parameters` shape; the commands find a managed identity by its client ID.
 */

import { BroughtIdentityRequirement, documentJson, shellWord } from "../core/brought";
import { Cloud } from "../core/catalog";
import { serviceAccountKey, serviceAccountSubject } from "../core/kubernetes";
import { AZURE_TOKEN_AUDIENCE } from "./clouds";
import { credentialName } from "./identities";
import { AzurePlan } from "./plan-model";

export type BroughtAzureInput = Pick<AzurePlan, "cluster" | "fluxNamespace" | "existingIdentities">;

export function azureBroughtIdentities(plan: BroughtAzureInput): BroughtIdentityRequirement[] {
    const out: BroughtIdentityRequirement[] = [];
    for (const e of plan.existingIdentities) {
        const subjects = e.serves.tenants.length > 0 ? e.serves.tenants.map((t) => ({ namespace: t.namespace, name: t.name })) : e.serves.controllers.map((c) => ({ namespace: plan.fluxNamespace, name: c }));
        for (const s of subjects) {
            const name = credentialName(plan, e.clientId, s.namespace, s.name);
            const subject = serviceAccountSubject(s.namespace, s.name);
            // A managed identity is addressed by name and resource group: look them up by client ID.
            const each = `az identity list --query ${shellWord(`[?clientId=='${e.clientId}'].[name,resourceGroup]`)} -o tsv | while read -r name group; do`;
            out.push({
                cloud: Cloud.Azure,
                identityKey: e.key,
                identity: e.clientId,
                controllers: [...e.serves.controllers],
                tenant: e.serves.tenants.length > 0 ? serviceAccountKey(s) : "",
                kind: "federated-identity-credential",
                resource: `client ID ${e.clientId} in tenant ${e.tenantId}`,
                document: documentJson({ name, issuer: plan.cluster.issuerUrl, subject, audiences: [AZURE_TOKEN_AUDIENCE] }),
                managed: false,
                check: `${each} az identity federated-credential list --identity-name "$name" --resource-group "$group"; done`,
                apply: `${each} az identity federated-credential create --identity-name "$name" --resource-group "$group" --name ${name} --issuer ${shellWord(plan.cluster.issuerUrl)} --subject ${shellWord(subject)} --audiences ${AZURE_TOKEN_AUDIENCE}; done`,
            });
        }
    }
    return out;
}
