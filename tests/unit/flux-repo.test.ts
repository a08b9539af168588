/**
 * `--write <flux-repo>` into a real temporary Flux repository laid out as `flux bootstrap` lays it out:
 * the written cluster folder, next to the v2.9.4 gotk files, is built as kustomize-controller builds the
 * flux-system Kustomization's path (`./clusters/<name>`) with the real `kubectl kustomize`, and must hold
 * the tenant ServiceAccounts and RBAC wherever it holds the object-level feature gate. Placeholders are
 * refused, files flux-identity did not write are left alone, and a second write reports unchanged files.
 */
import { strict as assert } from "node:assert";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { dump, load, loadAll } from "js-yaml";
import { EXIT_FAILED, EXIT_OK, runCli } from "../../sdk/src/cli/main";
import { FluxRepoWriteRefused, fluxRepoFiles, fluxSideOfPlan, isBootstrapKustomization, writeFluxRepo, writeFluxRepoFromOutputs } from "../../sdk/src/cli/flux-repo";
import { renderRemoteClusterRbac, splitRemoteClusterRbac } from "../../provider/src/gcp/remote-clusters";
import { renderFleet } from "../../sdk/src/render/render";
import { FleetSpec, loadFleet, parseFleet } from "../../sdk/src/spec/fleet";
import { FEATURE_GATE } from "../helpers/docs-expectations";
import { KubeObject, fluxFixture, fluxPathBuild, kubectlAvailable, podSpec } from "../helpers/kustomize";
import { fromRoot } from "../helpers/paths";
import { skipWithReason } from "../helpers/skip";

const FLEET = fromRoot("examples", "fleet.yaml");

interface Captured {
    out: string;
    err: string;
}

async function cli(...argv: string[]): Promise<Captured & { code: number }> {
    const c = { out: "", err: "" };
    const code = await runCli(argv, { out: (t) => void (c.out += t), err: (t) => void (c.err += t), isTTY: false });
    return { ...c, code };
}

/** A Flux repository as `flux bootstrap --path=clusters/<name>` leaves it, for each cluster. */
function bootstrappedRepo(...clusters: string[]): string {
    const repo = mkdtempSync(path.join(tmpdir(), "fi-flux-repo-"));
    const fixture = fluxFixture("flux-v2.9.4");
    for (const c of clusters) {
        const dir = path.join(repo, "clusters", c, "flux-system");
        mkdirSync(dir, { recursive: true });
        copyFileSync(path.join(fixture.dir, "gotk-components.yaml"), path.join(dir, "gotk-components.yaml"));
        // As `flux bootstrap --path=clusters/<name>` writes it: the flux-system Kustomization applies that path.
        writeFileSync(path.join(dir, "gotk-sync.yaml"), readFileSync(path.join(fixture.dir, "gotk-sync.yaml"), "utf8").replace("path: ./clusters/production", `path: ./clusters/${c}`));
        writeFileSync(path.join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n");
    }
    return repo;
}

function filesUnder(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
        .sort();
}

/** The fleet on Flux 2.9, the version of the bootstrap fixture these tests build against (2.10 retired the gate). */
function onFlux29(fleet: FleetSpec): FleetSpec {
    return { ...fleet, clusters: fleet.clusters.map((c) => ({ ...c, flux: { ...c.flux, version: "2.9" } })) };
}

function fleetWith(clusters: string[], spec = FLEET): string {
    const fleet = onFlux29(loadFleet(spec));
    const dir = mkdtempSync(path.join(tmpdir(), "fi-fleet-"));
    const file = path.join(dir, "fleet.yaml");
    writeFileSync(file, dump({ ...fleet, clusters: fleet.clusters.filter((c) => clusters.includes(c.name)) }));
    return file;
}

const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const args = (objects: KubeObject[], name: string) => podSpec(objects.find((o) => o.kind === "Deployment" && o.metadata.name === name) as KubeObject).containers[0].args ?? [];

describe("--write <flux-repo>: the whole Flux side of each cluster", function () {
    this.timeout(120000);
    let repo: string;
    before(function () {
        if (!kubectlAvailable()) skipWithReason(this, "kubectl is not installed; these tests build the written repository with `kubectl kustomize`");
    });
    afterEach(() => rm(repo));
    const rm = (dir?: string) => dir && rmSync(dir, { recursive: true, force: true });

    it("writes an object-level cluster that kustomize-controller builds with its tenant ServiceAccounts and RBAC", async () => {
        repo = bootstrappedRepo("dev-kind");
        const gotk = Object.fromEntries(["gotk-components.yaml", "gotk-sync.yaml"].map((f) => [f, readFileSync(path.join(repo, "clusters", "dev-kind", "flux-system", f), "utf8")]));
        const spec = fleetWith(["dev-kind"]);
        const out = mkdtempSync(path.join(tmpdir(), "fi-out-"));
        const r = await cli("render", spec, "--out", out, "--write", repo);
        assert.equal(r.code, EXIT_OK, r.err);
        const plan = renderFleet(loadFleet(spec))[0].plan;
        assert.equal(plan.fluxVersion, "2.9");

        // The bootstrap layout, the gotk files untouched.
        assert.deepEqual(filesUnder(path.join(repo, "clusters", "dev-kind")), [
            "flux-identity/kustomization.yaml",
            "flux-identity/manifest.json",
            "flux-identity/tenant-rbac.yaml",
            "flux-identity/tenant-service-accounts.yaml",
            "flux-system/gotk-components.yaml",
            "flux-system/gotk-sync.yaml",
            "flux-system/kustomization.yaml",
        ]);
        for (const f of ["gotk-components.yaml", "gotk-sync.yaml"]) assert.equal(readFileSync(path.join(repo, "clusters", "dev-kind", "flux-system", f), "utf8"), gotk[f], `${f} is untouched`);

        // gotk-sync.yaml's Kustomization applies ./clusters/dev-kind: build that path as the controller does.
        const sync = (load(gotk["gotk-sync.yaml"].split(/^---$/m).find((d) => /kind: Kustomization/.test(d)) as string) as { spec: { path: string } }).spec.path;
        assert.equal(sync, "./clusters/dev-kind");
        const build = fluxPathBuild(path.join(repo, "clusters", "dev-kind"));
        assert.deepEqual(build.generated, ["./flux-identity", "./flux-system"], "no kustomization.yaml at clusters/dev-kind: both folders are built as one");

        const tenants = plan.patchSet.tenantServiceAccounts;
        assert.ok(tenants.length >= 2);
        for (const t of tenants) {
            const sa = build.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === t.name && o.metadata.namespace === t.namespace);
            assert.ok(sa, `tenant ServiceAccount ${t.namespace}/${t.name} is applied`);
            assert.deepEqual(sa.metadata.annotations, t.annotations);
            for (const controller of t.servedBy) {
                assert.ok(build.objects.some((o) => o.kind === "Role" && o.metadata.namespace === t.namespace && o.metadata.name === `flux-${controller}-tenant-tokens`), `Role for ${controller} in ${t.namespace}`);
                assert.ok(build.objects.some((o) => o.kind === "RoleBinding" && o.metadata.namespace === t.namespace && o.metadata.name === `flux-${controller}-tenant-tokens`));
                assert.ok(args(build.objects, controller).includes(FEATURE_GATE), `${controller} has the feature gate`);
            }
        }
        // The feature gate is nowhere without its tenants.
        for (const d of byKind(build.objects, "Deployment")) {
            if (args(build.objects, d.metadata.name).includes(FEATURE_GATE)) assert.ok(tenants.some((t) => t.servedBy.includes(d.metadata.name as never)), d.metadata.name);
        }

        // Every file is reported, and a second write finds them all unchanged.
        for (const f of ["flux-system/kustomization.yaml", "flux-identity/tenant-service-accounts.yaml", "flux-identity/tenant-rbac.yaml", "flux-identity/kustomization.yaml"]) {
            assert.match(r.out, new RegExp(`  (created|updated) +${escape(path.join(repo, "clusters", "dev-kind", f))}\\n`), f);
        }
        assert.match(r.out, new RegExp(`  updated +${escape(path.join(repo, "clusters/dev-kind/flux-system/kustomization.yaml"))}`), "bootstrap's kustomization.yaml is replaced");
        const before = filesUnder(repo).map((f) => [f, readFileSync(path.join(repo, f), "utf8")]);
        const again = await cli("render", spec, "--out", out, "--write", repo);
        assert.equal(again.code, EXIT_OK, again.err);
        const repoLines = again.out.split("\n").filter((l) => l.includes(`${repo}/`) && /^ {2}[a-z]+ +\//.test(l));
        assert.deepEqual(repoLines.map((l) => l.trim().split(/ +/)[0]), ["unchanged", "unchanged", "unchanged", "unchanged"]);
        assert.deepEqual(filesUnder(repo).map((f) => [f, readFileSync(path.join(repo, f), "utf8")]), before);
        rm(out);
    });

    it("every object-level matrix cell lands with the tenant ServiceAccounts and RBAC wherever the gate is", async () => {
        const cells = readdirSync(fromRoot("examples", "matrix")).filter((f) => f.endsWith("-object.yaml"));
        assert.equal(cells.length, 16);
        for (const cell of cells) {
            const fleet = onFlux29(loadFleet(fromRoot("examples", "matrix", cell)));
            const rendered = renderFleet(fleet);
            const names = rendered.map((c) => c.name);
            repo = bootstrappedRepo(...names);
            writeFluxRepo(repo, rendered.map((c) => ({ cluster: c.name, flux: fluxSideOfPlan(c.plan) })), { allowPlaceholders: true });
            for (const c of rendered) {
                const { objects } = fluxPathBuild(path.join(repo, "clusters", c.name));
                const gated = byKind(objects, "Deployment").filter((d) => args(objects, d.metadata.name).includes(FEATURE_GATE));
                assert.ok(gated.length > 0, `${cell}: the gate is set`);
                for (const t of c.plan.patchSet.tenantServiceAccounts) {
                    assert.ok(objects.some((o) => o.kind === "ServiceAccount" && o.metadata.namespace === t.namespace && o.metadata.name === t.name), `${cell}: ${t.namespace}/${t.name}`);
                    for (const ctrl of t.servedBy) assert.ok(objects.some((o) => o.kind === "RoleBinding" && o.metadata.namespace === t.namespace && o.metadata.name === `flux-${ctrl}-tenant-tokens`), `${cell}: ${ctrl} in ${t.namespace}`);
                }
            }
            rm(repo);
        }
    });

    it("on Flux 2.10 (no gate): every object-level matrix cell lands with its tenant ServiceAccounts and the token RBAC of the controllers serving them", () => {
        const cells = readdirSync(fromRoot("examples", "matrix")).filter((f) => f.endsWith("-object.yaml"));
        for (const cell of cells) {
            const rendered = renderFleet(loadFleet(fromRoot("examples", "matrix", cell)));
            repo = bootstrappedRepo(...rendered.map((c) => c.name));
            writeFluxRepo(repo, rendered.map((c) => ({ cluster: c.name, flux: fluxSideOfPlan(c.plan) })), { allowPlaceholders: true });
            for (const c of rendered) {
                assert.equal(c.plan.fluxVersion, "2.10", `${cell}: the default Flux version`);
                const { objects } = fluxPathBuild(path.join(repo, "clusters", c.name));
                assert.ok(!byKind(objects, "Deployment").some((d) => args(objects, d.metadata.name).includes(FEATURE_GATE)), `${cell}: no retired gate on 2.10`);
                assert.ok(c.plan.patchSet.tenantServiceAccounts.length > 0, cell);
                for (const t of c.plan.patchSet.tenantServiceAccounts) {
                    assert.ok(objects.some((o) => o.kind === "ServiceAccount" && o.metadata.namespace === t.namespace && o.metadata.name === t.name), `${cell}: ${t.namespace}/${t.name}`);
                    for (const ctrl of t.servedBy) assert.ok(objects.some((o) => o.kind === "RoleBinding" && o.metadata.namespace === t.namespace && o.metadata.name === `flux-${ctrl}-tenant-tokens`), `${cell}: ${ctrl} in ${t.namespace}`);
                }
            }
            rm(repo);
        }
    });

    it("refuses placeholders, saying how to get real values, and writes nothing", async () => {
        repo = bootstrappedRepo("prod-aks");
        const before = filesUnder(repo);
        const spec = fleetWith(["prod-aks", "dev-kind"]);
        const out = path.join(repo, "..", `${path.basename(repo)}-out`);
        const r = await cli("render", spec, "--out", out, "--write", repo);
        assert.equal(r.code, EXIT_FAILED);
        const plan = renderFleet(loadFleet(spec)).find((c) => c.name === "prod-aks")?.plan;
        const placeholders = (plan?.azure?.identities ?? []).map((i) => `<client ID of ${i.name}>`);
        assert.equal(placeholders.length, 3);
        assert.equal(
            r.err,
            "flux-identity: nothing was written to the Flux repository (1 problem):\n" +
                `  - clusters/prod-aks: the Flux side holds 3 values that exist only once \`up\` has created them: ${placeholders.join(", ")} (in clusters/prod-aks/flux-system/kustomization.yaml).` +
                ` Fix: write real values with \`flux-identity up ${spec} --write ${repo}\`, or \`flux-identity outputs ${spec} --write ${repo}\` after up; pass --allow-placeholders to write the placeholders anyway.\n`,
        );
        assert.deepEqual(filesUnder(repo), before, "nothing written to the repository");
        assert.ok(!existsSync(out), "nor to the render output");

        const allowed = await cli("render", spec, "--out", out, "--write", repo, "--allow-placeholders");
        assert.equal(allowed.code, EXIT_OK, allowed.err);
        assert.match(readFileSync(path.join(repo, "clusters", "prod-aks", "flux-system", "kustomization.yaml"), "utf8"), /azure\.workload\.identity\/client-id: <client ID of /);
        rm(out);
    });

    it("removes only what it wrote earlier, keeps files changed by hand, and never touches others", async () => {
        repo = bootstrappedRepo("dev-kind");
        const fleet = onFlux29(loadFleet(FLEET));
        const devKind = fleet.clusters.find((c) => c.name === "dev-kind") as FleetSpec["clusters"][number];
        const write = (spec: FleetSpec) => writeFluxRepo(repo, renderFleet(spec).map((c) => ({ cluster: c.name, flux: fluxSideOfPlan(c.plan) })));
        write({ ...fleet, clusters: [devKind] });
        const mine = path.join(repo, "clusters", "dev-kind", "flux-identity", "notes.yaml");
        writeFileSync(mine, "# the platform team's own notes\n");
        const rbac = path.join(repo, "clusters", "dev-kind", "flux-identity", "tenant-rbac.yaml");
        writeFileSync(rbac, readFileSync(rbac, "utf8") + "# reviewed by hand\n");

        // The same cluster without tenants: its tenant files are no longer part of its Flux side.
        const { tenants: _dropped, ...awsWithoutTenants } = devKind.aws as NonNullable<typeof devKind.aws>;
        assert.ok(_dropped && _dropped.length > 0);
        const withoutTenants = { ...devKind, aws: awsWithoutTenants };
        const report = write({ ...fleet, clusters: [withoutTenants] });
        const actions = Object.fromEntries(report.clusters[0].changes.map((c) => [c.path, c.action]));
        assert.deepEqual(actions, {
            "clusters/dev-kind/flux-identity/kustomization.yaml": "updated",
            "clusters/dev-kind/flux-system/kustomization.yaml": "updated",
            "clusters/dev-kind/flux-identity/tenant-service-accounts.yaml": "removed",
            "clusters/dev-kind/flux-identity/tenant-rbac.yaml": "kept",
        });
        assert.ok(!existsSync(path.join(repo, "clusters", "dev-kind", "flux-identity", "tenant-service-accounts.yaml")));
        assert.ok(existsSync(rbac), "changed by hand: kept");
        assert.equal(readFileSync(mine, "utf8"), "# the platform team's own notes\n", "never written by flux-identity: untouched");
        const manifest = JSON.parse(readFileSync(path.join(repo, "clusters", "dev-kind", "flux-identity", "manifest.json"), "utf8")) as { files: Record<string, string> };
        assert.deepEqual(Object.keys(manifest.files).sort(), ["clusters/dev-kind/flux-identity/kustomization.yaml", "clusters/dev-kind/flux-system/kustomization.yaml"]);
    });

    it("refuses to replace files it did not write, and a cluster kustomization.yaml that would skip the tenant files", async () => {
        repo = bootstrappedRepo("dev-kind");
        const rendered = renderFleet({ ...loadFleet(FLEET), clusters: loadFleet(FLEET).clusters.filter((c) => c.name === "dev-kind") });
        const clusters = rendered.map((c) => ({ cluster: c.name, flux: fluxSideOfPlan(c.plan) }));
        const refusal = (fn: () => unknown) => {
            try {
                fn();
            } catch (err) {
                if (err instanceof FluxRepoWriteRefused) return err.problems;
                throw err;
            }
            return assert.fail("expected the write to be refused");
        };
        const own = path.join(repo, "clusters", "dev-kind", "kustomization.yaml");
        writeFileSync(own, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- flux-system\n- apps.yaml\n");
        writeFileSync(path.join(repo, "clusters", "dev-kind", "apps.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n");
        assert.deepEqual(refusal(() => writeFluxRepo(repo, clusters)), [
            {
                path: "clusters/dev-kind/kustomization.yaml",
                message: "does not list flux-identity in its resources, so Flux would apply the object-level feature gate without the tenant ServiceAccounts and RBAC in clusters/dev-kind/flux-identity.",
                fix: 'add "- flux-identity" to its resources (next to flux-system), or delete it to let Flux apply every folder under clusters/dev-kind.',
            },
        ]);
        assert.ok(!existsSync(path.join(repo, "clusters", "dev-kind", "flux-identity")), "nothing written");
        writeFileSync(own, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- flux-system\n- ./flux-identity/\n- apps.yaml\n");
        writeFluxRepo(repo, clusters);
        const { objects, generated } = fluxPathBuild(path.join(repo, "clusters", "dev-kind"));
        assert.equal(generated, undefined, "the user's kustomization.yaml is built as it is");
        assert.ok(objects.some((o) => o.kind === "ServiceAccount" && o.metadata.namespace === "team-a"));
        assert.ok(objects.some((o) => o.kind === "Namespace" && o.metadata.name === "apps"));

        // A flux-system kustomization.yaml with the user's own patches is not replaced.
        const other = bootstrappedRepo("dev-kind");
        const ks = path.join(other, "clusters", "dev-kind", "flux-system", "kustomization.yaml");
        writeFileSync(ks, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\npatches:\n- patch: '[]'\n  target: {kind: Deployment}\n");
        const [problem] = refusal(() => writeFluxRepo(other, clusters));
        assert.deepEqual(problem, {
            path: "clusters/dev-kind/flux-system/kustomization.yaml",
            message: "exists and was not written by flux-identity; writing would replace it.",
            fix: "flux-identity writes this whole file: move your own patches into the spec (or out of flux-system), delete the file, and write again.",
        });
        rm(other);
        assert.ok(isBootstrapKustomization(readFileSync(path.join(fluxFixture("flux-v2.9.4").dir, "kustomization.yaml"), "utf8")), "the fixture's own kustomization.yaml is bootstrap's");
    });

    it("writes remote GKE clusters' RBAC outside clusters/, one file per remote cluster, never applied to the source cluster", async () => {
        const hub = parseFleet(`apiVersion: flux-identity/v1alpha1
kind: Fleet
clusters:
  - name: hub
    type: gke
    issuerUrl: https://container.googleapis.com/v1/projects/fleet-prod/locations/europe-west1/clusters/hub
    gcp:
      projectId: fleet-prod
      projectNumber: "123456789012"
      controllers:
        gke:
          - cluster: projects/fleet-prod/locations/europe-west1/clusters/spoke-a
          - cluster: projects/fleet-prod/locations/europe-west1/clusters/spoke-b
            namespaces: [apps]
`);
        const [rendered] = renderFleet(hub);
        const plan = rendered.plan.gcp;
        assert.ok(plan && plan.remoteClusterRbac.length > 0);
        repo = bootstrappedRepo("hub");
        const report = writeFluxRepo(repo, [{ cluster: "hub", flux: fluxSideOfPlan(rendered.plan) }]);
        const remoteFiles = filesUnder(path.join(repo, "remote-clusters"));
        assert.deepEqual(remoteFiles, ["fleet-prod/europe-west1/spoke-a/flux-hub.yaml", "fleet-prod/europe-west1/spoke-b/flux-hub.yaml"]);
        const spokeB = readFileSync(path.join(repo, "remote-clusters", remoteFiles[1]), "utf8");
        assert.match(spokeB, /^# Generated by flux-identity: apply in the remote GKE cluster projects\/fleet-prod\/locations\/europe-west1\/clusters\/spoke-b only\.\n/);
        assert.ok(!spokeB.includes("spoke-a"));
        assert.deepEqual(
            splitRemoteClusterRbac(plan.remoteClusterRbacYaml).map((p) => p.cluster),
            ["projects/fleet-prod/locations/europe-west1/clusters/spoke-a", "projects/fleet-prod/locations/europe-west1/clusters/spoke-b"],
        );
        // Every binding of the plan is in exactly one remote file, and none in the source cluster's build.
        const bindings = (text: string) => (text.match(/^kind: (?:Cluster)?RoleBinding$/gm) ?? []).length;
        assert.equal(remoteFiles.reduce((n, f) => n + bindings(readFileSync(path.join(repo, "remote-clusters", f), "utf8")), 0), bindings(renderRemoteClusterRbac(plan.remoteClusterRbac)));
        const { objects } = fluxPathBuild(path.join(repo, "clusters", "hub"));
        assert.ok(!objects.some((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "flux-identity" && /Binding$/.test(o.kind)), "no remote binding in the source cluster");
        assert.ok(report.clusters[0].notes.some((n) => n.startsWith("apply remote-clusters/fleet-prod/europe-west1/spoke-a/flux-hub.yaml in the remote GKE cluster it names")));
    });

    it("writes remote clusters' authenticators and RBAC (kubernetes target) outside clusters/, one pair per remote cluster", () => {
        const fleet = loadFleet(fromRoot("examples", "remote-clusters.yaml"));
        const [rendered] = renderFleet({ ...fleet, clusters: fleet.clusters.filter((c) => c.name === "hub") });
        const plan = rendered.plan.kubernetes;
        assert.ok(plan && plan.remoteClusters.length > 0, "the example has remote clusters over OIDC");
        repo = bootstrappedRepo("hub");
        const report = writeFluxRepo(repo, [{ cluster: "hub", flux: fluxSideOfPlan(rendered.plan) }], { allowPlaceholders: true });
        const remoteFiles = filesUnder(path.join(repo, "remote-clusters"));
        assert.deepEqual(remoteFiles, plan.remoteClusters.flatMap((r) => [`${r.name}/authentication-hub.yaml`, `${r.name}/flux-hub.yaml`]).sort());
        for (const r of plan.remoteClusters) {
            const authn = readFileSync(path.join(repo, "remote-clusters", r.name, "authentication-hub.yaml"), "utf8");
            assert.ok(authn.startsWith(`# Generated by flux-identity: give the kube-apiserver of remote cluster ${r.name} (${r.address}) this document`), authn);
            const docs = (loadAll(authn) as Array<Record<string, unknown>>).filter(Boolean);
            assert.deepEqual(docs, [{ apiVersion: "apiserver.config.k8s.io/v1beta1", kind: "AuthenticationConfiguration", jwt: [r.jwtAuthenticator] }]);
            const rbac = readFileSync(path.join(repo, "remote-clusters", r.name, "flux-hub.yaml"), "utf8");
            const names = (loadAll(rbac) as Array<{ metadata: { name: string } } | null>).filter((d) => d !== null).map((d) => d.metadata.name);
            assert.deepEqual([...new Set(names)].sort(), [...new Set(r.bindings.map((b) => b.bindingName))].sort(), `${r.name} gets exactly its bindings`);
            for (const other of plan.remoteClusters.filter((o) => o.name !== r.name)) assert.ok(!rbac.includes(other.address), `${r.name}'s file names ${other.name}`);
        }
        const { objects } = fluxPathBuild(path.join(repo, "clusters", "hub"));
        assert.ok(!objects.some((o) => o.kind === "AuthenticationConfiguration" || (o.metadata.labels?.["app.kubernetes.io/managed-by"] === "flux-identity" && /Binding$/.test(o.kind) && o.metadata.name.startsWith("flux-hub-"))), "nothing remote in the source cluster's build");
        assert.ok(report.clusters[0].notes.some((n) => n.startsWith(`give remote-clusters/${plan.remoteClusters[0].name}/authentication-hub.yaml to the kube-apiserver`)));
        assert.ok(report.clusters[0].notes.some((n) => n.startsWith(`apply remote-clusters/${plan.remoteClusters[0].name}/flux-hub.yaml in the remote cluster it names`)));
        // The same files from the stack outputs a FluxWorkloadIdentity gives.
        const outputs = {
            kustomizationYaml: rendered.plan.kustomizationYaml,
            tenantServiceAccountsYaml: rendered.plan.tenantServiceAccountsYaml,
            tenantRbacYaml: rendered.plan.tenantRbacYaml,
            kubernetesAuthenticationConfigurationYaml: plan.authenticationConfigurationYaml,
            kubernetesRemoteClusterRbacYaml: plan.remoteClusterRbacYaml,
        };
        const fromOutputs = writeFluxRepoFromOutputs(repo, [{ cluster: "hub", outputs }], { allowPlaceholders: true });
        assert.ok(fromOutputs.clusters[0].changes.every((c) => c.action === "unchanged"), JSON.stringify(fromOutputs.clusters[0].changes));
    });

    it("from stack outputs: refuses outputs that predate the tenant files, so the gate cannot land alone", () => {
        repo = bootstrappedRepo("dev-kind");
        const [c] = renderFleet({ ...loadFleet(FLEET), clusters: loadFleet(FLEET).clusters.filter((x) => x.name === "dev-kind") });
        assert.throws(
            () => writeFluxRepoFromOutputs(repo, [{ cluster: "dev-kind", outputs: { kustomizationYaml: c.plan.kustomizationYaml } }], { spec: "fleet.yaml" }),
            (err: unknown) =>
                err instanceof FluxRepoWriteRefused &&
                err.problems[0].message === "the stack's outputs have no tenantServiceAccountsYaml or tenantRbacYaml (they predate them), so its Flux side cannot be written whole." &&
                err.problems[0].fix === `run \`flux-identity up fleet.yaml --select dev-kind --write ${repo}\`.`,
        );
        assert.ok(!existsSync(path.join(repo, "clusters", "dev-kind", "flux-identity")));
        const outputs = { kustomizationYaml: c.plan.kustomizationYaml, tenantServiceAccountsYaml: c.plan.tenantServiceAccountsYaml, tenantRbacYaml: c.plan.tenantRbacYaml, gcpRemoteClusterRbacYaml: "" };
        const report = writeFluxRepoFromOutputs(repo, [{ cluster: "dev-kind", outputs }]);
        assert.deepEqual(Object.keys(fluxRepoFiles("dev-kind", fluxSideOfPlan(c.plan))), report.clusters[0].changes.map((x) => x.path));
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
