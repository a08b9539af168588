/**
 * An existing EKS cluster's Flux reaches Google Artifact Registry and a Cloud KMS key for SOPS, at
 * controller level. GCP trusts the cluster through a Workload Identity pool and OIDC provider created for
 * the cluster's issuer (read from the EKS API as an output). By default roles go to the controllers' own
 * Kubernetes principals; `impersonate: true` creates a GCP service account per controller instead.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { FluxWorkloadIdentity } from "flux-identity";
import { FluxWorkloadIdentity } from "../../provider/src/workload-identity";
// In your own project: import { FluxKind, GcpAuthMode, SourceClusterType } from "flux-identity/core";
import { FluxKind, GcpAuthMode, SourceClusterType } from "../../provider/src/core";

const config = new pulumi.Config();
const clusterName = config.require("clusterName");
const eks = aws.eks.getClusterOutput({ name: clusterName });

// Plain values shape the pool, the service accounts and the IAM members; they are validated up front.
const impersonate = config.getBoolean("impersonate") ?? false;
const poolId = config.get("poolId");
const providerId = config.get("providerId");

const flux = new FluxWorkloadIdentity("flux", {
    cluster: { name: clusterName, type: SourceClusterType.Eks, issuerUrl: eks.identities[0].oidcs[0].issuer },
    gcp: {
        projectId: config.require("gcpProjectId"),
        projectNumber: config.require("gcpProjectNumber"),
        authMode: impersonate ? GcpAuthMode.Impersonation : GcpAuthMode.Direct,
        // One pool and provider per source cluster; the IDs default to ones derived from the cluster name.
        workloadIdentityPool: { ...(poolId ? { poolId } : {}), ...(providerId ? { providerId } : {}) },
        controllers: {
            // roles/artifactregistry.reader on the repository, for source-controller and image-reflector-controller.
            gar: [{ repositories: [config.require("garRepository")], usedBy: [FluxKind.OCIRepository, FluxKind.ImageRepository] }],
            // roles/cloudkms.cryptoKeyDecrypter on the SOPS key, for kustomize-controller.
            kms: [{ cryptoKeys: [config.require("sopsKey")] }],
        },
    },
});

/** The pool provider the controllers' tokens are exchanged at (their audience). */
export const workloadIdentityProvider = flux.targets().gcp?.workloadIdentityProvider;
/** The IAM principal each controller acts as in GCP. */
export const principals = flux.targets().gcp?.principals;
/** The GCP service account each controller impersonates (with impersonate: true). */
export const serviceAccountEmails = flux.gcpServiceAccountEmails;
/** Commit this as clusters/<name>/flux-system/kustomization.yaml next to gotk-components.yaml. */
export const kustomizationYaml = flux.kustomizationYaml;
/** What each Flux object sets (`spec.provider: gcp`). */
export const objectSettings = flux.objectSettings;
export const notes = flux.warnings;
