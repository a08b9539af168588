/**
 * A picture of one cluster's plan: which Flux controller or tenant ServiceAccount reaches which cloud
 * identity, how (IRSA, Pod Identity, a federated credential, Workload Identity Federation), and what
 * each identity is granted on which resource. A Mermaid flowchart in Markdown (`diagram.md` next to
 * plan.json), drawn from the plan `render` writes, so the two never disagree. Pure and deterministic:
 * the same plan draws the same text.
 */

import { ClusterPlan } from "../../../provider/src/plan/cluster";
import { AwsAuthMethod } from "../../../provider/src/aws/spec";
import { GcpAuthMode } from "../../../provider/src/gcp/spec";
import { PolicyStatement } from "../../../provider/src/aws/policy";

interface Graph {
    /** Subgraph title to node lines, in order. */
    groups: Array<{ id: string; title: string; nodes: string[] }>;
    nodeIds: Map<string, string>;
    edges: string[];
    edgeSet: Set<string>;
}

/**
 * Mermaid text in a quoted label: lines (`\n`) become `<br/>`, and what Mermaid would read as markup
 * becomes an entity code, so any ARN, scope or name is shown as it is.
 */
export function label(text: string): string {
    return text
        .split("\n")
        .map((line) => line.replace(/#/g, "#35;").replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;"))
        .join("<br/>");
}

function group(g: Graph, id: string, title: string): Graph["groups"][number] {
    let found = g.groups.find((x) => x.id === id);
    if (!found) {
        found = { id, title, nodes: [] };
        g.groups.push(found);
    }
    return found;
}

/** The node for `key` (created in `groupId` on first use), by its short id. */
function node(g: Graph, groupId: string, groupTitle: string, key: string, text: string, shape: "box" | "round" = "box"): string {
    const existing = g.nodeIds.get(key);
    if (existing) return existing;
    const id = `n${g.nodeIds.size + 1}`;
    g.nodeIds.set(key, id);
    const [open, close] = shape === "round" ? ["(", ")"] : ["[", "]"];
    group(g, groupId, groupTitle).nodes.push(`${id}${open}"${label(text)}"${close}`);
    return id;
}

function edge(g: Graph, from: string, text: string, to: string, dotted = false): void {
    const line = `${from} ${dotted ? "-.->" : "-->"}|"${label(text)}"| ${to}`;
    if (g.edgeSet.has(line)) return;
    g.edgeSet.add(line);
    g.edges.push(line);
}

const asList = (v: PolicyStatement["Resource"]): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

const AWS_SERVICES: Readonly<Record<string, string>> = { codecommit: "CodeCommit", "ecr-public": "ECR Public" };

/** `arn:aws:ecr:eu-west-1:1111:repository/platform/*` to `ECR repository/platform/*` over the ARN. */
function awsResourceText(arn: string): string {
    if (arn === "*") return "any resource (*)";
    const m = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:(.+)$/.exec(arn);
    return m ? `${AWS_SERVICES[m[1]] ?? m[1].toUpperCase()} ${m[2]}\n${arn}` : arn;
}

/** Subgraphs in reading order: the cluster, then each cloud's identities and resources. */
const GROUP_ORDER = ["cluster", "aws", "aws_resources", "azure", "azure_resources", "gcp", "gcp_resources", "kubernetes", "vault", "vault_resources"];

/** An Azure scope's last type and name on the first line, the whole ID below. */
function azureScopeText(scope: string): string {
    const parts = scope.split("/").filter(Boolean);
    const short = parts.length >= 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}` : scope;
    return `${short}\n${scope}`;
}

/** The Mermaid diagram of a planned cluster, as Markdown. */
export function clusterDiagram(plan: ClusterPlan): string {
    const g: Graph = { groups: [], nodeIds: new Map(), edges: [], edgeSet: new Set() };
    const cluster = (plan.aws ?? plan.azure ?? plan.gcp ?? plan.kubernetes ?? plan.vault)?.cluster;
    const k8s = { id: "cluster", title: `cluster ${plan.name}${cluster ? ` (${cluster.type})` : ""}` };
    const controllerNode = (c: string) => node(g, k8s.id, k8s.title, `k8s/${plan.fluxNamespace}/${c}`, `${c}\n${plan.fluxNamespace}`, "round");
    const tenantNode = (ns: string, sa: string, servedBy: readonly string[]) => {
        const id = node(g, k8s.id, k8s.title, `k8s/${ns}/${sa}`, `tenant ServiceAccount\n${ns}/${sa}`, "round");
        for (const c of servedBy) edge(g, controllerNode(c), "requests its tokens", id, true);
        return id;
    };
    const subjects = (serves: { controllers: readonly string[]; tenant?: { namespace: string; name: string } }, tenants: ReadonlyArray<{ namespace: string; name: string }> = []): string[] => {
        const all = serves.tenant ? [serves.tenant, ...tenants] : tenants;
        if (all.length > 0) return all.map((t) => tenantNode(t.namespace, t.name, serves.controllers));
        return serves.controllers.map(controllerNode);
    };

    const aws = plan.aws;
    if (aws) {
        const ids = { id: "aws", title: `AWS account ${aws.accountId} (${aws.partition}, ${aws.region})` };
        const how = aws.authMethod === AwsAuthMethod.PodIdentity ? "EKS Pod Identity" : "IRSA (web identity)";
        const roleNode = new Map<string, string>();
        for (const r of aws.roles) {
            const id = node(g, ids.id, ids.title, `aws/role/${r.key}`, `IAM role ${r.name}`);
            roleNode.set(r.key, id);
            for (const s of subjects(r.serves)) edge(g, s, how, id);
            for (const st of r.inlinePolicy?.Statement ?? []) {
                for (const res of asList(st.Resource)) edge(g, id, st.Sid ?? asList(st.Action).join(", "), node(g, "aws_resources", "AWS resources", `aws/res/${res}`, awsResourceText(res)));
            }
            for (const p of r.managedPolicyArns) edge(g, id, "attached", node(g, "aws_resources", "AWS resources", `aws/managed/${p}`, `managed policy ${p.split("/").pop() ?? p}\n${p}`));
        }
        for (const r of aws.existingRoles) {
            const id = node(g, ids.id, ids.title, `aws/role/${r.key}`, `IAM role (brought)\n${r.arn}`);
            roleNode.set(r.key, id);
            for (const s of subjects(r.serves)) edge(g, s, how, id);
        }
        for (const e of aws.accessEntries) {
            const from = roleNode.get(e.roleKey);
            if (!from) continue;
            const what = [...e.policies.map((p) => p.policyArn.split("/").pop() ?? p.policyArn), ...e.kubernetesGroups.map((k) => `group ${k}`)].join(", ");
            edge(g, from, `EKS access entry${what ? `: ${what}` : ""}${e.create ? "" : " (create it elsewhere)"}`, node(g, "aws_resources", "AWS resources", `aws/res/${e.clusterArn}`, awsResourceText(e.clusterArn)));
        }
        for (const p of aws.resourcePolicies) {
            for (const key of p.roleKeys) {
                const from = roleNode.get(key);
                if (from) edge(g, from, `${p.service.toUpperCase()} resource policy`, node(g, "aws_resources", "AWS resources", `aws/res/${p.resourceArn}`, awsResourceText(p.resourceArn)));
            }
        }
    }

    const azure = plan.azure;
    if (azure) {
        const ids = { id: "azure", title: `Azure subscription ${azure.subscriptionId} (${azure.cloud})` };
        const identityNode = new Map<string, string>();
        for (const i of azure.identities) {
            const id = node(g, ids.id, ids.title, `azure/identity/${i.key}`, `managed identity ${i.name}\nresource group ${i.resourceGroupName}`);
            identityNode.set(i.key, id);
            for (const s of subjects({ controllers: i.serves.controllers }, i.serves.tenants)) edge(g, s, "federated credential", id);
            for (const a of i.roleAssignments) edge(g, id, a.roleName, node(g, "azure_resources", "Azure resources", `azure/scope/${a.scope.toLowerCase()}`, azureScopeText(a.scope)));
        }
        for (const e of azure.existingIdentities) {
            const id = node(g, ids.id, ids.title, `azure/identity/${e.key}`, `managed identity (brought)\nclient ID ${e.clientId}`);
            identityNode.set(e.key, id);
            for (const s of subjects({ controllers: e.serves.controllers }, e.serves.tenants)) edge(g, s, "federated credential (yours)", id);
        }
        for (const d of azure.devOps) {
            const from = identityNode.get(d.identityKey);
            if (from) edge(g, from, `${d.group} (onboard by hand)`, node(g, "azure_resources", "Azure resources", `azure/devops/${d.organization}/${d.project}`, `Azure DevOps\n${d.organization}/${d.project}`));
        }
    }

    const gcp = plan.gcp;
    if (gcp) {
        const ids = { id: "gcp", title: `GCP project ${gcp.projectId}` };
        const identityNode = new Map<string, string>();
        for (const i of gcp.identities) {
            const direct = i.mode === GcpAuthMode.Direct;
            const text = direct ? `Kubernetes principal (direct)\n${i.member}` : `service account${i.createsServiceAccount ? "" : " (brought)"}\n${i.serviceAccountEmail ?? i.member}`;
            const id = node(g, ids.id, ids.title, `gcp/identity/${i.key}`, text);
            identityNode.set(i.key, id);
            for (const s of subjects(i.serves)) edge(g, s, direct ? "Workload Identity Federation" : "impersonates (workloadIdentityUser)", id);
        }
        for (const grant of gcp.grants) {
            const from = identityNode.get(grant.identityKey);
            if (from) edge(g, from, grant.role, node(g, "gcp_resources", "GCP resources", `gcp/res/${grant.scope}/${grant.resource}`, `${grant.scope} ${grant.resource}`));
        }
        for (const r of gcp.remoteClusterRbac) {
            const from = identityNode.get(r.identityKey);
            if (from) edge(g, from, `RBAC ${r.clusterRole}${r.namespaces.length > 0 ? ` in ${r.namespaces.join(", ")}` : ""} (apply there)`, node(g, "gcp_resources", "GCP resources", `gcp/gke/${r.cluster}`, `GKE cluster\n${r.cluster}`));
        }
    }

    const kubernetes = plan.kubernetes;
    if (kubernetes) {
        const remotes = { id: "kubernetes", title: "remote clusters (this cluster's tokens over OIDC)" };
        const identity = new Map(kubernetes.identities.map((i) => [i.key, i]));
        for (const r of kubernetes.remoteClusters) {
            const to = node(g, remotes.id, remotes.title, `kubernetes/${r.name}`, `remote cluster ${r.name}\n${r.address}`);
            for (const b of r.bindings) {
                const i = identity.get(b.identityKey);
                if (!i) continue;
                const from = i.controller ? controllerNode(i.controller) : tenantNode(i.ref.namespace, i.ref.name, kubernetes.tenantControllers[i.key] ?? []);
                edge(g, from, `as user ${b.userName}: ${b.clusterRole}${b.namespaces.length > 0 ? ` in ${b.namespaces.join(", ")}` : ""} (apply there)`, to);
            }
        }
    }

    const vault = plan.vault;
    if (vault) {
        const ids = { id: "vault", title: `Vault ${vault.address}${vault.namespace ? ` (namespace ${vault.namespace})` : ""}` };
        for (const i of vault.identities) {
            const role = node(g, ids.id, ids.title, `vault/role/${i.key}`, `JWT role ${i.roleName}\n${vault.jwtAuth.loginPath}`);
            const from = i.controller ? controllerNode(i.controller) : tenantNode(i.ref.namespace, i.ref.name, vault.tenantControllers[i.key] ?? []);
            edge(g, from, "JWT login", role);
            for (const path of i.decryptPaths) edge(g, role, `decrypt (policy ${i.policyName})`, node(g, "vault_resources", "Vault transit keys", `vault/key/${path}`, path));
        }
    }

    const lines = ["flowchart LR"];
    for (const grp of [...g.groups].sort((a, b) => GROUP_ORDER.indexOf(a.id) - GROUP_ORDER.indexOf(b.id))) {
        lines.push(`  subgraph ${grp.id}["${label(grp.title)}"]`, "    direction TB", ...grp.nodes.map((n) => `    ${n}`), "  end");
    }
    lines.push(...g.edges.map((e) => `  ${e}`));
    return [
        `# ${plan.name}: who reaches what`,
        "",
        "Drawn by flux-identity from the same plan as plan.json. Rounded: Kubernetes ServiceAccounts (Flux controllers, tenants);",
        "boxes: the cloud identities they become and the resources those are granted, each arrow labelled with how or what.",
        "",
        "```mermaid",
        ...lines,
        "```",
        "",
    ].join("\n");
}
