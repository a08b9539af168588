/**
 * Every GCP cell: (EKS, AKS, GKE, generic) x (controller level direct, controller level impersonation,
 * object level). The rendered kustomization.yaml is built with the real `kubectl kustomize` against the
 * real Flux manifests, and every patched field is checked against the Flux GCP docs. Expected values are
 * literals from the docs, with their placeholders filled in.
 */
import { strict as assert } from "node:assert";
import { load, loadAll } from "js-yaml";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { renderKustomization, renderTenantServiceAccounts } from "../../provider/src/flux/kustomization";
import { gcpFluxPatchSet } from "../../provider/src/gcp/patches";
import { GcpPlan, GcpPlanInput, planGcp, plannedPrincipals } from "../../provider/src/gcp/plan";
import { GcpAuthMode, GcpServiceAccountLayout } from "../../provider/src/gcp/spec";
import { NAMES, gcpInput, gcpTenantInput } from "../helpers/gcp-samples";
import { assertDeployment, assertServiceAccount } from "../helpers/flux-asserts";
import { FluxFixture, KubeObject, find, kustomizeBuild, prepareFluxBuild } from "../helpers/kustomize";

const T = SourceClusterType;
const CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"];
const FEATURE_GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";
/** The gate per Flux version: the reference docs' flag on 2.6 to 2.9, retired in 2.10 (flux2 v2.10.0 release notes). */
const gateFor = (version: string): { args?: string[] } => (version === "2.10" ? {} : { args: [FEATURE_GATE] });

/** The docs' placeholders, as the sample input fills them. */
const PROJECT_NUMBER = "123456789012";
const POOL_ID = "kind-dev-pool";
const PROVIDER_ID = "kind-dev-oidc";

/** The docs' credential configuration for direct access, verbatim with placeholders. */
const DOCS_DIRECT_JSON = `{
 "universe_domain": "googleapis.com",
 "type": "external_account",
 "audience": "//iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/providers/PROVIDER_ID",
 "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
 "token_url": "https://sts.googleapis.com/v1/token",
 "token_info_url": "https://sts.googleapis.com/v1/introspect",
 "credential_source": {
 "file": "/var/run/service-account/gcp-token",
 "format": {
 "type": "text"
 }
 }
}`;

/** The docs' credential configuration for impersonation, verbatim with placeholders. */
const DOCS_IMPERSONATION_JSON = `{
 "universe_domain": "googleapis.com",
 "type": "external_account",
 "audience": "//iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/providers/PROVIDER_ID",
 "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
 "token_url": "https://sts.googleapis.com/v1/token",
 "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/SA_NAME@PROJECT_ID.iam.gserviceaccount.com:generateAccessToken",
 "credential_source": {
 "file": "/var/run/service-account/gcp-token",
 "format": {
 "type": "text"
 }
 }
}`;

function docsJson(template: string, email?: string): Record<string, unknown> {
    let text = template.replace("PROJECT_NUMBER", PROJECT_NUMBER).replace("POOL_ID", POOL_ID).replace("PROVIDER_ID", PROVIDER_ID);
    if (email) text = text.replace("SA_NAME@PROJECT_ID.iam.gserviceaccount.com", email);
    return JSON.parse(text) as Record<string, unknown>;
}

/** The docs' Deployment patch for a non-GKE controller. */
const ENV = [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/workload-identity/credential-configuration.json" }];
const volumes = (controller: string) => [
    {
        name: "gcp-token",
        projected: {
            sources: [
                {
                    serviceAccountToken: {
                        audience: `https://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}/providers/${PROVIDER_ID}`,
                        expirationSeconds: 3600,
                        path: "gcp-token",
                    },
                },
            ],
        },
    },
    { name: "workload-identity-credential-configuration", configMap: { name: `${controller}-workload-identity-federation` } },
];
const MOUNTS = [
    { name: "gcp-token", mountPath: "/var/run/service-account", readOnly: true },
    { name: "workload-identity-credential-configuration", mountPath: "/etc/workload-identity", readOnly: true },
];

interface Built {
    plan: GcpPlan;
    objects: KubeObject[];
    kustomization: string;
}

function build(input: GcpPlanInput, fixture: FluxFixture): Built {
    const plan = planGcp(input);
    const kustomization = renderKustomization(gcpFluxPatchSet(plan));
    return { plan, objects: kustomizeBuild(kustomization, fixture), kustomization };
}

/** The ConfigMap the docs show for one controller: its name, the Flux namespace, and the JSON. */
function assertCredentialConfigMap(built: KubeObject[], controller: string, want: Record<string, unknown>): void {
    const cm = find(built, "ConfigMap", `${controller}-workload-identity-federation`);
    assert.equal(cm.metadata.namespace, "flux-system");
    const data = cm.data as Record<string, string>;
    assert.deepEqual(Object.keys(data), ["credential-configuration.json"]);
    const got = JSON.parse(data["credential-configuration.json"]) as Record<string, unknown>;
    assert.deepEqual(got, want, `${controller} credential configuration`);
    assert.deepEqual(Object.keys(got), Object.keys(want), "keys in the docs' order");
    assert.equal(data["credential-configuration.json"], JSON.stringify(want, null, 2) + "\n", "two-space JSON, as the docs' block");
}

function configMaps(built: KubeObject[]): string[] {
    return built.filter((o) => o.kind === "ConfigMap").map((o) => o.metadata.name).sort();
}

/** Controllers reaching GAR (source) and KMS (kustomize): two controllers patched, four untouched. */
function twoControllers(type: SourceClusterType, authMode: GcpAuthMode): GcpPlanInput {
    return gcpInput(type, { authMode, controllers: { gar: [{ repositories: [NAMES.repo] }], kms: [{ cryptoKeys: [NAMES.key] }] } });
}
const PATCHED = ["source-controller", "kustomize-controller"];

describe("GCP kustomization.yaml built by kubectl kustomize against Flux's manifests", function () {
    let fixture: FluxFixture;
    let baseline: KubeObject[];

    before(function () {
        ({ fixture, baseline } = prepareFluxBuild(this));
    });

    it("renders the bootstrap docs' GCP shape: one ServiceAccount patch with the GSA annotation for grouped controllers", () => {
        const plan = planGcp(
            gcpInput(T.Gke, {
                authMode: GcpAuthMode.Impersonation,
                serviceAccountLayout: GcpServiceAccountLayout.Shared,
                controllers: { gar: [{ repositories: [NAMES.repo], usedBy: [FluxKind.OCIRepository, FluxKind.ImageRepository] }] },
            }),
        );
        const email = plannedPrincipals(plan).serviceAccountEmails["source-controller"];
        assert.deepEqual(load(renderKustomization(gcpFluxPatchSet(plan))), {
            apiVersion: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources: ["gotk-components.yaml", "gotk-sync.yaml"],
            patches: [
                {
                    patch: `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: controller\n  annotations:\n    iam.gke.io/gcp-service-account: ${email}\n`,
                    target: { kind: "ServiceAccount", name: "(source-controller|image-reflector-controller)" },
                },
            ],
        });
    });

    it("gke, controller level, direct: nothing changes in the Flux manifests", () => {
        const b = build(twoControllers(T.Gke, GcpAuthMode.Direct), fixture);
        assert.deepEqual(b.objects, baseline);
        assert.deepEqual(Object.keys(b.plan.controllerIdentities), ["kustomize-controller", "source-controller"]);
    });

    it("gke, controller level, impersonation: the GSA annotation on exactly the controllers that need GCP", () => {
        const b = build(twoControllers(T.Gke, GcpAuthMode.Impersonation), fixture);
        const emails = plannedPrincipals(b.plan).serviceAccountEmails;
        assert.deepEqual(Object.keys(emails), ["kustomize-controller", "source-controller"]);
        for (const c of CONTROLLERS) {
            assertServiceAccount(b.objects, c, emails[c] ? { "iam.gke.io/gcp-service-account": emails[c] } : undefined);
            assertDeployment(b.objects, baseline, c, {});
        }
        assert.deepEqual(configMaps(b.objects), configMaps(baseline));
    });

    for (const type of [T.Eks, T.Aks, T.Generic]) {
        it(`${type}, controller level, direct: the docs' ConfigMap (token_info_url), env, projected token and mounts`, () => {
            const b = build(twoControllers(type, GcpAuthMode.Direct), fixture);
            for (const c of CONTROLLERS) {
                assertServiceAccount(b.objects, c, undefined);
                assertDeployment(b.objects, baseline, c, PATCHED.includes(c) ? { env: ENV, volumes: volumes(c), mounts: MOUNTS } : {});
            }
            for (const c of PATCHED) assertCredentialConfigMap(b.objects, c, docsJson(DOCS_DIRECT_JSON));
            assert.deepEqual(configMaps(b.objects), [...configMaps(baseline), "kustomize-controller-workload-identity-federation", "source-controller-workload-identity-federation"].sort());
        });

        it(`${type}, controller level, impersonation: the docs' ConfigMap (service_account_impersonation_url), env, token and mounts`, () => {
            const b = build(twoControllers(type, GcpAuthMode.Impersonation), fixture);
            const emails = plannedPrincipals(b.plan).serviceAccountEmails;
            assert.deepEqual(Object.keys(emails), PATCHED.slice().sort());
            for (const c of CONTROLLERS) {
                assertServiceAccount(b.objects, c, undefined);
                assertDeployment(b.objects, baseline, c, PATCHED.includes(c) ? { env: ENV, volumes: volumes(c), mounts: MOUNTS } : {});
            }
            for (const c of PATCHED) {
                assert.match(emails[c], /^[a-z][a-z0-9-]{4,28}[a-z0-9]@my-project\.iam\.gserviceaccount\.com$/);
                assertCredentialConfigMap(b.objects, c, docsJson(DOCS_IMPERSONATION_JSON, emails[c]));
            }
        });
    }

    for (const type of [T.Eks, T.Aks, T.Gke, T.Generic]) for (const version of ["2.9", "2.10"]) {
        it(`${type}, object level (Flux ${version}): the feature gate (before 2.10) on serving controllers only, and tenant ServiceAccounts annotated per the docs`, () => {
            const b = build({ ...gcpTenantInput(type), fluxVersion: version }, fixture);
            for (const c of CONTROLLERS) {
                assertServiceAccount(b.objects, c, undefined);
                assertDeployment(b.objects, baseline, c, PATCHED.includes(c) ? gateFor(version) : {});
            }
            assert.deepEqual(configMaps(b.objects), configMaps(baseline), "no controller-level configuration at object level");
            const email = plannedPrincipals(b.plan).tenantServiceAccountEmails["team-b/sops"];
            const provider = `projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}/providers/${PROVIDER_ID}`;
            const wip = type === T.Gke ? {} : { "gcp.auth.fluxcd.io/workload-identity-provider": provider };
            const tenants = loadAll(renderTenantServiceAccounts(gcpFluxPatchSet(b.plan).tenantServiceAccounts));
            assert.deepEqual(tenants, [
                // Direct access: on GKE nothing to annotate; elsewhere only the provider.
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "flux-gcp", namespace: "team-a", annotations: wip } },
                // Impersonation: the GSA, plus the provider outside GKE.
                { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sops", namespace: "team-b", annotations: { "iam.gke.io/gcp-service-account": email, ...wip } } },
            ]);
            // Flux's own checks on the annotations (fluxcd/pkg auth/gcp).
            assert.match(email, /^[a-zA-Z0-9-]{1,100}@[a-zA-Z0-9-]{1,100}\.iam\.gserviceaccount\.com$/);
            if (type !== T.Gke) assert.match(provider, /^projects\/\d{1,30}\/locations\/global\/workloadIdentityPools\/[^/]{1,100}\/providers\/[^/]{1,100}$/);
        });
    }

    it("controller and object level together on one controller: configuration, token and feature gate all applied (Flux 2.9)", () => {
        const input = { ...gcpTenantInput(T.Generic), fluxVersion: "2.9" };
        input.gcp.controllers = { gar: [{ repositories: [NAMES.repo] }] };
        const b = build(input, fixture);
        assertDeployment(b.objects, baseline, "source-controller", { args: [FEATURE_GATE], env: ENV, volumes: volumes("source-controller"), mounts: MOUNTS });
        assertDeployment(b.objects, baseline, "kustomize-controller", { args: [FEATURE_GATE] });
        assertCredentialConfigMap(b.objects, "source-controller", docsJson(DOCS_DIRECT_JSON));
    });
});
