/**
 * An existing EKS cluster's Flux reaches ECR, S3 and a SOPS key with IRSA. The issuer comes straight
 * from the EKS API as an output; flux-identity validates it once it resolves, before creating anything.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// In your own project: import { AwsFluxIdentity, FluxKind, SourceClusterType } from "flux-identity/aws";
import { AwsFluxIdentity, FluxKind, SourceClusterType } from "../../provider/src/aws";

const config = new pulumi.Config();
const clusterName = config.get("clusterName") ?? "prod";
const eks = aws.eks.getClusterOutput({ name: clusterName });

// Plain values shape the roles and policies; look them up once so they can be validated up front.
const accountId = config.require("accountId");
const awsRegion = config.require("region");

const flux = new AwsFluxIdentity("flux", {
    cluster: { name: clusterName, type: SourceClusterType.Eks, issuerUrl: eks.identities[0].oidcs[0].issuer, eksClusterName: eks.name },
    accountId,
    region: awsRegion,
    controllers: {
        ecr: [{ repositoryArns: [`arn:aws:ecr:${awsRegion}:${accountId}:repository/platform/*`], usedBy: [FluxKind.OCIRepository, FluxKind.ImageRepository] }],
        s3: [{ bucketArns: [`arn:aws:s3:::${clusterName}-flux-artifacts`] }],
        kms: [{ keyArns: [config.require("sopsKeyArn")] }],
    },
    tags: { team: "platform" },
});

export const roleArns = flux.roleArns;
/** Commit this as clusters/<name>/flux-system/kustomization.yaml next to gotk-components.yaml. */
export const kustomizationYaml = flux.kustomizationYaml;
export const notes = flux.warnings;
