/**
 * A `pulumi import --file` document for one cluster: every cloud (and Vault) resource its stack would create, under
 * the same components and names the fleet's stack program declares them with, and the import ID of
 * each. For adopting resources that already exist (made by Terraform, by hand, or by a stack whose
 * state was lost) into the cluster's stack instead of creating them; see docs/migrating-from-terraform.md.
 *
 * IDs are filled in from the plan where the plan determines them (names, ARNs, scopes); where only the
 * cloud knows them (an EKS Pod Identity association ID) the ID is a `<...>` placeholder saying where to
 * find it. The format follows `pulumi import`'s own (Pulumi 3.94 and later: components in the file,
 * `logicalName` for the resource's Pulumi name). Pure: no Pulumi code is loaded.
 */

import { ClusterPlan } from "../../../provider/src/plan/cluster";
import { PlannedResource } from "../../../provider/src/core/resources";
import { pendingValue } from "../../../provider/src/core/pending";
import { AWS_TYPES, describeAwsResources } from "../../../provider/src/aws/resources";
import { AZURE_TYPES, describeAzureResources } from "../../../provider/src/azure/resources";
import { GCP_TYPES, describeGcpResources } from "../../../provider/src/gcp/resources";
import { VAULT_TYPES, describeVaultResources } from "../../../provider/src/vault/resources";

/** The components a cluster's stack declares (provider/src/*\/component.ts; a test keeps the two equal). */
export const COMPONENT_TYPES = {
    cluster: "flux-identity:index:FluxWorkloadIdentity",
    aws: "flux-identity:index:AwsFluxIdentity",
    azure: "flux-identity:index:AzureFluxIdentity",
    gcp: "flux-identity:index:GcpFluxIdentity",
    kubernetes: "flux-identity:index:KubernetesFluxIdentity",
    vault: "flux-identity:index:VaultFluxIdentity",
} as const;

/** One entry of an import file (`pulumi import`'s importSpec). */
export interface ImportEntry {
    type: string;
    /** Unique within the file; other entries name their parent by it. */
    name: string;
    /** The resource's Pulumi name, when it differs from `name`. */
    logicalName?: string;
    id?: string;
    parent?: string;
    component?: boolean;
}

export interface ImportFile {
    resources: ImportEntry[];
}

/** How each resource type is imported: the ID `pulumi import` takes, from the planned properties. */
export const IMPORT_ID_FORMATS: Readonly<Record<string, { format: string; id: (p: Record<string, unknown>) => string }>> = {
    [AWS_TYPES.oidcProvider]: { format: "the provider's ARN", id: () => "" },
    [AWS_TYPES.role]: { format: "the role name", id: (p) => String(p.name) },
    [AWS_TYPES.rolePolicy]: { format: "<role name>:<policy name>", id: (p) => `${String(p.role)}:${String(p.name)}` },
    [AWS_TYPES.rolePolicyAttachment]: { format: "<role name>/<policy ARN>", id: (p) => `${String(p.role)}/${String(p.policyArn)}` },
    [AWS_TYPES.podIdentityAssociation]: {
        format: "<cluster name>,<association ID>",
        id: (p) => `${String(p.clusterName)},${pendingValue(`association ID: aws eks list-pod-identity-associations --cluster-name ${String(p.clusterName)} --namespace ${String(p.namespace)} --service-account ${String(p.serviceAccount)}`)}`,
    },
    [AWS_TYPES.accessEntry]: { format: "<cluster name>:<principal ARN>", id: (p) => `${String(p.clusterName)}:${String(p.principalArn)}` },
    [AWS_TYPES.accessPolicyAssociation]: { format: "<cluster name>#<principal ARN>#<policy ARN>", id: (p) => `${String(p.clusterName)}#${String(p.principalArn)}#${String(p.policyArn)}` },
    [AWS_TYPES.repositoryPolicy]: { format: "the repository name", id: (p) => String(p.repository) },
    [AWS_TYPES.bucketPolicy]: { format: "the bucket name", id: (p) => String(p.bucket) },
    [AWS_TYPES.keyPolicy]: { format: "the key ID", id: (p) => String(p.keyId) },
    [AZURE_TYPES.identity]: {
        format: "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>",
        id: () => "",
    },
    [AZURE_TYPES.federatedCredential]: {
        format: "<identity ID>/federatedIdentityCredentials/<credential name>",
        id: () => "",
    },
    [AZURE_TYPES.roleAssignment]: { format: "<scope>/providers/Microsoft.Authorization/roleAssignments/<assignment GUID>", id: (p) => `${String(p.scope)}/providers/Microsoft.Authorization/roleAssignments/${String(p.roleAssignmentName)}` },
    [GCP_TYPES.workloadIdentityPool]: { format: "projects/<project>/locations/global/workloadIdentityPools/<pool>", id: (p) => `projects/${String(p.project)}/locations/global/workloadIdentityPools/${String(p.workloadIdentityPoolId)}` },
    [GCP_TYPES.workloadIdentityPoolProvider]: {
        format: "projects/<project>/locations/global/workloadIdentityPools/<pool>/providers/<provider>",
        id: (p) => `projects/${String(p.project)}/locations/global/workloadIdentityPools/${String(p.workloadIdentityPoolId)}/providers/${String(p.workloadIdentityPoolProviderId)}`,
    },
    [GCP_TYPES.customRole]: { format: "projects/<project>/roles/<role ID>", id: (p) => `projects/${String(p.project)}/roles/${String(p.roleId)}` },
    [GCP_TYPES.serviceAccount]: { format: "projects/<project>/serviceAccounts/<email>", id: (p) => `projects/${String(p.project)}/serviceAccounts/${String(p.accountId)}@${String(p.project)}.iam.gserviceaccount.com` },
    [GCP_TYPES.serviceAccountIamMember]: { format: "projects/<project>/serviceAccounts/<email> <role> <member>", id: (p) => member(String(p.serviceAccountId), p) },
    [GCP_TYPES.projectIamMember]: { format: "<project> <role> <member>", id: (p) => member(String(p.project), p) },
    [GCP_TYPES.repositoryIamMember]: { format: "projects/<project>/locations/<location>/repositories/<repository> <role> <member>", id: (p) => member(`projects/${String(p.project)}/locations/${String(p.location)}/repositories/${String(p.repository)}`, p) },
    [GCP_TYPES.bucketIamMember]: { format: "b/<bucket> <role> <member>", id: (p) => member(`b/${String(p.bucket)}`, p) },
    [GCP_TYPES.cryptoKeyIamMember]: { format: "<crypto key ID> <role> <member>", id: (p) => member(String(p.cryptoKeyId), p) },
    [GCP_TYPES.keyRingIamMember]: { format: "<key ring ID> <role> <member>", id: (p) => member(String(p.keyRingId), p) },
    [GCP_TYPES.topicIamMember]: { format: "projects/<project>/topics/<topic> <role> <member>", id: (p) => member(`projects/${String(p.project)}/topics/${String(p.topic)}`, p) },
    // Vault: in a Vault namespace, set TERRAFORM_VAULT_NAMESPACE_IMPORT=<namespace> for the import.
    [VAULT_TYPES.jwtAuthBackend]: { format: "the mount path", id: (p) => String(p.path) },
    [VAULT_TYPES.policy]: { format: "the policy name", id: (p) => String(p.name) },
    [VAULT_TYPES.jwtAuthBackendRole]: { format: "auth/<mount path>/role/<role name>", id: (p) => `auth/${String(p.backend)}/role/${String(p.roleName)}` },
};

/** GCP's IAM member import IDs: the resource, the role and the member, separated by spaces. */
function member(resource: string, p: Record<string, unknown>): string {
    return `${resource} ${String(p.role)} ${String(p.member)}`;
}

/** The import ID of a planned resource of `plan`. */
function importId(plan: ClusterPlan, r: PlannedResource): string {
    if (r.type === AWS_TYPES.oidcProvider) return plan.aws?.oidcProvider?.arn ?? "";
    if (r.type === AZURE_TYPES.identity || r.type === AZURE_TYPES.federatedCredential) {
        const azure = plan.azure;
        const identity = `/subscriptions/${azure?.subscriptionId ?? ""}/resourceGroups/${String(r.properties.resourceGroupName)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${String(r.properties.resourceName)}`;
        return r.type === AZURE_TYPES.identity ? identity : `${identity}/federatedIdentityCredentials/${String(r.properties.federatedIdentityCredentialResourceName)}`;
    }
    const format = IMPORT_ID_FORMATS[r.type];
    if (!format) throw new Error(`flux-identity: no import ID format for ${r.type}; this is a bug`);
    return format.id(r.properties);
}

/** The import file of a planned cluster: its components, then each cloud's resources under theirs. */
export function clusterImportFile(plan: ClusterPlan): ImportFile {
    const resources: ImportEntry[] = [{ type: COMPONENT_TYPES.cluster, name: plan.name, component: true }];
    const add = (cloud: "aws" | "azure" | "gcp" | "kubernetes" | "vault", planned: readonly PlannedResource[]) => {
        const parent = `${plan.name}/${cloud}`;
        resources.push({ type: COMPONENT_TYPES[cloud], name: parent, logicalName: plan.name, parent: plan.name, component: true });
        // Children are named `<component name>-<planned name>` (provider/src/pulumi/planned-resources.ts).
        for (const r of planned) resources.push({ type: r.type, name: `${cloud}/${r.name}`, logicalName: `${plan.name}-${r.name}`, id: importId(plan, r), parent });
    };
    if (plan.aws) add("aws", describeAwsResources(plan.aws));
    if (plan.azure) add("azure", describeAzureResources(plan.azure));
    if (plan.gcp) add("gcp", describeGcpResources(plan.gcp));
    // Remote clusters over OIDC create no cloud resources: the component alone, as the stack declares it.
    if (plan.kubernetes) add("kubernetes", []);
    if (plan.vault) add("vault", describeVaultResources(plan.vault));
    return { resources };
}

/** The import file as written next to plan.json. */
export function importFileJson(plan: ClusterPlan): string {
    return JSON.stringify(clusterImportFile(plan), null, 2) + "\n";
}
