/**
 * An existing GKE cluster's Flux reaches Artifact Registry, a Cloud Storage bucket, a Cloud KMS key for
 * SOPS and a Pub/Sub topic, at controller level, with roles granted straight to the controllers' own
 * Kubernetes principals (direct mode: no GCP service accounts, nothing patched on the Flux side).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { FluxWorkloadIdentity } from "flux-identity";
import { FluxWorkloadIdentity } from "../../provider/src/workload-identity";
// In your own project: import { FluxKind, GcpAuthMode, SourceClusterType } from "flux-identity/core";
import { FluxKind, GcpAuthMode, SourceClusterType } from "../../provider/src/core";

const config = new pulumi.Config();
const projectId = config.require("projectId");
const clusterName = config.require("clusterName");
const clusterLocation = config.require("clusterLocation");

// The cluster: looked up in GCP, so a typo fails here, and Workload Identity Federation must be on
// (always on in Autopilot; `gcloud container clusters update --workload-pool=<project>.svc.id.goog` in Standard).
const gke = gcp.container.getClusterOutput({ name: clusterName, location: clusterLocation, project: projectId });
const issuerUrl = gke.apply((c) => {
    const pool = `${projectId}.svc.id.goog`;
    if (!c.workloadIdentityConfigs.some((w) => w.workloadPool === pool)) {
        throw new Error(`GKE cluster ${clusterName} does not use the workload pool ${pool}: enable Workload Identity Federation for GKE on it first.`);
    }
    // GKE's ServiceAccount token issuer, exactly as in the tokens' `iss` claim.
    return `https://container.googleapis.com/v1/projects/${projectId}/locations/${clusterLocation}/clusters/${clusterName}`;
});

// Plain values shape the IAM members; they are validated before anything is created.
const flux = new FluxWorkloadIdentity("flux", {
    cluster: { name: clusterName, type: SourceClusterType.Gke, issuerUrl },
    gcp: {
        projectId,
        // `gcloud projects describe <project> --format='value(projectNumber)'`; checked against the project.
        projectNumber: config.require("projectNumber"),
        authMode: GcpAuthMode.Direct,
        controllers: {
            // roles/artifactregistry.reader on the repository: OCI artifacts, Helm charts and image scanning.
            gar: [{ repositories: [config.require("garRepository")], usedBy: [FluxKind.OCIRepository, FluxKind.HelmRepository, FluxKind.ImageRepository] }],
            // Bucket and object viewer on the bucket, for source-controller's Buckets.
            gcs: [{ buckets: [config.require("bucket")] }],
            // roles/cloudkms.cryptoKeyDecrypter on the SOPS key, for kustomize-controller.
            kms: [{ cryptoKeys: [config.require("sopsKey")] }],
            // roles/pubsub.publisher on the topic, for notification-controller's googlepubsub Providers.
            pubsub: [{ topics: [config.require("pubsubTopic")] }],
        },
    },
});

export { issuerUrl };
/** The IAM principal each controller was granted its roles as. */
export const principals = flux.targets().gcp?.principals;
/** Commit this as clusters/<name>/flux-system/kustomization.yaml (on GKE in direct mode it only lists the resources). */
export const kustomizationYaml = flux.kustomizationYaml;
/** What each Flux object sets (`spec.provider: gcp`, `spec.type: googlepubsub`, ...). */
export const objectSettings = flux.objectSettings;
export const notes = flux.warnings;
