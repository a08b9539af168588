/**
 * Tenant RBAC for object-level workload identity: only `create` on `serviceaccounts/token`, per tenant
 * namespace and per controller, for exactly the ServiceAccounts it serves; on Flux 2.10 with the
 * lockdown's workload identity defaults also the docs' `flux-object-identity` ClusterRole, narrowed to the
 * default names. Checked with Kubernetes' RBAC rule (tests/helpers/rbac.ts) on the rendered objects, and
 * against Flux's own install manifests for the claim that a namespaced `get` would do nothing.
 */
import { strict as assert } from "node:assert";
import { loadAll } from "js-yaml";
import { ClusterSpec, planCluster } from "../../provider/src/plan/cluster";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { DOCS_OBJECT_IDENTITY_ROLE, DOCS_OBJECT_IDENTITY_RULE } from "../helpers/docs-expectations";
import { KubeObject, prepareFluxBuild } from "../helpers/kustomize";
import { fromRoot } from "../helpers/paths";
import { RbacRequest, rbacAllows, tokenRequest } from "../helpers/rbac";

const SOURCE = "source-controller";
const KUSTOMIZE = "kustomize-controller";

function rbacOf(spec: ClusterSpec): KubeObject[] {
    return (loadAll(planCluster(spec).tenantRbacYaml) as KubeObject[]).filter((o) => o && o.kind);
}

function cell(file: string, flux: ClusterSpec["flux"] = {}): ClusterSpec {
    const spec = loadFleet(fromRoot("examples", "matrix", file)).clusters[0];
    return { ...spec, flux: { ...spec.flux, ...flux } };
}

const WI_DEFAULTS = { defaultWorkloadIdentityServiceAccount: "tenant-cloud", defaultDecryptionServiceAccount: "tenant-sops" };

describe("tenant RBAC (object-level workload identity)", () => {
    for (const version of ["2.9", "2.10"]) {
        it(`Flux ${version}: each serving controller may create tokens for exactly its tenants' ServiceAccounts, and for nothing else`, () => {
            const rbac = rbacOf(cell("kind-to-all-clouds-object.yaml", { version }));
            // The cell's tenants: team-a/registry (OCI registries, source-controller) and team-b/sops (kustomize-controller).
            const tenants = (loadAll(planCluster(cell("kind-to-all-clouds-object.yaml", { version })).tenantServiceAccountsYaml) as KubeObject[]).filter(Boolean);
            assert.ok(tenants.length >= 2);
            const a = tenants.find((t) => t.metadata.namespace === "team-a") as KubeObject;
            const b = tenants.find((t) => t.metadata.namespace === "team-b") as KubeObject;
            const allowed = (req: RbacRequest) => rbacAllows(rbac, req);
            assert.ok(allowed(tokenRequest(SOURCE, "flux-system", "team-a", a.metadata.name)));
            assert.ok(allowed(tokenRequest(KUSTOMIZE, "flux-system", "team-b", b.metadata.name)));
            // Negatives: another ServiceAccount in the namespace, the same name elsewhere, another controller.
            assert.ok(!allowed(tokenRequest(SOURCE, "flux-system", "team-a", "default")));
            assert.ok(!allowed(tokenRequest(SOURCE, "flux-system", "team-b", a.metadata.name)));
            assert.ok(!allowed(tokenRequest(KUSTOMIZE, "flux-system", "team-a", a.metadata.name)));
            assert.ok(!allowed(tokenRequest("helm-controller", "flux-system", "team-b", b.metadata.name)));
            assert.ok(!allowed(tokenRequest(SOURCE, "other-flux", "team-a", a.metadata.name)), "a controller of the same name in another namespace");
            // Defect 6: nothing but the token verb; a namespaced `get` on serviceaccounts is never consulted.
            for (const role of rbac.filter((o) => o.kind === "Role")) {
                assert.deepEqual((role.rules as unknown[]).map((r) => ({ ...(r as object), resourceNames: undefined })), [{ ...DOCS_OBJECT_IDENTITY_RULE, resourceNames: undefined }]);
            }
            assert.ok(!allowed({ ...tokenRequest(SOURCE, "flux-system", "team-a", a.metadata.name), verb: "get", resource: "serviceaccounts" }));
            assert.deepEqual(rbac.filter((o) => o.kind.startsWith("Cluster")), [], "no lockdown defaults, no cluster-wide grant");
        });
    }

    it("Flux's own install lets every controller read ServiceAccounts cluster-wide (why no namespaced get is rendered)", function () {
        for (const version of ["flux-v2.9.4", "flux-v2.7.5"]) {
            const { baseline } = prepareFluxBuild(this, version);
            for (const controller of [SOURCE, KUSTOMIZE, "notification-controller"]) {
                for (const verb of ["get", "list", "watch"]) {
                    assert.ok(
                        rbacAllows(baseline, { serviceAccount: { namespace: "flux-system", name: controller }, verb, apiGroup: "", resource: "serviceaccounts", namespace: "team-a", name: "registry" }),
                        `${version}: ${controller} may ${verb} serviceaccounts in any namespace`,
                    );
                }
            }
        }
    });

    it("the RBAC check can fail: without Flux's crd-controller rule on serviceaccounts, reads are refused", function () {
        const { baseline } = prepareFluxBuild(this);
        const broken = JSON.parse(JSON.stringify(baseline)) as KubeObject[];
        for (const o of broken.filter((x) => x.kind === "ClusterRole")) {
            o.rules = (o.rules as Array<{ resources?: string[] }>).map((r) => ({ ...r, resources: (r.resources ?? []).filter((res) => res !== "serviceaccounts") }));
        }
        assert.ok(!rbacAllows(broken, { serviceAccount: { namespace: "flux-system", name: SOURCE }, verb: "list", apiGroup: "", resource: "serviceaccounts", namespace: "team-a", name: "registry" }));
        // And a rendered Role with the wrong name refuses the tenant.
        const rbac = rbacOf(cell("eks-to-aws-object.yaml"));
        const role = rbac.find((o) => o.kind === "Role") as KubeObject;
        const tenant = (role.rules as Array<{ resourceNames: string[] }>)[0].resourceNames[0];
        (role.rules as Array<{ resourceNames: string[] }>)[0].resourceNames = ["someone-else"];
        assert.ok(!rbacAllows(rbac, tokenRequest(SOURCE, "flux-system", role.metadata.namespace as string, tenant)));
    });

    it("Flux 2.10 with workload identity defaults: the docs' flux-object-identity ClusterRole, narrowed to the default names and the controllers taking them", () => {
        const rbac = rbacOf(cell("kind-to-aws-object.yaml", { lockdown: WI_DEFAULTS }));
        const role = rbac.find((o) => o.kind === "ClusterRole") as KubeObject;
        assert.equal(role.metadata.name, DOCS_OBJECT_IDENTITY_ROLE);
        assert.deepEqual(role.rules, [{ ...DOCS_OBJECT_IDENTITY_RULE, resourceNames: ["tenant-cloud", "tenant-sops"] }]);
        const binding = rbac.find((o) => o.kind === "ClusterRoleBinding") as KubeObject;
        assert.equal(binding.metadata.name, DOCS_OBJECT_IDENTITY_ROLE);
        // --default-service-account (workload identity) goes to source, notification, image-reflector and
        // image-automation; --default-decryption-service-account to kustomize (Flux lockdown docs).
        assert.deepEqual(
            (binding.subjects as Array<{ name: string }>).map((s) => s.name),
            [SOURCE, KUSTOMIZE, "notification-controller", "image-reflector-controller", "image-automation-controller"],
        );
        // Any namespace's default ServiceAccount of that name, for the controllers taking it; nothing else.
        assert.ok(rbacAllows(rbac, tokenRequest(SOURCE, "flux-system", "any-tenant", "tenant-cloud")));
        assert.ok(rbacAllows(rbac, tokenRequest(KUSTOMIZE, "flux-system", "any-tenant", "tenant-sops")));
        assert.ok(!rbacAllows(rbac, tokenRequest(SOURCE, "flux-system", "kube-system", "cluster-admin-sa")));
        assert.ok(!rbacAllows(rbac, tokenRequest("helm-controller", "flux-system", "any-tenant", "tenant-cloud")));
    });

    it("before Flux 2.10 the defaults need no ClusterRole here: Flux's crd-controller ClusterRole grants token creation", function () {
        assert.deepEqual(rbacOf(cell("kind-to-aws-object.yaml", { version: "2.9", lockdown: WI_DEFAULTS })).filter((o) => o.kind.startsWith("Cluster")), []);
        const { baseline } = prepareFluxBuild(this);
        assert.ok(rbacAllows(baseline, tokenRequest(SOURCE, "flux-system", "any-tenant", "tenant-cloud")), "Flux v2.9.4's own ClusterRole");
    });
});
