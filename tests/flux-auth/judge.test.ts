/**
 * The Flux-auth judge (tests/flux-auth: Flux's own github.com/fluxcd/pkg/auth driving every rendered
 * identity against clouds that decide by plan.json) over everything the project renders: every cell of
 * examples/matrix, examples/fleet.yaml, the feature example fleets (AWS features, brought identities),
 * each example program's spec, and the judge's own cases
 * (tests/flux-auth/cases: remote clusters, lockdown, partitions and clouds), rendered for and judged by
 * each Flux version the judge has a build for (Flux 2.9's auth code, github.com/fluxcd/pkg/auth v0.54.3,
 * and Flux 2.10's, v0.66.0). Every intended identity must be ACCEPTED and every impostor REFUSED; copies
 * of renders with one fact broken must be REFUSED, with exit code 1.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ClusterSpec } from "../../provider/src/plan/cluster";
import { FleetSpec, loadFleet } from "../../sdk/src/spec/fleet";
import { renderCluster, renderFleet, writeRendered } from "../../sdk/src/render/render";
import { EXAMPLE_ACCOUNT, EXAMPLE_SUBSCRIPTION, EXAMPLE_TENANT, exampleClusterSpecs } from "../helpers/example-programs";
import { FluxFixture, fluxFixture, kubectlAvailable } from "../helpers/kustomize";
import { fromRoot } from "../helpers/paths";
import { skipWithReason } from "../helpers/skip";

const LAUNCHER = fromRoot("tests", "flux-auth", "judge.js");

interface JudgeResult {
    cluster: string;
    cloud: string;
    subject: string;
    case: string;
    negative: boolean;
    verdict: "ACCEPTED" | "REFUSED" | "N/A" | "ERROR";
    reason: string;
    ok: boolean;
}

/** The parts of plan.json the broken renders edit. */
interface PlanRequirement {
    kind: string;
    resource: string;
    document: string;
}
interface PlanResource {
    type: string;
    name: string;
    properties: Record<string, unknown>;
}
interface PlanDocument {
    flux: { objectSettings: Array<{ set: Record<string, string> }> };
    aws?: { resources: PlanResource[]; broughtIdentities: PlanRequirement[] };
    azure?: { resources: PlanResource[]; broughtIdentities: PlanRequirement[] };
    gcp?: { resources: PlanResource[]; broughtIdentities: PlanRequirement[] };
}

interface Judged {
    status: number;
    results: JudgeResult[];
    stderr: string;
}

/** The judge binary for a Flux version, built on first use; a reason when it cannot be had. */
function buildJudge(version: string): { binary: string } | { reason: string } {
    const r = spawnSync(process.execPath, [LAUNCHER, "--build-only", "--flux-version", version], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status === 0) return { binary: r.stdout.trim() };
    return { reason: (r.stderr || r.stdout || `status ${r.status}`).trim() };
}

function judge(dirs: string[], version: string, fixture: FluxFixture): Judged {
    const r = spawnSync(process.execPath, [LAUNCHER, ...dirs, "--json", "--flux-version", version, "--flux", fixture.dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const results = r.stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as JudgeResult);
    return { status: r.status ?? -1, results, stderr: r.stderr };
}

function show(results: JudgeResult[]): string {
    return results.map((r) => `${r.ok ? "ok  " : "FAIL"} ${r.verdict} ${r.cluster} ${r.cloud} ${r.subject} ${r.case}: ${r.reason}`).join("\n");
}

// Each example program with a stack config; cluster names unique across everything judged.
const RG = `/subscriptions/${EXAMPLE_SUBSCRIPTION}/resourceGroups`;
const EXAMPLE_PROGRAMS: Array<{ dir: string; cluster: string; config: Record<string, string> }> = [
    {
        dir: "eks-aws",
        cluster: "example-eks-aws",
        config: { clusterName: "example-eks-aws", accountId: EXAMPLE_ACCOUNT, region: "us-east-1", sopsKeyArn: `arn:aws:kms:us-east-1:${EXAMPLE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
    },
    {
        dir: "aks-azure",
        cluster: "example-aks",
        config: {
            clusterName: "example-aks",
            clusterResourceGroup: "aks",
            tenantId: EXAMPLE_TENANT,
            subscriptionId: EXAMPLE_SUBSCRIPTION,
            identityResourceGroup: "flux-identities",
            location: "westeurope",
            acrId: `${RG}/registries/providers/Microsoft.ContainerRegistry/registries/fleetacr`,
            keyVaultId: `${RG}/security/providers/Microsoft.KeyVault/vaults/fleet-sops`,
            blobContainerId: `${RG}/storage/providers/Microsoft.Storage/storageAccounts/fleetartifacts/blobServices/default/containers/flux`,
        },
    },
    {
        dir: "gke-gcp",
        cluster: "example-gke",
        config: {
            projectId: "fleet-prod",
            projectNumber: EXAMPLE_ACCOUNT,
            clusterName: "example-gke",
            clusterLocation: "europe-west1",
            garRepository: "projects/fleet-prod/locations/europe/repositories/charts",
            bucket: "fleet-prod-manifests",
            sopsKey: "projects/fleet-prod/locations/europe/keyRings/flux/cryptoKeys/sops",
            pubsubTopic: "projects/fleet-prod/topics/flux-events",
        },
    },
    {
        dir: "kind-to-all-clouds",
        cluster: "example-kind",
        config: {
            clusterName: "example-kind",
            issuerUrl: "https://kind-issuer.example.com/flux",
            awsAccountId: EXAMPLE_ACCOUNT,
            awsRegion: "eu-central-1",
            ecrRepositoryArn: `arn:aws:ecr:eu-central-1:${EXAMPLE_ACCOUNT}:repository/platform/*`,
            azureTenantId: EXAMPLE_TENANT,
            azureSubscriptionId: EXAMPLE_SUBSCRIPTION,
            azureIdentityResourceGroup: "flux-identities",
            azureLocation: "westeurope",
            acrId: `${RG}/registries/providers/Microsoft.ContainerRegistry/registries/fleetacr`,
            gcpProjectId: "fleet-lab",
            gcpProjectNumber: EXAMPLE_ACCOUNT,
            garRepository: "projects/fleet-lab/locations/europe/repositories/oci",
        },
    },
    ...["direct", "impersonation"].map((mode) => ({
        dir: "eks-to-gcp",
        cluster: `example-eks-gcp-${mode}`,
        config: {
            clusterName: `example-eks-gcp-${mode}`,
            gcpProjectId: "fleet-prod",
            gcpProjectNumber: EXAMPLE_ACCOUNT,
            garRepository: "projects/fleet-prod/locations/europe/repositories/charts",
            sopsKey: "projects/fleet-prod/locations/europe/keyRings/flux/cryptoKeys/sops",
            ...(mode === "impersonation" ? { impersonate: "true" } : {}),
        },
    })),
    {
        dir: "object-level-multi-tenant",
        cluster: "example-tenants",
        config: {
            clusterName: "example-tenants",
            awsAccountId: EXAMPLE_ACCOUNT,
            awsRegion: "us-east-1",
            teamAEcrRepositoryArn: `arn:aws:ecr:us-east-1:${EXAMPLE_ACCOUNT}:repository/team-a/*`,
            gcpProjectId: "fleet-prod",
            gcpProjectNumber: EXAMPLE_ACCOUNT,
            teamAGarRepository: "projects/fleet-prod/locations/europe/repositories/team-a",
            azureTenantId: EXAMPLE_TENANT,
            azureSubscriptionId: EXAMPLE_SUBSCRIPTION,
            azureIdentityResourceGroup: "flux-identities",
            azureLocation: "westeurope",
            teamBKeyVaultId: `${RG}/team-b/providers/Microsoft.KeyVault/vaults/team-b-sops`,
        },
    },
];

const MATRIX = readdirSync(fromRoot("examples", "matrix")).filter((f) => f.endsWith(".yaml")).sort();
const CASES = readdirSync(fromRoot("tests", "flux-auth", "cases")).filter((f) => f.endsWith(".yaml")).sort();
/** Example fleets of single features, judged as the matrix is (remote clusters over plain OIDC, Vault SOPS logins among them). */
const FEATURE_FLEETS = ["aws-features.yaml", "brought-identities.yaml", "remote-clusters.yaml", "vault-sops.yaml"];

/** Every source judged, and the clusters it renders (known up front, so each gets its own test). */
const SOURCES: Array<{ source: string; clusters: string[] }> = [
    ...MATRIX.map((f) => ({ source: `examples/matrix/${f}`, clusters: loadFleet(fromRoot("examples", "matrix", f)).clusters.map((c) => c.name) })),
    { source: "examples/fleet.yaml", clusters: loadFleet(fromRoot("examples", "fleet.yaml")).clusters.map((c) => c.name) },
    ...FEATURE_FLEETS.map((f) => ({ source: `examples/${f}`, clusters: loadFleet(fromRoot("examples", f)).clusters.map((c) => c.name) })),
    ...CASES.map((f) => ({ source: `tests/flux-auth/cases/${f}`, clusters: loadFleet(fromRoot("tests", "flux-auth", "cases", f)).clusters.map((c) => c.name) })),
    ...EXAMPLE_PROGRAMS.map((p) => ({ source: `examples/${p.dir}/index.ts`, clusters: [p.cluster] })),
];

type JudgedVersion = "2.9" | "2.10";

/** Where Flux 2.9's generic provider reads a controller's own ServiceAccount token. */
const FIXED_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** Whether this machine lets a process have a mount namespace of its own (the judge's workers need one). */
function privateMountNamespaces(): boolean {
    const args = process.getuid?.() === 0 ? ["-m", "true"] : ["-U", "-r", "-m", "true"];
    return spawnSync("unshare", args, { stdio: "ignore" }).status === 0;
}

/** The spec as a cluster running `version` would have it: renders differ by version (feature gate, RBAC). */
function atVersion<T extends ClusterSpec>(spec: T, version: JudgedVersion): T {
    return { ...spec, flux: { ...spec.flux, version } };
}

function fleetAtVersion(fleet: FleetSpec, version: JudgedVersion): FleetSpec {
    return { ...fleet, clusters: fleet.clusters.map((c) => atVersion(c, version)) };
}

/** Modules the Go module proxy refused for a build (`<module>@<version>`), from go's output. */
function refusedModules(reason: string): string[] {
    return [...new Set([...reason.matchAll(/([\w.~/-]+@v[\w.+-]+): reading \S+: 403 Forbidden/g)].map((m) => m[1]))];
}

/** Removes the rule granting `create` on `serviceaccounts/token` from Flux's install RBAC. */
function withoutTokenGrant(components: string): void {
    writeFileSync(components, readFileSync(components, "utf8").replace(/- apiGroups:\n  - ""\n  resources:\n  - serviceaccounts\/token\n  verbs:\n  - create\n/g, ""));
    assert.doesNotMatch(readFileSync(components, "utf8"), /serviceaccounts\/token/);
}

/**
 * The judge's suite for one Flux version: every source rendered for that version, judged by that
 * version's auth code, and copies of renders with one fact broken.
 */
function judgeSuite(version: JudgedVersion, authModule: string): void {
    describe(`with the Flux v${version} auth code (${authModule})`, function () {
        let fixture: FluxFixture;
        let work: string;
        const renderDirs: string[] = [];
        let judged: Judged;

        before(async function () {
            // A cold build of the judge takes minutes on two cores; judging everything about as long.
            this.timeout(90 * 60 * 1000);
            if (!kubectlAvailable()) skipWithReason(this, "kubectl is not installed; the judge builds each render with `kubectl kustomize`");
            const built = buildJudge(version);
            if ("reason" in built) {
                // Flux 2.10's auth code needs modules the Go module proxy may not serve (it answers 403
                // for github.com/fluxcd/pkg/apis/crypto and github.com/fluxcd/pkg/spiffe on some
                // mirrors): that skips, naming them; any other failure fails where the judge is required.
                const refused = refusedModules(built.reason);
                const unavailable = version === "2.10" && refused.length > 0;
                if (process.env.FLUX_IDENTITY_REQUIRE_JUDGE === "1" && !unavailable) throw new Error(`the Flux ${version} judge cannot be built: ${built.reason}`);
                skipWithReason(
                    this,
                    unavailable
                        ? `the Flux ${version} judge cannot be built here: the Go module proxy does not serve ${refused.join(", ")} (403 Forbidden)`
                        : `the Flux ${version} judge cannot be built here (${built.reason.split("\n")[0]}); set FLUX_IDENTITY_REQUIRE_JUDGE=1 to fail instead`,
                );
            }
            work = mkdtempSync(path.join(tmpdir(), `flux-auth-judge-test-${version}-`));
            fixture = fluxFixture();
            if (fixture.source === "project") console.log("      note: ../shared/fixtures is absent; judging against tests/fixtures/flux-mini");
            const write = (name: string, specs: ClusterSpec[] | "fleet", file?: string) => {
                const dir = path.join(work, name);
                const rendered = specs === "fleet" ? renderFleet(fleetAtVersion(loadFleet(file as string), version)) : specs.map((s) => renderCluster(atVersion(s, version)));
                writeRendered(rendered, dir);
                renderDirs.push(dir);
            };
            MATRIX.forEach((f) => write(`matrix-${path.basename(f, ".yaml")}`, "fleet", fromRoot("examples", "matrix", f)));
            write("fleet", "fleet", fromRoot("examples", "fleet.yaml"));
            FEATURE_FLEETS.forEach((f) => write(path.basename(f, ".yaml"), "fleet", fromRoot("examples", f)));
            CASES.forEach((f) => write(`cases-${path.basename(f, ".yaml")}`, "fleet", fromRoot("tests", "flux-auth", "cases", f)));
            for (const p of EXAMPLE_PROGRAMS) write(`example-${p.cluster}`, await exampleClusterSpecs(p.dir, p.config));
            judged = judge(renderDirs, version, fixture);
            if (judged.status === 2) throw new Error(`the judge refused its input:\n${judged.stderr}`);
        });

        after(() => {
            if (work) rmSync(work, { recursive: true, force: true });
        });

        it("renders every cluster for this Flux version, judges each, and says so in its exit code", () => {
            const judgedClusters = new Set(judged.results.map((r) => r.cluster));
            for (const { source, clusters } of SOURCES) {
                for (const c of clusters) assert.ok(judgedClusters.has(c), `${source}: cluster ${c} was not judged`);
            }
            for (const d of renderDirs) {
                for (const c of readdirSync(d)) {
                    const plan = JSON.parse(readFileSync(path.join(d, c, "plan.json"), "utf8")) as { flux?: { version?: string } };
                    assert.equal(plan.flux?.version, version, `${c} was rendered for Flux ${plan.flux?.version}`);
                }
            }
            assert.equal(judged.status, judged.results.every((r) => r.ok) ? 0 : 1, judged.stderr);
        });

        it("gives the same verdicts with the project's small Flux install (tests/fixtures/flux-mini), the default where ../shared is absent", function () {
            if (fixture.source === "project") skipWithReason(this, "../shared/fixtures is absent: every render is already judged against tests/fixtures/flux-mini");
            // The feature fleets and the example fleet: controllers' own RBAC (ServiceAccount reads, token
            // minting, cluster-admin appliers) decides many of their verdicts.
            const dirs = renderDirs.filter((d) => ["fleet", ...FEATURE_FLEETS.map((f) => path.basename(f, ".yaml"))].includes(path.basename(d)));
            const mini = judge(dirs, version, { dir: fromRoot("tests", "fixtures", "flux-mini"), source: "project" });
            const key = (r: JudgeResult) => `${r.cluster} ${r.cloud} ${r.subject} ${r.case}: ${r.verdict}`;
            // Every cluster of those renders, judged by both.
            const clusters = new Set(dirs.flatMap((d) => readdirSync(d)));
            assert.deepEqual([...new Set(mini.results.map((r) => r.cluster))].sort(), [...clusters].sort(), mini.stderr);
            const expected = judged.results.filter((r) => clusters.has(r.cluster)).map(key).sort();
            assert.deepEqual(mini.results.map(key).sort(), expected, `flux-mini disagrees with the real install:\n${show(mini.results.filter((r) => !r.ok))}`);
        });

        for (const { source, clusters } of SOURCES) {
            for (const cluster of clusters) {
                it(`${source}: ${cluster}: every identity ACCEPTED with the access Flux needs, every impostor REFUSED`, function () {
                    const mine = judged.results.filter((r) => r.cluster === cluster);
                    const failed = mine.filter((r) => !r.ok);
                    if (failed.length > 0 && failed.every((r) => r.reason.includes(FIXED_TOKEN_PATH)) && !privateMountNamespaces()) {
                        // Flux 2.9's generic provider reads a controller's own token at a fixed path, which the
                        // judge can only give each pod in a mount namespace of its own.
                        skipWithReason(this, `${failed.length} controller-level OIDC exchanges need a private mount namespace for ${FIXED_TOKEN_PATH}, which this machine does not allow (unshare -m fails)`);
                    }
                    assert.deepEqual(failed, [], `the judge refused:\n${show(failed)}`);
                    const plan = JSON.parse(readFileSync(path.join(renderDirs.find((d) => readdirSync(d).includes(cluster)) as string, cluster, "plan.json"), "utf8")) as Record<string, unknown>;
                    for (const cloud of ["aws", "azure", "gcp", "kubernetes", "vault"].filter((c) => plan[c] !== undefined)) {
                        const accepted = mine.filter((r) => r.cloud === cloud && !r.negative && r.verdict === "ACCEPTED");
                        assert.ok(accepted.length > 0, `no ${cloud} identity was judged:\n${show(mine)}`);
                        // Each subject faces the four impostors.
                        for (const subject of new Set(accepted.map((r) => r.subject))) {
                            const negatives = mine.filter((r) => r.cloud === cloud && r.subject === subject && r.negative && /^negative: (another|its name)/.test(r.case));
                            assert.ok(negatives.length >= 4, `${subject} faced ${negatives.length} impostors:\n${show(negatives)}`);
                        }
                    }
                });
            }
        }

        describe("fails on a render with one fact broken", () => {
            /** A copy of one judged cluster's folder, changed by `edit`, judged alone. */
            function broken(cluster: string, edit: (dir: string) => void, flux: FluxFixture = fixture): Judged {
                const source = renderDirs.find((d) => readdirSync(d).includes(cluster));
                assert.ok(source, cluster);
                const dir = mkdtempSync(path.join(work, "broken-"));
                cpSync(path.join(source, cluster), path.join(dir, cluster), { recursive: true });
                edit(path.join(dir, cluster));
                return judge([dir], version, flux);
            }

            function replaceIn(file: string, from: string | RegExp, to: string): void {
                const text = readFileSync(file, "utf8");
                const next = text.replace(from, to);
                assert.notEqual(next, text, `${file} holds ${String(from)}`);
                writeFileSync(file, next);
            }

            /** Renames a tenant ServiceAccount in every file of the render, as if it had been planned so. */
            function renameEverywhere(dir: string, from: string, to: string): void {
                for (const f of ["plan.json", "tenants/service-accounts.yaml", "tenants/rbac.yaml", "flux-objects.yaml"]) {
                    const file = path.join(dir, f);
                    writeFileSync(file, readFileSync(file, "utf8").split(from).join(to));
                }
            }

            function refused(j: Judged, subject: RegExp, reason: RegExp): void {
                assert.equal(j.status, 1, show(j.results) + j.stderr);
                const hit = j.results.filter((r) => !r.ok && !r.negative && subject.test(`${r.subject} ${r.case}`));
                assert.ok(hit.length > 0, `no refused line for ${String(subject)}:\n${show(j.results)}`);
                assert.ok(hit.every((r) => r.verdict === "REFUSED"), show(hit));
                assert.ok(hit.some((r) => reason.test(r.reason)), `expected ${String(reason)}:\n${show(hit)}`);
            }

            it("an audience: the projected token of a controller for another audience than the IAM OIDC provider's", () => {
                const j = broken("kind-aws-ctl", (d) => replaceIn(path.join(d, "flux-system", "kustomization.yaml"), /audience: sts\.amazonaws\.com/g, "audience: sts.example.com"));
                refused(j, /controller source-controller OCIRepository/, /Incorrect token audience \[sts\.example\.com\]/);
            });

            it("a trust condition: a role trusting another ServiceAccount than the tenant's", () => {
                const j = broken("kind-aws-obj", (d) => replaceIn(path.join(d, "plan.json"), ':sub": "system:serviceaccount:team-a:flux-aws"', ':sub": "system:serviceaccount:team-a:flux-aws-old"'));
                refused(j, /tenant team-a\/flux-aws OCIRepository/, /Not authorized to perform sts:AssumeRoleWithWebIdentity/);
            });

            it("an annotation: a tenant ServiceAccount naming another managed identity", () => {
                const j = broken("kind-azure-obj", (d) => replaceIn(path.join(d, "tenants", "service-accounts.yaml"), /azure\.workload\.identity\/client-id: <client ID of ([^>]+)-team-a-flux-azure-[0-9a-f]+>/, "azure.workload.identity/client-id: <client ID of $1-team-a-flux-azure-00000000>"));
                refused(j, /tenant team-a\/flux-azure OCIRepository/, /AADSTS700016/);
            });

            it("a subject: a federated credential for another subject", () => {
                const j = broken("aks-azure-ctl", (d) => replaceIn(path.join(d, "plan.json"), '"subject": "system:serviceaccount:flux-system:source-controller"', '"subject": "system:serviceaccount:flux-system:source"'));
                refused(j, /controller source-controller OCIRepository/, /AADSTS70021/);
            });

            it("an issuer: an AKS federated credential without the issuer's trailing '/' (defect 4)", () => {
                const j = broken("aks-azure-ctl", (d) => replaceIn(path.join(d, "plan.json"), /("issuer": "https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/[^"]+)\/"/g, '$1"'));
                refused(j, /controller (source|kustomize|image-reflector)-controller/, /AADSTS70021.*Assertion Issuer: 'https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/.*\/'/);
            });

            if (version === "2.9") {
                it("RBAC: a controller that may not create the tenant's tokens, by Flux's install or the tenant RBAC", () => {
                    // Flux's own crd-controller ClusterRole (v2.7 to v2.9) lets every controller create any
                    // ServiceAccount's token; without that rule, the tenant's Role is what grants it.
                    const flux = { ...fixture, dir: mkdtempSync(path.join(work, "flux-")) };
                    for (const f of ["gotk-components.yaml", "gotk-sync.yaml"]) cpSync(path.join(fixture.dir, f), path.join(flux.dir, f));
                    withoutTokenGrant(path.join(flux.dir, "gotk-components.yaml"));
                    const roleOnly = broken("kind-aws-obj", () => undefined, flux);
                    assert.ok(roleOnly.results.some((r) => r.ok && r.verdict === "ACCEPTED" && r.subject === "tenant team-a/flux-aws"), show(roleOnly.results));
                    const j = broken("kind-aws-obj", (d) => replaceIn(path.join(d, "tenants", "rbac.yaml"), /- serviceaccounts\/token/g, "- serviceaccounts/status"), flux);
                    refused(j, /tenant team-a\/flux-aws OCIRepository/, /RBAC: user "system:serviceaccount:flux-system:source-controller" cannot create serviceaccounts\/token "flux-aws" in namespace team-a/);
                });

                it("the feature gate: object-level identity without ObjectLevelWorkloadIdentity", () => {
                    const j = broken("kind-gcp-obj", (d) => replaceIn(path.join(d, "flux-system", "kustomization.yaml"), "--feature-gates=ObjectLevelWorkloadIdentity=true", "--feature-gates=ObjectLevelWorkloadIdentity=false"));
                    refused(j, /tenant team-a\/flux-gcp OCIRepository/, /ObjectLevelWorkloadIdentity feature gate/);
                });
            } else {
                it("RBAC: Flux 2.10's install grants no token creation, so without the tenant Role a controller is refused", () => {
                    // The v2.9.4 manifests judged here still carry the crd-controller token rule; the 2.10
                    // judge drops it, as Flux 2.10's install does, so the render's Roles are all that lets
                    // a controller mint a tenant's token.
                    const j = broken("kind-aws-obj", (d) => replaceIn(path.join(d, "tenants", "rbac.yaml"), /- serviceaccounts\/token/g, "- serviceaccounts/status"));
                    refused(j, /tenant team-a\/flux-aws OCIRepository/, /RBAC: user "system:serviceaccount:flux-system:source-controller" cannot create serviceaccounts\/token "flux-aws" in namespace team-a/);
                });
            }

            it("a remote GKE cluster's RBAC naming the user without serviceAccount: (defect 1)", () => {
                const j = broken("gcp-gke-remote", (d) => replaceIn(path.join(d, "plan.json"), /name: serviceAccount:fleet-prod\.svc\.id\.goog\[flux-system\/kustomize-controller\]/, "name: fleet-prod.svc.id.goog[flux-system/kustomize-controller]"));
                refused(j, /controller kustomize-controller Kustomization \(gke\)/, /binds no User "serviceAccount:fleet-prod\.svc\.id\.goog\[flux-system\/kustomize-controller\]"/);
            });

            it("a tenant whose AWS session name would pass 64 characters (defect 2)", () => {
                const j = broken("kind-aws-obj", (d) => renameEverywhere(d, "flux-aws", "flux-aws-tenant-with-a-rather-long-service-account-name"));
                refused(j, /tenant team-a\/flux-aws-tenant/, /roleSessionName.*Member must match/);
            });

            it("a tenant whose google.subject would pass 127 bytes (defect 3)", () => {
                const j = broken("kind-gcp-obj", (d) => renameEverywhere(d, "flux-gcp", `flux-gcp-${"x".repeat(100)}`));
                refused(j, /tenant team-a\/flux-gcp-x+/, /google\.subject.*exceeds the 127 bytes limit/);
            });

            /** A negative the judge must report as let in (ACCEPTED, not ok), with exit code 1. */
            function admitted(j: Judged, subject: RegExp, negative: RegExp, reason: RegExp): void {
                assert.equal(j.status, 1, show(j.results) + j.stderr);
                const hit = j.results.filter((r) => !r.ok && r.negative && subject.test(r.subject) && negative.test(r.case));
                assert.ok(hit.length > 0, `no failed negative ${String(negative)} for ${String(subject)}:\n${show(j.results)}`);
                assert.ok(hit.every((r) => r.verdict === "ACCEPTED"), show(hit));
                assert.ok(hit.some((r) => reason.test(r.reason)), `expected ${String(reason)}:\n${show(hit)}`);
            }

            it("a remote cluster's jwt authenticator for another audience than the ConfigMap's", () => {
                const j = broken("hub", (d) => replaceIn(path.join(d, "plan.json"), "audiences:\\n        - https://api.spoke-1.example.com:6443", "audiences:\\n        - https://spoke-1.example.com"));
                refused(j, /controller kustomize-controller Kustomization \(remoteClusters\)/, /401 Unauthorized.*expected audience "https:\/\/spoke-1\.example\.com"/);
            });

            it("a remote cluster's claim validation rule letting every ServiceAccount of the tenant's namespace in", () => {
                const j = broken("hub", (d) => replaceIn(path.join(d, "plan.json"), /expression: claims\.sub in \[[^\]]*\]/, "expression: claims.sub.startsWith('system:serviceaccount:')"));
                admitted(j, /tenant team-a\/flux-remote/, /negative: another ServiceAccount in its namespace/, /authenticator let the impostor in as "hub:system:serviceaccount:team-a:judge-intruder"/);
            });

            it("a remote cluster's claim validation rule without the tenant", () => {
                const j = broken("hub", (d) => replaceIn(path.join(d, "plan.json"), ", 'system:serviceaccount:team-a:flux-remote']", "]"));
                refused(j, /tenant team-a\/flux-remote Kustomization \(remoteClusters\)/, /401 Unauthorized.*only the Flux ServiceAccounts planned/);
            });

            it("remote cluster RBAC missing the verbs Flux applies with (view instead of admin)", () => {
                const j = broken("hub", (d) => replaceIn(path.join(d, "plan.json"), "kind: ClusterRole\\n  name: admin\\n", "kind: ClusterRole\\n  name: view\\n"));
                refused(j, /tenant team-a\/flux-remote Kustomization \(remoteClusters\)/, /RBAC does not let "hub:system:serviceaccount:team-a:flux-remote" create configmaps in namespace team-a/);
            });

            it("a Vault role bound to another subject than the tenant's ServiceAccount", () => {
                const j = broken("prod", (d) => replaceIn(path.join(d, "plan.json"), '"boundSubject": "system:serviceaccount:team-a:sops"', '"boundSubject": "system:serviceaccount:team-a:sops-old"'));
                refused(j, /tenant team-a\/sops Kustomization \(transit\)/, /as role 'team-a_sops'.*sub/);
            });

            it("a Vault policy on another transit key than the tenant's", () => {
                const j = broken("prod", (d) => replaceIn(path.join(d, "plan.json"), 'path \\"transit/decrypt/team-a\\"', 'path \\"transit/decrypt/team-b\\"'));
                refused(j, /tenant team-a\/sops Kustomization \(transit\)/, /do not allow update on transit\/decrypt\/team-a/);
            });

            /** Edits plan.json as data. */
            function editPlan(dir: string, edit: (plan: PlanDocument) => void): void {
                const file = path.join(dir, "plan.json");
                const plan = JSON.parse(readFileSync(file, "utf8")) as PlanDocument;
                const before = JSON.stringify(plan);
                edit(plan);
                assert.notEqual(JSON.stringify(plan), before, `${file}: the edit changed nothing`);
                writeFileSync(file, JSON.stringify(plan, null, 2));
            }

            /** Rewrites the documents of one cloud's broughtIdentities requirements of a kind. */
            function editRequirements(plan: PlanDocument, cloud: "aws" | "azure" | "gcp", kind: string, edit: (doc: string) => string): void {
                const list = plan[cloud]?.broughtIdentities ?? [];
                assert.ok(list.some((b) => b.kind === kind), `no ${cloud} ${kind} requirement`);
                for (const b of list) if (b.kind === kind) b.document = edit(b.document);
            }

            it("an STS endpoint host the render did not configure: a controller's AWS_ENDPOINT_URL_STS naming another VPC endpoint", () => {
                const other = "https://vpce-0fffffffffffffff0-zzzzzzzz.sts.eu-central-1.vpce.amazonaws.com";
                const j = broken("private-kind", (d) => replaceIn(path.join(d, "flux-system", "kustomization.yaml"), /value: https:\/\/vpce-[^\s]+/, `value: ${other}`));
                refused(j, /controller source-controller Bucket \(s3\)/, /AssumeRoleWithWebIdentity, https response error StatusCode: 404/);
            });

            it("an STS endpoint Flux refuses: a Bucket's spec.sts.endpoint outside Flux's ValidateSTSEndpoint pattern", () => {
                const j = broken("private-kind", (d) =>
                    editPlan(d, (plan) => {
                        for (const s of plan.flux.objectSettings) if (s.set["spec.sts.endpoint"]) s.set["spec.sts.endpoint"] = "https://sts.eu-central-1.example.com";
                    }),
                );
                refused(j, /tenant team-b\/flux-aws Bucket \(s3\)/, /invalid STS endpoint: 'https:\/\/sts\.eu-central-1\.example\.com'/);
            });

            it("a KMS alias granted on the alias ARN without its key: KMS authorizes the key, with kms:RequestAlias", () => {
                const j = broken("mixed-eks", (d) =>
                    editPlan(d, (plan) => {
                        for (const r of plan.aws?.resources ?? []) {
                            const statements = (r.properties.policy as { Statement?: Array<Record<string, unknown>> } | undefined)?.Statement ?? [];
                            for (const st of statements.filter((x) => x.Sid === "KmsDecryptByAlias")) {
                                const condition = st.Condition as { StringEquals: Record<string, string | string[]> };
                                st.Resource = [condition.StringEquals["kms:RequestAlias"]].flat().map((a) => `arn:aws:kms:eu-west-1:111122223333:${a}`);
                                delete st.Condition;
                            }
                        }
                    }),
                );
                refused(j, /controller kustomize-controller Kustomization \(kms\) arn:aws:kms:eu-west-1:111122223333:alias\/flux-sops/, /kms:Decrypt through alias .*: kms:Decrypt on arn:aws:kms:eu-west-1:111122223333:key\/\S+: NotApplicable/);
            });

            it("a Pod Identity target role whose trust lacks the association's role, or names another external ID", () => {
                const notTrusted = broken("shared-eks", (d) => editPlan(d, (plan) => editRequirements(plan, "aws", "iam-role-trust-statement", (doc) => doc.replace(/role\/flux-shared-eks-source-[0-9a-f]+/g, "role/flux-shared-eks-other"))));
                refused(notTrusted, /controller source-controller OCIRepository \(ecr\)/, /role chaining: the trust policy of target role arn:aws:iam::444455556666:role\/flux-artifacts-reader \(as broughtIdentities requires it\) gives NotApplicable/);
                const otherId = broken("shared-eks", (d) => editPlan(d, (plan) => editRequirements(plan, "aws", "iam-role-trust-statement", (doc) => doc.replace("/flux-system/source-controller", "/flux-system/kustomize-controller"))));
                refused(otherId, /controller source-controller OCIRepository \(ecr\)/, /role chaining: the trust policy of target role .* gives NotApplicable .*sts:AssumeRole \(sts:ExternalId us-east-2\/111122223333\/shared\/flux-system\/source-controller\)/);
            });

            it("a brought identity's requirement for another subject: an IAM trust statement, a federated credential, a workloadIdentityUser member", () => {
                const aws = broken("eks-byo", (d) => editPlan(d, (plan) => editRequirements(plan, "aws", "iam-role-trust-statement", (doc) => doc.replace("system:serviceaccount:flux-system:source-controller", "system:serviceaccount:flux-system:source"))));
                refused(aws, /controller source-controller token exchange/, /the trust policy of arn:aws:iam::111122223333:role\/flux\/source-reader \(as broughtIdentities requires it\) gives NotApplicable/);
                const azure = broken("aks-byo", (d) => editPlan(d, (plan) => editRequirements(plan, "azure", "federated-identity-credential", (doc) => doc.replace("system:serviceaccount:team-a:flux-azure", "system:serviceaccount:team-a:flux"))));
                refused(azure, /tenant team-a\/flux-azure OCIRepository/, /AADSTS70021/);
                // flux-identity grants the GKE member itself, so the plan holds it twice: as a resource and as the requirement.
                const gcp = broken("gke-byo", (d) =>
                    editPlan(d, (plan) => {
                        editRequirements(plan, "gcp", "iam-member", (doc) => doc.replace("[team-a/flux-gcp]", "[team-a/flux]"));
                        for (const r of plan.gcp?.resources ?? []) if (r.properties.member === "serviceAccount:fleet-prod.svc.id.goog[team-a/flux-gcp]") r.properties.member = "serviceAccount:fleet-prod.svc.id.goog[team-a/flux]";
                    }),
                );
                refused(gcp, /tenant team-a\/flux-gcp OCIRepository/, /holds no roles\/iam\.workloadIdentityUser on team-a-flux@fleet-prod\.iam\.gserviceaccount\.com/);
            });

            it("a brought role's other requirements: its account's IAM OIDC provider elsewhere, a Pod Identity trust for another service", () => {
                // The kustomize-controller's role lives in 444455556666: the provider must be there, not in the cluster's account.
                const provider = broken("eks-byo", (d) =>
                    editPlan(d, (plan) => {
                        for (const b of plan.aws?.broughtIdentities ?? []) if (b.kind === "iam-oidc-provider" && b.resource.includes(":444455556666:")) b.resource = b.resource.replace(":444455556666:", ":111122223333:");
                    }),
                );
                refused(provider, /controller kustomize-controller token exchange/, /No OpenIDConnect provider found in your account \(444455556666\)/);
                const pod = broken("eks-byo-pod-identity", (d) => editPlan(d, (plan) => editRequirements(plan, "aws", "iam-role-trust-statement", (doc) => doc.replace("pods.eks.amazonaws.com", "eks.amazonaws.com"))));
                refused(pod, /controller source-controller token exchange/, /the trust policy of arn:aws:iam::111122223333:role\/flux-staging-source \(as broughtIdentities requires it\) gives NotApplicable for pods\.eks\.amazonaws\.com/);
            });

            it("warns when a render made for another Flux version is judged with this one, naming both", () => {
                const other: JudgedVersion = version === "2.9" ? "2.10" : "2.9";
                const spec = atVersion(loadFleet(fromRoot("examples", "matrix", "kind-to-aws-object.yaml")).clusters[0], other);
                const dir = mkdtempSync(path.join(work, "other-version-"));
                writeRendered([renderCluster(spec)], dir);
                const j = judge([dir], version, fixture);
                assert.ok(j.stderr.includes(`${spec.name} was rendered for Flux ${other} (plan.json flux.version) and is judged with Flux ${version}'s code`), j.stderr);
                assert.ok(j.stderr.includes(`Judge it with --flux-version ${other}, or render it with flux.version: "${version}".`), j.stderr);
            });

            it("exits 2 on a directory that is no render", () => {
                const empty = mkdtempSync(path.join(work, "empty-"));
                mkdirSync(path.join(empty, "nothing"));
                const j = judge([empty], version, fixture);
                assert.equal(j.status, 2);
                assert.match(j.stderr, /holds no cluster folder with plan\.json/);
            });
        });
    });
}

describe("the Flux-auth judge: Flux's own auth code accepts every rendered identity and refuses impostors", function () {
    judgeSuite("2.9", "github.com/fluxcd/pkg/auth v0.54.3");
    judgeSuite("2.10", "github.com/fluxcd/pkg/auth v0.66.0");
});
