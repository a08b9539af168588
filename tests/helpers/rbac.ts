/**
 * Kubernetes RBAC's authorization rule, small enough to read: a request (verb, group, resource with its
 * subresource, namespace, name) by a ServiceAccount is allowed when a RoleBinding in the request's
 * namespace, or a ClusterRoleBinding, names the ServiceAccount and binds a role with a matching rule
 * (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac: RuleAllows, with resourceNames matching the name
 * and "*" matching anything).
 */
import { KubeObject } from "./kustomize";

export interface RbacRequest {
    /** `system:serviceaccount:<ns>:<name>` split. */
    serviceAccount: { namespace: string; name: string };
    verb: string;
    apiGroup: string;
    /** `serviceaccounts/token` for a subresource. */
    resource: string;
    namespace: string;
    name: string;
}

interface Rule {
    apiGroups?: string[];
    resources?: string[];
    resourceNames?: string[];
    verbs?: string[];
}

function matches(list: string[] | undefined, value: string): boolean {
    return (list ?? []).some((v) => v === "*" || v === value);
}

function ruleAllows(rule: Rule, r: RbacRequest): boolean {
    const resourceMatch = (rule.resources ?? []).some((res) => res === "*" || res === r.resource || (res.endsWith("/*") && r.resource.startsWith(res.slice(0, -1))));
    return matches(rule.verbs, r.verb) && matches(rule.apiGroups, r.apiGroup) && resourceMatch && ((rule.resourceNames ?? []).length === 0 || (rule.resourceNames ?? []).includes(r.name));
}

function bindsSubject(binding: KubeObject, sa: RbacRequest["serviceAccount"], bindingNamespace?: string): boolean {
    const subjects = (binding.subjects as Array<{ kind: string; name: string; namespace?: string }> | undefined) ?? [];
    return subjects.some((s) => s.kind === "ServiceAccount" && s.name === sa.name && (s.namespace ?? bindingNamespace) === sa.namespace);
}

/** Whether the objects' RBAC allows the request. */
export function rbacAllows(objects: readonly KubeObject[], r: RbacRequest): boolean {
    const role = (kind: string, name: string, namespace?: string) =>
        objects.find((o) => o.kind === kind && o.metadata.name === name && (kind === "ClusterRole" || o.metadata.namespace === namespace));
    for (const b of objects) {
        let granted: KubeObject | undefined;
        const ref = b.roleRef as { kind: string; name: string } | undefined;
        if (!ref) continue;
        if (b.kind === "ClusterRoleBinding" && bindsSubject(b, r.serviceAccount)) granted = role("ClusterRole", ref.name);
        else if (b.kind === "RoleBinding" && b.metadata.namespace === r.namespace && bindsSubject(b, r.serviceAccount, b.metadata.namespace)) granted = role(ref.kind, ref.name, b.metadata.namespace);
        if (granted && ((granted.rules as Rule[] | undefined) ?? []).some((rule) => ruleAllows(rule, r))) return true;
    }
    return false;
}

/** The TokenRequest Flux makes for an object-level identity: `create` on `serviceaccounts/token`. */
export function tokenRequest(controller: string, fluxNamespace: string, namespace: string, name: string): RbacRequest {
    return { serviceAccount: { namespace: fluxNamespace, name: controller }, verb: "create", apiGroup: "", resource: "serviceaccounts/token", namespace, name };
}
