/** Kubernetes naming rules and the ServiceAccount token subject format. */

import { Issues, show } from "./errors";
import { withArticle } from "./articles";

/** Namespace `flux bootstrap` installs Flux in. */
export const DEFAULT_FLUX_NAMESPACE = "flux-system";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Namespaces are DNS-1123 labels. */
export function checkNamespace(value: unknown, issues: Issues, field: string | number | undefined): value is string {
    return checkName(value, issues, field, "namespace", DNS1123_LABEL, 63);
}

/** ServiceAccount names are DNS-1123 subdomains. */
export function checkServiceAccountName(value: unknown, issues: Issues, field: string | number | undefined): value is string {
    return checkName(value, issues, field, "ServiceAccount name", DNS1123_SUBDOMAIN, 253);
}

/** Names of other namespaced objects (ConfigMaps, Roles) are DNS-1123 subdomains too. */
export function checkObjectName(value: unknown, issues: Issues, field: string | number | undefined, what: string): value is string {
    return checkName(value, issues, field, what, DNS1123_SUBDOMAIN, 253);
}

/** Short resource-name labels of our own (cluster names). */
export function checkLabel(value: unknown, issues: Issues, field: string | number | undefined, what: string): value is string {
    return checkName(value, issues, field, what, DNS1123_LABEL, 63);
}

function checkName(value: unknown, issues: Issues, field: string | number | undefined, what: string, pattern: RegExp, max: number): value is string {
    if (typeof value !== "string" || value.length === 0) {
        issues.add(field, `${what} is required and must be a non-empty string, got ${show(value)}.`, `set ${withArticle(what)} of lowercase letters, digits and '-'.`);
        return false;
    }
    if (value.length > max || !pattern.test(value)) {
        const rule = pattern === DNS1123_LABEL ? "a DNS-1123 label" : "a DNS-1123 subdomain";
        issues.add(
            field,
            `${show(value)} is not a valid ${what}: it must be ${rule} of at most ${max} characters.`,
            `use lowercase letters, digits and '-'${pattern === DNS1123_LABEL ? "" : " (and '.')"}, starting and ending with a letter or digit, for example ${show(suggestName(value, max))}.`,
        );
        return false;
    }
    return true;
}

function suggestName(value: string, max: number): string {
    const cleaned = value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, max)
        .replace(/-+$/, "");
    return cleaned || "my-name";
}

/** The `sub` claim of a projected ServiceAccount token. */
export function serviceAccountSubject(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

/** A reference to a ServiceAccount, used for tenants. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

export function serviceAccountKey(ref: ServiceAccountRef): string {
    return `${ref.namespace}/${ref.name}`;
}
