/**
 * Remote clusters over plain OIDC (kubeConfig `provider: generic`, fluxcd/pkg auth/generic): the
 * ConfigMap Flux reads, the remote API server's AuthenticationConfiguration checked by kube-apiserver's
 * own validation (tests/authn-config), the RBAC for the mapped user names, field-named errors, and the
 * Flux side built with the real `kubectl kustomize`.
 */
import { strict as assert } from "node:assert";
import { loadAll } from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesFluxIdentity } from "../../provider/src/kubernetes/component";
import { FluxWorkloadIdentity } from "../../provider/src/workload-identity/component";
import { useMocks, valueOf } from "../helpers/mocks";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { renderFleet } from "../../sdk/src/render/render";
import { fromRoot } from "../helpers/paths";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { OBJECT_LEVEL_FEATURE_GATE } from "../../provider/src/core/patch";
import { ClusterSpec, clusterPlanDocument, planCluster } from "../../provider/src/plan/cluster";
import { checkAuthenticationConfiguration, ensureAuthnConfigChecker } from "../helpers/authn-config";
import { validationIssues } from "../helpers/issues";
import { find, kustomizeBuild, podSpec, prepareFluxBuild } from "../helpers/kustomize";
import { REMOTE_ADDRESS, REMOTE_CA } from "../helpers/remote-samples";
import { skipWithReason } from "../helpers/skip";

const ISSUER = "https://hub-issuer.example.com/clusters/hub";

function hub(kubernetes: Record<string, unknown>, type = SourceClusterType.Generic, issuerUrl = ISSUER): ClusterSpec {
    return { name: "hub", type, issuerUrl, kubernetes: kubernetes as never };
}

const spoke = { name: "spoke-1", address: REMOTE_ADDRESS, caCert: REMOTE_CA };
const both = hub({
    controllers: { remoteClusters: [{ ...spoke, usedBy: [FluxKind.Kustomization, FluxKind.HelmRelease] }] },
    tenants: [{ namespace: "team-a", serviceAccount: "flux-remote", access: { remoteClusters: [{ ...spoke, clusterRole: "admin", namespaces: ["team-a"] }] } }],
});

interface JwtAuthenticator {
    issuer: { url: string; audiences: string[]; audienceMatchPolicy?: string };
    claimMappings: { username: { claim: string; prefix: string } };
    claimValidationRules: Array<{ expression: string }>;
}

describe("remote clusters over OIDC: plan", () => {
    it("the kubeConfig ConfigMap: provider generic, address, ca.crt, no cluster; tenants add serviceAccountName", () => {
        const plan = planCluster(both);
        const settings = plan.objectSettings.filter((s) => s.integration === "remoteClusters");
        assert.deepEqual(settings.map((s) => `${s.level} ${s.kind} ${s.serviceAccountName ?? ""}`), ["controller Kustomization ", "controller HelmRelease ", "object Kustomization flux-remote"]);
        for (const s of settings) {
            assert.equal(s.set["configMap.provider"], "generic");
            assert.equal(s.set["configMap.address"], REMOTE_ADDRESS);
            assert.equal(s.set["configMap.ca.crt"], REMOTE_CA);
            assert.equal(s.set["configMap.cluster"], undefined, "the generic provider reads no cluster resource");
            assert.equal(s.set["configMap.audiences"], undefined, "the address is Flux's default audience");
        }
        assert.equal(settings[2].set["configMap.serviceAccountName"], "flux-remote");
        const configMaps = (loadAll(plan.fluxObjectsYaml) as Array<{ kind: string; data?: Record<string, string> }>).filter((o) => o.kind === "ConfigMap");
        assert.ok(configMaps.every((c) => c.data?.provider === "generic" && c.data.address === REMOTE_ADDRESS && !("cluster" in c.data)));
    });

    it("the remote authenticator trusts exactly this issuer, audience and the planned subjects; user names carry the prefix", () => {
        const plan = planCluster(both);
        const [remote] = plan.kubernetes?.remoteClusters ?? [];
        const jwt = remote.jwtAuthenticator as unknown as JwtAuthenticator;
        assert.equal(jwt.issuer.url, ISSUER);
        assert.deepEqual(jwt.issuer.audiences, [REMOTE_ADDRESS]);
        assert.equal(jwt.issuer.audienceMatchPolicy, undefined);
        assert.deepEqual(jwt.claimMappings.username, { claim: "sub", prefix: "hub:" });
        assert.equal(jwt.claimValidationRules[0].expression, "claims.sub in ['system:serviceaccount:flux-system:helm-controller', 'system:serviceaccount:flux-system:kustomize-controller', 'system:serviceaccount:team-a:flux-remote']");
        const rbac = loadAll(plan.kubernetes?.remoteClusterRbacYaml ?? "") as Array<{ kind: string; metadata: { namespace?: string }; roleRef: { name: string }; subjects: Array<{ kind: string; name: string }> }>;
        assert.deepEqual(
            rbac.map((b) => `${b.kind} ${b.metadata.namespace ?? "-"} ${b.roleRef.name} ${b.subjects[0].kind}:${b.subjects[0].name}`),
            [
                "ClusterRoleBinding - edit User:hub:system:serviceaccount:flux-system:helm-controller",
                "ClusterRoleBinding - edit User:hub:system:serviceaccount:flux-system:kustomize-controller",
                "RoleBinding team-a admin User:hub:system:serviceaccount:team-a:flux-remote",
            ],
        );
        const doc = clusterPlanDocument(plan);
        assert.deepEqual(doc.kubernetes?.remoteClusters[0].users, rbac.map((b) => b.subjects[0].name));
    });

    it("several audiences: listed in the ConfigMap one per line, MatchAny on the remote side", () => {
        const plan = planCluster(hub({ controllers: { remoteClusters: [{ ...spoke, audiences: ["https://spoke-1.example.com", "flux-hub"] }] } }));
        assert.equal(plan.objectSettings[0].set["configMap.audiences"], "https://spoke-1.example.com\nflux-hub");
        const jwt = plan.kubernetes?.remoteClusters[0].jwtAuthenticator as unknown as JwtAuthenticator;
        assert.deepEqual(jwt.issuer.audiences, ["https://spoke-1.example.com", "flux-hub"]);
        assert.equal(jwt.issuer.audienceMatchPolicy, "MatchAny");
    });

    it("bad input names the field and says how to fix it", () => {
        const cases: Array<[Record<string, unknown>, string, RegExp]> = [
            [{ usernamePrefix: "", controllers: { remoteClusters: [spoke] } }, "clusters[0].kubernetes.usernamePrefix", /own ServiceAccount of the same name/],
            [{ usernamePrefix: "system:hub:", controllers: { remoteClusters: [spoke] } }, "clusters[0].kubernetes.usernamePrefix", /reserved/],
            [{ controllers: { remoteClusters: [{ ...spoke, address: "http://spoke" }] } }, "clusters[0].kubernetes.controllers.remoteClusters[0].address", /https/],
            [{ controllers: { remoteClusters: [{ ...spoke, audiences: ["sts.amazonaws.com"] }] } }, "clusters[0].kubernetes.controllers.remoteClusters[0].audiences[0]", /AWS STS/],
            [{ controllers: { remoteClusters: [{ ...spoke, audiences: [ISSUER] }] } }, "clusters[0].kubernetes.controllers.remoteClusters[0].audiences[0]", /source cluster's issuer/],
            [{ controllers: { remoteClusters: [{ ...spoke, usedBy: [FluxKind.Bucket] }] } }, "clusters[0].kubernetes.controllers.remoteClusters[0].usedBy[0]", /does not use/],
            [{ controllers: { remoteClusters: [spoke, { ...spoke, caCert: undefined }] } }, "clusters[0].kubernetes.controllers.remoteClusters[1]", /with another name, caCert or audiences/],
            [{ tenants: [{ namespace: "team-a", serviceAccount: "sa" }] }, "clusters[0].kubernetes.tenants[0].access", /access.remoteClusters/],
        ];
        for (const [kubernetes, field, message] of cases) {
            const issues = validationIssues(() => planCluster(hub(kubernetes), "clusters[0]"));
            const issue = issues.find((i) => i.path === field);
            assert.ok(issue, `${field}: got ${issues.map((i) => i.path).join(", ")}`);
            assert.match(issue.message, message);
            assert.ok(issue.fix.length > 0);
        }
    });
});

describe("remote clusters over OIDC: kube-apiserver's own validation of the AuthenticationConfiguration", function () {
    let binary = "";
    before(function () {
        this.timeout(900_000);
        const built = ensureAuthnConfigChecker();
        if ("reason" in built) skipWithReason(this, built.reason);
        binary = built.binary;
    });

    it("the rendered documents decode strictly and validate (CEL rules compiled), one or several audiences, any cluster type", () => {
        const yaml = [
            planCluster(both).kubernetes?.authenticationConfigurationYaml,
            planCluster(hub({ controllers: { remoteClusters: [{ ...spoke, audiences: ["https://spoke-1.example.com", "flux-hub"] }] } })).kubernetes?.authenticationConfigurationYaml,
            planCluster(hub({ controllers: { remoteClusters: [spoke] } }, SourceClusterType.Aks, "https://eastus.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/0d1c2b3a-4e5f-6a7b-8c9d-0e1f2a3b4c5d/")).kubernetes?.authenticationConfigurationYaml,
        ].join("");
        const result = checkAuthenticationConfiguration(binary, yaml, ["https://spoke-1.internal"]);
        assert.equal(result.status, 0, result.output);
        assert.equal(result.output.match(/^VALID/gm)?.length, 3, result.output);
    });

    it("fails on broken documents: an unknown field, an unparsable rule, the remote's own issuer, a missing prefix", () => {
        const good = planCluster(both).kubernetes?.authenticationConfigurationYaml ?? "";
        const broken = [
            good.replace("claim: sub", "claim: sub\n        claimz: x"),
            good.replace("claims.sub in [", "claims.sub in [["),
            good.replace("        prefix: 'hub:'\n", ""),
        ];
        for (const yaml of broken) {
            const r = checkAuthenticationConfiguration(binary, yaml);
            assert.equal(r.status, 1, r.output);
            assert.match(r.output, /^INVALID/m);
        }
        const own = checkAuthenticationConfiguration(binary, good, [ISSUER]);
        assert.equal(own.status, 1);
        assert.match(own.output, /must not overlap with disallowed issuers/);
    });
});

describe("remote clusters over OIDC: the Flux side built with kubectl kustomize", function () {
    let build: ReturnType<typeof prepareFluxBuild>;
    before(function () {
        build = prepareFluxBuild(this);
    });

    it("controller level changes nothing in flux-system; object level adds the feature gate to the serving controller only", () => {
        const controllerOnly = planCluster(hub({ controllers: { remoteClusters: [spoke] } }));
        assert.equal(controllerOnly.patchSet.controllers.length, 0);
        const objects = kustomizeBuild(planCluster(both).kustomizationYaml, build.fixture);
        const args = (name: string) => podSpec(find(objects, "Deployment", name)).containers[0].args ?? [];
        assert.ok(args("kustomize-controller").includes(OBJECT_LEVEL_FEATURE_GATE));
        assert.ok(!args("helm-controller").includes(OBJECT_LEVEL_FEATURE_GATE), "no tenant HelmRelease reaches a remote cluster");
        const rbac = (loadAll(planCluster(both).tenantRbacYaml) as Array<{ kind: string; rules: Array<{ resources: string[]; verbs: string[] }> }>).find((o) => o.kind === "Role");
        assert.ok(rbac);
        assert.ok(rbac.rules.some((r) => r.resources.includes("serviceaccounts/token") && r.verbs.includes("create")), "kustomize-controller may mint the tenant's token");
    });
});

describe("KubernetesFluxIdentity and FluxWorkloadIdentity under Pulumi's mocks", () => {
    it("registers no cloud resource and outputs the remote side exactly as planned, also from an issuer that is an output", async () => {
        const mocks = await useMocks();
        const plan = planCluster(both);
        const args = { cluster: { name: "hub", type: SourceClusterType.Generic, issuerUrl: pulumi.output(ISSUER) }, ...(both.kubernetes as object) };
        const component = new KubernetesFluxIdentity("hub", args);
        assert.equal(await valueOf(component.authenticationConfigurationYaml), plan.kubernetes?.authenticationConfigurationYaml);
        assert.equal(await valueOf(component.remoteClusterRbacYaml), plan.kubernetes?.remoteClusterRbacYaml);
        assert.deepEqual(await valueOf(component.userNames), { "helm-controller": "hub:system:serviceaccount:flux-system:helm-controller", "kustomize-controller": "hub:system:serviceaccount:flux-system:kustomize-controller", "team-a/flux-remote": "hub:system:serviceaccount:team-a:flux-remote" });
        assert.deepEqual(mocks.custom(), []);
        const whole = new FluxWorkloadIdentity("hub2", { cluster: { name: "hub", type: SourceClusterType.Generic, issuerUrl: ISSUER }, kubernetes: both.kubernetes });
        assert.equal(await valueOf(whole.kubernetesRemoteClusterRbacYaml), plan.kubernetes?.remoteClusterRbacYaml);
        assert.equal(await valueOf(whole.kustomizationYaml), plan.kustomizationYaml);
        assert.equal(await valueOf(whole.tenantRbacYaml), plan.tenantRbacYaml);
    });

    it("bad input registers nothing", async () => {
        const mocks = await useMocks();
        assert.throws(() => new KubernetesFluxIdentity("bad", { cluster: { name: "hub", type: SourceClusterType.Generic, issuerUrl: ISSUER }, usernamePrefix: "" , controllers: { remoteClusters: [spoke] } }), /usernamePrefix/);
        assert.deepEqual(mocks.registrations.filter((r) => r.name.startsWith("bad")), []);
    });
});

describe("the remote-cluster and Vault examples through the fleet schema", () => {
    it("load, plan and render: the remote side lands in remote-clusters/", () => {
        for (const file of ["remote-clusters.yaml", "vault-sops.yaml"]) {
            const fleet = loadFleet(fromRoot("examples", file));
            const rendered = renderFleet(fleet);
            assert.ok(rendered.length > 0, file);
        }
        const hubFiles = renderFleet(loadFleet(fromRoot("examples", "remote-clusters.yaml"))).find((c) => c.name === "hub")?.files ?? {};
        assert.ok(hubFiles["remote-clusters/authentication-configuration.yaml"]?.includes("kind: AuthenticationConfiguration"));
        assert.ok(hubFiles["remote-clusters/rbac.yaml"]?.includes("hub:system:serviceaccount:team-a:flux-remote"));
    });

    it("the schema refuses a misspelt field of the new targets, naming it", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fleet-"));
        const file = path.join(dir, "fleet.yaml");
        const text = readFileSync(fromRoot("examples", "vault-sops.yaml"), "utf8").replace("address: https://openbao", "adress: https://openbao");
        writeFileSync(file, text);
        const issues = validationIssues(() => loadFleet(file));
        assert.ok(issues.some((i) => /clusters\[0\]\.vault/.test(i.path) && /adress|address/.test(`${i.path} ${i.message}`)), issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    });
});
