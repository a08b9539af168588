/**
 * What the Flux docs say each controller and tenant ServiceAccount must carry, for a planned cluster:
 * env names, token audiences, file paths, annotation keys and the ConfigMap JSON are literals from
 * ../shared/reference (flux-integrations-aws/azure/gcp.md and the bootstrap page), never the project's
 * own constants. Identity values (role ARNs, client IDs, provider names) come from the plan, since the
 * docs leave them to the user. Several clouds on one controller share one projected volume whose
 * sources keep each cloud's file name, so every env var and credential file stays valid.
 */
import { plannedRoleArns } from "../../provider/src/aws/plan";
import { azureFluxIdentityResult } from "../../provider/src/azure/result";
import { ClusterPlan } from "../../provider/src/plan/cluster";
import { DeploymentChanges } from "./flux-asserts";

export const FEATURE_GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";
const TOKEN_DIR = "/var/run/service-account";

/**
 * The gate object level needs, by Flux minor: the reference docs (Flux 2.6 to 2.9) put it on every
 * controller serving tenants; the Flux v2.10.0 release notes say "Object identity is generally available;
 * the ObjectLevelWorkloadIdentity feature gate is retired".
 */
export function docsObjectLevelArgs(version: string): string[] {
    return Number(version.split(".")[1]) >= 10 ? [] : [FEATURE_GATE];
}

/**
 * fluxcd.io/flux/installation/configuration/object-identity/ (Flux 2.10): "The required permission is the
 * create verb on the serviceaccounts/token resource", in a ClusterRole named flux-object-identity.
 */
export const DOCS_OBJECT_IDENTITY_ROLE = "flux-object-identity";
export const DOCS_OBJECT_IDENTITY_RULE = { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] };

interface Token {
    audience: string;
    expirationSeconds: number;
    path: string;
}

export interface ControllerExpectation {
    annotations: Record<string, string>;
    labels: Record<string, string>;
    env: Array<{ name: string; value: string }>;
    tokens: Token[];
    /** Other volumes and their mounts (the GCP credential configuration). */
    volumes: unknown[];
    mounts: unknown[];
    args: string[];
}

export interface FluxExpectation {
    controllers: Record<string, ControllerExpectation>;
    /** ConfigMap name to data. */
    configMaps: Record<string, Record<string, string>>;
    /** `<ns>/<sa>` to annotations. */
    tenants: Record<string, Record<string, string>>;
}

function controller(out: FluxExpectation, name: string): ControllerExpectation {
    return (out.controllers[name] ??= { annotations: {}, labels: {}, env: [], tokens: [], volumes: [], mounts: [], args: [] });
}

/** The GCP docs' credential configuration ("At the controller level"), direct access or impersonation. */
export function docsCredentialConfiguration(providerName: string, email?: string): string {
    const access = email
        ? { service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${email}:generateAccessToken` }
        : { token_info_url: "https://sts.googleapis.com/v1/introspect" };
    return (
        JSON.stringify(
            {
                universe_domain: "googleapis.com",
                type: "external_account",
                audience: `//iam.googleapis.com/${providerName}`,
                subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
                token_url: "https://sts.googleapis.com/v1/token",
                ...access,
                credential_source: { file: "/var/run/service-account/gcp-token", format: { type: "text" } },
            },
            null,
            2,
        ) + "\n"
    );
}

export function expectedFluxSide(plan: ClusterPlan): FluxExpectation {
    const out: FluxExpectation = { controllers: {}, configMaps: {}, tenants: {} };
    const ns = plan.fluxNamespace;
    const aws = plan.aws;
    if (aws) {
        const arns = plannedRoleArns(aws);
        for (const [c, arn] of Object.entries(arns.controllers)) {
            if (aws.cluster.type === "eks") {
                if (aws.authMethod === "irsa") controller(out, c).annotations["eks.amazonaws.com/role-arn"] = arn;
                continue;
            }
            const e = controller(out, c);
            e.env.push(
                { name: "AWS_REGION", value: aws.region },
                { name: "AWS_ROLE_ARN", value: arn },
                { name: "AWS_ROLE_SESSION_NAME", value: `${c}.${ns}.${aws.region}.fluxcd.io` },
                { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/service-account/aws-token" },
            );
            e.tokens.push({ audience: "sts.amazonaws.com", expirationSeconds: 3600, path: "aws-token" });
        }
        for (const c of aws.objectLevelControllers) controller(out, c).args.push(...docsObjectLevelArgs(plan.fluxVersion));
        for (const [t, arn] of Object.entries(arns.tenants)) out.tenants[t] = { ...out.tenants[t], "eks.amazonaws.com/role-arn": arn };
    }
    const azure = plan.azure;
    if (azure) {
        const ids = azureFluxIdentityResult(azure);
        for (const [c, clientId] of Object.entries(ids.clientIds)) {
            const e = controller(out, c);
            if (azure.cluster.type === "aks") {
                e.annotations["azure.workload.identity/client-id"] = clientId;
                e.annotations["azure.workload.identity/tenant-id"] = azure.tenantId;
                e.labels["azure.workload.identity/use"] = "true";
                continue;
            }
            e.env.push(
                { name: "AZURE_TENANT_ID", value: azure.tenantId },
                { name: "AZURE_CLIENT_ID", value: clientId },
                { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
                { name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/service-account/azure-token" },
            );
            e.tokens.push({ audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-token" });
        }
        for (const c of azure.objectLevelControllers) {
            const e = controller(out, c);
            for (const a of docsObjectLevelArgs(plan.fluxVersion)) if (!e.args.includes(a)) e.args.push(a);
        }
        for (const [t, clientId] of Object.entries(ids.tenantClientIds)) {
            out.tenants[t] = { ...out.tenants[t], "azure.workload.identity/client-id": clientId, "azure.workload.identity/tenant-id": azure.tenantId };
        }
    }
    const gcp = plan.gcp;
    if (gcp) {
        const email = (key: string) => gcp.identities.find((i) => i.key === key)?.serviceAccountEmail;
        const provider = gcp.workloadIdentityPool?.providerName;
        for (const [c, key] of Object.entries(gcp.controllerIdentities)) {
            if (gcp.cluster.type === "gke") {
                const gsa = email(key);
                if (gsa) controller(out, c).annotations["iam.gke.io/gcp-service-account"] = gsa;
                continue;
            }
            if (!provider) throw new Error("a non-GKE GCP plan without a provider");
            const e = controller(out, c);
            const configMap = `${c}-workload-identity-federation`;
            e.env.push({ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/workload-identity/credential-configuration.json" });
            e.tokens.push({ audience: `https://iam.googleapis.com/${provider}`, expirationSeconds: 3600, path: "gcp-token" });
            e.volumes.push({ name: "workload-identity-credential-configuration", configMap: { name: configMap } });
            e.mounts.push({ name: "workload-identity-credential-configuration", mountPath: "/etc/workload-identity", readOnly: true });
            out.configMaps[configMap] = { "credential-configuration.json": docsCredentialConfiguration(provider, email(key)) };
        }
        for (const c of gcp.objectLevelControllers) {
            const e = controller(out, c);
            for (const a of docsObjectLevelArgs(plan.fluxVersion)) if (!e.args.includes(a)) e.args.push(a);
        }
        for (const [t, key] of Object.entries(gcp.tenantIdentities)) {
            const annotations: Record<string, string> = {};
            const gsa = email(key);
            if (gsa) annotations["iam.gke.io/gcp-service-account"] = gsa;
            if (gcp.cluster.type !== "gke" && provider) annotations["gcp.auth.fluxcd.io/workload-identity-provider"] = provider;
            out.tenants[t] = { ...out.tenants[t], ...annotations };
        }
    }
    return out;
}

/** The Deployment changes for one controller: one token volume per cloud, or one shared volume for several. */
export function deploymentChanges(e: ControllerExpectation | undefined): DeploymentChanges {
    if (!e) return {};
    const changes: DeploymentChanges = { env: e.env, args: e.args, volumes: [...e.volumes], mounts: [...e.mounts] };
    if (Object.keys(e.labels).length > 0) changes.labels = e.labels;
    if (e.tokens.length > 0) {
        const name = e.tokens.length === 1 ? e.tokens[0].path : "cloud-tokens";
        changes.volumes = [{ name, projected: { sources: e.tokens.map((t) => ({ serviceAccountToken: t })) } }, ...e.volumes];
        changes.mounts = [{ name, mountPath: TOKEN_DIR, readOnly: true }, ...e.mounts];
    }
    return changes;
}
