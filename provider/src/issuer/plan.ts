/**
 * Plans a published issuer from what the user states: validates every field (all issues at once, each
 * naming its field and a fix), then derives the URLs, the two documents, the API server flags and the
 * warnings. Pure: the component and the tests build on it.
 */

import { checkBoolean, checkKnownFields, enumValue, isRecord } from "../core/checks";
import { normalizeIssuerUrl } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { isRegionName, partitionOfRegion } from "../aws/partition";
import { discoveryDocument, renderDiscoveryDocument } from "./discovery";
import { apiServerFlags } from "./flags";
import { checkJwksJson, renderJwks } from "./jwks";
import { IssuerAzureBlobPlan, IssuerGcsPlan, IssuerPlan, IssuerS3Plan } from "./plan-model";
import { ISSUER_STORAGES, IssuerStorage, PublicOidcIssuerSpec, S3IssuerUrlStyle, S3_URL_STYLES } from "./spec";
import {
    checkContainerName,
    checkEndpointSuffix,
    checkGcsBucketName,
    checkPathPrefix,
    checkResourceGroupName,
    checkS3BucketName,
    checkStorageAccountName,
} from "./storage-names";
import {
    DEFAULT_AZURE_BLOB_ENDPOINT_SUFFIX,
    DISCOVERY_PATH,
    JWKS_PATH,
    azureBlobBaseUrl,
    discoveryUrlOf,
    gcsBaseUrl,
    issuerUrlOf,
    jwksUriOf,
    objectKey,
    s3DnsSuffix,
    s3PathStyleBaseUrl,
    s3VirtualHostedBaseUrl,
} from "./urls";
import { issuerWarnings } from "./warnings";

export const ISSUER_FIELDS = ["storage", "s3", "gcs", "azureBlob", "pathPrefix", "previousIssuerUrl", "jwksJson"];
const S3_FIELDS = ["bucketName", "region", "createBucket", "urlStyle"];
const GCS_FIELDS = ["bucketName", "project", "location", "createBucket"];
const AZURE_BLOB_FIELDS = ["resourceGroupName", "storageAccountName", "containerName", "location", "createAccount", "endpointSuffix"];

/** Which settings object each storage reads. */
const SETTINGS_KEY: Readonly<Record<IssuerStorage, "s3" | "gcs" | "azureBlob">> = {
    [IssuerStorage.S3]: "s3",
    [IssuerStorage.Gcs]: "gcs",
    [IssuerStorage.AzureBlob]: "azureBlob",
};

/** AWS IAM refuses OIDC provider URLs longer than this; the other clouds accept at least as much. */
export const MAX_ISSUER_URL_LENGTH = 255;

const DEFAULT_GCS_LOCATION = "US";

export interface IssuerPlanOptions {
    /**
     * The JWKS is not known yet (an output of another resource): plan everything else and leave the
     * documents empty. The resource set does not depend on the JWKS.
     */
    jwksPending?: boolean;
}

/** Validates and plans; throws FluxIdentityValidationError listing every issue. */
export function planIssuer(spec: PublicOidcIssuerSpec, options: IssuerPlanOptions = {}): IssuerPlan {
    const issues = Issues.root();
    const input: unknown = spec;
    if (!isRecord(input)) {
        issues.add(undefined, `expected the issuer settings (a map), got ${show(input)}.`, `use ${ISSUER_FIELDS.join(", ")}.`);
        issues.throwIfAny();
    }
    checkKnownFields(spec as unknown as Record<string, unknown>, ISSUER_FIELDS, issues);

    let storage: IssuerStorage | undefined;
    if (spec.storage === undefined) {
        issues.add("storage", "storage is required.", `set storage to one of ${ISSUER_STORAGES.join(", ")}, with the matching settings object.`);
    } else if (!ISSUER_STORAGES.includes(spec.storage)) {
        issues.add("storage", `${show(spec.storage)} is not one of ${ISSUER_STORAGES.join(", ")}.`, `set storage to one of ${ISSUER_STORAGES.join(", ")}.`);
    } else {
        storage = spec.storage;
    }
    // Settings of another storage are a mistake (a half-edited switch, say): refuse rather than ignore.
    for (const s of ISSUER_STORAGES) {
        const key = SETTINGS_KEY[s];
        if (s !== storage && spec[key] !== undefined) {
            issues.add(key, `${key} settings are given, but storage is ${show(spec.storage)}.`, `remove ${key}, or set storage: ${s}.`);
        }
    }

    let pathPrefix: string | undefined;
    if (spec.pathPrefix !== undefined && checkPathPrefix(spec.pathPrefix, issues, "pathPrefix")) pathPrefix = spec.pathPrefix;

    let baseUrl: string | undefined;
    let s3: IssuerS3Plan | undefined;
    let gcs: IssuerGcsPlan | undefined;
    let azureBlob: IssuerAzureBlobPlan | undefined;
    if (storage !== undefined) {
        const key = SETTINGS_KEY[storage];
        const settings: unknown = spec[key];
        const at = issues.at(key);
        if (!isRecord(settings)) {
            at.add(undefined, `storage is ${storage}, so ${key} settings are required, got ${show(settings)}.`, `set ${key} with ${fieldsOf(storage).join(", ")}.`);
        } else {
            checkKnownFields(settings, fieldsOf(storage), at);
            if (storage === IssuerStorage.S3) {
                s3 = planS3(settings, at);
                if (s3) baseUrl = s3.urlStyle === S3IssuerUrlStyle.Path ? s3PathStyleBaseUrl(s3.bucketName) : s3VirtualHostedBaseUrl(s3.bucketName, s3.region, s3DnsSuffix(s3.partition));
            } else if (storage === IssuerStorage.Gcs) {
                gcs = planGcs(settings, at);
                if (gcs) baseUrl = gcsBaseUrl(gcs.bucketName);
            } else {
                azureBlob = planAzureBlob(settings, at);
                if (azureBlob) baseUrl = azureBlobBaseUrl(azureBlob.storageAccountName, azureBlob.containerName, azureBlob.endpointSuffix);
            }
        }
    }

    let issuerUrl: string | undefined;
    if (baseUrl !== undefined && (spec.pathPrefix === undefined || pathPrefix !== undefined)) {
        issuerUrl = issuerUrlOf(baseUrl, pathPrefix);
        // Built from checked parts, so this only catches a bug; the length is the user's to fix.
        if (normalizeIssuerUrl(issuerUrl, Issues.root(), "issuerUrl") !== issuerUrl) {
            throw new Error(`flux-identity: planned issuer ${issuerUrl} is not a normalized https URL; this is a bug`);
        }
        if (issuerUrl.length > MAX_ISSUER_URL_LENGTH) {
            issues.add(
                pathPrefix !== undefined ? "pathPrefix" : SETTINGS_KEY[storage as IssuerStorage],
                `the issuer ${show(issuerUrl)} has ${issuerUrl.length} characters; AWS IAM accepts OIDC provider URLs of at most ${MAX_ISSUER_URL_LENGTH}.`,
                "shorten pathPrefix or the bucket or container name.",
            );
        }
    }

    const previousIssuerUrl = spec.previousIssuerUrl;
    if (previousIssuerUrl !== undefined) {
        if (typeof previousIssuerUrl !== "string" || previousIssuerUrl.trim() === "" || /\s/.test(previousIssuerUrl)) {
            issues.add("previousIssuerUrl", `expected the cluster's current issuer, got ${show(previousIssuerUrl)}.`, "set it to the output of `kubectl get --raw /.well-known/openid-configuration | jq -r .issuer`, or omit it.");
        } else if (issuerUrl !== undefined && previousIssuerUrl === issuerUrl) {
            issues.add("previousIssuerUrl", `${show(previousIssuerUrl)} is the issuer being published; the previous issuer is the one the cluster used before it.`, "omit previousIssuerUrl when the cluster already runs with this issuer.");
        }
    }

    const jwks = options.jwksPending ? undefined : checkJwksJson(spec.jwksJson, issues, "jwksJson");
    issues.throwIfAny();
    if (issuerUrl === undefined || storage === undefined) {
        throw new Error("flux-identity: the issuer plan has no issuer URL although validation passed; this is a bug");
    }

    const jwksUri = jwksUriOf(issuerUrl);
    const discoveryUrl = discoveryUrlOf(issuerUrl);
    const flags = apiServerFlags(issuerUrl, jwksUri, previousIssuerUrl);
    const plan: IssuerPlan = {
        storage,
        issuerUrl,
        jwksUri,
        discoveryUrl,
        discoveryKey: objectKey(DISCOVERY_PATH, pathPrefix),
        jwksKey: objectKey(JWKS_PATH, pathPrefix),
        discoveryDocument: jwks ? renderDiscoveryDocument(discoveryDocument(issuerUrl, jwksUri, jwks.algorithms)) : "",
        jwksDocument: jwks ? renderJwks(jwks) : "",
        apiServerFlags: flags,
        warnings: [],
    };
    if (s3) plan.s3 = s3;
    if (gcs) plan.gcs = gcs;
    if (azureBlob) plan.azureBlob = azureBlob;
    plan.warnings = issuerWarnings({ ...plan, previousIssuerUrl });
    return plan;
}

function fieldsOf(storage: IssuerStorage): string[] {
    return storage === IssuerStorage.S3 ? S3_FIELDS : storage === IssuerStorage.Gcs ? GCS_FIELDS : AZURE_BLOB_FIELDS;
}

function planS3(s: Record<string, unknown>, at: Issues): IssuerS3Plan | undefined {
    const before = at.count;
    const bucketOk = checkS3BucketName(s.bucketName, at, "bucketName");
    const createBucket = checkBoolean(s.createBucket, at, "createBucket", true);
    const urlStyle = enumValue(s.urlStyle, S3_URL_STYLES, S3IssuerUrlStyle.Path, at, "urlStyle");
    let partition: string | undefined;
    if (!isRegionName(s.region)) {
        at.add("region", `${show(s.region)} is not an AWS region name.`, "set the bucket's region, for example eu-central-1.");
    } else {
        const p = partitionOfRegion(s.region);
        if (typeof p !== "string") {
            at.add("region", `region ${s.region} is in ${p?.unsupported ?? "an unknown partition"}, which flux-identity does not support.`, "use a region of partition aws, aws-cn or aws-us-gov.");
        } else {
            partition = p;
        }
    }
    if (partition !== undefined && partition !== "aws" && urlStyle === S3IssuerUrlStyle.Path) {
        at.add("urlStyle", `the global endpoint https://s3.amazonaws.com serves partition aws only, but region ${String(s.region)} is in ${partition}.`, "set urlStyle: virtualHosted.");
    }
    if (bucketOk && urlStyle === S3IssuerUrlStyle.VirtualHosted && (s.bucketName as string).includes(".")) {
        at.add(
            "bucketName",
            `${show(s.bucketName)} contains dots: its virtual-hosted host name does not match S3's TLS certificate (*.s3.<region>.amazonaws.com), so verifiers would refuse the connection.`,
            "use a bucket name without dots, or urlStyle: path.",
        );
    }
    if (at.count > before || partition === undefined) return undefined;
    return { bucketName: s.bucketName as string, region: s.region as string, partition, createBucket, urlStyle };
}

function planGcs(s: Record<string, unknown>, at: Issues): IssuerGcsPlan | undefined {
    const before = at.count;
    checkGcsBucketName(s.bucketName, at, "bucketName");
    const createBucket = checkBoolean(s.createBucket, at, "createBucket", true);
    if (s.project !== undefined && (typeof s.project !== "string" || !/^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(s.project))) {
        at.add("project", `${show(s.project)} is not a project ID (6 to 30 lowercase letters, digits and '-', starting with a letter).`, "use the project ID (not its name or number), or omit project for the provider's.");
    }
    if (s.location !== undefined && (typeof s.location !== "string" || !/^[A-Za-z0-9-]{2,64}$/.test(s.location))) {
        at.add("location", `${show(s.location)} is not a Cloud Storage location.`, "use for example US, EU or europe-west1.");
    }
    if (s.location !== undefined && !createBucket) {
        at.add("location", "location applies to a created bucket, but createBucket is false.", "remove location, or remove createBucket: false.");
    }
    if (at.count > before) return undefined;
    const plan: IssuerGcsPlan = { bucketName: s.bucketName as string, location: (s.location as string | undefined) ?? DEFAULT_GCS_LOCATION, createBucket };
    if (s.project !== undefined) plan.project = s.project as string;
    return plan;
}

function planAzureBlob(s: Record<string, unknown>, at: Issues): IssuerAzureBlobPlan | undefined {
    const before = at.count;
    checkResourceGroupName(s.resourceGroupName, at, "resourceGroupName");
    checkStorageAccountName(s.storageAccountName, at, "storageAccountName");
    checkContainerName(s.containerName, at, "containerName");
    const createAccount = checkBoolean(s.createAccount, at, "createAccount", true);
    if (s.endpointSuffix !== undefined) checkEndpointSuffix(s.endpointSuffix, at, "endpointSuffix");
    if (s.location !== undefined && (typeof s.location !== "string" || !/^[A-Za-z0-9][A-Za-z0-9 ]{0,63}$/.test(s.location))) {
        at.add("location", `${show(s.location)} is not an Azure location.`, "use for example westeurope, or omit location for the resource group's.");
    }
    if (s.location !== undefined && !createAccount) {
        at.add("location", "location applies to a created storage account, but createAccount is false.", "remove location, or remove createAccount: false.");
    }
    if (at.count > before) return undefined;
    const plan: IssuerAzureBlobPlan = {
        resourceGroupName: s.resourceGroupName as string,
        storageAccountName: s.storageAccountName as string,
        containerName: s.containerName as string,
        createAccount,
        endpointSuffix: (s.endpointSuffix as string | undefined) ?? DEFAULT_AZURE_BLOB_ENDPOINT_SUFFIX,
    };
    if (s.location !== undefined) plan.location = s.location as string;
    return plan;
}
