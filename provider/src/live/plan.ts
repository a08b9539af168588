/**
 * Which Kubernetes objects live mode applies for a patch set, decided from the patch set's structure
 * alone (never from its values), so a layout with placeholders plans the same objects as the resolved
 * patch set. Pure: the component registers one child per planned object.
 */

import { FluxController } from "../core/catalog";
import { Issues } from "../core/errors";
import { compareStrings } from "../core/order";
import { FluxControllerPatch, FluxPatchSet } from "../core/patch";
import { tenantServiceAccountObjects } from "../flux/kustomization";
import { tenantRbacObjects } from "../flux/tenant-rbac";
import { ARGS_FIELD_MANAGER_SUFFIX, LiveOptions } from "./options";
import { checkPatchSetStructure } from "./structure";

export type LiveObjectRole = "configMap" | "serviceAccount" | "deployment" | "args" | "tenantServiceAccount" | "role" | "roleBinding" | "clusterRole" | "clusterRoleBinding";

/** The RBAC kinds live mode applies, and the role each plays. */
const RBAC_ROLES = { Role: "role", RoleBinding: "roleBinding", ClusterRole: "clusterRole", ClusterRoleBinding: "clusterRoleBinding" } as const;
type RbacKind = keyof typeof RBAC_ROLES;

export interface PlannedLiveObject {
    /** Unique within the component; the child resource is named `<component>-<id>`. */
    id: string;
    role: LiveObjectRole;
    kind: "ConfigMap" | "ServiceAccount" | "Deployment" | RbacKind;
    /** Empty for cluster-scoped objects (ClusterRole, ClusterRoleBinding). */
    namespace: string;
    name: string;
    /** The Flux controller whose ServiceAccount or Deployment this is. */
    controller?: FluxController;
    /** Server-Side Apply field manager owning what this object sets. */
    fieldManager: string;
    /** Whether conflicts with other managers are overridden (`pulumi.com/patchForce`): only for the args list. */
    force: boolean;
    /** Whether deleting the child leaves the fields in the cluster: only for the args list (see args.ts). */
    retainOnDelete: boolean;
}

export interface LivePlan {
    objects: PlannedLiveObject[];
    /** Controllers whose live Deployment is read: for the args merge, or to detect a Flux Kustomization. */
    reads: FluxController[];
}

/** True when the controller's Deployment gets identity fields (labels, env, volumes, mounts). */
export function hasDeploymentFields(p: FluxControllerPatch): boolean {
    return Object.keys(p.podLabels).length > 0 || p.env.length > 0 || p.volumes.length > 0 || p.volumeMounts.length > 0;
}

/**
 * True when the controller gets the identity patch of its Deployment: identity fields, or (with restarts
 * on) ServiceAccount annotations that only take effect once its pods restart. Args alone need none: the
 * args patch changes the pod template itself.
 */
export function needsDeploymentPatch(p: FluxControllerPatch, options: LiveOptions): boolean {
    return hasDeploymentFields(p) || (options.restartOnIdentityChange && Object.keys(p.serviceAccountAnnotations).length > 0);
}

export function planLiveObjects(set: FluxPatchSet, options: LiveOptions): LivePlan {
    const ns = set.namespace;
    const objects: PlannedLiveObject[] = [];
    const reads: FluxController[] = [];
    // Every object is owned by the one field manager and never forced, except the args list: an atomic
    // list someone else owns can only be taken over by force, under a manager of its own (args.ts).
    const owned = { fieldManager: options.fieldManager, force: false, retainOnDelete: false };
    const args = { fieldManager: options.fieldManager + ARGS_FIELD_MANAGER_SUFFIX, force: true, retainOnDelete: true };
    for (const cm of [...set.configMaps].sort((a, b) => compareStrings(a.name, b.name))) {
        objects.push({ id: `configmap-${cm.name}`, role: "configMap", kind: "ConfigMap", namespace: ns, name: cm.name, ...owned });
    }
    for (const p of set.controllers) {
        const c = p.controller;
        const before = objects.length;
        if (Object.keys(p.serviceAccountAnnotations).length > 0) {
            objects.push({ id: `${c}-serviceaccount`, role: "serviceAccount", kind: "ServiceAccount", namespace: ns, name: c, controller: c, ...owned });
        }
        if (needsDeploymentPatch(p, options)) {
            objects.push({ id: `${c}-deployment`, role: "deployment", kind: "Deployment", namespace: ns, name: c, controller: c, ...owned });
        }
        if (p.args.length > 0) {
            objects.push({ id: `${c}-args`, role: "args", kind: "Deployment", namespace: ns, name: c, controller: c, ...args });
        }
        if (p.args.length > 0 || (options.detectFluxSystemKustomization && objects.length > before)) reads.push(c);
    }
    if (options.applyTenantServiceAccounts) {
        for (const sa of tenantServiceAccountObjects(set.tenantServiceAccounts)) {
            const { name, namespace } = sa.metadata;
            objects.push({ id: `tenant-${namespace}-${name}`, role: "tenantServiceAccount", kind: "ServiceAccount", namespace: namespace as string, name, ...owned });
        }
    }
    if (options.applyTenantRbac) {
        for (const o of tenantRbacObjects(set)) {
            const kind = o.kind as RbacKind;
            const { name } = o.metadata;
            const namespace = o.metadata.namespace ?? "";
            const id = namespace ? `${kind.toLowerCase()}-${namespace}-${name}` : `${kind.toLowerCase()}-${name}`;
            objects.push({ id, role: RBAC_ROLES[kind], kind, namespace, name, ...owned });
        }
    }
    return { objects, reads };
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object. */
export function objectName(o: Pick<PlannedLiveObject, "kind" | "namespace" | "name">): string {
    return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

function describe(o: PlannedLiveObject): string {
    return `${objectName(o)}${o.role === "args" ? " (args)" : ""}`;
}

/** The objects one plan has and the other lacks, described for an error message; empty when they agree. */
export function planDifferences(layout: LivePlan, real: LivePlan): string[] {
    const a = new Set(layout.objects.map(describe));
    const b = new Set(real.objects.map(describe));
    return [
        ...[...b].filter((x) => !a.has(x)).map((x) => `the patch set needs ${x}, which the layout does not plan`),
        ...[...a].filter((x) => !b.has(x)).map((x) => `the layout plans ${x}, which the patch set does not need`),
    ];
}

/** One line naming what a planned object is, for the `appliedObjects` output. */
export function appliedObjectNames(plan: LivePlan): string[] {
    return [...new Set(plan.objects.map(objectName))];
}

/**
 * Checks a resolved patch set against the layout's plan: same structure, same objects. Throws a
 * validation error naming every difference, since the objects were registered from the layout.
 */
export function assertMatchesLayout(layoutPlan: LivePlan, value: unknown, options: LiveOptions): FluxPatchSet {
    const issues = Issues.root();
    if (!checkPatchSetStructure(value, issues.at("patchSet"))) issues.throwIfAny();
    const differences = planDifferences(layoutPlan, planLiveObjects(value as FluxPatchSet, options));
    for (const d of differences) {
        issues.add("patchSet", `${d}.`, "build layout and patchSet from the same plan: the layout decides which objects exist, the patch set only fills in their values.");
    }
    issues.throwIfAny();
    return value as FluxPatchSet;
}
