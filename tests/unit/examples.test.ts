/**
 * The example Pulumi programs under examples/ (besides eks-aws, covered in programs.test.ts), each run
 * compiled, with its stack config, under Pulumi's mock runtime: the components and cloud resources they
 * register, the trust each identity gets, and the Flux patches of their kustomization.yaml.
 */
import { strict as assert } from "node:assert";
import { load, loadAll } from "js-yaml";
import { EXAMPLE_ACCOUNT, EXAMPLE_SUBSCRIPTION, EXAMPLE_TENANT, Outputs, runExample, setUpExample } from "../helpers/example-programs";
import { find, fluxFixture, kubectlAvailable, kustomizeBuild, podSpec } from "../helpers/kustomize";
import { RecordingMocks, Registration, settle, valueOf } from "../helpers/mocks";
import { skipWithReason } from "../helpers/skip";

const ACCOUNT = EXAMPLE_ACCOUNT;
// The mocked GCP reports the mocks' account as every project's number.
const PROJECT_NUMBER = ACCOUNT;
const SUBSCRIPTION = EXAMPLE_SUBSCRIPTION;
const TENANT = EXAMPLE_TENANT;
const RG = `/subscriptions/${SUBSCRIPTION}/resourceGroups`;
const ACR = `${RG}/registries/providers/Microsoft.ContainerRegistry/registries/fleetacr`;
const ROLE = { acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d", keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424", blobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" };
const FEATURE_GATE = "--feature-gates=ObjectLevelWorkloadIdentity=true";

const setUp = setUpExample;

async function output<T>(program: Outputs, name: string): Promise<T> {
    const o = program[name];
    assert.ok(o, `the program exports ${name}`);
    return (await valueOf(o)) as T;
}

function componentTypes(mocks: RecordingMocks): string[] {
    return mocks.registrations.filter((r) => r.type.startsWith("flux-identity:")).map((r) => r.type).sort();
}

function ofType(mocks: RecordingMocks, type: string): Registration[] {
    return mocks.custom().filter((r) => r.type === type);
}

interface Patch {
    target: { kind: string; name: string };
    patch: string;
}
interface Kustomization {
    resources: string[];
    patches?: Patch[];
    configMapGenerator?: Array<{ name: string; namespace: string; literals: string[] }>;
}
interface JsonOp {
    op: string;
    path: string;
    value: unknown;
}
interface ProjectedVolume {
    name: string;
    projected?: { sources: Array<{ serviceAccountToken: { audience: string; expirationSeconds: number; path: string } }> };
}
interface EnvVar {
    name: string;
    value: string;
}

/** The patches whose target selects `kind`/`name` (target names may be regular expressions). */
function patchesFor(k: Kustomization, kind: string, name: string): Patch[] {
    return (k.patches ?? []).filter((p) => p.target.kind === kind && new RegExp(`^(?:${p.target.name})$`).test(name));
}

/** The JSON 6902 operations patched into a Deployment, with the value of each `add` to `path`. */
function added<T>(k: Kustomization, deployment: string, path: string): T[] {
    const ops = patchesFor(k, "Deployment", deployment).flatMap((p) => {
        const parsed = load(p.patch);
        return Array.isArray(parsed) ? (parsed as JsonOp[]) : [];
    });
    return ops.filter((o) => o.op === "add" && o.path === path).map((o) => o.value as T);
}

function env(k: Kustomization, deployment: string): Record<string, string> {
    return Object.fromEntries(added<EnvVar>(k, deployment, "/spec/template/spec/containers/0/env/-").map((e) => [e.name, e.value]));
}

/** Controller name each Azure identity was made for, by principal ID (the mocks derive IDs from the identity name). */
function azureIdentitiesByPrincipal(mocks: RecordingMocks): Map<string, { name: string; owner: string }> {
    const out = new Map<string, { name: string; owner: string }>();
    for (const i of ofType(mocks, "azure-native:managedidentity:UserAssignedIdentity")) {
        const name = i.inputs.resourceName as string;
        out.set(RecordingMocks.azureIds(name).principalId, { name, owner: (i.inputs.tags as Record<string, string>)["flux-identity-identity"] });
    }
    return out;
}

describe("example programs", () => {
    it("aks-azure: identities federated with the AKS issuer, least-privilege roles, client-id annotations", async () => {
        const keyVault = `${RG}/security/providers/Microsoft.KeyVault/vaults/fleet-sops`;
        const container = `${RG}/storage/providers/Microsoft.Storage/storageAccounts/fleetartifacts/blobServices/default/containers/flux`;
        const mocks = await setUp("aks-azure", {
            clusterName: "prod-aks",
            clusterResourceGroup: "aks",
            tenantId: TENANT,
            subscriptionId: SUBSCRIPTION,
            identityResourceGroup: "flux-identities",
            location: "westeurope",
            acrId: ACR,
            keyVaultId: keyVault,
            blobContainerId: container,
        });
        const program = runExample("aks-azure");
        const issuer = await output<string>(program, "issuerUrl");
        const clientIds = await output<Record<string, string>>(program, "clientIds");
        const k = load(await output<string>(program, "kustomizationYaml")) as Kustomization;
        await settle();

        assert.deepEqual(componentTypes(mocks), ["flux-identity:index:AzureFluxIdentity", "flux-identity:index:FluxWorkloadIdentity"]);
        // The issuer is the one the AKS API reports for this cluster.
        assert.equal(issuer, `https://westeurope.oic.prod-aks.azure.com/${TENANT}/${RecordingMocks.azureIds("prod-aks").clientId}/`);

        const identities = ofType(mocks, "azure-native:managedidentity:UserAssignedIdentity");
        assert.deepEqual(identities.map((i) => [i.inputs.resourceGroupName, i.inputs.location]), Array(3).fill(["flux-identities", "westeurope"]));
        const credentials = ofType(mocks, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.deepEqual(credentials.map((c) => c.inputs.subject).sort(), ["image-reflector-controller", "kustomize-controller", "source-controller"].map((c) => `system:serviceaccount:flux-system:${c}`));
        for (const c of credentials) {
            assert.equal(c.inputs.issuer, issuer);
            assert.deepEqual(c.inputs.audiences, ["api://AzureADTokenExchange"]);
        }

        const byPrincipal = azureIdentitiesByPrincipal(mocks);
        const grants = ofType(mocks, "azure-native:authorization:RoleAssignment").map((a) => {
            assert.equal(a.inputs.principalType, "ServicePrincipal");
            const role = String(a.inputs.roleDefinitionId).split("/").pop();
            return `${byPrincipal.get(a.inputs.principalId as string)?.owner} ${role} ${a.inputs.scope as string}`;
        });
        assert.deepEqual(grants.sort(), [
            `image-reflector-controller ${ROLE.acrPull} ${ACR}`,
            `kustomize-controller ${ROLE.keyVaultCryptoUser} ${keyVault}`,
            `source-controller ${ROLE.acrPull} ${ACR}`,
            `source-controller ${ROLE.blobDataReader} ${container}`,
        ].sort());

        // Each controller's ServiceAccount names its own identity; the Deployments get the webhook label.
        assert.deepEqual(Object.keys(clientIds).sort(), ["image-reflector-controller", "kustomize-controller", "source-controller"]);
        for (const [controller, clientId] of Object.entries(clientIds)) {
            const identity = [...byPrincipal.values()].find((i) => i.owner === controller);
            assert.ok(identity, controller);
            assert.equal(clientId, RecordingMocks.azureIds(identity.name).clientId, controller);
            const sa = patchesFor(k, "ServiceAccount", controller).map((p) => load(p.patch) as { metadata: { annotations?: Record<string, string> } });
            assert.deepEqual(sa.map((s) => s.metadata.annotations), [{ "azure.workload.identity/client-id": clientId, "azure.workload.identity/tenant-id": TENANT }], controller);
            const labels = patchesFor(k, "Deployment", controller).map((p) => load(p.patch) as { spec: { template: { metadata: { labels: Record<string, string> } } } });
            assert.deepEqual(labels.map((d) => d.spec.template.metadata.labels), [{ "azure.workload.identity/use": "true" }], controller);
        }
        assert.deepEqual(patchesFor(k, "Deployment", "helm-controller"), []);
    });

    it("gke-gcp: roles for the controllers' own GKE principals on GAR, GCS, KMS and Pub/Sub; nothing to patch", async () => {
        const mocks = await setUp("gke-gcp", {
            projectId: "fleet-prod",
            projectNumber: PROJECT_NUMBER,
            clusterName: "prod",
            clusterLocation: "europe-west1",
            garRepository: "projects/fleet-prod/locations/europe/repositories/charts",
            bucket: "fleet-prod-manifests",
            sopsKey: "projects/fleet-prod/locations/europe/keyRings/flux/cryptoKeys/sops",
            pubsubTopic: "projects/fleet-prod/topics/flux-events",
        });
        const program = runExample("gke-gcp");
        const issuer = await output<string>(program, "issuerUrl");
        const principals = await output<Record<string, string>>(program, "principals");
        const k = load(await output<string>(program, "kustomizationYaml")) as Kustomization;
        await settle();

        assert.deepEqual(componentTypes(mocks), ["flux-identity:index:FluxWorkloadIdentity", "flux-identity:index:GcpFluxIdentity"]);
        assert.equal(issuer, "https://container.googleapis.com/v1/projects/fleet-prod/locations/europe-west1/clusters/prod");
        const ksa = (c: string) => `serviceAccount:fleet-prod.svc.id.goog[flux-system/${c}]`;
        assert.deepEqual(principals, {
            "image-reflector-controller": ksa("image-reflector-controller"),
            "kustomize-controller": ksa("kustomize-controller"),
            "notification-controller": ksa("notification-controller"),
            "source-controller": ksa("source-controller"),
        });
        // Direct mode on GKE: no pool, no GCP service accounts, only IAM members.
        assert.deepEqual(mocks.custom().filter((r) => !/IamMember|IAMMember/.test(r.type)), []);
        const members = mocks.custom().map((r) => {
            const i = r.inputs;
            const on = i.repository ?? i.bucket ?? i.cryptoKeyId ?? i.topic;
            return `${i.member as string} ${i.role as string} ${on as string}`;
        });
        assert.deepEqual(members.sort(), [
            `${ksa("image-reflector-controller")} roles/artifactregistry.reader charts`,
            `${ksa("kustomize-controller")} roles/cloudkms.cryptoKeyDecrypter fleet-prod/europe/flux/sops`,
            `${ksa("notification-controller")} roles/pubsub.publisher flux-events`,
            `${ksa("source-controller")} roles/artifactregistry.reader charts`,
            `${ksa("source-controller")} roles/storage.bucketViewer fleet-prod-manifests`,
            `${ksa("source-controller")} roles/storage.objectViewer fleet-prod-manifests`,
        ]);
        assert.deepEqual(k.resources, ["gotk-components.yaml", "gotk-sync.yaml"]);
        assert.equal(k.patches, undefined);
    });

    describe("kind-to-all-clouds", () => {
        const config = {
            clusterName: "kind",
            issuerUrl: "https://kind-issuer.example.com/flux",
            awsAccountId: ACCOUNT,
            awsRegion: "eu-central-1",
            ecrRepositoryArn: `arn:aws:ecr:eu-central-1:${ACCOUNT}:repository/platform/*`,
            azureTenantId: TENANT,
            azureSubscriptionId: SUBSCRIPTION,
            azureIdentityResourceGroup: "flux-identities",
            azureLocation: "westeurope",
            acrId: ACR,
            gcpProjectId: "fleet-lab",
            gcpProjectNumber: PROJECT_NUMBER,
            garRepository: "projects/fleet-lab/locations/europe/repositories/oci",
        };
        const KSA = "system:serviceaccount:flux-system:source-controller";

        it("trusts the published issuer in all three clouds; one cloud-tokens volume with a token per cloud", async () => {
            const mocks = await setUp("kind-to-all-clouds", config);
            const program = runExample("kind-to-all-clouds");
            const roleArns = await output<Record<string, string>>(program, "awsRoleArns");
            const clientIds = await output<Record<string, string>>(program, "azureClientIds");
            const provider = await output<string>(program, "gcpWorkloadIdentityProvider");
            const k = load(await output<string>(program, "kustomizationYaml")) as Kustomization;
            await settle();

            assert.deepEqual(componentTypes(mocks), [
                "flux-identity:index:AwsFluxIdentity",
                "flux-identity:index:AzureFluxIdentity",
                "flux-identity:index:FluxWorkloadIdentity",
                "flux-identity:index:GcpFluxIdentity",
            ]);
            // AWS: an OIDC provider for the issuer, one role trusting source-controller only.
            const [oidc] = ofType(mocks, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            assert.equal(oidc.inputs.url, config.issuerUrl);
            assert.deepEqual(oidc.inputs.clientIdLists, ["sts.amazonaws.com"]);
            const roles = ofType(mocks, "aws:iam/role:Role");
            assert.equal(roles.length, 1);
            const trust = JSON.parse(roles[0].inputs.assumeRolePolicy as string);
            assert.deepEqual(trust.Statement[0].Condition.StringEquals, { "kind-issuer.example.com/flux:sub": KSA, "kind-issuer.example.com/flux:aud": "sts.amazonaws.com" });
            // Azure: one identity, federated with the issuer for source-controller.
            const credentials = ofType(mocks, "azure-native:managedidentity:FederatedIdentityCredential");
            assert.deepEqual(credentials.map((c) => [c.inputs.issuer, c.inputs.subject]), [[config.issuerUrl, KSA]]);
            // GCP: a pool provider for the issuer, the repository granted to source-controller's principal.
            const [wip] = ofType(mocks, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
            assert.deepEqual(wip.inputs.oidc, { issuerUri: config.issuerUrl });
            const pool = provider.split("/providers/")[0];
            const [gar] = ofType(mocks, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember");
            assert.equal(gar.inputs.member, `principal://iam.googleapis.com/${pool}/subject/${KSA}`);
            assert.equal(gar.inputs.repository, "oci");

            // Only source-controller is patched, with every cloud's env and ONE projected token volume.
            assert.deepEqual(Object.keys(roleArns), ["source-controller"]);
            assert.deepEqual(Object.keys(clientIds), ["source-controller"]);
            assert.deepEqual((k.patches ?? []).map((p) => p.target), [{ kind: "Deployment", name: "source-controller" }]);
            const e = env(k, "source-controller");
            assert.equal(e.AWS_ROLE_ARN, roleArns["source-controller"]);
            assert.equal(e.AWS_WEB_IDENTITY_TOKEN_FILE, "/var/run/service-account/aws-token");
            assert.equal(e.AZURE_CLIENT_ID, clientIds["source-controller"]);
            assert.equal(e.AZURE_FEDERATED_TOKEN_FILE, "/var/run/service-account/azure-token");
            assert.equal(e.GOOGLE_APPLICATION_CREDENTIALS, "/etc/workload-identity/credential-configuration.json");
            const volumes = added<ProjectedVolume>(k, "source-controller", "/spec/template/spec/volumes/-");
            const projected = volumes.filter((v) => v.projected);
            assert.deepEqual(projected.map((v) => v.name), ["cloud-tokens"]);
            assert.deepEqual(
                projected[0].projected?.sources.map((s) => [s.serviceAccountToken.path, s.serviceAccountToken.audience]),
                [
                    ["aws-token", "sts.amazonaws.com"],
                    ["azure-token", "api://AzureADTokenExchange"],
                    ["gcp-token", `https://iam.googleapis.com/${provider}`],
                ],
            );
            const mounts = added<{ name: string; mountPath: string }>(k, "source-controller", "/spec/template/spec/containers/0/volumeMounts/-");
            assert.deepEqual(mounts.filter((m) => m.mountPath === "/var/run/service-account").map((m) => m.name), ["cloud-tokens"]);
            // The GCP credential configuration reads the token from the shared volume.
            const [cm] = k.configMapGenerator ?? [];
            assert.equal(cm.name, "source-controller-workload-identity-federation");
            assert.match(cm.literals[0], /"file": "\/var\/run\/service-account\/gcp-token"/);
        });

        it("builds with kubectl kustomize into a source-controller with one cloud-tokens volume", async function () {
            if (!kubectlAvailable()) skipWithReason(this, "kubectl is not installed; the kustomize build tests need `kubectl kustomize`");
            await setUp("kind-to-all-clouds", config);
            const program = runExample("kind-to-all-clouds");
            const yaml = await output<string>(program, "kustomizationYaml");
            await settle();
            const built = kustomizeBuild(yaml, fluxFixture());
            const spec = podSpec(find(built, "Deployment", "source-controller"));
            const tokens = (spec.volumes ?? []).filter((v) => v.name === "cloud-tokens");
            assert.equal(tokens.length, 1);
            const sources = (tokens[0] as ProjectedVolume).projected?.sources.map((s) => s.serviceAccountToken.path);
            assert.deepEqual(sources, ["aws-token", "azure-token", "gcp-token"]);
            assert.ok(!(spec.volumes ?? []).some((v) => ["aws-token", "azure-token", "gcp-token"].includes(v.name)), "no per-cloud token volumes");
            assert.deepEqual(
                spec.containers[0].volumeMounts?.filter((m) => m.name === "cloud-tokens"),
                [{ name: "cloud-tokens", mountPath: "/var/run/service-account", readOnly: true }],
            );
            assert.deepEqual(podSpec(find(built, "Deployment", "kustomize-controller")).volumes?.filter((v) => v.name === "cloud-tokens") ?? [], []);
        });
    });

    describe("eks-to-gcp", () => {
        const config = {
            clusterName: "prod",
            gcpProjectId: "fleet-prod",
            gcpProjectNumber: PROJECT_NUMBER,
            garRepository: "projects/fleet-prod/locations/europe/repositories/charts",
            sopsKey: "projects/fleet-prod/locations/europe/keyRings/flux/cryptoKeys/sops",
        };
        const CONTROLLERS = ["image-reflector-controller", "kustomize-controller", "source-controller"];

        it("creates a Workload Identity pool for the EKS issuer and grants the controllers' pool principals", async () => {
            const mocks = await setUp("eks-to-gcp", config);
            const program = runExample("eks-to-gcp");
            const provider = await output<string>(program, "workloadIdentityProvider");
            const principals = await output<Record<string, string>>(program, "principals");
            const k = load(await output<string>(program, "kustomizationYaml")) as Kustomization;
            await settle();

            assert.deepEqual(componentTypes(mocks), ["flux-identity:index:FluxWorkloadIdentity", "flux-identity:index:GcpFluxIdentity"]);
            const [pool] = ofType(mocks, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool");
            const [wip] = ofType(mocks, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
            assert.equal(pool.inputs.project, "fleet-prod");
            assert.deepEqual(wip.inputs.oidc, { issuerUri: mocks.eksIssuer });
            assert.deepEqual(wip.inputs.attributeMapping, { "google.subject": "assertion.sub" });
            assert.equal(provider, `projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${pool.inputs.workloadIdentityPoolId as string}/providers/${wip.inputs.workloadIdentityPoolProviderId as string}`);
            const subject = (c: string) => `principal://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${pool.inputs.workloadIdentityPoolId as string}/subject/system:serviceaccount:flux-system:${c}`;
            assert.deepEqual(principals, Object.fromEntries(CONTROLLERS.map((c) => [c, subject(c)])));
            assert.deepEqual(ofType(mocks, "gcp:serviceaccount/account:Account"), []);
            const members = mocks.custom().filter((r) => /IamMember|IAMMember/.test(r.type)).map((r) => `${r.inputs.member as string} ${r.inputs.role as string}`);
            assert.deepEqual(members.sort(), [
                `${subject("image-reflector-controller")} roles/artifactregistry.reader`,
                `${subject("kustomize-controller")} roles/cloudkms.cryptoKeyDecrypter`,
                `${subject("source-controller")} roles/artifactregistry.reader`,
            ]);

            // Not GKE: every controller reaching GCP gets the credential configuration and a token for the provider.
            assert.deepEqual((k.configMapGenerator ?? []).map((c) => c.name), CONTROLLERS.map((c) => `${c}-workload-identity-federation`));
            for (const c of CONTROLLERS) {
                const cm = (k.configMapGenerator ?? []).find((g) => g.name === `${c}-workload-identity-federation`);
                assert.match(cm?.literals[0] ?? "", /"token_info_url": "https:\/\/sts.googleapis.com\/v1\/introspect"/, c);
                assert.equal(env(k, c).GOOGLE_APPLICATION_CREDENTIALS, "/etc/workload-identity/credential-configuration.json", c);
                const tokens = added<ProjectedVolume>(k, c, "/spec/template/spec/volumes/-").filter((v) => v.projected);
                assert.deepEqual(tokens.flatMap((v) => v.projected?.sources.map((s) => s.serviceAccountToken.audience) ?? []), [`https://iam.googleapis.com/${provider}`], c);
            }
            assert.deepEqual(patchesFor(k, "Deployment", "helm-controller"), []);
        });

        it("with impersonate: true, binds each controller to its own GCP service account", async () => {
            const mocks = await setUp("eks-to-gcp", { ...config, impersonate: "true" });
            const program = runExample("eks-to-gcp");
            const emails = await output<Record<string, string>>(program, "serviceAccountEmails");
            const k = load(await output<string>(program, "kustomizationYaml")) as Kustomization;
            await settle();

            const accounts = ofType(mocks, "gcp:serviceaccount/account:Account");
            assert.equal(accounts.length, 3);
            assert.deepEqual(Object.keys(emails).sort(), CONTROLLERS);
            const [pool] = ofType(mocks, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool");
            const bindings = ofType(mocks, "gcp:serviceaccount/iAMMember:IAMMember").map((b) => [b.inputs.role, b.inputs.serviceAccountId, b.inputs.member]);
            assert.deepEqual(
                bindings.sort(),
                CONTROLLERS.map((c) => [
                    "roles/iam.workloadIdentityUser",
                    `projects/fleet-prod/serviceAccounts/${emails[c]}`,
                    `principal://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${pool.inputs.workloadIdentityPoolId as string}/subject/system:serviceaccount:flux-system:${c}`,
                ]).sort(),
            );
            // The roles go to the GSAs, not to the Kubernetes principals.
            const grants = mocks.custom().filter((r) => /RepositoryIamMember|CryptoKeyIAMMember/.test(r.type)).map((r) => `${r.inputs.member as string} ${r.inputs.role as string}`);
            assert.deepEqual(grants.sort(), [
                `serviceAccount:${emails["image-reflector-controller"]} roles/artifactregistry.reader`,
                `serviceAccount:${emails["kustomize-controller"]} roles/cloudkms.cryptoKeyDecrypter`,
                `serviceAccount:${emails["source-controller"]} roles/artifactregistry.reader`,
            ]);
            for (const c of CONTROLLERS) {
                const cm = (k.configMapGenerator ?? []).find((g) => g.name === `${c}-workload-identity-federation`);
                assert.ok(cm?.literals[0].includes(`"service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${emails[c]}:generateAccessToken"`), c);
            }
        });
    });

    it("object-level-multi-tenant: an identity per tenant and cloud; on Flux 2.10 (its default) no feature gate, in both install paths", async () => {
        const keyVault = `${RG}/team-b/providers/Microsoft.KeyVault/vaults/team-b-sops`;
        const mocks = await setUp("object-level-multi-tenant", {
            clusterName: "shared",
            awsAccountId: ACCOUNT,
            awsRegion: "us-east-1",
            teamAEcrRepositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team-a/*`,
            gcpProjectId: "fleet-prod",
            gcpProjectNumber: PROJECT_NUMBER,
            teamAGarRepository: "projects/fleet-prod/locations/europe/repositories/team-a",
            azureTenantId: TENANT,
            azureSubscriptionId: SUBSCRIPTION,
            azureIdentityResourceGroup: "flux-identities",
            azureLocation: "westeurope",
            teamBKeyVaultId: keyVault,
        });
        const program = runExample("object-level-multi-tenant");
        const k = load(await output<string>(program, "kustomizationYaml")) as Kustomization;
        const fluxInstance = loadAll(await output<string>(program, "fluxInstanceYaml")) as Array<{ kind: string; spec?: { cluster?: Record<string, unknown> } }>;
        const serviceAccounts = loadAll(await output<string>(program, "tenantServiceAccountsYaml")) as Array<{ kind: string; metadata: { name: string; namespace: string; annotations: Record<string, string> } }>;
        const rbac = loadAll(await output<string>(program, "tenantRbacYaml")) as Array<{
            kind: string;
            metadata: { namespace: string };
            rules?: Array<{ resources: string[]; resourceNames: string[]; verbs: string[] }>;
            subjects?: Array<{ name: string; namespace: string }>;
        }>;
        const settings = await output<Array<{ kind: string; namespace: string; set: Record<string, string> }>>(program, "objectSettings");
        const roleArns = await output<Record<string, string>>(program, "awsTenantRoleArns");
        const clientIds = await output<Record<string, string>>(program, "azureTenantClientIds");
        const principals = await output<Record<string, string>>(program, "gcpPrincipals");
        await settle();

        assert.deepEqual(componentTypes(mocks), [
            "flux-identity:index:AwsFluxIdentity",
            "flux-identity:index:AzureFluxIdentity",
            "flux-identity:index:FluxWorkloadIdentity",
            "flux-identity:index:GcpFluxIdentity",
        ]);
        // Each identity trusts exactly its tenant ServiceAccount, through the EKS issuer.
        const roles = ofType(mocks, "aws:iam/role:Role");
        assert.equal(roles.length, 1);
        const issuerHost = mocks.eksIssuer.slice("https://".length);
        assert.equal(JSON.parse(roles[0].inputs.assumeRolePolicy as string).Statement[0].Condition.StringEquals[`${issuerHost}:sub`], "system:serviceaccount:team-a:flux-aws");
        const credentials = ofType(mocks, "azure-native:managedidentity:FederatedIdentityCredential");
        assert.deepEqual(credentials.map((c) => [c.inputs.issuer, c.inputs.subject]), [[mocks.eksIssuer, "system:serviceaccount:team-b:flux-azure"]]);
        const [assignment] = ofType(mocks, "azure-native:authorization:RoleAssignment");
        assert.equal(String(assignment.inputs.roleDefinitionId).split("/").pop(), ROLE.keyVaultCryptoUser);
        assert.equal(assignment.inputs.scope, keyVault);
        const [gar] = ofType(mocks, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember");
        assert.match(gar.inputs.member as string, /^principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/subject\/system:serviceaccount:team-a:flux-gcp$/);
        assert.equal(gar.inputs.member, principals["team-a/flux-gcp"]);
        assert.deepEqual(ofType(mocks, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").map((p) => p.inputs.oidc), [{ issuerUri: mocks.eksIssuer }]);

        // flux-system: no feature gate on Flux 2.10 (retired); the FluxInstance turns object level on by its setting.
        const gated = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller"].filter((c) =>
            added<string>(k, c, "/spec/template/spec/containers/0/args/-").includes(FEATURE_GATE),
        );
        assert.deepEqual(gated, []);
        assert.equal(fluxInstance[0].kind, "FluxInstance");
        assert.equal(fluxInstance[0].spec?.cluster?.objectLevelWorkloadIdentity, true);
        // The lockdown: no cross-namespace references except on source-controller, no remote bases on kustomize-controller.
        assert.deepEqual(added<string>(k, "kustomize-controller", "/spec/template/spec/containers/0/args/-").filter((a) => a !== FEATURE_GATE).sort(), ["--no-cross-namespace-refs=true", "--no-remote-bases=true"]);
        assert.ok(!added<string>(k, "source-controller", "/spec/template/spec/containers/0/args/-").includes("--no-cross-namespace-refs=true"));
        assert.deepEqual(patchesFor(k, "ServiceAccount", "source-controller"), []);
        assert.deepEqual(env(k, "source-controller"), {});
        assert.equal(k.configMapGenerator, undefined);

        // The tenant ServiceAccounts, each annotated with its own identity.
        const sa = (ns: string, name: string) => serviceAccounts.find((s) => s.kind === "ServiceAccount" && s.metadata.namespace === ns && s.metadata.name === name)?.metadata.annotations;
        assert.equal(serviceAccounts.filter((s) => s?.kind === "ServiceAccount").length, 3);
        assert.deepEqual(sa("team-a", "flux-aws"), { "eks.amazonaws.com/role-arn": roleArns["team-a/flux-aws"] });
        assert.deepEqual(sa("team-b", "flux-azure"), { "azure.workload.identity/client-id": clientIds["team-b/flux-azure"], "azure.workload.identity/tenant-id": TENANT });
        assert.equal(clientIds["team-b/flux-azure"], RecordingMocks.azureIds(ofType(mocks, "azure-native:managedidentity:UserAssignedIdentity")[0].inputs.resourceName as string).clientId);
        assert.match(sa("team-a", "flux-gcp")?.["gcp.auth.fluxcd.io/workload-identity-provider"] ?? "", /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/);

        // RBAC: each serving controller may create tokens for its tenants' ServiceAccounts only.
        const roleRules = rbac.filter((o) => o?.kind === "Role").map((r) => [r.metadata.namespace, r.rules?.find((x) => x.resources.includes("serviceaccounts/token"))?.resourceNames]);
        assert.deepEqual(roleRules, [["team-a", ["flux-aws", "flux-gcp"]], ["team-b", ["flux-azure"]]]);
        const bindings = rbac.filter((o) => o?.kind === "RoleBinding").map((b) => [b.metadata.namespace, b.subjects?.map((s) => `${s.namespace}/${s.name}`)]);
        assert.deepEqual(bindings, [["team-a", ["flux-system/source-controller"]], ["team-b", ["flux-system/kustomize-controller"]]]);

        // What the tenants' Flux objects set.
        assert.deepEqual(
            settings.map((s) => [s.namespace, s.kind, s.set]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
            [
                ["team-a", "OCIRepository", { "spec.provider": "aws", "spec.serviceAccountName": "flux-aws" }],
                ["team-a", "OCIRepository", { "spec.provider": "gcp", "spec.serviceAccountName": "flux-gcp" }],
                ["team-b", "Kustomization", { "spec.decryption.serviceAccountName": "flux-azure" }],
            ],
        );
    });
});
