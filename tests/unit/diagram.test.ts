/**
 * diagram.md: the Mermaid picture of a cluster's plan. Every identity of plan.json and every grant it
 * makes is an arrow in the picture, every controller and tenant reaches its identity, the text is the
 * same on every run, and it is well formed (balanced subgraphs, declared nodes, escaped labels). The
 * checker is shown to fail on a picture missing one arrow.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ClusterPlan, clusterPlanDocument } from "../../provider/src/plan/cluster";
import { clusterDiagram } from "../../sdk/src/render/diagram";
import { renderFleet, writeRenderOutput } from "../../sdk/src/render/render";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { fromRoot } from "../helpers/paths";

interface Picture {
    nodes: Map<string, string>;
    edges: Array<{ from: string; label: string; to: string }>;
}

const decode = (text: string) => text.split("<br/>").join("\n").replace(/#quot;/g, '"').replace(/#lt;/g, "<").replace(/#gt;/g, ">").replace(/#amp;/g, "&").replace(/#35;/g, "#");

/** Reads the flowchart back: node labels by id, and edges as (from label, edge label, to label). */
function read(markdown: string): Picture {
    const body = /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1];
    assert.ok(body, "a mermaid block");
    const lines = body.split("\n");
    assert.equal(lines[0], "flowchart LR");
    const nodes = new Map<string, string>();
    const raw: Array<[string, string, string]> = [];
    let depth = 0;
    for (const line of lines.slice(1)) {
        const t = line.trim();
        let m: RegExpExecArray | null;
        if ((m = /^subgraph (\w+)\["([^"]*)"\]$/.exec(t))) depth++;
        else if (t === "end") depth--;
        else if (t === "direction TB") continue;
        else if ((m = /^(n\d+)(?:\["([^"]*)"\]|\("([^"]*)"\))$/.exec(t))) {
            assert.ok(!nodes.has(m[1]), `${m[1]} declared once`);
            nodes.set(m[1], decode(m[2] ?? m[3]));
        } else if ((m = /^(n\d+) (?:-->|-\.->)\|"([^"]*)"\| (n\d+)$/.exec(t))) raw.push([m[1], decode(m[2]), m[3]]);
        else assert.fail(`not a line of the diagram's grammar: ${line}`);
        assert.ok(depth >= 0 && depth <= 1, "subgraphs are not nested and every end closes one");
    }
    assert.equal(depth, 0, "every subgraph is closed");
    const edges = raw.map(([a, label, b]) => {
        assert.ok(nodes.has(a) && nodes.has(b), `edge ${a} -> ${b} joins declared nodes`);
        return { from: nodes.get(a) as string, label, to: nodes.get(b) as string };
    });
    return { nodes, edges };
}

const has = (p: Picture, from: (l: string) => boolean, label: string, to: (l: string) => boolean) => p.edges.some((e) => from(e.from) && e.label === label && to(e.to));
const line = (text: string) => (l: string) => l.split("\n").includes(text);
const ends = (text: string) => (l: string) => l.split("\n").some((x) => x === text || x.endsWith(` ${text}`));

/** What the picture must show, from plan.json (the document render writes) and the plan behind it. */
function missing(plan: ClusterPlan, markdown: string): string[] {
    const p = read(markdown);
    const doc = clusterPlanDocument(plan);
    const out: string[] = [];
    const need = (ok: boolean, what: string) => ok || out.push(what);
    const who = (controllers: readonly string[], tenant?: string) => (tenant ? [`tenant ServiceAccount\n${tenant}`] : controllers.map((c) => `${c}\n${plan.fluxNamespace}`));

    for (const i of doc.aws?.identities ?? []) {
        const role = i.created ? `IAM role ${i.roleArn.split("/").pop()}` : i.roleArn;
        for (const s of who(i.controllers, i.tenant)) need(has(p, (l) => l === s, doc.aws?.authMethod === "podIdentity" ? "EKS Pod Identity" : "IRSA (web identity)", line(role)), `${s} -> ${role}`);
    }
    for (const r of doc.aws?.resources ?? []) {
        if (r.type === "aws:iam/rolePolicy:RolePolicy") {
            const policy = r.properties.policy as { Statement: Array<{ Sid: string; Resource: string | string[] }> };
            for (const st of policy.Statement) for (const res of [st.Resource].flat()) need(has(p, line(`IAM role ${String(r.properties.role)}`), st.Sid, res === "*" ? (l) => l === "any resource (*)" : line(res)), `${String(r.properties.role)} ${st.Sid} ${res}`);
        }
        if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") need(has(p, line(`IAM role ${String(r.properties.role)}`), "attached", line(String(r.properties.policyArn))), `${String(r.properties.role)} attached ${String(r.properties.policyArn)}`);
    }
    for (const e of plan.aws?.accessEntries ?? []) need(p.edges.some((x) => x.label.startsWith("EKS access entry") && x.to.split("\n").includes(e.clusterArn)), `access entry ${e.clusterArn}`);

    const azureNames = new Map<string, string>();
    for (const r of doc.azure?.resources ?? []) if (r.type === "azure-native:managedidentity:UserAssignedIdentity") azureNames.set(r.name, String(r.properties.resourceName));
    for (const i of doc.azure?.identities ?? []) {
        const node = i.created ? (l: string) => l.split("\n")[0] === `managed identity ${i.name}` : ends(i.clientId as string);
        for (const s of i.tenants.length > 0 ? i.tenants.map((t) => `tenant ServiceAccount\n${t}`) : who(i.controllers)) need(has(p, (l) => l === s, i.created ? "federated credential" : "federated credential (yours)", node), `${s} -> ${i.name ?? i.clientId}`);
    }
    const roleNames = new Map((plan.azure?.identities ?? []).flatMap((i) => i.roleAssignments.map((a) => [a.name, a.roleName] as const)));
    for (const r of doc.azure?.resources ?? []) {
        if (r.type !== "azure-native:authorization:RoleAssignment") continue;
        const identity = azureNames.get((r.properties.principalId as { $ref: string }).$ref) as string;
        need(has(p, (l) => l.split("\n")[0] === `managed identity ${identity}`, roleNames.get(String(r.properties.roleAssignmentName)) as string, line(String(r.properties.scope))), `${identity} on ${String(r.properties.scope)}`);
    }

    for (const i of doc.gcp?.identities ?? []) {
        const node = line(i.serviceAccountEmail ?? i.member);
        for (const s of who(i.serves.controllers, i.serves.tenant && `${i.serves.tenant.namespace}/${i.serves.tenant.name}`)) need(p.edges.some((e) => e.from === s && node(e.to)), `${s} -> ${i.key}`);
    }
    for (const r of doc.gcp?.resources ?? []) {
        if (!/IAMMember|IamMember/.test(r.type) || r.properties.role === "roles/iam.workloadIdentityUser") continue;
        const identity = (doc.gcp?.identities ?? []).find((i) => i.member === r.properties.member);
        need(identity !== undefined && has(p, line(identity.serviceAccountEmail ?? identity.member), String(r.properties.role), () => true), `${String(r.properties.member)} ${String(r.properties.role)}`);
    }
    for (const rb of plan.gcp?.remoteClusterRbac ?? []) need(p.edges.some((e) => e.label.startsWith(`RBAC ${rb.clusterRole}`) && e.to.split("\n").includes(rb.cluster)), `RBAC in ${rb.cluster}`);

    // Remote clusters over OIDC: every binding, from the ServiceAccount whose token it names, to its cluster.
    const k8s = plan.kubernetes;
    for (const r of k8s?.remoteClusters ?? []) {
        for (const b of r.bindings) {
            const i = k8s?.identities.find((x) => x.key === b.identityKey);
            const from = i?.controller ? `${i.controller}\n${plan.fluxNamespace}` : `tenant ServiceAccount\n${i?.ref.namespace}/${i?.ref.name}`;
            need(p.edges.some((e) => e.from === from && e.label.startsWith(`as user ${b.userName}: ${b.clusterRole}`) && e.to === `remote cluster ${r.name}\n${r.address}`), `${b.userName} in ${r.name}`);
        }
    }
    // Vault: each ServiceAccount logs in with its role, which decrypts exactly its keys.
    for (const i of plan.vault?.identities ?? []) {
        const from = i.controller ? `${i.controller}\n${plan.fluxNamespace}` : `tenant ServiceAccount\n${i.ref.namespace}/${i.ref.name}`;
        const role = `JWT role ${i.roleName}\n${plan.vault?.jwtAuth.loginPath}`;
        need(has(p, (l) => l === from, "JWT login", (l) => l === role), `${from} -> ${i.roleName}`);
        for (const path of i.decryptPaths) need(has(p, (l) => l === role, `decrypt (policy ${i.policyName})`, (l) => l === path), `${i.roleName} decrypts ${path}`);
        const shown = p.edges.filter((e) => e.from === role).map((e) => e.to).sort();
        need(JSON.stringify(shown) === JSON.stringify([...i.decryptPaths].sort()), `${i.roleName} shows only its keys`);
    }
    return out;
}

const allPlans = (): ClusterPlan[] => [
    ...renderFleet(loadFleet(fromRoot("examples", "fleet.yaml"))),
    ...renderFleet(loadFleet(fromRoot("examples", "byo-fleet", "fleet.yaml"))),
    ...["remote-clusters.yaml", "vault-sops.yaml", "aws-features.yaml", "brought-identities.yaml"].flatMap((f) => renderFleet(loadFleet(fromRoot("examples", f)))),
    ...readdirSync(fromRoot("examples", "matrix")).flatMap((f) => renderFleet(loadFleet(fromRoot("examples", "matrix", f)))),
].map((c) => c.plan);

describe("diagram.md: who reaches what, per cluster", () => {
    it("shows every identity and grant of plan.json, for the fleet examples and all 32 matrix cells", () => {
        const plans = allPlans();
        assert.ok(plans.length >= 40);
        for (const plan of plans) assert.deepEqual(missing(plan, clusterDiagram(plan)), [], plan.name);
    });

    it("shows remote clusters over OIDC and Vault: the checker finds a missing remote binding and a missing decrypt", () => {
        for (const [file, arrow] of [["remote-clusters.yaml", /^ {2}n\d+ -->\|"as user [^\n]*\n/m], ["vault-sops.yaml", /^ {2}n\d+ -->\|"decrypt [^\n]*\n/m]] as const) {
            const plans = renderFleet(loadFleet(fromRoot("examples", file))).map((c) => c.plan).filter((p) => p.kubernetes || p.vault);
            assert.ok(plans.length > 0, file);
            for (const plan of plans) {
                const picture = clusterDiagram(plan);
                assert.deepEqual(missing(plan, picture), [], plan.name);
                if (!arrow.test(picture)) continue;
                assert.ok(missing(plan, picture.replace(arrow, "")).length > 0, `${plan.name}: one arrow removed is found`);
            }
        }
    });

    it("the checker fails on a picture missing one arrow", () => {
        const plan = renderFleet(loadFleet(fromRoot("examples", "fleet.yaml"))).find((c) => c.name === "dev-kind")?.plan as ClusterPlan;
        const text = clusterDiagram(plan);
        const withoutGrant = text.replace(/\n {2}n\d+ -->\|"KmsDecrypt"\| n\d+/, "");
        assert.notEqual(withoutGrant, text);
        assert.deepEqual(missing(plan, withoutGrant).length, 1);
        const withoutTrust = text.replace(/\n {2}n\d+ -->\|"IRSA \(web identity\)"\| n\d+/, "");
        assert.ok(missing(plan, withoutTrust).length >= 1);
    });

    it("is the same text on every run, and render writes it next to plan.json", () => {
        const plans = allPlans();
        assert.deepEqual(allPlans().map(clusterDiagram), plans.map(clusterDiagram));
        const fleet = loadFleet(fromRoot("examples", "fleet.yaml"));
        const dirs = [mkdtempSync(path.join(tmpdir(), "fi-diagram-")), mkdtempSync(path.join(tmpdir(), "fi-diagram-"))];
        for (const d of dirs) writeRenderOutput(renderFleet(fleet), d);
        for (const c of fleet.clusters) {
            const [a, b] = dirs.map((d) => readFileSync(path.join(d, c.name, "diagram.md"), "utf8"));
            assert.equal(a, b);
            assert.match(a, new RegExp(`^# ${c.name}: who reaches what\\n`));
        }
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it("escapes what Mermaid would read as markup in names", () => {
        const plan = renderFleet(loadFleet(fromRoot("examples", "fleet.yaml"))).find((c) => c.name === "dev-kind")?.plan as ClusterPlan;
        const odd = { ...plan, name: 'dev "kind" <x> #1' };
        const p = read(clusterDiagram(odd));
        assert.ok([...p.nodes.values()].length > 0);
        assert.match(clusterDiagram(odd), /cluster dev #quot;kind#quot; #lt;x#gt; #35;1/);
    });

    it("the README's picture is the one render draws for its example", () => {
        const readme = readFileSync(fromRoot("README.md"), "utf8");
        const plan = renderFleet(loadFleet(fromRoot("examples", "matrix", "kind-to-all-clouds-object.yaml")))[0].plan;
        const block = /```mermaid\n[\s\S]*?\n```/.exec(clusterDiagram(plan))?.[0] as string;
        assert.ok(readme.includes(block), "README.md shows the diagram of examples/matrix/kind-to-all-clouds-object.yaml as render draws it");
    });
});
