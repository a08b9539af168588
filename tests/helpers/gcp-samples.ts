/** GCP sample inputs shared by the tests. Values follow the shapes in the Flux and GCP docs. */
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceCluster, SourceClusterType } from "../../provider/src/core/cluster";
import { GcpPlanInput } from "../../provider/src/gcp/plan";
import { GcpAccess, GcpAuthMode, GcpTargetSpec } from "../../provider/src/gcp/spec";
import { ISSUERS } from "./samples";

export const PROJECT_ID = "my-project";
/** The number the mocked GCP reports for every project (the mocks' default account). */
export const PROJECT_NUMBER = "123456789012";
/** A GKE cluster in another project than the target's: principals name the cluster's project. */
export const GKE_PROJECT = "gke-host-project";
export const GKE_ISSUER = `https://container.googleapis.com/v1/projects/${GKE_PROJECT}/locations/europe-west1/clusters/gke-1`;
/** Explicit pool and provider IDs, so expected values in tests are plain literals. */
export const POOL_ID = "kind-dev-pool";
export const PROVIDER_ID = "kind-dev-oidc";

export const NAMES = {
    repo: "projects/my-project/locations/us-central1/repositories/apps",
    repoOther: "projects/other-project/locations/europe/repositories/charts",
    bucket: "flux-bucket",
    key: "projects/my-project/locations/global/keyRings/sops/cryptoKeys/flux",
    keyRing: "projects/my-project/locations/global/keyRings/team",
    cluster: "projects/remote-project/locations/us-central1/clusters/remote",
    topic: "projects/my-project/topics/flux-events",
};

export function gcpCluster(type: SourceClusterType, name = `${type}-1`): SourceCluster {
    return { name, type, issuerUrl: type === SourceClusterType.Gke ? GKE_ISSUER : ISSUERS[type] };
}

/** Every GCP integration, every consuming kind. */
export function gcpFullAccess(): GcpAccess {
    return {
        gar: [{ repositories: [NAMES.repo, NAMES.repoOther], usedBy: [FluxKind.OCIRepository, FluxKind.HelmRepository, FluxKind.ImageRepository] }],
        gcs: [{ buckets: [NAMES.bucket] }],
        kms: [{ cryptoKeys: [NAMES.key], keyRings: [NAMES.keyRing] }],
        gke: [{ cluster: NAMES.cluster, usedBy: [FluxKind.Kustomization, FluxKind.HelmRelease] }],
        pubsub: [{ topics: [NAMES.topic] }],
    };
}

/** Non-GKE clusters get the explicit pool IDs; GKE clusters cannot have a pool. */
export function gcpInput(type: SourceClusterType, overrides: Partial<GcpTargetSpec> = {}): GcpPlanInput {
    const pool = type === SourceClusterType.Gke ? {} : { workloadIdentityPool: { poolId: POOL_ID, providerId: PROVIDER_ID } };
    return { cluster: gcpCluster(type), gcp: { projectId: PROJECT_ID, projectNumber: PROJECT_NUMBER, controllers: gcpFullAccess(), ...pool, ...overrides } };
}

/** Two tenants: one with its own principal (direct), one impersonating a created GSA. */
export function gcpTenantInput(type: SourceClusterType, overrides: Partial<GcpTargetSpec> = {}): GcpPlanInput {
    return gcpInput(type, {
        controllers: undefined,
        tenants: [
            { namespace: "team-a", serviceAccount: "flux-gcp", access: { gar: [{ repositories: [NAMES.repo] }], gcs: [{ buckets: [NAMES.bucket] }] } },
            { namespace: "team-b", serviceAccount: "sops", authMode: GcpAuthMode.Impersonation, access: { kms: [{ cryptoKeys: [NAMES.key] }] } },
        ],
        ...overrides,
    });
}
