/** Live-cluster test support: a mocked cluster serving the real Flux Deployments of a fixture. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { loadAll } from "js-yaml";
import { FluxFixture, KubeObject } from "./kustomize";
import { KubernetesReadMocks, Registration } from "./mocks";

export const DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment";

/** The objects of the fixture's gotk-components.yaml, parsed (no kubectl needed). */
export function fluxComponents(fixture: FluxFixture): KubeObject[] {
    return (loadAll(readFileSync(path.join(fixture.dir, "gotk-components.yaml"), "utf8")) as KubeObject[]).filter((o) => o && o.kind);
}

/** Serves every Deployment of `objects` as the mocked cluster's live Deployment, with extra labels if given. */
export function serveDeployments(mocks: KubernetesReadMocks, objects: readonly KubeObject[], extraLabels: Record<string, string> = {}): void {
    for (const d of objects.filter((o) => o.kind === "Deployment")) {
        const live = { ...d, metadata: { ...d.metadata, labels: { ...(d.metadata.labels ?? {}), ...extraLabels } } };
        mocks.setLive(DEPLOYMENT_TYPE, `${d.metadata.namespace ?? "flux-system"}/${d.metadata.name}`, live);
    }
}

/** Custom resources a component registered, by the name after `<component>-`. */
export function childrenOf(mocks: KubernetesReadMocks, component: string): Map<string, Registration> {
    return new Map(mocks.custom().filter((r) => r.name.startsWith(`${component}-`)).map((r) => [r.name.slice(component.length + 1), r]));
}
