/**
 * What a user must do or know that publishing cannot do itself: when to change the API server flags,
 * how long to keep the previous issuer, how to rotate the signing key, and what each backend exposes.
 * From the Flux cross-cloud docs' warnings on customizing the issuer and rotating the signing key.
 */

import { IssuerPlan } from "./plan-model";
import { IssuerStorage, S3IssuerUrlStyle } from "./spec";

export type IssuerWarningContext = Omit<IssuerPlan, "warnings" | "discoveryDocument" | "jwksDocument"> & { previousIssuerUrl?: string };

export function issuerWarnings(p: IssuerWarningContext): string[] {
    const out: string[] = [
        `Change the API server flags (${p.apiServerFlags.join(" ")}) last: only after both documents are publicly readable (\`curl ${p.discoveryUrl}\` must print the discovery document with issuer ${p.issuerUrl}, and \`curl ${p.jwksUri}\` the JWKS), and after the clouds trust the new issuer (pass issuerUrl to the Flux identity components), because every token issued afterwards carries it as iss. ServiceAccount tokens also authenticate Flux and core Kubernetes components to the API server: change these flags with extreme care.`,
    ];
    if (p.previousIssuerUrl !== undefined) {
        out.push(
            `Keep --service-account-issuer=${p.previousIssuerUrl} as the second value until every token it issued has expired (projected tokens are refreshed within their lifetime; restart pods holding long-lived ones); only then remove it, and with it any cloud trust made for the previous issuer.`,
        );
    } else {
        out.push(
            `previousIssuerUrl is not set: if the cluster already runs with another issuer, set previousIssuerUrl to it (\`kubectl get --raw /.well-known/openid-configuration | jq -r .issuer\`) so it stays the second --service-account-issuer value; replacing it outright invalidates every existing ServiceAccount token.`,
        );
    }
    out.push(
        "Rotating the API server's signing key (--service-account-signing-key-file) requires publishing a new JWKS: first publish a JWKS holding both the old and the new public keys (and list both in --service-account-key-file), then switch the signing key, and drop the old key from the JWKS only after the tokens it signed have expired. Until the new key is published, the clouds refuse tokens signed with it and Flux loses access.",
    );
    if (p.s3) {
        const s3 = p.s3;
        if (s3.urlStyle === S3IssuerUrlStyle.Path && s3.region !== "us-east-1") {
            out.push(
                `The issuer uses S3's global path-style endpoint (https://s3.amazonaws.com/${s3.bucketName}) for a bucket in ${s3.region}; S3 may answer requests for buckets outside us-east-1 on that endpoint with a redirect, which OIDC verifiers do not follow. Check that \`curl ${p.discoveryUrl}\` returns the document itself (HTTP 200); otherwise use urlStyle: virtualHosted or a bucket in us-east-1.`,
            );
        }
        out.push(
            `S3 Block Public Access at the account level must allow public bucket policies (BlockPublicPolicy and RestrictPublicBuckets false in the account that owns bucket ${s3.bucketName}); otherwise the bucket policy is refused or ignored and the documents stay private.`,
        );
        if (!s3.createBucket) {
            out.push(
                `Existing bucket ${s3.bucketName}: its bucket policy is REPLACED by one allowing public reads of the two documents only (statements written elsewhere are removed), and its public access block is set to allow public bucket policies.`,
            );
        }
    }
    if (p.storage === IssuerStorage.Gcs && p.gcs) {
        out.push(
            `Cloud Storage grants public read per bucket: allUsers gets roles/storage.objectViewer on ${p.gcs.bucketName}, so EVERY object in it is public and its object names can be listed. Keep nothing else in this bucket.`,
        );
        if (!p.gcs.createBucket) {
            out.push(`Existing bucket ${p.gcs.bucketName}: public access prevention must not be enforced on it (or by an organization policy), or the grant to allUsers is refused.`);
        }
        if (p.gcs.bucketName.includes(".")) {
            out.push(`Bucket name ${p.gcs.bucketName} contains dots: Cloud Storage creates it only after you verify ownership of that domain.`);
        }
    }
    if (p.azureBlob) {
        out.push(
            `Container ${p.azureBlob.containerName} allows anonymous reads of its blobs (publicAccess Blob, no listing): keep nothing else in it. Azure Policy or the subscription may forbid public blob access; then the container cannot be made public.`,
        );
        if (!p.azureBlob.createAccount) {
            out.push(`Existing storage account ${p.azureBlob.storageAccountName}: it must allow public blob access (allowBlobPublicAccess: true), or the documents stay private.`);
        }
    }
    return out;
}
