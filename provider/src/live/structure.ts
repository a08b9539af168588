/** The structure of a patch set given from outside (any language), checked before it is trusted. Pure. */

import { FLUX_CONTROLLERS } from "../core/catalog";
import { isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { checkNamespace, checkObjectName, checkServiceAccountName } from "../core/kubernetes";
import { FluxPatchSet } from "../core/patch";
import { SUPPORTED_FLUX_VERSIONS, isFluxVersion } from "../flux/version";

/**
 * Checks that a patch set (the layout) has the structure live mode relies on: names it turns into
 * Kubernetes object names, no duplicates, known controllers. Values are not checked: a layout may hold
 * placeholders for values that are outputs of other resources.
 */
export function checkPatchSetStructure(value: unknown, issues: Issues): value is FluxPatchSet {
    if (!isRecord(value)) {
        issues.add(undefined, `expected a Flux patch set (namespace, controllers, tenantServiceAccounts, configMaps), got ${show(value)}.`, "pass the patchSet output of a flux-identity component or plan.");
        return false;
    }
    const before = issues.count;
    checkNamespace(value.namespace, issues, "namespace");
    if (value.fluxVersion !== undefined && !isFluxVersion(value.fluxVersion)) {
        issues.add("fluxVersion", `${show(value.fluxVersion)} is not a supported Flux version.`, `use one of ${SUPPORTED_FLUX_VERSIONS.join(", ")}, or leave it out.`);
    }
    const lists = ["controllers", "tenantServiceAccounts", "configMaps"] as const;
    const missing = lists.filter((key) => !Array.isArray(value[key]));
    for (const key of missing) issues.add(key, `expected a list, got ${show(value[key])}.`, `set ${key} to a list (empty when there is nothing to apply).`);
    if (missing.length > 0) return false;
    const controllers = value.controllers as unknown[];
    const seen = new Set<string>();
    controllers.forEach((c, i) => {
        const at = issues.at("controllers").at(i);
        if (!isRecord(c) || typeof c.controller !== "string" || !(FLUX_CONTROLLERS as readonly string[]).includes(c.controller)) {
            at.add("controller", `${show(isRecord(c) ? c.controller : c)} is not a Flux controller.`, `use one of ${FLUX_CONTROLLERS.join(", ")}.`);
            return;
        }
        if (seen.has(c.controller)) at.add("controller", `${c.controller} is listed twice.`, "merge its patches into one entry (mergePatchSets does).");
        seen.add(c.controller);
        for (const key of ["serviceAccountAnnotations", "podLabels"]) {
            if (!isRecord(c[key])) at.add(key, `expected a map of strings, got ${show(c[key])}.`, `set ${key} to a map (empty when unchanged).`);
        }
        for (const key of ["args", "env", "volumes", "volumeMounts"]) {
            if (!Array.isArray(c[key])) at.add(key, `expected a list, got ${show(c[key])}.`, `set ${key} to a list (empty when unchanged).`);
        }
    });
    const tenants = new Set<string>();
    (value.tenantServiceAccounts as unknown[]).forEach((sa, i) => {
        const at = issues.at("tenantServiceAccounts").at(i);
        if (!isRecord(sa)) {
            at.add(undefined, `expected a tenant ServiceAccount, got ${show(sa)}.`, "give namespace, name, annotations and servedBy.");
            return;
        }
        const ok = checkNamespace(sa.namespace, at, "namespace") && checkServiceAccountName(sa.name, at, "name");
        if (ok) {
            const key = `${sa.namespace as string}/${sa.name as string}`;
            if (tenants.has(key)) at.add("name", `ServiceAccount ${key} is listed twice.`, "merge its annotations into one entry (mergePatchSets does).");
            tenants.add(key);
        }
        if (!isRecord(sa.annotations)) at.add("annotations", `expected a map of strings, got ${show(sa.annotations)}.`, "set annotations to a map.");
        if (!Array.isArray(sa.servedBy) || sa.servedBy.some((c) => !(FLUX_CONTROLLERS as readonly unknown[]).includes(c))) {
            at.add("servedBy", `expected a list of Flux controllers, got ${show(sa.servedBy)}.`, `list controllers among ${FLUX_CONTROLLERS.join(", ")}.`);
        }
    });
    const configMaps = new Set<string>();
    (value.configMaps as unknown[]).forEach((cm, i) => {
        const at = issues.at("configMaps").at(i);
        if (!isRecord(cm) || !checkObjectName(cm.name, at, "name", "ConfigMap name")) return;
        if (configMaps.has(cm.name as string)) at.add("name", `ConfigMap ${cm.name as string} is listed twice.`, "merge its data into one entry.");
        configMaps.add(cm.name as string);
        if (!isRecord(cm.data)) at.add("data", `expected a map of file name to content, got ${show(cm.data)}.`, "set data to a map.");
    });
    return issues.count === before;
}
