/**
 * Remote clusters over OIDC create no cloud resources: the remote side is manifests
 * (`authenticationConfigurationYaml`, `remoteClusterRbacYaml`) that the remote clusters' owners apply.
 * The list exists so every target has the same shape in plan.json and the parity tests.
 */

import { PlannedResource } from "../core/resources";
import { KubernetesPlan } from "./plan-model";

export function describeKubernetesResources(_plan: KubernetesPlan): PlannedResource[] {
    return [];
}
