/**
 * Field-by-field checks of built Flux manifests against a baseline build of the same fixture: a
 * Deployment may differ only by what the docs append (env, volumes, mounts, args, labels).
 */
import { strict as assert } from "node:assert";
import { KubeObject, find, podLabels, podSpec } from "./kustomize";

export function without<T extends object>(o: T, keys: string[]): Partial<T> {
    const copy = JSON.parse(JSON.stringify(o));
    for (const k of keys) delete copy[k];
    return copy;
}

export interface DeploymentChanges {
    env?: Array<{ name: string; value: string }>;
    volumes?: unknown[];
    mounts?: unknown[];
    args?: string[];
    /** Labels added to the Deployment and its pod template. */
    labels?: Record<string, string>;
}

/** Asserts a Deployment equals the shipped one except for the appended env, volumes, mounts, args and labels. */
export function assertDeployment(built: KubeObject[], baseline: KubeObject[], name: string, want: DeploymentChanges): void {
    const got = find(built, "Deployment", name);
    const base = find(baseline, "Deployment", name);
    const g = podSpec(got);
    const b = podSpec(base);
    assert.equal(g.containers.length, b.containers.length);
    assert.equal(g.containers[0].name, "manager");
    assert.deepEqual(g.containers[0].env, [...(b.containers[0].env ?? []), ...(want.env ?? [])], `${name} env`);
    assert.deepEqual(g.volumes, [...(b.volumes ?? []), ...(want.volumes ?? [])], `${name} volumes`);
    assert.deepEqual(g.containers[0].volumeMounts, [...(b.containers[0].volumeMounts ?? []), ...(want.mounts ?? [])], `${name} volumeMounts`);
    assert.deepEqual(g.containers[0].args, [...(b.containers[0].args ?? []), ...(want.args ?? [])], `${name} args`);
    // Nothing else in the Deployment changes.
    assert.deepEqual(without(g.containers[0], ["env", "volumeMounts", "args"]), without(b.containers[0], ["env", "volumeMounts", "args"]), `${name} container`);
    assert.deepEqual(without(g, ["containers", "volumes"]), without(b, ["containers", "volumes"]), `${name} pod spec`);
    assert.deepEqual(podLabels(got), { ...podLabels(base), ...(want.labels ?? {}) }, `${name} pod template labels`);
    const labels = want.labels ? { ...(base.metadata.labels ?? {}), ...want.labels } : base.metadata.labels;
    assert.deepEqual(got.metadata, { ...base.metadata, ...(labels ? { labels } : {}) }, `${name} metadata`);
}

export function assertServiceAccount(built: KubeObject[], name: string, annotations: Record<string, string> | undefined): void {
    assert.deepEqual(find(built, "ServiceAccount", name).metadata.annotations, annotations, `${name} ServiceAccount annotations`);
}
