/**
 * PublicOidcIssuer: publishes a cluster's ServiceAccount issuer (discovery document and JWKS) on public
 * object storage, for clusters without a built-in public issuer (kind, self-managed, on-premises). All
 * knowledge lives in the pure planner; this file turns its resource list into children and waits for
 * them before handing out the issuer URL, so nothing trusts the issuer before its documents are public.
 */

import * as pulumi from "@pulumi/pulumi";
import { defineLazyOutputs } from "../pulumi/lazy-outputs";
import { loadPeerSdk } from "../pulumi/peer-sdk";
import { ResourceFactory, createPlannedChildren } from "../pulumi/planned-resources";
import { planIssuer } from "./plan";
import { IssuerPlan } from "./plan-model";
import { ISSUER_TYPES, IssuerResourceType, PlannedTextAsset, describeIssuerResources } from "./resources";
import { PublicOidcIssuerOptions } from "./spec";

export const PUBLIC_OIDC_ISSUER_TYPE = "flux-identity:index:PublicOidcIssuer";

export interface PublicOidcIssuerArgs extends PublicOidcIssuerOptions {
    /**
     * The cluster's JWKS document, exactly as `kubectl get --raw /openid/v1/jwks` prints it: public keys
     * only (a private key member is refused). May be an output of another resource.
     */
    jwksJson: pulumi.Input<string>;
}

// Each backend's SDK module loads on first use, so a program publishing on S3 never loads the GCP or
// Azure SDKs (and importing the component loads none).
type FactoryTable = Readonly<Record<string, ResourceFactory>>;
/* eslint-disable @typescript-eslint/no-require-imports */
const s3Factories = (): FactoryTable => loadPeerSdk("@pulumi/aws", "PublicOidcIssuer with storage s3", () => (require("./s3-factories") as typeof import("./s3-factories")).S3_ISSUER_FACTORIES);
const gcsFactories = (): FactoryTable => loadPeerSdk("@pulumi/gcp", "PublicOidcIssuer with storage gcs", () => (require("./gcs-factories") as typeof import("./gcs-factories")).GCS_ISSUER_FACTORIES);
const azureBlobFactories = (): FactoryTable =>
    loadPeerSdk("@pulumi/azure-native", "PublicOidcIssuer with storage azureBlob", () => (require("./azure-blob-factories") as typeof import("./azure-blob-factories")).AZURE_BLOB_ISSUER_FACTORIES);
/* eslint-enable @typescript-eslint/no-require-imports */

const BACKEND_OF: Readonly<Record<IssuerResourceType, () => FactoryTable>> = {
    [ISSUER_TYPES.s3Bucket]: s3Factories,
    [ISSUER_TYPES.s3OwnershipControls]: s3Factories,
    [ISSUER_TYPES.s3PublicAccessBlock]: s3Factories,
    [ISSUER_TYPES.s3BucketPolicy]: s3Factories,
    [ISSUER_TYPES.s3Object]: s3Factories,
    [ISSUER_TYPES.gcsBucket]: gcsFactories,
    [ISSUER_TYPES.gcsBucketIamMember]: gcsFactories,
    [ISSUER_TYPES.gcsObject]: gcsFactories,
    [ISSUER_TYPES.azureStorageAccount]: azureBlobFactories,
    [ISSUER_TYPES.azureBlobContainer]: azureBlobFactories,
    [ISSUER_TYPES.azureBlob]: azureBlobFactories,
};

const FACTORIES = Object.fromEntries(
    (Object.keys(BACKEND_OF) as IssuerResourceType[]).map((type): [IssuerResourceType, ResourceFactory] => [type, (n, a, o) => BACKEND_OF[type]()[type](n, a, o)]),
) as Record<IssuerResourceType, ResourceFactory>;

function isPlannedTextAsset(value: unknown): value is PlannedTextAsset {
    return typeof value === "object" && value !== null && Object.keys(value).length === 1 && typeof (value as PlannedTextAsset).text === "string";
}

/** The value a planned property takes as a resource argument: a blob's planned text becomes a StringAsset. */
export function issuerArgumentValue(key: string, value: unknown): unknown {
    return key === "source" && isPlannedTextAsset(value) ? new pulumi.asset.StringAsset(value.text) : value;
}

interface Prepared {
    /** Plan with every value known, or with empty documents while the JWKS is pending. */
    shape: IssuerPlan;
    /** The real plan, once a pending JWKS resolves (validated there; a bad one fails the deployment). */
    plan: pulumi.Output<IssuerPlan> | undefined;
}

/** Validates and plans before anything is registered; throws FluxIdentityValidationError on bad input. */
function prepare(args: PublicOidcIssuerArgs): Prepared {
    const { jwksJson, ...options } = args;
    if (!pulumi.Output.isInstance(jwksJson) && !(jwksJson instanceof Promise)) {
        return { shape: planIssuer({ ...options, jwksJson: jwksJson as string }), plan: undefined };
    }
    const shape = planIssuer({ ...options, jwksJson: "" }, { jwksPending: true });
    const plan = pulumi.output(jwksJson).apply((jwks) => planIssuer({ ...options, jwksJson: jwks }));
    return { shape, plan };
}

/** Everything the component outputs, computed once. */
export interface PublicOidcIssuerResult {
    issuerUrl: string;
    jwksUri: string;
    discoveryUrl: string;
    discoveryDocument: string;
    apiServerFlags: string[];
    warnings: string[];
}

const RESULT_KEYS = ["issuerUrl", "jwksUri", "discoveryUrl", "discoveryDocument", "apiServerFlags", "warnings"] as const;

export function publicOidcIssuerResult(plan: IssuerPlan): PublicOidcIssuerResult {
    return {
        issuerUrl: plan.issuerUrl,
        jwksUri: plan.jwksUri,
        discoveryUrl: plan.discoveryUrl,
        discoveryDocument: plan.discoveryDocument,
        apiServerFlags: [...plan.apiServerFlags],
        warnings: [...plan.warnings],
    };
}

/**
 * A public OIDC issuer for a cluster without one: the discovery document and JWKS on S3, Cloud Storage
 * or Azure Blob Storage, readable by anyone, and the kube-apiserver flags that switch the cluster to it.
 * Pass `issuerUrl` as the cluster's issuerUrl to AwsFluxIdentity, AzureFluxIdentity or GcpFluxIdentity:
 * it resolves only once the documents and their public access exist.
 */
export class PublicOidcIssuer extends pulumi.ComponentResource {
    /** The issuer URL: the value of `--service-account-issuer` and of the tokens' `iss` claim. */
    declare public readonly issuerUrl: pulumi.Output<string>;
    /** The published JWKS: the value of `--service-account-jwks-uri`. */
    declare public readonly jwksUri: pulumi.Output<string>;
    /** Where the discovery document is published (`<issuer>/.well-known/openid-configuration`). */
    declare public readonly discoveryUrl: pulumi.Output<string>;
    /** The published discovery document. */
    declare public readonly discoveryDocument: pulumi.Output<string>;
    /** kube-apiserver flags, in the order to set them: the new issuer first, the previous one second. */
    declare public readonly apiServerFlags: pulumi.Output<string[]>;
    /** Things to do or know that the component cannot do itself. */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: PublicOidcIssuerArgs, opts?: pulumi.ComponentResourceOptions) {
        const prepared = prepare(args);
        super(PUBLIC_OIDC_ISSUER_TYPE, name, {}, opts);
        const { shape } = prepared;
        const described = prepared.plan?.apply(describeIssuerResources);
        const created = createPlannedChildren({
            parent: this,
            prefix: name,
            resources: describeIssuerResources(shape),
            described,
            factories: FACTORIES,
            argumentValue: issuerArgumentValue,
        });

        // Every output waits for every child: the documents, and what makes them public.
        const published = pulumi.all([...created.values()].map((r) => r.id));
        let result: pulumi.Output<PublicOidcIssuerResult>;
        if (prepared.plan) {
            result = pulumi.all([prepared.plan, published]).apply(([plan]) => publicOidcIssuerResult(plan));
        } else {
            const known = publicOidcIssuerResult(shape);
            result = published.apply(() => known);
        }
        defineLazyOutputs(this, result, RESULT_KEYS);
        this.registerOutputs(result.apply((r) => ({ ...r })));
    }
}
