/**
 * Azure DevOps onboarding as exact steps: Azure DevOps has its own access control, which azure-native does
 * not manage, so flux-identity states what to do instead of pretending it happened.
 */

import { AzureDevOpsGroup, AzureDevOpsOnboardingPlan } from "./plan-model";

export interface AzureIdentityIds {
    clientId: string;
    principalId: string;
}

export interface AzureDevOpsOnboarding extends AzureDevOpsOnboardingPlan {
    clientId: string;
    principalId: string;
    steps: string[];
}

export function azureDevOpsOnboarding(plan: AzureDevOpsOnboardingPlan, ids: AzureIdentityIds): AzureDevOpsOnboarding {
    const org = `https://dev.azure.com/${plan.organization}`;
    const why = plan.group === AzureDevOpsGroup.Contributors ? "pushes commits or posts commit statuses" : "only reads Git";
    return {
        ...plan,
        clientId: ids.clientId,
        principalId: ids.principalId,
        steps: [
            `Add the service principal (principal ID ${ids.principalId}) to ${org}: Organization settings > Users > Add users, or POST ${org.replace("dev.azure.com", "vsaex.dev.azure.com")}/_apis/serviceprincipalentitlements?api-version=7.1 with {"accessLevel": {"accountLicenseType": "express"}, "servicePrincipal": {"origin": "aad", "originId": "${ids.principalId}", "subjectKind": "servicePrincipal"}}.`,
            `Find its descriptor: POST ${org.replace("dev.azure.com", "vssps.dev.azure.com")}/_apis/graph/subjectquery?api-version=7.1-preview.1 with {"query": "${ids.principalId}", "subjectKind": ["ServicePrincipal"]}.`,
            `Add it to the [${plan.project}]\\${plan.group} group (Flux ${why}): az devops security group membership add --org ${org} --group-id <descriptor of [${plan.project}]\\${plan.group}> --member-id <its descriptor>.`,
        ],
    };
}
