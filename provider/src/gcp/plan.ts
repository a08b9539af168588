/**
 * The GCP plan: from what the user states to every principal, GCP service account, Workload Identity
 * Pool, IAM member, custom role and remote-cluster binding, with deterministic names. Pure: the
 * component, `render` and the tests all call this one function.
 */

import { tenantControllers } from "../core/tenants";
import { FluxController, controllersForKinds, isFluxController } from "../core/catalog";
import { checkKnownFields, enumValue, isRecord } from "../core/checks";
import { SourceCluster, SourceClusterType, resolveSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { checkNamespace } from "../core/kubernetes";
// Shared by every target; it lives with the AWS plan model until core takes it.
import { DEFAULT_FLUX_NAMESPACE } from "../core/kubernetes";
import { grantKinds, resolveAccess } from "./grants";
import { planIdentities } from "./identities";
import { planBucketReaderRole, planGrants } from "./members";
import { gcpObjectSettings } from "./object-settings";
import { DEFAULT_SERVICE_ACCOUNT_PREFIX, GCP_COMPONENT_PATHS, GcpPlan, GcpPlanInput, GcpPlanOptions, GcpWorkloadIdentityPoolPlan } from "./plan-model";
import { KubernetesPrincipalSource, gkeIssuerProject } from "./principals";
import { planRemoteClusterRbac, renderRemoteClusterRbac } from "./remote-clusters";
import { PROJECT_ID, PROJECT_NUMBER, SERVICE_ACCOUNT_EMAIL, checkGcpName } from "./resource-names";
import { SERVICE_ACCOUNT_PREFIX } from "./service-accounts";
import { GcpAuthMode, GcpServiceAccountLayout, GcpTargetSpec } from "./spec";
import { resolveTenants } from "./tenants";
import { gcpPlanWarnings } from "./warnings";
import { planWorkloadIdentityPool } from "./workload-identity-pool";

export * from "./plan-model";
export { GCP_TENANT_FIELDS } from "./tenants";

const PLACEHOLDER_ISSUER = "https://pending.flux-identity.invalid/issuer";
/** Stands in for the GKE project while the issuer it is read from is pending. */
const PLACEHOLDER_GKE_PROJECT = "pending-project";

export const GCP_TARGET_FIELDS = [
    "projectId",
    "projectNumber",
    "authMode",
    "serviceAccountLayout",
    "serviceAccountPrefix",
    "controllers",
    "tenants",
    "existingServiceAccountEmails",
    "workloadIdentityPool",
];

/** Plans the GCP side of one source cluster. Throws FluxIdentityValidationError listing every problem. */
export function planGcp(input: GcpPlanInput, options: GcpPlanOptions = {}): GcpPlan {
    const paths = options.paths ?? GCP_COMPONENT_PATHS;
    const pending = options.pending ?? {};
    const issues = Issues.root();
    if (!isRecord(input) || !isRecord(input.cluster)) {
        issues.addAt(paths.cluster, `expected the source cluster (name, type, issuerUrl), got ${show(isRecord(input) ? input.cluster : input)}.`, "describe the cluster Flux runs in.");
        issues.throwIfAny();
    }
    const at = issues.within(paths.gcp);
    const g: Partial<GcpTargetSpec> = isRecord(input.gcp) ? input.gcp : {};
    if (!isRecord(input.gcp)) {
        at.add(undefined, `expected the GCP target settings, got ${show(input.gcp)}.`, "give at least projectId, projectNumber and what Flux must reach.");
    }
    checkKnownFields(g as Record<string, unknown>, GCP_TARGET_FIELDS, at);

    const clusterInput: SourceCluster = { ...input.cluster, issuerUrl: pending.issuerUrl ? PLACEHOLDER_ISSUER : input.cluster.issuerUrl };
    const cluster = resolveSourceCluster(clusterInput, issues.within(paths.cluster), { placeholderIssuer: pending.issuerUrl });
    const fluxNamespace = input.fluxNamespace ?? DEFAULT_FLUX_NAMESPACE;
    checkNamespace(fluxNamespace, issues.within(paths.namespace), undefined);

    if (typeof g.projectId !== "string" || !PROJECT_ID.test(g.projectId)) {
        at.add("projectId", `expected a GCP project ID (6-30 lowercase letters, digits and '-', starting with a letter), got ${show(g.projectId)}.`, "use the ID shown by `gcloud projects list` (PROJECT_ID), not its name or number.");
    }
    if (typeof g.projectNumber !== "string" || !PROJECT_NUMBER.test(g.projectNumber)) {
        at.add(
            "projectNumber",
            `expected the project number as a string of digits, got ${show(g.projectNumber)}.`,
            "use `gcloud projects describe <projectId> --format='value(projectNumber)'`, quoted in YAML (\"123456789012\").",
        );
    }
    const authMode = enumValue(g.authMode, Object.values(GcpAuthMode), GcpAuthMode.Direct, at, "authMode");
    const layout = enumValue(g.serviceAccountLayout, Object.values(GcpServiceAccountLayout), GcpServiceAccountLayout.PerController, at, "serviceAccountLayout");
    const prefix = g.serviceAccountPrefix ?? DEFAULT_SERVICE_ACCOUNT_PREFIX;
    if (typeof prefix !== "string" || !SERVICE_ACCOUNT_PREFIX.test(prefix)) {
        at.add("serviceAccountPrefix", `${show(prefix)} is not a valid service account prefix.`, "use 1 to 10 lowercase letters, digits and '-', starting with a letter (GCP account IDs must).");
    }

    // Bring-your-own controller GSAs.
    const existing = new Map<FluxController, string>();
    if (g.existingServiceAccountEmails !== undefined) {
        if (!isRecord(g.existingServiceAccountEmails)) {
            at.add("existingServiceAccountEmails", `expected a map from controller name to GSA email, got ${show(g.existingServiceAccountEmails)}.`, "write existingServiceAccountEmails: { source-controller: name@project.iam.gserviceaccount.com }.");
        } else {
            for (const [controller, email] of Object.entries(g.existingServiceAccountEmails)) {
                const ai = at.at("existingServiceAccountEmails");
                if (!isFluxController(controller)) {
                    ai.add(controller, `unknown Flux controller ${show(controller)}.`, `use one of ${Object.values(FluxController).join(", ")}.`);
                } else if (checkGcpName(email, SERVICE_ACCOUNT_EMAIL, ai, controller)) {
                    existing.set(controller, email);
                }
            }
        }
    }

    const controllerGrants = resolveAccess(g.controllers, at.at("controllers"));
    if (isRecord(g.controllers) && Object.keys(g.controllers).length === 0) {
        at.add("controllers", "controllers is empty.", "list what the controllers must reach (gar, gcs, kms, gke, pubsub), or remove controllers.");
    }
    const tenants = resolveTenants(g.tenants, at, authMode);
    const controllersWithGrants = controllersForKinds(grantKinds(controllerGrants));
    if (controllersWithGrants.length === 0 && existing.size === 0 && tenants.length === 0 && issues.count === 0) {
        at.add(undefined, "nothing to grant: no controller access, tenants or existing service accounts are listed.", "list what Flux must reach under controllers (gar, gcs, kms, gke, pubsub) or tenants.");
    }

    // Where the Kubernetes principals come from: GKE's own pool (<project>.svc.id.goog), or a Workload
    // Identity Pool trusting the issuer. A GKE cluster may be federated through a pool like any other
    // cluster (Flux's e2e does it): for another project or organization, or tokens without pod claims.
    let gkeProjectId: string | undefined;
    let pool: GcpWorkloadIdentityPoolPlan | undefined;
    if (cluster?.type === SourceClusterType.Gke && g.workloadIdentityPool === undefined) {
        gkeProjectId = pending.issuerUrl ? PLACEHOLDER_GKE_PROJECT : gkeIssuerProject(cluster.issuerUrl);
    } else if (cluster) {
        // Planned even when other fields are invalid, so its own problems are reported in the same run.
        pool = planWorkloadIdentityPool(g.workloadIdentityPool, { projectId: String(g.projectId), projectNumber: String(g.projectNumber), cluster }, at.at("workloadIdentityPool"));
    }
    issues.throwIfAny();
    if (!cluster) throw new Error("unreachable: invalid cluster without issues");

    const projectId = g.projectId as string;
    const projectNumber = g.projectNumber as string;
    const principals: KubernetesPrincipalSource = { gkeProjectId, poolName: pool?.poolName };
    const planned = planIdentities({
        accounts: { projectId, cluster, prefix },
        fluxNamespace,
        principals,
        authMode,
        layout,
        controllerGrants,
        existing,
        tenants,
    });
    const usesCustomRole = [...planned.grantsByIdentity.values()].some((grants) => grants.some((gr) => gr.customRole));
    const customRole = usesCustomRole ? planBucketReaderRole(projectId, cluster) : undefined;
    const grants = planGrants(planned.identities, planned.grantsByIdentity, customRole);
    const remoteClusterRbac = planRemoteClusterRbac(planned.identities, planned.grantsByIdentity, cluster, issues);
    issues.throwIfAny();

    return {
        cluster,
        fluxNamespace,
        projectId,
        projectNumber,
        authMode,
        serviceAccountLayout: layout,
        gkeProjectId,
        workloadIdentityPool: pool,
        identities: planned.identities,
        serviceAccounts: planned.serviceAccounts,
        workloadIdentityUsers: planned.workloadIdentityUsers,
        customRoles: customRole ? [customRole] : [],
        grants,
        remoteClusterRbac,
        remoteClusterRbacYaml: renderRemoteClusterRbac(remoteClusterRbac),
        controllerIdentities: planned.controllerIdentities,
        tenantIdentities: planned.tenantIdentities,
        objectLevelControllers: controllersForKinds(tenants.flatMap((t) => t.kinds)),
        tenantControllers: tenantControllers(tenants),
        objectSettings: gcpObjectSettings(controllerGrants, tenants),
        warnings: gcpPlanWarnings({
            cluster,
            fluxNamespace,
            projectId,
            identities: planned.identities,
            grantsByIdentity: planned.grantsByIdentity,
            controllerIdentities: planned.controllerIdentities,
            pool,
            customRole,
            remoteClusterRbac,
        }),
    };
}

/** Per controller and tenant: the GSA email (impersonation) and the IAM member that holds the grants. */
export interface GcpPlannedPrincipals {
    serviceAccountEmails: Record<string, string>;
    tenantServiceAccountEmails: Record<string, string>;
    principals: Record<string, string>;
}

export function plannedPrincipals(plan: GcpPlan): GcpPlannedPrincipals {
    const byKey = new Map(plan.identities.map((i) => [i.key, i]));
    const out: GcpPlannedPrincipals = { serviceAccountEmails: {}, tenantServiceAccountEmails: {}, principals: {} };
    for (const [c, key] of Object.entries(plan.controllerIdentities)) {
        const i = byKey.get(key);
        if (!i) continue;
        if (i.serviceAccountEmail) out.serviceAccountEmails[c] = i.serviceAccountEmail;
        out.principals[c] = i.member;
    }
    for (const [t, key] of Object.entries(plan.tenantIdentities)) {
        const i = byKey.get(key);
        if (!i) continue;
        if (i.serviceAccountEmail) out.tenantServiceAccountEmails[t] = i.serviceAccountEmail;
        out.principals[t] = i.member;
    }
    return out;
}
