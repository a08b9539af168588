/**
 * Brought identities on all three clouds: what must exist on the cloud side for Flux to get in, in one
 * shape per cloud, in plan.json, the components' outputs and render. The AWS trust statements are
 * evaluated by the real IAM evaluator; the Azure and GCP documents are compared with what flux-identity
 * writes for identities it creates; the check and apply commands run against stand-in CLIs that record
 * their arguments (with the real bash and jq).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AwsFluxIdentity } from "../../provider/src/aws/component";
import { PolicyDocument, PolicyStatement } from "../../provider/src/aws/policy";
import { AzureFluxIdentity } from "../../provider/src/azure/component";
import { planAzure } from "../../provider/src/azure/plan";
import { BroughtIdentityRequirement } from "../../provider/src/core/brought";
import { GcpFluxIdentity } from "../../provider/src/gcp/component";
import { ClusterPlan, ClusterSpec, clusterPlanDocument, planCluster } from "../../provider/src/plan/cluster";
import { FluxWorkloadIdentity, FluxWorkloadIdentityArgs } from "../../provider/src/workload-identity/component";
import { renderCluster } from "../../sdk/src/render/render";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { Decision, IamRequest, ensureEvaluator, evaluate } from "../helpers/iam";
import { useMocks, valueOf } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";
import { skipWithReason } from "../helpers/skip";

const FIELDS = ["cloud", "identityKey", "identity", "controllers", "tenant", "kind", "resource", "document", "managed", "check", "apply"];

function clusters(): Map<string, ClusterSpec> {
    return new Map(loadFleet(fromRoot("examples", "brought-identities.yaml")).clusters.map((c) => [c.name, c]));
}
function spec(name: string): ClusterSpec {
    const s = clusters().get(name);
    assert.ok(s, name);
    return s;
}
function brought(plan: ClusterPlan, key: string, kind: string): BroughtIdentityRequirement[] {
    return plan.broughtIdentities.filter((b) => b.identityKey === key && b.kind === kind);
}
function one(plan: ClusterPlan, key: string, kind: string): BroughtIdentityRequirement {
    const found = brought(plan, key, kind);
    assert.equal(found.length, 1, `${key} ${kind}: ${JSON.stringify(plan.broughtIdentities.map((b) => `${b.identityKey} ${b.kind}`))}`);
    return found[0];
}

describe("brought identities: what must exist on the cloud side", () => {
    it("has one shape on every cloud, in plan.json under each cloud, and says which the owner must add", () => {
        for (const s of clusters().values()) {
            const plan = planCluster(s);
            assert.ok(plan.broughtIdentities.length > 0, s.name);
            for (const b of plan.broughtIdentities) assert.deepEqual(Object.keys(b), FIELDS, `${s.name} ${b.kind}`);
            const doc = JSON.parse(renderCluster(s).files["plan.json"]) as ReturnType<typeof clusterPlanDocument>;
            const inDoc = [...(doc.aws?.broughtIdentities ?? []), ...(doc.azure?.broughtIdentities ?? []), ...(doc.gcp?.broughtIdentities ?? [])];
            assert.deepEqual(inDoc, plan.broughtIdentities, `${s.name} plan.json`);
            for (const b of plan.broughtIdentities) assert.equal(b.managed, b.cloud === "gcp", `${s.name} ${b.kind}: only GCP's bindings are written by flux-identity`);
        }
        const all = planCluster(spec("kind-byo"));
        assert.deepEqual([...new Set(all.broughtIdentities.map((b) => b.cloud))], ["aws", "azure", "gcp"]);
    });

    describe("AWS", function () {
        let binary = "";
        before(function () {
            const r = ensureEvaluator();
            if ("reason" in r) skipWithReason(this, `IAM evaluator unavailable: ${r.reason}`);
            binary = r.binary;
        });
        const eks = () => planCluster(spec("eks-byo"));
        const issuerHostPath = "oidc.eks.eu-west-1.amazonaws.com/id/5C64A1B2C3D4E5F60718293A4B5C6D7E";

        it("OIDC federation: the issuer's provider in each role's own account, and a trust statement the real evaluator admits only the ServiceAccount through", () => {
            const plan = eks();
            const other = one(plan, "existing/kustomize-controller", "iam-oidc-provider");
            assert.equal(other.resource, `arn:aws:iam::444455556666:oidc-provider/${issuerHostPath}`, "a role of another account trusts that account's provider");
            assert.deepEqual(JSON.parse(other.document), { Url: `https://${issuerHostPath}`, ClientIDList: ["sts.amazonaws.com"] });
            const cases: Array<[string, string, string, string, Decision]> = [
                ["existing/source-controller", "system:serviceaccount:flux-system:source-controller", "sts.amazonaws.com", "111122223333", "Allow"],
                ["existing/source-controller", "system:serviceaccount:flux-system:kustomize-controller", "sts.amazonaws.com", "111122223333", "NotApplicable"],
                ["existing/source-controller", "system:serviceaccount:flux-system:source-controller", "api://AzureADTokenExchange", "111122223333", "NotApplicable"],
                ["existing/kustomize-controller", "system:serviceaccount:flux-system:kustomize-controller", "sts.amazonaws.com", "444455556666", "Allow"],
                ["existing/kustomize-controller", "system:serviceaccount:flux-system:kustomize-controller", "sts.amazonaws.com", "111122223333", "NotApplicable"],
                ["existing/tenant/team-a/flux-aws", "system:serviceaccount:team-a:flux-aws", "sts.amazonaws.com", "111122223333", "Allow"],
                ["existing/tenant/team-a/flux-aws", "system:serviceaccount:team-b:flux-aws", "sts.amazonaws.com", "111122223333", "NotApplicable"],
                ["existing/tenant/team-a/flux-aws", "system:serviceaccount:flux-system:source-controller", "sts.amazonaws.com", "111122223333", "NotApplicable"],
            ];
            const requests = cases.map(([key, sub, aud, account]) => {
                const trust = one(plan, key, "iam-role-trust-statement");
                const request: IamRequest = {
                    Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuerHostPath}` },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Resource: trust.identity,
                    Context: { [`${issuerHostPath}:sub`]: sub, [`${issuerHostPath}:aud`]: aud },
                };
                return { policies: [{ Version: "2012-10-17", Statement: JSON.parse(trust.document) } as PolicyDocument], request, ignoreResource: true };
            });
            const got = evaluate(binary, requests);
            assert.deepEqual(got.map((d, i) => `${cases[i][0]} ${cases[i][1]} ${cases[i][2]} @${cases[i][3]}: ${d}`), cases.map((c) => `${c[0]} ${c[1]} ${c[2]} @${c[3]}: ${c[4]}`));
        });

        it("Pod Identity: the service principal's statement and the association, for the cluster and ServiceAccount", () => {
            const plan = planCluster(spec("eks-byo-pod-identity"));
            const trust = JSON.parse(one(plan, "existing/source-controller", "iam-role-trust-statement").document) as PolicyStatement[];
            assert.deepEqual(trust, [{ Sid: "AllowEksAuthToAssumeRoleForPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }]);
            const assoc = one(plan, "existing/source-controller", "eks-pod-identity-association");
            assert.equal(assoc.resource, "arn:aws:eks:us-east-2:111122223333:cluster/staging");
            assert.deepEqual(JSON.parse(assoc.document), { clusterName: "staging", namespace: "flux-system", serviceAccount: "source-controller", roleArn: "arn:aws:iam::111122223333:role/flux-staging-source" });
        });
    });

    it("Azure: one federated credential per ServiceAccount, byte for byte what flux-identity writes for identities it creates", () => {
        const s = spec("aks-byo");
        const plan = planCluster(s);
        const docs = plan.broughtIdentities.filter((b) => b.cloud === "azure").map((b) => ({ key: b.identityKey, tenant: b.tenant, ...JSON.parse(b.document) }));
        assert.deepEqual(
            docs.map((d) => [d.key, d.tenant, d.issuer, d.subject, d.audiences]),
            [
                ["existing/source-controller", "", s.issuerUrl, "system:serviceaccount:flux-system:source-controller", ["api://AzureADTokenExchange"]],
                ["existing/tenant/team-a/flux-azure", "team-a/flux-azure", s.issuerUrl, "system:serviceaccount:team-a:flux-azure", ["api://AzureADTokenExchange"]],
            ],
        );
        assert.ok(s.issuerUrl.endsWith("/"), "the AKS issuer keeps its trailing slash");
        // The same cluster with a created identity: its credential's triple is the brought one's.
        const azure = s.azure as NonNullable<ClusterSpec["azure"]>;
        const created = planAzure({ cluster: s, azure: { ...azure, existingIdentities: undefined, tenants: undefined, controllers: { acr: [{ scopes: [`/subscriptions/${azure.subscriptionId}/resourceGroups/r/providers/Microsoft.ContainerRegistry/registries/a`] }] } } });
        const credential = created.identities[0].credentials[0];
        assert.deepEqual([credential.issuer, credential.subject, credential.audiences], [docs[0].issuer, docs[0].subject, docs[0].audiences]);
        assert.match(docs[0].name, /^[A-Za-z0-9_-]{3,120}$/);
    });

    it("GCP: roles/iam.workloadIdentityUser for the KSA principal on each brought GSA, as flux-identity writes it", () => {
        for (const [name, member] of [
            ["gke-byo", "serviceAccount:fleet-prod.svc.id.goog[flux-system/source-controller]"],
            ["kind-byo", "principal://iam.googleapis.com/projects/210987654321/locations/global/workloadIdentityPools/"],
        ]) {
            const plan = planCluster(spec(name));
            const b = one(plan, "existing/source-controller", "iam-member");
            const doc = JSON.parse(b.document) as { role: string; member: string };
            assert.equal(doc.role, "roles/iam.workloadIdentityUser");
            assert.ok(doc.member.startsWith(member), doc.member);
            if (name === "kind-byo") assert.ok(doc.member.endsWith("/subject/system:serviceaccount:flux-system:source-controller"), doc.member);
            const written = plan.gcp?.workloadIdentityUsers.find((u) => u.identityKey === "existing/source-controller");
            assert.deepEqual([b.resource, doc.member], [written?.serviceAccountId, written?.member], "the member flux-identity writes");
        }
        const tenant = one(planCluster(spec("gke-byo")), "existing/tenant/team-a/flux-gcp", "iam-member");
        assert.equal(JSON.parse(tenant.document).member, "serviceAccount:fleet-prod.svc.id.goog[team-a/flux-gcp]");
        assert.equal(tenant.tenant, "team-a/flux-gcp");
    });

    it("under Pulumi mocks every component outputs what the plan lists, FluxWorkloadIdentity all clouds'", async () => {
        const s = spec("kind-byo");
        // The mocked GCP reports the mocks' account as every project's number; the brought AWS roles make
        // no resource, so no AWS account check runs.
        const mocks = await useMocks(s.gcp?.projectNumber);
        mocks.azureSubscription = s.azure?.subscriptionId as string;
        mocks.azureTenant = s.azure?.tenantId as string;
        const plan = planCluster(s);
        const cluster = { name: s.name, type: s.type, issuerUrl: s.issuerUrl };
        const aws = new AwsFluxIdentity("aws-byo", { cluster, ...(s.aws as NonNullable<ClusterSpec["aws"]>) });
        const azure = new AzureFluxIdentity("azure-byo", { cluster, ...(s.azure as NonNullable<ClusterSpec["azure"]>) });
        const gcp = new GcpFluxIdentity("gcp-byo", { cluster, ...(s.gcp as NonNullable<ClusterSpec["gcp"]>) });
        assert.deepEqual(await valueOf(aws.broughtIdentities), plan.aws?.broughtIdentities);
        assert.deepEqual(await valueOf(azure.broughtIdentities), plan.azure?.broughtIdentities);
        assert.deepEqual(await valueOf(gcp.broughtIdentities), plan.gcp?.broughtIdentities);
        const args: FluxWorkloadIdentityArgs = { cluster, aws: s.aws, azure: s.azure, gcp: s.gcp };
        const flux = new FluxWorkloadIdentity("all-byo", args);
        assert.deepEqual(await valueOf(flux.broughtIdentities), plan.broughtIdentities);
    });

    describe("the check and apply commands", function () {
        let dir = "";
        before(function () {
            for (const tool of ["bash", "jq"]) {
                if (spawnSync(tool, ["--version"]).error) skipWithReason(this, `${tool} is not installed; the commands are run with it`);
            }
        });
        beforeEach(() => {
            dir = mkdtempSync(path.join(tmpdir(), "flux-identity-cli-"));
            // Stand-ins for aws, az and gcloud: each records its arguments, one per line, and answers the
            // lookups the commands make.
            const stub = (name: string, answer: string) => {
                const file = path.join(dir, name);
                writeFileSync(file, `#!/usr/bin/env bash\n{ printf '%s\\n' "$@"; echo ---; } >> "${dir}/${name}.log"\n${answer}\n`);
                chmodSync(file, 0o755);
            };
            const existing = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Existing", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
            stub("aws", `if [ "$1 $2" = "iam get-role" ]; then echo '${existing}'; fi`);
            stub("az", `if [ "$1 $2" = "identity list" ]; then printf 'flux-source\\tidentities-rg\\n'; fi`);
            stub("gcloud", "");
        });
        afterEach(() => rmSync(dir, { recursive: true, force: true }));

        const run = (command: string) => {
            const r = spawnSync("bash", ["-c", command], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
            assert.equal(r.status, 0, `${command}\n${r.stderr}`);
        };
        const calls = (tool: string) =>
            readFileSync(path.join(dir, `${tool}.log`), "utf8")
                .split("---\n")
                .filter((c) => c !== "")
                .map((c) => c.replace(/\n$/, "").split("\n"));
        const argAfter = (call: string[], flag: string) => call[call.indexOf(flag) + 1];

        it("AWS: apply appends the statements to the role's trust policy and keeps the rest", () => {
            const b = one(planCluster(spec("eks-byo")), "existing/source-controller", "iam-role-trust-statement");
            run(b.apply);
            const update = calls("aws").find((c) => c[1] === "update-assume-role-policy");
            assert.ok(update, JSON.stringify(calls("aws")));
            assert.equal(argAfter(update, "--role-name"), "source-reader", "the name, without the role's path");
            const doc = JSON.parse(argAfter(update, "--policy-document")) as PolicyDocument;
            assert.deepEqual(doc.Statement, [{ Sid: "Existing", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }, ...JSON.parse(b.document)]);
            run(b.check);
            assert.deepEqual(calls("aws").at(-1)?.slice(0, 4), ["iam", "get-role", "--role-name", "source-reader"]);
        });

        it("AWS: the association and the OIDC provider commands carry the document's values", () => {
            const assoc = one(planCluster(spec("eks-byo-pod-identity")), "existing/source-controller", "eks-pod-identity-association");
            run(assoc.apply);
            const call = calls("aws").at(-1) as string[];
            const doc = JSON.parse(assoc.document) as Record<string, string>;
            assert.deepEqual(
                [call.slice(0, 2), argAfter(call, "--cluster-name"), argAfter(call, "--namespace"), argAfter(call, "--service-account"), argAfter(call, "--role-arn"), argAfter(call, "--region")],
                [["eks", "create-pod-identity-association"], doc.clusterName, doc.namespace, doc.serviceAccount, doc.roleArn, "us-east-2"],
            );
            const provider = one(planCluster(spec("eks-byo")), "existing/source-controller", "iam-oidc-provider");
            run(provider.apply);
            const p = calls("aws").at(-1) as string[];
            assert.deepEqual([argAfter(p, "--url"), argAfter(p, "--client-id-list")], [JSON.parse(provider.document).Url, "sts.amazonaws.com"]);
        });

        it("Azure: apply finds the managed identity by client ID and creates the credential of the document", () => {
            const b = one(planCluster(spec("aks-byo")), "existing/source-controller", "federated-identity-credential");
            run(b.apply);
            const [list, create] = calls("az");
            assert.ok(list.join(" ").includes(`[?clientId=='${b.identity}']`), list.join(" "));
            const doc = JSON.parse(b.document) as { name: string; issuer: string; subject: string; audiences: string[] };
            assert.deepEqual(
                [create.slice(0, 3), argAfter(create, "--identity-name"), argAfter(create, "--resource-group"), argAfter(create, "--name"), argAfter(create, "--issuer"), argAfter(create, "--subject"), argAfter(create, "--audiences")],
                [["identity", "federated-credential", "create"], "flux-source", "identities-rg", doc.name, doc.issuer, doc.subject, doc.audiences[0]],
            );
        });

        it("GCP: apply adds the member with the role of the document", () => {
            const b = one(planCluster(spec("gke-byo")), "existing/tenant/team-a/flux-gcp", "iam-member");
            run(b.apply);
            const call = calls("gcloud").at(-1) as string[];
            const doc = JSON.parse(b.document) as { role: string; member: string };
            assert.deepEqual(call, ["iam", "service-accounts", "add-iam-policy-binding", b.identity, `--role=${doc.role}`, `--member=${doc.member}`]);
        });
    });
});
