/**
 * FluxLiveCluster: applies the Flux side of a patch set to a running cluster with Server-Side Apply
 * patches, for clusters where the flux-system kustomization.yaml cannot be committed. GitOps mode (commit
 * the rendered kustomization.yaml) stays the recommended path: see docs/live-cluster.md.
 *
 * All decisions live in pure files next to this one; this file only registers what plan.ts plans, with
 * the bodies objects.ts builds from the resolved patch set.
 */

import * as pulumi from "@pulumi/pulumi";
import type * as appsv1 from "@pulumi/kubernetes/apps/v1";
import type * as corev1 from "@pulumi/kubernetes/core/v1";
import type * as rbacv1 from "@pulumi/kubernetes/rbac/v1";
import { FluxController } from "../core/catalog";
import { Issues } from "../core/errors";
import { FluxControllerPatch, FluxPatchSet } from "../core/patch";
import { KubernetesObject } from "../flux/manifests";
import { tenantRbacObjects } from "../flux/tenant-rbac";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { loadPeerSdk } from "../pulumi/peer-sdk";
import { ADDED_ARGS_ANNOTATION, mergeContainerArgs, parseAddedArgs } from "./args";
import { fluxKustomizationWarning } from "./drift";
import { identityHash } from "./identity-hash";
import { LiveDeploymentFacts, liveDeploymentFacts } from "./live-deployment";
import { argsPatchBody, configMapObject, deploymentPatchBody, serviceAccountPatchBody, tenantServiceAccountPatchBody, withPatchAnnotations } from "./objects";
import { LiveOptions, liveOptions } from "./options";
import { LivePlan, PlannedLiveObject, appliedObjectNames, assertMatchesLayout, planLiveObjects } from "./plan";
import { checkPatchSetStructure } from "./structure";

export const FLUX_LIVE_CLUSTER_TYPE = "flux-identity:index:FluxLiveCluster";

export interface FluxLiveClusterArgs {
    /**
     * The patch set's structure as plain data: it decides which objects are applied (controllers, tenant
     * ServiceAccounts, ConfigMaps). Values may be placeholders, for example a planner's output for
     * role ARNs or client IDs not created yet.
     */
    layout: FluxPatchSet;
    /** The real values, same structure as `layout`; may hold outputs of other resources. */
    patchSet: pulumi.Input<FluxPatchSet>;
    /** Roll a controller's Deployment when anything its identity depends on changes. Default true. */
    restartOnIdentityChange?: boolean;
    /** Server-Side Apply field manager of the applied fields. Default "flux-identity"; args use "<fieldManager>-args". */
    fieldManager?: string;
    /** Apply the tenant ServiceAccounts' annotations (object level). Default true. */
    applyTenantServiceAccounts?: boolean;
    /** Apply the Roles and RoleBindings letting controllers mint tenant tokens (object level). Default true. */
    applyTenantRbac?: boolean;
    /**
     * Read the controller Deployments to warn when a Flux Kustomization (flux-system) manages them and
     * will take fields back. Default true; turn off when the Deployments cannot be read. Controllers that
     * get args are read regardless: the args merge needs their current list.
     */
    detectFluxSystemKustomization?: boolean;
}

/** Everything the component outputs. */
export interface FluxLiveClusterResult {
    warnings: string[];
    identityHashes: Record<string, string>;
    appliedObjects: string[];
}

const RESULT_KEYS = ["warnings", "identityHashes", "appliedObjects"] as const;

interface Prepared {
    options: LiveOptions;
    layout: FluxPatchSet;
    plan: LivePlan;
}

/** Validates options and layout before anything is registered; throws FluxIdentityValidationError. */
function prepare(args: FluxLiveClusterArgs): Prepared {
    const issues = Issues.root();
    const options = liveOptions(args ?? {}, issues);
    checkPatchSetStructure(args?.layout, issues.at("layout"));
    if (args?.patchSet === undefined || args.patchSet === null) {
        issues.add("patchSet", "is required.", "pass the patch set with the real values (the patchSet output of a flux-identity component).");
    }
    issues.throwIfAny();
    const plan = planLiveObjects(args.layout, options);
    // A patch set given as plain data is checked now, so a mismatch fails before anything is registered.
    if (!containsOutputs(args.patchSet)) assertMatchesLayout(plan, args.patchSet, options);
    return { options, layout: args.layout, plan };
}

function containsOutputs(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) return true;
    if (Array.isArray(value)) return value.some(containsOutputs);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsOutputs);
    return false;
}

// @pulumi/kubernetes loads with the first FluxLiveCluster built, not with this module (see ../pulumi/peer-sdk).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kubernetesSdk = (): typeof import("./sdk") => loadPeerSdk("@pulumi/kubernetes", "FluxLiveCluster (live-cluster mode)", () => require("./sdk"));

/**
 * The Flux side of a patch set applied to a running cluster: controller ServiceAccount annotations,
 * Deployment identity fields and args, ConfigMaps, tenant ServiceAccounts and their RBAC. Pass a
 * Kubernetes provider the usual way (`provider` or `providers`).
 */
export class FluxLiveCluster extends pulumi.ComponentResource {
    /** Things to know: a Flux Kustomization that will take fields back, per controller. */
    declare public readonly warnings: pulumi.Output<string[]>;
    /** The identity-hash pod annotation per controller whose Deployment carries it. */
    declare public readonly identityHashes: pulumi.Output<Record<string, string>>;
    /** The Kubernetes objects written, as `Kind namespace/name`. */
    declare public readonly appliedObjects: pulumi.Output<string[]>;

    constructor(name: string, args: FluxLiveClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const { options, plan, layout } = prepare(args);
        const k8s = kubernetesSdk();
        super(FLUX_LIVE_CLUSTER_TYPE, name, {}, opts);
        const ns = layout.namespace;
        const resolved = pulumi.output(args.patchSet).apply((set) => assertMatchesLayout(plan, set, options));
        const patchOf = (c: FluxController) => resolved.apply((s) => s.controllers.find((p) => p.controller === c) as FluxControllerPatch);

        const facts = new Map<FluxController, pulumi.Output<LiveDeploymentFacts>>();
        for (const c of plan.reads) {
            const d = k8s.appsv1.Deployment.get(`${name}-${c}-live`, `${ns}/${c}`, { parent: this });
            facts.set(c, pulumi.all([d.metadata, d.spec]).apply(([m, s]) => liveDeploymentFacts(ns, c, m, s)));
        }

        const created = new Map<string, pulumi.CustomResource>();
        const child = (o: PlannedLiveObject) => `${name}-${o.id}`;
        for (const o of plan.objects) {
            const annotate = (body: KubernetesObject) => withPatchAnnotations(body, o.fieldManager, o.force);
            const childOpts = (dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions => ({ parent: this, dependsOn, retainOnDelete: o.retainOnDelete });
            const c = o.controller as FluxController;
            const deps = (...ids: string[]) => ids.map((id) => created.get(id)).filter((r): r is pulumi.CustomResource => r !== undefined);
            switch (o.role) {
                case "configMap": {
                    const body = resolved.apply((s) => annotate(configMapObject(ns, s.configMaps.find((cm) => cm.name === o.name) as FluxPatchSet["configMaps"][number])));
                    created.set(o.id, new k8s.corev1.ConfigMap(child(o), objectArgs(o, body, ["data"]) as corev1.ConfigMapArgs, childOpts()));
                    break;
                }
                case "serviceAccount": {
                    const body = patchOf(c).apply((p) => annotate(serviceAccountPatchBody(ns, p)));
                    created.set(o.id, new k8s.corev1.ServiceAccountPatch(child(o), objectArgs(o, body, []) as corev1.ServiceAccountPatchArgs, childOpts()));
                    break;
                }
                case "deployment": {
                    const body = pulumi
                        .all([patchOf(c), resolved])
                        .apply(([p, s]) => annotate(deploymentPatchBody(ns, p, options.restartOnIdentityChange ? identityHash(p, s.configMaps) : undefined)));
                    // Pods restart onto the annotated ServiceAccount and mounted ConfigMaps, so those go first.
                    const mounted = (layout.controllers.find((p) => p.controller === c)?.volumes ?? []).map((v) => `configmap-${v.configMapName}`);
                    created.set(o.id, new k8s.appsv1.DeploymentPatch(child(o), objectArgs(o, body, ["spec"]) as appsv1.DeploymentPatchArgs, childOpts(deps(`${c}-serviceaccount`, ...mounted))));
                    break;
                }
                case "args": {
                    const live = facts.get(c) as pulumi.Output<LiveDeploymentFacts>;
                    const body = pulumi.all([patchOf(c), live]).apply(([p, f]) => {
                        const merged = mergeContainerArgs(f.args, parseAddedArgs(f.annotations[ADDED_ARGS_ANNOTATION]), p.args);
                        return annotate(argsPatchBody(ns, p.controller, merged));
                    });
                    // Forced: the atomic args list is owned by whoever installed Flux (see args.ts). Kept on
                    // delete: relinquishing a list no one else owns any more would delete every Flux flag.
                    created.set(o.id, new k8s.appsv1.DeploymentPatch(child(o), objectArgs(o, body, ["spec"]) as appsv1.DeploymentPatchArgs, childOpts(deps(`${c}-deployment`, `${c}-serviceaccount`))));
                    break;
                }
                case "tenantServiceAccount": {
                    const body = resolved.apply((s) => {
                        const sa = s.tenantServiceAccounts.find((t) => t.namespace === o.namespace && t.name === o.name) as FluxPatchSet["tenantServiceAccounts"][number];
                        return annotate(tenantServiceAccountPatchBody(sa));
                    });
                    // A patch, not a ServiceAccount: tenant ServiceAccounts often exist already (made by the
                    // tenant's own manifests); a patch creates one when missing, owns only the annotations,
                    // and on delete removes them instead of deleting a ServiceAccount others may use.
                    created.set(o.id, new k8s.corev1.ServiceAccountPatch(child(o), objectArgs(o, body, []) as corev1.ServiceAccountPatchArgs, childOpts()));
                    break;
                }
                case "role":
                case "roleBinding": {
                    const body = resolved.apply((s) => annotate(rbacObject(s, o)));
                    if (o.role === "role") {
                        created.set(o.id, new k8s.rbacv1.Role(child(o), objectArgs(o, body, ["rules"]) as rbacv1.RoleArgs, childOpts()));
                    } else {
                        created.set(o.id, new k8s.rbacv1.RoleBinding(child(o), objectArgs(o, body, ["roleRef", "subjects"]) as unknown as rbacv1.RoleBindingArgs, childOpts(deps(`role-${o.namespace}-${o.name}`))));
                    }
                    break;
                }
            }
        }

        const identityHashes = resolved.apply((s) => {
            const out: Record<string, string> = {};
            if (!options.restartOnIdentityChange) return out;
            for (const o of plan.objects) {
                if (o.role !== "deployment") continue;
                const p = s.controllers.find((x) => x.controller === o.controller) as FluxControllerPatch;
                out[p.controller] = identityHash(p, s.configMaps);
            }
            return out;
        });
        const warnings = pulumi.all([resolved, pulumi.all([...facts.entries()].map(([c, f]) => f.apply((x) => ({ c, labels: x.labels }))))]).apply(([s, read]) => {
            if (!options.detectFluxSystemKustomization) return [];
            const out: string[] = [];
            for (const { c, labels } of read) {
                const p = s.controllers.find((x) => x.controller === c) as FluxControllerPatch;
                const w = fluxKustomizationWarning({ controller: c, namespace: ns, labels, appliesArgs: p.args.length > 0 });
                if (w !== undefined) out.push(w);
            }
            for (const w of out) void pulumi.log.warn(w, this);
            return out;
        });
        const applied = appliedObjectNames(plan);
        // The outputs resolve once every object is applied.
        const result: pulumi.Output<FluxLiveClusterResult> = pulumi
            .all([warnings, identityHashes, pulumi.all([...created.values()].map((r) => r.id))])
            .apply(([w, h]) => ({ warnings: w, identityHashes: h, appliedObjects: applied }));
        defineLazyOutputs(this, result, RESULT_KEYS);
        this.registerOutputs(result);
    }
}

/** The Role or RoleBinding a planned RBAC object stands for, from the resolved patch set. */
function rbacObject(set: FluxPatchSet, o: PlannedLiveObject): KubernetesObject {
    return tenantRbacObjects(set).find((x) => x.kind === o.kind && x.metadata.namespace === o.namespace && x.metadata.name === o.name) as KubernetesObject;
}

/**
 * Resource arguments: metadata name and namespace from the plan (known in previews, so the patch
 * targets show), everything else from the resolved body.
 */
function objectArgs(o: PlannedLiveObject, body: pulumi.Output<KubernetesObject>, keys: readonly string[]): Record<string, pulumi.Input<unknown>> {
    const args: Record<string, pulumi.Input<unknown>> = {
        metadata: {
            name: o.name,
            namespace: o.namespace,
            labels: body.apply((b) => b.metadata.labels),
            annotations: body.apply((b) => b.metadata.annotations),
        },
    };
    for (const k of keys) args[k] = body.apply((b) => b[k]);
    return args;
}
