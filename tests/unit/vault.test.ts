/**
 * Vault / OpenBao SOPS decryption with ServiceAccount tokens (Flux v2.9 kustomize-controller
 * `--sops-vault-configmap`): the JWT auth method, one role `<namespace>_<name>` per ServiceAccount bound
 * to exactly its subject and the Vault address as audience, a policy allowing only transit decrypt of its
 * keys, the controller flag and ConfigMap built with `kubectl kustomize`, and VaultFluxIdentity under
 * Pulumi's mocks registering exactly plan.json's resources.
 */
import { strict as assert } from "node:assert";
import { load } from "js-yaml";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { OBJECT_LEVEL_FEATURE_GATE } from "../../provider/src/core/patch";
import { ClusterSpec, clusterPlanDocument, planCluster } from "../../provider/src/plan/cluster";
import { VAULT_TYPES } from "../../provider/src/vault/resources";
import { validationIssues } from "../helpers/issues";
import { find, kustomizeBuild, podSpec, prepareFluxBuild } from "../helpers/kustomize";
import { useMocks, valueOf } from "../helpers/mocks";
import { ISSUERS } from "../helpers/samples";

const ADDRESS = "https://openbao.example.com:8200";

function cluster(vault: Record<string, unknown>): ClusterSpec {
    return { name: "prod", type: SourceClusterType.Eks, issuerUrl: ISSUERS.eks, vault: vault as never };
}

const both = cluster({
    address: ADDRESS,
    controllers: { transit: [{ keys: ["sops"] }] },
    tenants: [{ namespace: "team-a", serviceAccount: "sops", access: { transit: [{ keys: ["team-a", "shared"], mount: "transit-eu" }] } }],
});

describe("Vault / OpenBao SOPS: plan", () => {
    it("one JWT auth method for the issuer; per ServiceAccount a role <ns>_<sa> bound to exactly its subject and the address, and a decrypt-only policy", () => {
        const doc = clusterPlanDocument(planCluster(both));
        const resources = doc.vault?.resources ?? [];
        const [auth] = resources.filter((r) => r.type === VAULT_TYPES.jwtAuthBackend);
        assert.deepEqual(auth.properties, { path: "flux-prod", type: "jwt", description: "Flux on cluster prod (managed by flux-identity)", boundIssuer: ISSUERS.eks, oidcDiscoveryUrl: ISSUERS.eks });
        const roles = resources.filter((r) => r.type === VAULT_TYPES.jwtAuthBackendRole);
        assert.deepEqual(roles.map((r) => r.properties.roleName), ["flux-system_kustomize-controller", "team-a_sops"]);
        const tenantRole = roles[1].properties;
        assert.equal(tenantRole.roleType, "jwt");
        assert.equal(tenantRole.backend, "flux-prod");
        assert.equal(tenantRole.userClaim, "sub");
        assert.equal(tenantRole.boundSubject, "system:serviceaccount:team-a:sops");
        assert.deepEqual(tenantRole.boundAudiences, [ADDRESS]);
        assert.deepEqual(tenantRole.boundClaims, { iss: ISSUERS.eks });
        assert.equal(tenantRole.tokenNoDefaultPolicy, true);
        const policies = resources.filter((r) => r.type === VAULT_TYPES.policy);
        assert.deepEqual(tenantRole.tokenPolicies, [policies[1].properties.name]);
        assert.equal(policies[0].properties.policy, 'path "transit/decrypt/sops" {\n  capabilities = ["update"]\n}\n');
        assert.equal(policies[1].properties.policy, 'path "transit-eu/decrypt/shared" {\n  capabilities = ["update"]\n}\n\npath "transit-eu/decrypt/team-a" {\n  capabilities = ["update"]\n}\n');
        assert.deepEqual(roles[1].dependsOn, ["jwt-auth", "policy/team-a_sops"]);
        assert.equal(doc.vault?.loginPath, "auth/flux-prod/login");
    });

    it("object settings: nothing at controller level, spec.decryption.serviceAccountName for the tenant", () => {
        const settings = planCluster(both).objectSettings.filter((s) => s.integration === "transit");
        assert.deepEqual(settings.map((s) => [s.level, s.set]), [["controller", {}], ["object", { "spec.decryption.serviceAccountName": "sops" }]]);
    });

    it("bad input names the field and says how to fix it", () => {
        const cases: Array<[Record<string, unknown>, string, RegExp]> = [
            [{ address: "openbao.example.com:8200", controllers: { transit: [{ keys: ["sops"] }] } }, "clusters[0].vault.address", /https/],
            [{ address: ADDRESS, controllers: { transit: [{ keys: ["transit/keys/sops"] }] } }, "clusters[0].vault.controllers.transit[0].keys[0]", /not a transit key name \(give the name alone/],
            [{ address: ADDRESS, controllers: { transit: [{ keys: [] }] } }, "clusters[0].vault.controllers.transit[0].keys", /non-empty list of transit key names/],
            [{ address: ADDRESS, controllers: { transit: [{ keys: ["sops"], mount: "/transit/" }] } }, "clusters[0].vault.controllers.transit[0].mount", /not a Vault mount path/],
            [{ address: ADDRESS, jwtAuth: { path: "auth/flux" , create: false, jwtValidationPubkeys: ["x"] }, controllers: { transit: [{ keys: ["sops"] }] } }, "clusters[0].vault.jwtAuth.jwtValidationPubkeys", /create is false/],
            [{ address: ADDRESS, tokenTtlSeconds: 5, controllers: { transit: [{ keys: ["sops"] }] } }, "clusters[0].vault.tokenTtlSeconds", /60 to 86400/],
            [{ address: ADDRESS }, "clusters[0].vault", /nothing to decrypt with/],
        ];
        for (const [vault, field, message] of cases) {
            const issues = validationIssues(() => planCluster(cluster(vault), "clusters[0]"));
            const issue = issues.find((i) => i.path === field);
            assert.ok(issue, `${field}: got ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
            assert.match(issue.message, message);
        }
    });

    it("a Vault address that is not https is explained as Vault's, not an API server's", () => {
        const [issue] = validationIssues(() => planCluster(cluster({ address: "openbao.example.com:8200", controllers: { transit: [{ keys: ["sops"] }] } }), "clusters[0]"));
        assert.equal(issue.message, '"openbao.example.com:8200" is not an https URL without a path; Flux connects to the Vault (or OpenBao) over https only.');
        assert.equal(issue.fix, "use the Vault (or OpenBao) URL, for example https://vault.example.com:8200 (https only, no path).");
    });
});

describe("Vault / OpenBao SOPS: the Flux version", () => {
    it("is refused before Flux 2.9, whose kustomize-controller has no --sops-vault-configmap (the controller would exit)", () => {
        for (const version of ["2.7", "2.8"]) {
            const issues = validationIssues(() => planCluster({ ...both, flux: { version } }, "clusters[0]"));
            assert.deepEqual(issues.map((i) => i.path), ["clusters[0].flux.version"], version);
            assert.match(issues[0].message, /no --sops-vault-configmap: SOPS decryption with Vault ServiceAccount-token logins starts with Flux 2\.9/);
        }
        assert.doesNotThrow(() => planCluster({ ...both, flux: { version: "2.9" } }));
    });
});

describe("Vault / OpenBao SOPS: the Flux side built with kubectl kustomize", function () {
    let build: ReturnType<typeof prepareFluxBuild>;
    before(function () {
        build = prepareFluxBuild(this);
    });

    it("kustomize-controller gets --sops-vault-configmap and, for tenants on Flux 2.9, the feature gate; the ConfigMap lists the instance and its login path", () => {
        // The fixture's Flux, v2.9.4: its tenants need the gate (Flux 2.10 retired it).
        const objects = kustomizeBuild(planCluster({ ...both, flux: { version: "2.9" } }).kustomizationYaml, build.fixture);
        const args = podSpec(find(objects, "Deployment", "kustomize-controller")).containers[0].args ?? [];
        assert.ok(args.includes("--sops-vault-configmap=flux-sops-vault"), args.join(" "));
        assert.ok(args.includes(OBJECT_LEVEL_FEATURE_GATE));
        const onTen = planCluster(both).patchSet.controllers.find((c) => c.controller === "kustomize-controller");
        assert.deepEqual(onTen?.args, ["--sops-vault-configmap=flux-sops-vault"], "Flux 2.10: the flag alone");
        const configMap = find(objects, "ConfigMap", "flux-sops-vault") as unknown as { metadata: { namespace: string }; data: Record<string, string> };
        assert.equal(configMap.metadata.namespace, "flux-system");
        assert.deepEqual(load(configMap.data["config.yaml"]), { instances: [{ address: ADDRESS, loginPath: "auth/flux-prod/login" }] });
        for (const other of ["source-controller", "helm-controller"]) {
            assert.ok(!(podSpec(find(objects, "Deployment", other)).containers[0].args ?? []).some((a) => a.startsWith("--sops-vault")), other);
        }
    });
});

describe("VaultFluxIdentity under Pulumi's mocks", () => {
    it("registers exactly plan.json's resources, with their arguments, and outputs the role names", async () => {
        const mocks = await useMocks();
        const { VaultFluxIdentity } = await import("../../provider/src/vault/component");
        const spec = both.vault as never as Record<string, unknown>;
        const component = new VaultFluxIdentity("prod", { cluster: { name: "prod", type: SourceClusterType.Eks, issuerUrl: ISSUERS.eks }, ...(spec as { address: string }) });
        const roleNames = await valueOf(component.roleNames);
        assert.deepEqual(roleNames, { "kustomize-controller": "flux-system_kustomize-controller", "team-a/sops": "team-a_sops" });
        const planned = clusterPlanDocument(planCluster(both)).vault?.resources ?? [];
        const registered = mocks.custom();
        assert.deepEqual(registered.map((r) => `${r.type} ${r.name}`).sort(), planned.map((r) => `${r.type} prod-${r.name}`).sort());
        for (const p of planned) {
            const r = registered.find((x) => x.name === `prod-${p.name}`);
            assert.deepEqual(r?.inputs, p.properties, p.name);
        }
        assert.match(await valueOf(component.kustomizationYaml), /--sops-vault-configmap=flux-sops-vault/);
    });

    it("FluxWorkloadIdentity composes it (loading @pulumi/vault only then) with the same resources and Flux side", async () => {
        const mocks = await useMocks();
        const { FluxWorkloadIdentity } = await import("../../provider/src/workload-identity/component");
        const whole = new FluxWorkloadIdentity("prod", { cluster: { name: "prod", type: SourceClusterType.Eks, issuerUrl: ISSUERS.eks }, vault: both.vault });
        const plan = planCluster(both);
        assert.equal(await valueOf(whole.kustomizationYaml), plan.kustomizationYaml);
        assert.deepEqual(await valueOf(whole.vaultRoleNames), { "kustomize-controller": "flux-system_kustomize-controller", "team-a/sops": "team-a_sops" });
        const planned = clusterPlanDocument(plan).vault?.resources ?? [];
        assert.deepEqual(mocks.custom().map((r) => r.type).sort(), planned.map((r) => r.type).sort());
    });
});
