/** What the owners of the remote clusters must do, which flux-identity cannot do for them. */

import { KubernetesPlan } from "./plan-model";

export function kubernetesWarnings(plan: Omit<KubernetesPlan, "warnings">): string[] {
    const out: string[] = [];
    for (const r of plan.remoteClusters) {
        out.push(
            `remote cluster ${r.name} (${r.address}) trusts Flux only once its kube-apiserver runs with the jwt authenticator of authenticationConfigurationYaml (--authentication-config, Kubernetes 1.30+) and remoteClusterRbacYaml is applied there; managed control planes (EKS, AKS, GKE) use their own OIDC identity provider settings instead.`,
        );
    }
    if (plan.remoteClusters.length > 0) {
        out.push(`the remote API servers fetch ${plan.cluster.issuerUrl.replace(/\/$/, "")}/.well-known/openid-configuration and its JWKS: the issuer must be reachable from them (see docs/oidc-issuer.md for clusters without a public issuer).`);
    }
    return out;
}
