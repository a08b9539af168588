/**
 * Role assignment scopes: Azure resource IDs of a management group, subscription, resource group or
 * resource. Each integration accepts the levels the Flux Azure docs list for its role, and only its own
 * resource types; anything else is rejected with the expected shapes in the message.
 */

import { Issues, show } from "../core/errors";
import { withArticle } from "../core/articles";

export enum ScopeLevel {
    ManagementGroup = "managementGroup",
    Subscription = "subscription",
    ResourceGroup = "resourceGroup",
    Resource = "resource",
}

export interface ParsedScope {
    /** The scope as given (Azure compares IDs case-insensitively; the text is kept so plans stay stable). */
    readonly id: string;
    readonly level: ScopeLevel;
    readonly subscriptionId?: string;
    /** For resources: `Microsoft.ContainerRegistry/registries`, `Microsoft.Storage/storageAccounts/blobServices/containers`, ... */
    readonly resourceType?: string;
    /** For resources: the last name segment. */
    readonly resourceName?: string;
}

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const NAME = "[^/\\s]+";
const MANAGEMENT_GROUP = /^\/providers\/Microsoft\.Management\/managementGroups\/([\w().-]{1,90})$/i;
const SUBSCRIPTION = new RegExp(`^/subscriptions/(${GUID})$`, "i");
const RESOURCE_GROUP = new RegExp(`^/subscriptions/(${GUID})/resourceGroups/([-\\w.()]{1,90})$`, "i");
const RESOURCE = new RegExp(`^/subscriptions/(${GUID})/resourceGroups/[-\\w.()]{1,90}/providers/([A-Za-z]+\\.[A-Za-z.]+)((?:/${NAME}/${NAME})+)$`, "i");

/** Parses any scope; undefined when it is none of the four shapes. */
export function parseScope(value: string): ParsedScope | undefined {
    let m = MANAGEMENT_GROUP.exec(value);
    if (m) return { id: value, level: ScopeLevel.ManagementGroup };
    m = SUBSCRIPTION.exec(value);
    if (m) return { id: value, level: ScopeLevel.Subscription, subscriptionId: m[1].toLowerCase() };
    m = RESOURCE_GROUP.exec(value);
    if (m) return { id: value, level: ScopeLevel.ResourceGroup, subscriptionId: m[1].toLowerCase() };
    m = RESOURCE.exec(value);
    if (m) {
        const parts = m[3].split("/").slice(1);
        const types: string[] = [];
        for (let i = 0; i < parts.length; i += 2) types.push(parts[i]);
        // Child resources of blob services are addressed through the `default` service.
        return { id: value, level: ScopeLevel.Resource, subscriptionId: m[1].toLowerCase(), resourceType: `${m[2]}/${types.join("/")}`, resourceName: parts[parts.length - 1] };
    }
    return undefined;
}

/** A resource type an integration accepts, with its ID shape for messages. */
export interface ScopeResourceType {
    readonly type: string;
    readonly shape: string;
}

const RG_PREFIX = "/subscriptions/SUBSCRIPTION_ID/resourceGroups/RESOURCE_GROUP_NAME";

export const SCOPE_SHAPES: Readonly<Record<ScopeLevel, string>> = {
    [ScopeLevel.ManagementGroup]: "/providers/Microsoft.Management/managementGroups/MANAGEMENT_GROUP_NAME",
    [ScopeLevel.Subscription]: "/subscriptions/SUBSCRIPTION_ID",
    [ScopeLevel.ResourceGroup]: RG_PREFIX,
    [ScopeLevel.Resource]: "",
};

export function resourceType(type: string, path: string): ScopeResourceType {
    return { type, shape: `${RG_PREFIX}/providers/${path}` };
}

/**
 * Validates a scope for an integration. `resources` lists the resource types accepted; management
 * groups, subscriptions and resource groups are accepted unless `resourceOnly`.
 */
export function checkScope(value: unknown, resources: readonly ScopeResourceType[], issues: Issues, field: string | number, options: { resourceOnly?: boolean } = {}): ParsedScope | undefined {
    const shapes = [...resources.map((r) => r.shape), ...(options.resourceOnly ? [] : [SCOPE_SHAPES.resourceGroup, SCOPE_SHAPES.subscription, SCOPE_SHAPES.managementGroup])];
    const fix = `use one of these shapes: ${shapes.join(" | ")}.`;
    if (typeof value !== "string" || value.trim() !== value || value === "") {
        issues.add(field, `expected an Azure resource ID, got ${show(value)}.`, fix);
        return undefined;
    }
    const parsed = parseScope(value);
    if (!parsed) {
        issues.add(field, `${show(value)} is not a valid Azure scope.`, fix);
        return undefined;
    }
    if (parsed.level === ScopeLevel.Resource) {
        const type = (parsed.resourceType as string).toLowerCase();
        if (!resources.some((r) => r.type.toLowerCase() === type)) {
            issues.add(field, `${show(value)} is ${withArticle(`${parsed.resourceType} resource`)}, which this integration's role does not apply to.`, fix);
            return undefined;
        }
        if (type === "microsoft.storage/storageaccounts/blobservices/containers" && !/\/blobServices\/default\//i.test(value)) {
            issues.add(field, `${show(value)} names a blob service other than 'default'.`, fix);
            return undefined;
        }
    } else if (options.resourceOnly) {
        issues.add(field, `${show(value)} is ${withArticle(`${parsed.level} scope`)}; this needs a single resource.`, fix);
        return undefined;
    }
    return parsed;
}
