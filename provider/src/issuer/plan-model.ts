/** The validated plan of a published issuer: where it lives, what is published, and what to do next. */

import { IssuerStorage, S3IssuerUrlStyle } from "./spec";

export interface IssuerS3Plan {
    bucketName: string;
    region: string;
    /** aws, aws-cn or aws-us-gov: object ARNs carry it. */
    partition: string;
    createBucket: boolean;
    urlStyle: S3IssuerUrlStyle;
}

export interface IssuerGcsPlan {
    bucketName: string;
    project?: string;
    location: string;
    createBucket: boolean;
}

export interface IssuerAzureBlobPlan {
    resourceGroupName: string;
    storageAccountName: string;
    containerName: string;
    location?: string;
    createAccount: boolean;
    endpointSuffix: string;
}

export interface IssuerPlan {
    storage: IssuerStorage;
    /** What the cluster's `iss` claim becomes, and what the clouds trust: pass it as the cluster's issuerUrl. */
    issuerUrl: string;
    jwksUri: string;
    discoveryUrl: string;
    /** Object keys (blob names) of the two documents. */
    discoveryKey: string;
    jwksKey: string;
    /** The published bytes. */
    discoveryDocument: string;
    jwksDocument: string;
    /** kube-apiserver flags, in the order to set them. */
    apiServerFlags: string[];
    warnings: string[];
    s3?: IssuerS3Plan;
    gcs?: IssuerGcsPlan;
    azureBlob?: IssuerAzureBlobPlan;
}
