/**
 * The GCP planner: principals (GKE and federated, direct and impersonation, brought GSAs), grants per
 * integration with the roles the Flux GCP docs name, IAM members only, GCP naming rules, field-named
 * errors, and determinism. Expected values are literals from the docs.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError, ValidationIssue } from "../../provider/src/core/errors";
import { renderKustomization, renderTenantServiceAccounts } from "../../provider/src/flux/kustomization";
import { gcpFluxPatchSet } from "../../provider/src/gcp/patches";
import { GCP_TARGET_FIELDS, GCP_TENANT_FIELDS, GcpPlan, GcpPlanInput, planGcp, plannedPrincipals } from "../../provider/src/gcp/plan";
import { GCP_TYPES, GcpPlannedResource, describeGcpResources } from "../../provider/src/gcp/resources";
import { serviceAccountId } from "../../provider/src/gcp/service-accounts";
import { GcpAuthMode, GcpServiceAccountLayout } from "../../provider/src/gcp/spec";
import { GKE_ISSUER, NAMES, POOL_ID, PROJECT_NUMBER, PROVIDER_ID, gcpCluster, gcpFullAccess, gcpInput, gcpTenantInput } from "../helpers/gcp-samples";
import { ISSUERS } from "../helpers/samples";
import { validationIssues } from "../helpers/issues";

const T = SourceClusterType;
const POOL = `projects/123456789012/locations/global/workloadIdentityPools/${POOL_ID}`;
const fed = (ns: string, sa: string) => `principal://iam.googleapis.com/${POOL}/subject/system:serviceaccount:${ns}:${sa}`;
const gke = (ns: string, sa: string) => `serviceAccount:gke-host-project.svc.id.goog[${ns}/${sa}]`;
/** GCP's service account ID rule, restated from the GCP docs. */
const ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

function issuesOf(input: GcpPlanInput): ValidationIssue[] {
    return validationIssues(() => planGcp(input));
}

function of(resources: GcpPlannedResource[], type: string): GcpPlannedResource[] {
    return resources.filter((r) => r.type === type);
}

/** Grants as [role, member, target] triples, whatever resource type carries them. */
function memberTriples(plan: GcpPlan): string[] {
    return describeGcpResources(plan)
        .filter((r) => r.type !== GCP_TYPES.serviceAccountIamMember && "member" in r.properties)
        .map((r) => {
            const { role, member, ...target } = r.properties;
            return `${String(role)} ${String(member)} ${JSON.stringify(target)}`;
        })
        .sort();
}

describe("GCP plan: principals", () => {
    it("GKE, direct: grants go to serviceAccount:<GKE project>.svc.id.goog[<ns>/<ksa>], nothing else is created", () => {
        const plan = planGcp(gcpInput(T.Gke, { controllers: { gcs: [{ buckets: [NAMES.bucket] }] } }));
        assert.deepEqual(plannedPrincipals(plan).principals, { "source-controller": gke("flux-system", "source-controller") });
        assert.equal(plan.gkeProjectId, "gke-host-project", "read from the GKE issuer, not projectId");
        const resources = describeGcpResources(plan);
        assert.deepEqual(resources.map((r) => r.type), [GCP_TYPES.bucketIamMember, GCP_TYPES.bucketIamMember]);
        assert.equal(plan.workloadIdentityPool, undefined);
        assert.deepEqual(gcpFluxPatchSet(plan).controllers, [], "GKE direct access needs nothing on the Flux side");
    });

    it("non-GKE, direct: grants go to the principal:// of the Workload Identity Pool subject", () => {
        const plan = planGcp(gcpInput(T.Generic, { controllers: { pubsub: [{ topics: [NAMES.topic] }] } }));
        assert.deepEqual(plannedPrincipals(plan).principals, { "notification-controller": fed("flux-system", "notification-controller") });
        const [topic] = of(describeGcpResources(plan), GCP_TYPES.topicIamMember);
        assert.deepEqual(topic.properties, { project: "my-project", topic: "flux-events", role: "roles/pubsub.publisher", member: fed("flux-system", "notification-controller") });
        assert.deepEqual(topic.dependsOn, ["workload-identity-pool/provider"], "the member names the pool, so it waits for it");
    });

    it("GKE federated through a Workload Identity Pool (as Flux's e2e does): principal:// subjects, the pool trusts the GKE issuer, the Flux side is the credential configuration", () => {
        const plan = planGcp(gcpInput(T.Gke, { workloadIdentityPool: {}, controllers: { pubsub: [{ topics: [NAMES.topic] }] }, tenants: [{ namespace: "team-a", serviceAccount: "flux", access: { gcs: [{ buckets: [NAMES.bucket] }] } }] }));
        assert.equal(plan.gkeProjectId, undefined, "GKE's built-in pool is not used");
        const pool = plan.workloadIdentityPool;
        assert.ok(pool, "a pool is planned for the GKE cluster");
        assert.equal(pool.issuerUri, GKE_ISSUER);
        const fedOf = (ns: string, sa: string) => `principal://iam.googleapis.com/${pool.poolName}/subject/system:serviceaccount:${ns}:${sa}`;
        assert.deepEqual(plannedPrincipals(plan).principals, { "notification-controller": fedOf("flux-system", "notification-controller"), "team-a/flux": fedOf("team-a", "flux") });
        const types = describeGcpResources(plan).map((r) => r.type);
        assert.ok(types.includes(GCP_TYPES.workloadIdentityPool) && types.includes(GCP_TYPES.workloadIdentityPoolProvider));
        const patches = gcpFluxPatchSet(plan);
        const notification = patches.controllers.find((c) => c.controller === "notification-controller");
        assert.ok(notification);
        assert.deepEqual(notification.env, [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/workload-identity/credential-configuration.json" }]);
        assert.equal(notification.volumes[0].projectedTokens?.[0].audience, `https://iam.googleapis.com/${pool.providerName}`);
        assert.deepEqual(patches.tenantServiceAccounts[0].annotations, { "gcp.auth.fluxcd.io/workload-identity-provider": pool.providerName });
        assert.ok(!plan.warnings.some((w) => /Workload Identity Federation for GKE must be enabled/.test(w)), "GKE's own workload identity is not needed");
    });

    for (const type of [T.Gke, T.Eks]) {
        it(`${type}, impersonation: a GSA per controller, workloadIdentityUser for the KSA, grants to serviceAccount:<email>`, () => {
            const plan = planGcp(gcpInput(type, { authMode: GcpAuthMode.Impersonation, controllers: { kms: [{ cryptoKeys: [NAMES.key] }] } }));
            const ksa = type === T.Gke ? gke("flux-system", "kustomize-controller") : fed("flux-system", "kustomize-controller");
            const resources = describeGcpResources(plan);
            const [gsa] = of(resources, GCP_TYPES.serviceAccount);
            const accountId = gsa.properties.accountId as string;
            assert.match(accountId, ACCOUNT_ID);
            assert.equal(gsa.properties.project, "my-project");
            const email = `${accountId}@my-project.iam.gserviceaccount.com`;
            assert.deepEqual(plannedPrincipals(plan).serviceAccountEmails, { "kustomize-controller": email });
            const [user] = of(resources, GCP_TYPES.serviceAccountIamMember);
            assert.deepEqual(user.properties, { serviceAccountId: `projects/my-project/serviceAccounts/${email}`, role: "roles/iam.workloadIdentityUser", member: ksa });
            assert.deepEqual(user.dependsOn, type === T.Gke ? [gsa.name] : [gsa.name, "workload-identity-pool/provider"]);
            const [key] = of(resources, GCP_TYPES.cryptoKeyIamMember);
            assert.deepEqual(key.properties, { cryptoKeyId: "my-project/global/sops/flux", role: "roles/cloudkms.cryptoKeyDecrypter", member: `serviceAccount:${email}` });
            assert.deepEqual(key.dependsOn, [gsa.name], "grants to a GSA wait for the GSA only");
        });
    }

    it("shared layout: one GSA that every controller's KSA may impersonate, with the union of the grants", () => {
        const plan = planGcp(gcpInput(T.Generic, { authMode: GcpAuthMode.Impersonation, serviceAccountLayout: GcpServiceAccountLayout.Shared }));
        const resources = describeGcpResources(plan);
        assert.equal(of(resources, GCP_TYPES.serviceAccount).length, 1);
        assert.deepEqual(of(resources, GCP_TYPES.serviceAccountIamMember).map((r) => r.properties.member).sort(), [
            fed("flux-system", "helm-controller"),
            fed("flux-system", "image-reflector-controller"),
            fed("flux-system", "kustomize-controller"),
            fed("flux-system", "notification-controller"),
            fed("flux-system", "source-controller"),
        ]);
        const members = new Set(memberTriples(plan).map((t) => t.split(" ")[1]));
        assert.equal(members.size, 1, "every grant names the one GSA");
    });

    it("brings your own GSA: no account is created, the KSA is bound to it, and the listed access is granted to it", () => {
        const byo = "flux-source@byo-project.iam.gserviceaccount.com";
        const plan = planGcp(gcpInput(T.Gke, { controllers: { gcs: [{ buckets: [NAMES.bucket] }] }, existingServiceAccountEmails: { "source-controller": byo } }));
        const resources = describeGcpResources(plan);
        assert.deepEqual(of(resources, GCP_TYPES.serviceAccount), []);
        const [user] = of(resources, GCP_TYPES.serviceAccountIamMember);
        assert.deepEqual(user.properties, { serviceAccountId: "projects/byo-project/serviceAccounts/flux-source@byo-project.iam.gserviceaccount.com", role: "roles/iam.workloadIdentityUser", member: gke("flux-system", "source-controller") });
        assert.deepEqual(user.dependsOn, []);
        assert.ok(of(resources, GCP_TYPES.bucketIamMember).every((r) => r.properties.member === `serviceAccount:${byo}`));
        assert.deepEqual(gcpFluxPatchSet(plan).controllers[0].serviceAccountAnnotations, { "iam.gke.io/gcp-service-account": byo });
    });

    it("a brought GSA without access gets only the binding, and a warning that flux-identity grants it nothing", () => {
        const byo = "flux-kustomize@byo-project.iam.gserviceaccount.com";
        const plan = planGcp(gcpInput(T.Generic, { controllers: undefined, existingServiceAccountEmails: { "kustomize-controller": byo } }));
        assert.deepEqual(describeGcpResources(plan).map((r) => r.type), [GCP_TYPES.workloadIdentityPool, GCP_TYPES.workloadIdentityPoolProvider, GCP_TYPES.serviceAccountIamMember]);
        assert.ok(plan.warnings.some((w) => w.includes(`grants nothing to ${byo}`)), plan.warnings.join("\n"));
    });

    it("tenants: direct tenants use their own principal, impersonating tenants a GSA of their own", () => {
        const plan = planGcp(gcpTenantInput(T.Generic));
        const p = plannedPrincipals(plan);
        assert.equal(p.principals["team-a/flux-gcp"], fed("team-a", "flux-gcp"));
        assert.match(p.tenantServiceAccountEmails["team-b/sops"], /^[a-z][a-z0-9-]{4,28}[a-z0-9]@my-project\.iam\.gserviceaccount\.com$/);
        assert.equal(p.principals["team-b/sops"], `serviceAccount:${p.tenantServiceAccountEmails["team-b/sops"]}`);
        assert.deepEqual(Object.keys(p.tenantServiceAccountEmails), ["team-b/sops"]);
        assert.deepEqual(plan.objectLevelControllers, ["source-controller", "kustomize-controller"]);
        const user = of(describeGcpResources(plan), GCP_TYPES.serviceAccountIamMember);
        assert.deepEqual(user.map((u) => u.properties.member), [fed("team-b", "sops")]);
        assert.deepEqual(plan.objectSettings.find((s) => s.namespace === "team-a" && s.kind === "OCIRepository")?.set, { "spec.provider": "gcp", "spec.serviceAccountName": "flux-gcp" });
        assert.deepEqual(plan.objectSettings.find((s) => s.namespace === "team-b")?.set, { "spec.decryption.serviceAccountName": "sops" });
    });

    it("a tenant brings its GSA with usedBy only: bound and annotated, nothing granted", () => {
        const byo = "team-c@byo-project.iam.gserviceaccount.com";
        const plan = planGcp(gcpInput(T.Gke, { controllers: undefined, tenants: [{ namespace: "team-c", serviceAccount: "flux", existingServiceAccountEmail: byo, usedBy: [FluxKind.Bucket] }] }));
        assert.deepEqual(plan.objectLevelControllers, ["source-controller"]);
        assert.deepEqual(gcpFluxPatchSet(plan).tenantServiceAccounts, [{ namespace: "team-c", name: "flux", annotations: { "iam.gke.io/gcp-service-account": byo }, servedBy: ["source-controller"] }]);
        assert.deepEqual(describeGcpResources(plan).map((r) => r.properties.member), [gke("team-c", "flux")]);
    });
});

describe("GCP plan: grants", () => {
    it("gives each controller only what its kinds need, with the roles the Flux docs name", () => {
        const plan = planGcp(gcpInput(T.Generic));
        const roles = (controller: string) =>
            [...new Set(plan.grants.filter((g) => g.member === fed("flux-system", controller)).map((g) => g.role))].sort();
        assert.deepEqual(roles("source-controller"), ["roles/artifactregistry.reader", "roles/storage.bucketViewer", "roles/storage.objectViewer"]);
        assert.deepEqual(roles("kustomize-controller"), ["roles/cloudkms.cryptoKeyDecrypter", "roles/container.clusterViewer"]);
        assert.deepEqual(roles("helm-controller"), ["roles/container.clusterViewer"]);
        assert.deepEqual(roles("notification-controller"), ["roles/pubsub.publisher"]);
        assert.deepEqual(roles("image-reflector-controller"), ["roles/artifactregistry.reader"]);
        assert.deepEqual(Object.keys(plan.controllerIdentities), ["helm-controller", "image-reflector-controller", "kustomize-controller", "notification-controller", "source-controller"]);
    });

    it("writes each grant as the member resource of its service, with the parent named as that resource takes it", () => {
        const plan = planGcp(gcpInput(T.Gke));
        const src = gke("flux-system", "source-controller");
        const kus = gke("flux-system", "kustomize-controller");
        const resources = describeGcpResources(plan);
        const props = (type: string, member: string) => of(resources, type).filter((r) => r.properties.member === member).map((r) => r.properties);
        assert.deepEqual(props(GCP_TYPES.repositoryIamMember, src), [
            { project: "my-project", location: "us-central1", repository: "apps", role: "roles/artifactregistry.reader", member: src },
            { project: "other-project", location: "europe", repository: "charts", role: "roles/artifactregistry.reader", member: src },
        ]);
        assert.deepEqual(props(GCP_TYPES.bucketIamMember, src), [
            { bucket: "flux-bucket", role: "roles/storage.bucketViewer", member: src },
            { bucket: "flux-bucket", role: "roles/storage.objectViewer", member: src },
        ]);
        assert.deepEqual(props(GCP_TYPES.cryptoKeyIamMember, kus), [{ cryptoKeyId: "my-project/global/sops/flux", role: "roles/cloudkms.cryptoKeyDecrypter", member: kus }]);
        assert.deepEqual(props(GCP_TYPES.keyRingIamMember, kus), [{ keyRingId: "my-project/global/team", role: "roles/cloudkms.cryptoKeyDecrypter", member: kus }]);
        assert.deepEqual(props(GCP_TYPES.projectIamMember, kus), [{ project: "remote-project", role: "roles/container.clusterViewer", member: kus }]);
    });

    it("grants Artifact Registry at project level only when asked", () => {
        const plan = planGcp(gcpInput(T.Gke, { controllers: { gar: [{ repositories: [NAMES.repo, NAMES.repoOther], projectLevel: true }] } }));
        const resources = describeGcpResources(plan);
        assert.deepEqual(of(resources, GCP_TYPES.repositoryIamMember), []);
        assert.deepEqual(of(resources, GCP_TYPES.projectIamMember).map((r) => [r.properties.project, r.properties.role]), [
            ["my-project", "roles/artifactregistry.reader"],
            ["other-project", "roles/artifactregistry.reader"],
        ]);
    });

    it("grants the custom bucket role with exactly the docs' three permissions when asked, waiting for the role", () => {
        const plan = planGcp(gcpInput(T.Gke, { controllers: { gcs: [{ buckets: [NAMES.bucket, "second-bucket"], customRole: true }] } }));
        const resources = describeGcpResources(plan);
        const [role] = of(resources, GCP_TYPES.customRole);
        assert.equal(role.properties.project, "my-project");
        assert.deepEqual(role.properties.permissions, ["storage.buckets.get", "storage.objects.get", "storage.objects.list"]);
        assert.match(role.properties.roleId as string, /^[a-zA-Z0-9_.]{3,64}$/);
        const buckets = of(resources, GCP_TYPES.bucketIamMember);
        assert.deepEqual(buckets.map((b) => [b.properties.bucket, b.properties.role]), [
            ["flux-bucket", `projects/my-project/roles/${String(role.properties.roleId)}`],
            ["second-bucket", `projects/my-project/roles/${String(role.properties.roleId)}`],
        ]);
        assert.ok(buckets.every((b) => b.dependsOn.includes(role.name)));
        assert.ok(plan.warnings.some((w) => /can only be granted on buckets of project my-project/.test(w)));
    });

    it("writes the remote cluster's RBAC with the principal as the Kubernetes user, ClusterRoleBinding or RoleBindings", () => {
        const plan = planGcp(
            gcpInput(T.Generic, {
                authMode: GcpAuthMode.Impersonation,
                controllers: { gke: [{ cluster: NAMES.cluster, usedBy: [FluxKind.HelmRelease], clusterRole: "cluster-admin" }, { cluster: NAMES.cluster, namespaces: ["apps", "infra"] }] },
            }),
        );
        const emails = plannedPrincipals(plan).serviceAccountEmails;
        const rbac = plan.remoteClusterRbacYaml;
        assert.match(rbac, /^# Generated by flux-identity/);
        assert.ok(rbac.includes(`# Remote cluster ${NAMES.cluster}\n`));
        assert.equal((rbac.match(/kind: ClusterRoleBinding/g) ?? []).length, 1);
        assert.equal((rbac.match(/kind: RoleBinding/g) ?? []).length, 2);
        assert.ok(rbac.includes(`    kind: User\n    name: ${emails["helm-controller"]}\n`), "a GSA's Kubernetes user is its email");
        assert.ok(rbac.includes(`    kind: User\n    name: ${emails["kustomize-controller"]}\n`));
        assert.ok(rbac.includes("  name: cluster-admin\n"));
        assert.ok(plan.warnings.some((w) => w.startsWith("apply remoteClusterRbacYaml in each remote GKE cluster")));
        const direct = planGcp(gcpInput(T.Generic, { controllers: { gke: [{ cluster: NAMES.cluster }] } }));
        assert.ok(direct.remoteClusterRbacYaml.includes(`name: ${fed("flux-system", "kustomize-controller")}\n`), "a federated principal is its own user name");
    });

    it("creates IAM members only: never an IAM policy or binding, of any service", () => {
        const inputs = [
            gcpInput(T.Gke),
            gcpInput(T.Generic, { authMode: GcpAuthMode.Impersonation }),
            gcpInput(T.Aks, { authMode: GcpAuthMode.Impersonation, serviceAccountLayout: GcpServiceAccountLayout.Shared, controllers: { gcs: [{ buckets: [NAMES.bucket], customRole: true }] } }),
            gcpTenantInput(T.Eks),
        ];
        const allowed = new Set<string>(Object.values(GCP_TYPES));
        for (const input of inputs) {
            for (const r of describeGcpResources(planGcp(input))) {
                assert.ok(allowed.has(r.type), r.type);
                assert.doesNotMatch(r.type, /IAMPolicy|IAMBinding|IamPolicy|IamBinding/, r.type);
                if (/iam.?member/i.test(r.type)) assert.equal(typeof r.properties.member, "string", `${r.name} names one member`);
            }
        }
    });
});

describe("GCP plan: Workload Identity Pool", () => {
    it("creates a pool and OIDC provider for the cluster's issuer, mapping google.subject to assertion.sub", () => {
        const plan = planGcp(gcpInput(T.Aks));
        const resources = describeGcpResources(plan);
        assert.deepEqual(of(resources, GCP_TYPES.workloadIdentityPool)[0].properties, {
            project: "my-project",
            workloadIdentityPoolId: POOL_ID,
            displayName: "Flux aks-1",
            description: "Flux on cluster aks-1 (managed by flux-identity)",
        });
        const provider = of(resources, GCP_TYPES.workloadIdentityPoolProvider)[0];
        assert.deepEqual(provider.properties.attributeMapping, { "google.subject": "assertion.sub" });
        assert.deepEqual(provider.properties.oidc, { issuerUri: ISSUERS.aks }, "no allowedAudiences: the provider's own name is the accepted audience");
        assert.equal(provider.properties.workloadIdentityPoolProviderId, PROVIDER_ID);
        assert.deepEqual(provider.dependsOn, ["workload-identity-pool"]);
        assert.equal(plan.workloadIdentityPool?.providerName, `projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}/providers/${PROVIDER_ID}`);
    });

    it("derives valid IDs from the cluster name, stable across runs and distinct across issuers", () => {
        const input = gcpInput(T.Generic, { workloadIdentityPool: undefined });
        const a = planGcp(input).workloadIdentityPool;
        const b = planGcp(input).workloadIdentityPool;
        const c = planGcp({ ...input, cluster: { ...input.cluster, issuerUrl: "https://issuer.example.com/clusters/other" } }).workloadIdentityPool;
        for (const id of [a?.poolId, a?.providerId]) {
            assert.match(id ?? "", /^[a-z0-9-]{4,32}$/);
            assert.ok(!id?.startsWith("gcp-"));
        }
        assert.match(a?.poolId ?? "", /^flux-generic-1-[0-9a-f]{8}$/);
        assert.deepEqual(b, a);
        assert.notEqual(c?.poolId, a?.poolId);
    });

    it("uploads a JWKS for clusters whose discovery documents are not public, and warns to rotate it", () => {
        const jwks = JSON.stringify({ keys: [{ use: "sig", kty: "RSA", kid: "k1", alg: "RS256", n: "qN1i", e: "AQAB" }] });
        const plan = planGcp(gcpInput(T.Generic, { workloadIdentityPool: { poolId: POOL_ID, providerId: PROVIDER_ID, jwksJson: jwks } }));
        const provider = of(describeGcpResources(plan), GCP_TYPES.workloadIdentityPoolProvider)[0];
        assert.deepEqual(provider.properties.oidc, { issuerUri: ISSUERS.generic, jwksJson: jwks });
        assert.ok(plan.warnings.some((w) => /update jwksJson whenever/.test(w)));
    });

    it("uses an existing pool and provider as they are, and says what they must trust", () => {
        const plan = planGcp(gcpInput(T.Eks, { workloadIdentityPool: { create: false, poolId: "shared-pool", providerId: "eks-1" } }));
        const resources = describeGcpResources(plan);
        assert.deepEqual(of(resources, GCP_TYPES.workloadIdentityPool), []);
        assert.deepEqual(of(resources, GCP_TYPES.workloadIdentityPoolProvider), []);
        assert.ok(resources.every((r) => r.dependsOn.length === 0));
        assert.equal(plannedPrincipals(plan).principals["source-controller"], "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/shared-pool/subject/system:serviceaccount:flux-system:source-controller");
        assert.ok(plan.warnings.some((w) => w.includes(`must trust issuer ${ISSUERS.eks} with attribute mapping google.subject=assertion.sub`)));
    });
});

describe("GCP plan: service account IDs", () => {
    const clusterName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    const dnsLabel = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/);
    const saName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?)?$/);

    it("any cluster, controller or tenant yields a 6-30 character ID within GCP's rules", () => {
        fc.assert(
            fc.property(clusterName, fc.constantFrom(GcpServiceAccountLayout.PerController, GcpServiceAccountLayout.Shared), dnsLabel, saName, (name, layout, ns, sa) => {
                const input = gcpInput(T.Generic, {
                    authMode: GcpAuthMode.Impersonation,
                    serviceAccountLayout: layout,
                    tenants: [{ namespace: ns, serviceAccount: sa, authMode: GcpAuthMode.Impersonation, access: { gcs: [{ buckets: [NAMES.bucket] }] } }],
                });
                input.cluster = { name, type: T.Generic, issuerUrl: ISSUERS.generic };
                const plan = planGcp(input);
                assert.ok(plan.serviceAccounts.length >= 2);
                for (const gsa of plan.serviceAccounts) {
                    assert.match(gsa.accountId, ACCOUNT_ID);
                    assert.equal(gsa.email, `${gsa.accountId}@my-project.iam.gserviceaccount.com`);
                }
                const ids = plan.serviceAccounts.map((s) => s.accountId);
                assert.equal(new Set(ids).size, ids.length, "unique within a plan");
            }),
            { numRuns: 300 },
        );
    });

    it("two different clusters never share an ID, even with the same name in another project or issuer", () => {
        const cluster = fc.record({ name: clusterName, project: fc.constantFrom("my-project", "other-project"), issuer: fc.constantFrom(ISSUERS.generic, ISSUERS.aks, GKE_ISSUER) });
        fc.assert(
            fc.property(cluster, cluster, (x, y) => {
                fc.pre(x.name !== y.name || x.project !== y.project || x.issuer !== y.issuer);
                const id = (c: typeof x, key: string) => serviceAccountId({ projectId: c.project, prefix: "flux-", cluster: { ...gcpCluster(T.Generic, c.name), issuerUrl: c.issuer, issuerHostPath: "", issuerHasPort: false } }, key, "source");
                for (const key of ["source-controller", "shared", "tenant/a/b"]) {
                    assert.notEqual(id(x, key), id(y, key));
                }
            }),
            { numRuns: 500 },
        );
    });
});

describe("GCP plan: bad input names the field and the expected shape", () => {
    const cases: Array<[string, GcpPlanInput, string, RegExp, RegExp?]> = [
        ["repository given as a registry host path", gcpInput(T.Gke, { controllers: { gar: [{ repositories: ["us-central1-docker.pkg.dev/my-project/apps"] }] } }), "controllers.gar[0].repositories[0]", /projects\/<project>\/locations\/<location>\/repositories\/<repository>/, /projects\/my-project\/locations\/us-central1\/repositories\/apps/],
        ["bucket given as a gs:// URL", gcpInput(T.Gke, { controllers: { gcs: [{ buckets: ["gs://flux-bucket"] }] } }), "controllers.gcs[0].buckets[0]", /not a valid Cloud Storage bucket name/, /without gs:\/\//],
        ["crypto key version instead of key", gcpInput(T.Gke, { controllers: { kms: [{ cryptoKeys: [`${NAMES.key}/cryptoKeyVersions/1`] }] } }), "controllers.kms[0].cryptoKeys[0]", /projects\/<project>\/locations\/<location>\/keyRings\/<ring>\/cryptoKeys\/<key>/, /drop \/cryptoKeyVersions/],
        ["key ring given a key", gcpInput(T.Gke, { controllers: { kms: [{ keyRings: [NAMES.key] }] } }), "controllers.kms[0].keyRings[0]", /projects\/<project>\/locations\/<location>\/keyRings\/<ring>/, /list it under cryptoKeys/],
        ["topic without its project", gcpInput(T.Gke, { controllers: { pubsub: [{ topics: ["flux-events"] }] } }), "controllers.pubsub[0].topics[0]", /projects\/<project>\/topics\/<topic>/],
        ["GKE cluster as a URL", gcpInput(T.Gke, { controllers: { gke: [{ cluster: `https://container.googleapis.com/v1/${NAMES.cluster}` }] } }), "controllers.gke[0].cluster", /projects\/<project>\/locations\/<location>\/clusters\/<name>/, /drop the URL prefix/],
        ["project number as a number", gcpInput(T.Gke, { projectNumber: 123456789012 as never }), "projectNumber", /string of digits/, /quoted in YAML/],
        ["project number with letters", gcpInput(T.Gke, { projectNumber: "12345abc" }), "projectNumber", /string of digits/],
        ["project name instead of ID", gcpInput(T.Gke, { projectId: "My Project" }), "projectId", /GCP project ID/],
        ["pool ID starting with gcp-", gcpInput(T.Generic, { workloadIdentityPool: { poolId: "gcp-flux-pool" } }), "workloadIdentityPool.poolId", /starts with "gcp-", which Google reserves/],
        ["provider ID too short", gcpInput(T.Generic, { workloadIdentityPool: { providerId: "k8s" } }), "workloadIdentityPool.providerId", /4 to 32 lowercase letters/],
        ["existing pool without IDs", gcpInput(T.Generic, { workloadIdentityPool: { create: false } }), "workloadIdentityPool.poolId", /needs its poolId/],
        ["JWKS that is not a JWKS", gcpInput(T.Generic, { workloadIdentityPool: { jwksJson: "{}" } }), "workloadIdentityPool.jwksJson", /non-empty keys list/],
        ["display name over 32 characters", gcpInput(T.Generic, { workloadIdentityPool: { displayName: "Flux on the very long cluster name here" } }), "workloadIdentityPool.displayName", /1 to 32 characters/],
        ["GKE pool ID starting with gcp-", gcpInput(T.Gke, { workloadIdentityPool: { poolId: "gcp-flux-pool" } }), "workloadIdentityPool.poolId", /starts with "gcp-", which Google reserves/],
        ["unknown top-level field", gcpInput(T.Gke, { region: "us-central1" } as never), "region", /unknown field "region"/],
        ["unknown entry field", gcpInput(T.Gke, { controllers: { gar: [{ repositories: [NAMES.repo], repos: [] }] } as never }), "controllers.gar[0].repos", /unknown field "repos"/],
        ["unknown integration", gcpInput(T.Gke, { controllers: { ecr: [] } as never }), "controllers.ecr", /unknown GCP integration/],
        ["kind that does not use the service", gcpInput(T.Gke, { controllers: { gcs: [{ buckets: [NAMES.bucket], usedBy: [FluxKind.OCIRepository] }] } }), "controllers.gcs[0].usedBy[0]", /does not use Google Cloud Storage/],
        ["kms entry without keys", gcpInput(T.Gke, { controllers: { kms: [{}] } }), "controllers.kms[0]", /cryptoKeys, keyRings, or both/],
        ["empty repository list", gcpInput(T.Gke, { controllers: { gar: [{ repositories: [] }] } }), "controllers.gar[0].repositories", /non-empty list/],
        ["malformed brought GSA", gcpInput(T.Gke, { existingServiceAccountEmails: { "source-controller": "serviceAccount:x@p.iam.gserviceaccount.com" } }), "existingServiceAccountEmails.source-controller", /<name>@<project>\.iam\.gserviceaccount\.com/, /without the serviceAccount: prefix/],
        ["unknown controller for a brought GSA", gcpInput(T.Gke, { existingServiceAccountEmails: { "source-controler": "flux-src@my-project.iam.gserviceaccount.com" } }), "existingServiceAccountEmails.source-controler", /unknown Flux controller/],
        ["direct tenant with a brought GSA", gcpInput(T.Gke, { tenants: [{ namespace: "t", serviceAccount: "sa", authMode: GcpAuthMode.Direct, existingServiceAccountEmail: "team-t@my-project.iam.gserviceaccount.com", usedBy: [FluxKind.Bucket] }] }), "tenants[0].authMode", /authMode is direct/],
        ["tenant without access", gcpInput(T.Gke, { tenants: [{ namespace: "t", serviceAccount: "sa" }] }), "tenants[0].access", /needs access/],
        ["bad service account prefix", gcpInput(T.Gke, { serviceAccountPrefix: "9flux" }), "serviceAccountPrefix", /not a valid service account prefix/],
        ["bad auth mode", gcpInput(T.Gke, { authMode: "keys" as never }), "authMode", /not one of direct, impersonation/],
        ["nothing at all", gcpInput(T.Gke, { controllers: undefined }), "(root)", /nothing to grant/],
        [
            "one identity, one remote cluster, two bindings",
            gcpInput(T.Gke, { authMode: GcpAuthMode.Impersonation, serviceAccountLayout: GcpServiceAccountLayout.Shared, controllers: { gke: [{ cluster: NAMES.cluster }, { cluster: NAMES.cluster, usedBy: [FluxKind.HelmRelease], clusterRole: "cluster-admin" }] } }),
            "controllers.gke[1]",
            /different clusterRole or namespaces/,
        ],
    ];
    for (const [name, input, path, message, fix] of cases) {
        it(name, () => {
            const issues = issuesOf(input);
            const hit = issues.find((i) => i.path === path);
            assert.ok(hit, `no issue at ${path}: ${JSON.stringify(issues)}`);
            assert.match(hit.message, message);
            assert.ok(hit.fix.length > 10, "says how to fix it");
            if (fix) assert.match(hit.fix, fix);
        });
    }

    it("duplicate tenants point at the first listing", () => {
        const input = gcpTenantInput(T.Generic);
        const first = input.gcp.tenants?.[0];
        if (first) input.gcp.tenants?.push({ ...first });
        const issues = issuesOf(input);
        assert.ok(issues.some((i) => i.path === "tenants[2]" && /already listed at tenants\[0\]/.test(i.message)), JSON.stringify(issues));
    });

    it("reports every problem at once", () => {
        const issues = issuesOf(gcpInput(T.Generic, { projectNumber: "x", projectId: "X", workloadIdentityPool: { poolId: "gcp-pool" }, controllers: { pubsub: [{ topics: ["t"] }] } }));
        assert.deepEqual(issues.map((i) => i.path).sort(), ["controllers.pubsub[0].topics[0]", "projectId", "projectNumber", "workloadIdentityPool.poolId"]);
    });

    it("accepts exactly the documented top-level and tenant fields", () => {
        assert.deepEqual([...GCP_TARGET_FIELDS].sort(), ["authMode", "controllers", "existingServiceAccountEmails", "projectId", "projectNumber", "serviceAccountLayout", "serviceAccountPrefix", "tenants", "workloadIdentityPool"]);
        assert.deepEqual([...GCP_TENANT_FIELDS].sort(), ["access", "authMode", "existingServiceAccountEmail", "namespace", "serviceAccount", "usedBy"]);
    });
});

describe("GCP plan: determinism", () => {
    const render = (input: GcpPlanInput) => {
        const plan = planGcp(input);
        const set = gcpFluxPatchSet(plan);
        return [JSON.stringify(describeGcpResources(plan)), JSON.stringify(set), renderKustomization(set), renderTenantServiceAccounts(set.tenantServiceAccounts), plan.remoteClusterRbacYaml, JSON.stringify(plan.warnings)].join("\n---\n");
    };

    for (const type of [T.Gke, T.Generic]) {
        it(`${type}: the same input renders byte-identical resources, patches and YAML, whatever order lists come in`, () => {
            const input = gcpInput(type, { authMode: GcpAuthMode.Impersonation, tenants: gcpTenantInput(type).gcp.tenants });
            const first = render(input);
            assert.equal(render(JSON.parse(JSON.stringify(input))), first);
            const reordered = JSON.parse(JSON.stringify(input)) as GcpPlanInput;
            const access = reordered.gcp.controllers ?? gcpFullAccess();
            access.gar?.[0].repositories.reverse();
            access.gar?.[0].usedBy?.reverse();
            reordered.gcp.controllers = { pubsub: access.pubsub, gke: access.gke, kms: access.kms, gcs: access.gcs, gar: access.gar };
            reordered.gcp.tenants?.reverse();
            assert.equal(render(reordered), first);
        });
    }
});

describe("GCP plan: robustness", () => {
    /** Replaces or deletes one node of the input, chosen by index, with an arbitrary value. */
    function mutate(input: unknown, index: number, replacement: unknown, remove: boolean): unknown {
        const copy = JSON.parse(JSON.stringify(input));
        const nodes: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
        const walk = (node: unknown) => {
            if (Array.isArray(node)) node.forEach((v, i) => (nodes.push({ parent: node, key: i }), walk(v)));
            else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) nodes.push({ parent: node as Record<string, unknown>, key: k }), walk(v);
        };
        walk(copy);
        const { parent, key } = nodes[index % nodes.length];
        if (remove && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
        else (parent as Record<string | number, unknown>)[key] = replacement;
        return copy;
    }

    it("mutated specs end in a plan or a validation error with field paths, never another exception", () => {
        const base = fc.constantFrom(
            gcpInput(T.Gke, { authMode: GcpAuthMode.Impersonation, tenants: gcpTenantInput(T.Gke).gcp.tenants }),
            gcpInput(T.Generic, { tenants: gcpTenantInput(T.Generic).gcp.tenants, existingServiceAccountEmails: { "helm-controller": "helm@p-123456.iam.gserviceaccount.com" } }),
            gcpInput(T.Aks, { workloadIdentityPool: { create: false, poolId: "pool-1", providerId: "prov-1" }, controllers: { gcs: [{ buckets: ["b-1"], customRole: true }], gke: [{ cluster: NAMES.cluster, namespaces: ["apps"] }] } }),
        );
        fc.assert(
            fc.property(base, fc.nat(), fc.anything(), fc.boolean(), (input, index, replacement, remove) => {
                try {
                    const plan = planGcp(mutate(input, index, replacement, remove) as GcpPlanInput);
                    describeGcpResources(plan);
                    renderKustomization(gcpFluxPatchSet(plan));
                } catch (err) {
                    if (!(err instanceof FluxIdentityValidationError)) throw err;
                    for (const i of err.issues) assert.ok(i.path.length > 0 && i.message.length > 0 && i.fix.length > 0, JSON.stringify(i));
                }
            }),
            { numRuns: 1000 },
        );
    });
});
