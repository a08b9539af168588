/**
 * Remote EKS, AKS and GKE clusters reached through the kubeConfig ConfigMap's `address` and `ca.crt`
 * (fluxcd/pkg auth: with both, Flux calls no cloud API to find the cluster), and what Flux needs of a
 * remote AKS cluster that only its owner can check (Entra ID integration, Azure RBAC).
 */
import { strict as assert } from "node:assert";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { Issues } from "../../provider/src/core/errors";
import { canonicalClusterAddress, checkCaCert, checkClusterAddress } from "../../provider/src/core/remote-cluster";
import { ClusterSpec, clusterPlanDocument, planCluster } from "../../provider/src/plan/cluster";
import { validationIssues } from "../helpers/issues";
import { find, kustomizeBuild, podSpec, prepareFluxBuild } from "../helpers/kustomize";
import { REMOTE_ADDRESS, REMOTE_CA } from "../helpers/remote-samples";
import { ACCOUNT, ISSUERS } from "../helpers/samples";
import { RG, SUBSCRIPTION, TENANT } from "../helpers/azure-samples";

const EKS_ARN = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/spoke`;
const AKS_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/spokes/providers/Microsoft.ContainerService/managedClusters/spoke`;
const GKE = "projects/spoke-project/locations/europe-west1/clusters/spoke";

function spec(extra: { eks?: Record<string, unknown>; aks?: Record<string, unknown>; gke?: Record<string, unknown> }): ClusterSpec {
    const s: ClusterSpec = { name: "hub", type: SourceClusterType.Generic, issuerUrl: ISSUERS.generic };
    if (extra.eks) s.aws = { accountId: ACCOUNT, region: "us-east-1", controllers: { eks: [{ clusterArn: EKS_ARN, ...extra.eks }] } } as never;
    if (extra.aks) s.azure = { tenantId: TENANT, subscriptionId: SUBSCRIPTION, resourceGroupName: RG, location: "westeurope", controllers: { aks: [{ clusterId: AKS_ID, ...extra.aks }] } } as never;
    if (extra.gke) s.gcp = { projectId: "hub-project", projectNumber: "123456789012", controllers: { gke: [{ cluster: GKE, ...extra.gke }] } } as never;
    return s;
}

const full = { address: REMOTE_ADDRESS, caCert: REMOTE_CA };

describe("remote clusters: address and ca.crt", () => {
    it("address and CA are validated with the field named and the fix", () => {
        const cases: Array<[unknown, RegExp]> = [["http://api.example.com", /https URL/], ["https://api.example.com/k8s", /without a path/], ["https://api.example.com:99999", /invalid host or port/], ["", /expected the API server address/]];
        for (const [value, message] of cases) {
            const issues = Issues.root("x");
            assert.equal(checkClusterAddress(value, issues, "address"), undefined, String(value));
            assert.equal(issues.list[0].path, "x.address");
            assert.match(issues.list[0].message, message);
            assert.match(issues.list[0].fix, /https:\/\/api\.prod\.example\.com:6443/);
        }
        for (const [value, message] of [[Buffer.from(REMOTE_CA).toString("base64"), /no PEM certificate/], [REMOTE_CA.replace("MIIB", "XXXX"), /does not parse/], [`${REMOTE_CA}-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----\n`, /private key/]] as Array<[string, RegExp]>) {
            const issues = Issues.root();
            assert.equal(checkCaCert(value, issues, "caCert"), undefined);
            assert.match(issues.list[0].message, message);
        }
        assert.equal(checkCaCert(REMOTE_CA.replace(/\n/g, "\r\n"), Issues.root(), "caCert"), REMOTE_CA, "normalized to LF with one final newline");
    });

    it("addresses compare as Flux compares them (https, lowercase host, port 443 by default)", () => {
        assert.equal(canonicalClusterAddress("https://API.Example.com"), "https://api.example.com:443");
        assert.equal(canonicalClusterAddress("https://api.example.com:6443/"), "https://api.example.com:6443");
    });

    it("bad values in each cloud's entry name the entry's field", () => {
        const issues = validationIssues(() => planCluster(spec({ eks: { address: "api.example.com" }, aks: { caCert: "nope" }, gke: { address: "https://x/y" } }), "clusters[0]"));
        assert.deepEqual(
            issues.map((i) => i.path).sort(),
            ["clusters[0].aws.controllers.eks[0].address", "clusters[0].azure.controllers.aks[0].caCert", "clusters[0].gcp.controllers.gke[0].address"],
        );
    });

    it("both keys land in the kubeConfig ConfigMap settings, for every cloud", () => {
        const plan = planCluster(spec({ eks: full, aks: full, gke: full }));
        const remote = plan.objectSettings.filter((s) => ["eks", "aks", "gke"].includes(s.integration));
        assert.equal(remote.length, 3);
        for (const s of remote) {
            assert.equal(s.set["configMap.address"], REMOTE_ADDRESS, s.integration);
            assert.equal(s.set["configMap.ca.crt"], REMOTE_CA, s.integration);
        }
        assert.match(plan.fluxObjectsYaml, /address: https:\/\/api\.spoke-1\.example\.com:6443/);
        assert.match(plan.fluxObjectsYaml, /ca\.crt: \|/);
    });

    it("AWS: with address and ca.crt the role gets no eks:DescribeCluster (Flux never calls it); the access entry stays", () => {
        const withEndpoint = clusterPlanDocument(planCluster(spec({ eks: full })));
        const without = clusterPlanDocument(planCluster(spec({ eks: { address: REMOTE_ADDRESS } })));
        const policyOf = (doc: typeof withEndpoint) => JSON.stringify(doc.aws?.resources);
        assert.doesNotMatch(policyOf(withEndpoint), /eks:DescribeCluster/);
        assert.match(policyOf(without), /eks:DescribeCluster/, "address alone: Flux still describes the cluster to check it");
        assert.ok(withEndpoint.aws?.resources.some((r) => r.type === "aws:eks/accessEntry:AccessEntry"));
    });

    it("Azure: with address and ca.crt no Cluster User Role (no ARM lookup); rbacRoles stay", () => {
        const roles = (doc: ReturnType<typeof clusterPlanDocument>) => (doc.azure?.resources ?? []).filter((r) => r.type.includes("RoleAssignment")).map((r) => String(r.properties.roleDefinitionId));
        const complete = clusterPlanDocument(planCluster(spec({ aks: { ...full, rbacRoles: [{ role: "Azure Kubernetes Service RBAC Writer" }] } })));
        const partial = clusterPlanDocument(planCluster(spec({ aks: { address: REMOTE_ADDRESS } })));
        assert.ok(!roles(complete).some((r) => r.endsWith("4abbcc35-e782-43d8-92c5-2d3f1bd2253f")));
        assert.equal(roles(complete).length, 1, "only the RBAC Writer role");
        assert.ok(roles(partial).some((r) => r.endsWith("4abbcc35-e782-43d8-92c5-2d3f1bd2253f")), "address alone: Flux lists the kubeconfigs to choose one");
    });

    it("GCP: the clusterViewer member stays as the Flux docs prescribe", () => {
        const doc = clusterPlanDocument(planCluster(spec({ gke: full })));
        assert.ok(doc.gcp?.resources.some((r) => r.properties.role === "roles/container.clusterViewer"));
    });
});

describe("remote AKS clusters: warnings with the fix", () => {
    it("Entra ID integration is always needed; Azure RBAC only with rbacRoles", () => {
        const plain = planCluster(spec({ aks: {} })).warnings.join("\n");
        assert.match(plain, /must have Microsoft Entra ID integration: Flux refuses clusters without it/);
        assert.match(plain, /az aks update --subscription \S+ --resource-group spokes --name spoke --enable-aad/);
        assert.doesNotMatch(plain, /enable-azure-rbac/);
        const rbac = planCluster(spec({ aks: { rbacRoles: [{ role: "Azure Kubernetes Service RBAC Reader", namespaces: ["apps"] }], usedBy: [FluxKind.HelmRelease] } })).warnings.join("\n");
        assert.match(rbac, /take effect only with Azure RBAC for Kubernetes authorization enabled/);
        assert.match(rbac, /az aks update --subscription \S+ --resource-group spokes --name spoke --enable-azure-rbac/);
    });
});

describe("GKE federated through a Workload Identity Pool, built with kubectl kustomize", function () {
    let build: ReturnType<typeof prepareFluxBuild>;
    before(function () {
        build = prepareFluxBuild(this);
    });

    it("the controller gets the credential configuration and a token for the pool provider, as on any non-GKE cluster", () => {
        const gke: ClusterSpec = {
            name: "gke-federated",
            type: SourceClusterType.Gke,
            issuerUrl: "https://container.googleapis.com/v1/projects/gke-host/locations/europe-west1/clusters/gke-federated",
            gcp: { projectId: "fleet-shared", projectNumber: "123456789012", workloadIdentityPool: {}, controllers: { gar: [{ repositories: ["projects/fleet-shared/locations/europe/repositories/charts"] }] } },
        };
        const plan = planCluster(gke);
        const provider = plan.gcp?.workloadIdentityPool?.providerName ?? "";
        assert.match(provider, /^projects\/123456789012\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/);
        const objects = kustomizeBuild(plan.kustomizationYaml, build.fixture);
        const pod = podSpec(find(objects, "Deployment", "source-controller"));
        assert.ok(pod.containers[0].env?.some((e) => e.name === "GOOGLE_APPLICATION_CREDENTIALS" && e.value === "/etc/workload-identity/credential-configuration.json"));
        const tokens = JSON.stringify(pod.volumes);
        assert.ok(tokens.includes(`"audience":"https://iam.googleapis.com/${provider}"`), tokens);
        const configMap = find(objects, "ConfigMap", "source-controller-workload-identity-federation") as unknown as { data: Record<string, string> };
        assert.equal(JSON.parse(configMap.data["credential-configuration.json"]).audience, `//iam.googleapis.com/${provider}`);
    });
});
