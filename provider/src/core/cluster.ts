/**
 * Source clusters: where Flux runs. The type decides how Flux gets its tokens (EKS, AKS and GKE have
 * their own webhooks and metadata servers; any other cluster needs explicit env and projected tokens),
 * and the issuer URL is what every target cloud trusts.
 */

import { Issues, show } from "./errors";
import { checkLabel } from "./kubernetes";

export enum SourceClusterType {
    /** Amazon EKS. */
    Eks = "eks",
    /** Azure Kubernetes Service. */
    Aks = "aks",
    /** Google Kubernetes Engine. */
    Gke = "gke",
    /** Any other cluster (kind, self-managed, on-premises, another vendor's) with a public issuer URL. */
    Generic = "generic",
}

export const SOURCE_CLUSTER_TYPES: readonly SourceClusterType[] = Object.values(SourceClusterType);

/** The parts of a source cluster that decide which resources exist: always plain values. */
export interface SourceClusterShape {
    /**
     * Name of the cluster in this project: used in cloud resource names and output paths, unique within
     * a fleet. A DNS-1123 label.
     */
    name: string;
    type: SourceClusterType;
}

/** A source cluster with every value known (the form the pure core plans from). */
export interface SourceCluster extends SourceClusterShape {
    /**
     * The ServiceAccount token issuer, exactly as in the `iss` claim (`kubectl get --raw
     * /.well-known/openid-configuration`). Must be https and publicly reachable by the target clouds.
     */
    issuerUrl: string;
    /** EKS only: the cluster's name in EKS, for Pod Identity associations. Defaults to `name`. */
    eksClusterName?: string;
}

/** A validated source cluster with derived facts. */
export interface ResolvedSourceCluster {
    readonly name: string;
    readonly type: SourceClusterType;
    /** Normalized issuer: scheme and host lowercased, path kept exactly (clouds compare it byte for byte). */
    readonly issuerUrl: string;
    /** The issuer without `https://`: the prefix of AWS condition keys and OIDC provider ARNs. */
    readonly issuerHostPath: string;
    /** True when the issuer carries an explicit port (AWS IAM refuses those). */
    readonly issuerHasPort: boolean;
    /** EKS facts read off the issuer. */
    readonly eks?: {
        readonly region: string;
        readonly clusterName: string;
    };
}

const URL_PARTS = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::(\d{1,5}))?$/;
const EKS_ISSUER = /^https:\/\/oidc\.eks\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?\/id\/[A-Za-z0-9]+$/;
const GKE_ISSUER = /^https:\/\/container\.googleapis\.com\/v1\/projects\/[^/]+\/locations\/[^/]+\/clusters\/[^/]+$/;
// AKS issuers always end with '/' (https://<region>.oic.prod-aks.azure.com/<tenant>/<uuid>/), and AWS,
// Azure and GCP compare the token's iss with the configured issuer byte for byte.
const AKS_ISSUER = /^https:\/\/[a-z0-9-]+\.oic\.prod-aks\.azure\.(?:com|cn|us)\/.+\/$/;

const TYPE_SHAPES: Partial<Record<SourceClusterType, { pattern: RegExp; example: string; product: string }>> = {
    [SourceClusterType.Eks]: { pattern: EKS_ISSUER, example: "https://oidc.eks.<region>.amazonaws.com/id/<ID>", product: "EKS" },
    [SourceClusterType.Gke]: {
        pattern: GKE_ISSUER,
        example: "https://container.googleapis.com/v1/projects/<project>/locations/<location>/clusters/<name>",
        product: "GKE",
    },
    [SourceClusterType.Aks]: { pattern: AKS_ISSUER, example: "https://<region>.oic.prod-aks.azure.com/<tenant-id>/<uuid>/", product: "AKS" },
};

/**
 * Validates an issuer URL and returns its normalized form, or undefined (with issues added).
 * Normalization lowercases the scheme and host and trims whitespace; the path stays byte-exact because
 * AWS, Azure and GCP compare it with the token's `iss` claim (AKS issuers end with '/', for example).
 */
export function normalizeIssuerUrl(raw: unknown, issues: Issues, field: string): string | undefined {
    if (typeof raw !== "string" || raw.trim() === "") {
        issues.add(field, `the issuer URL is required, got ${show(raw)}.`, "set it to the output of `kubectl get --raw /.well-known/openid-configuration | jq -r .issuer`.");
        return undefined;
    }
    const value = raw.trim();
    const m = URL_PARTS.exec(value);
    if (!m) {
        issues.add(field, `${show(value)} is not an absolute URL.`, "use the form https://<host>[/<path>], exactly as the cluster's `iss` claim.");
        return undefined;
    }
    const [, scheme, authority, path, query, fragment] = m;
    if (scheme.toLowerCase() !== "https") {
        issues.add(field, `${show(value)} uses ${scheme}://; cloud STS services only fetch issuers over https.`, "publish the issuer over https (see the cross-cloud docs for clusters without a public issuer).");
        return undefined;
    }
    if (query !== undefined || fragment !== undefined) {
        issues.add(field, `${show(value)} has a query or fragment; OIDC issuers cannot.`, "remove everything from '?' or '#' on.");
        return undefined;
    }
    const host = authority.toLowerCase();
    if (host.includes("@")) {
        issues.add(field, `${show(value)} carries user info.`, "remove the 'user@' part.");
        return undefined;
    }
    if (!HOST.test(host)) {
        issues.add(field, `${show(value)} has an invalid host ${show(authority)}.`, "use a DNS host name such as oidc.example.com.");
        return undefined;
    }
    if (/\/\/|\s/.test(path)) {
        issues.add(field, `${show(value)} has an empty path segment or whitespace.`, "copy the issuer exactly from the cluster's discovery document.");
        return undefined;
    }
    return `https://${host}${path}`;
}

/** Validates a source cluster and derives what the targets need from it. */
export function resolveSourceCluster(cluster: SourceCluster, issues: Issues, options: { placeholderIssuer?: boolean } = {}): ResolvedSourceCluster | undefined {
    const before = issues.count;
    checkLabel(cluster.name, issues, "name", "cluster name");
    const knownType = (SOURCE_CLUSTER_TYPES as readonly unknown[]).includes(cluster.type);
    if (!knownType) {
        issues.add("type", `unknown cluster type ${show(cluster.type)}.`, `use one of ${SOURCE_CLUSTER_TYPES.join(", ")} (generic for kind, self-managed and other clusters).`);
    }
    const issuerUrl = normalizeIssuerUrl(cluster.issuerUrl, issues, "issuerUrl");
    if (issuerUrl !== undefined && !options.placeholderIssuer && knownType) {
        // Only a known type may index the table: any other value would be converted to a property key.
        const shape = TYPE_SHAPES[cluster.type];
        if (cluster.type === SourceClusterType.Aks && !issuerUrl.endsWith("/") && AKS_ISSUER.test(`${issuerUrl}/`)) {
            issues.add(
                "issuerUrl",
                `${show(issuerUrl)} lacks the trailing '/' every AKS issuer has; tokens carry iss ${show(`${issuerUrl}/`)}, and trust and federated credentials must match it exactly.`,
                `set issuerUrl: ${issuerUrl}/ (as \`az aks show --query oidcIssuerProfile.issuerUrl\` prints it).`,
            );
        } else if (shape && !shape.pattern.test(issuerUrl)) {
            issues.add(
                "issuerUrl",
                `${show(issuerUrl)} is not a valid ${shape.product} issuer URL (${shape.example}).`,
                `copy the issuer from the ${shape.product} cluster, or set type: generic if this cluster's issuer was customized.`,
            );
        }
    }
    if (cluster.eksClusterName !== undefined) {
        if (cluster.type !== SourceClusterType.Eks) {
            issues.add("eksClusterName", `eksClusterName is only meaningful for EKS clusters; this cluster's type is ${show(cluster.type)}.`, "remove eksClusterName or set type: eks.");
        } else if (typeof cluster.eksClusterName !== "string" || !/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(cluster.eksClusterName)) {
            issues.add("eksClusterName", `${show(cluster.eksClusterName)} is not a valid EKS cluster name.`, "use the name shown by `aws eks list-clusters` (letters, digits, '-' and '_', at most 100 characters).");
        }
    }
    if (issues.count > before || issuerUrl === undefined) {
        return undefined;
    }
    const issuerHostPath = issuerUrl.slice("https://".length);
    const host = issuerHostPath.split("/")[0];
    let eks: ResolvedSourceCluster["eks"];
    if (cluster.type === SourceClusterType.Eks) {
        const m = EKS_ISSUER.exec(issuerUrl);
        eks = {
            region: m ? m[1] : "",
            clusterName: cluster.eksClusterName ?? cluster.name,
        };
    }
    return {
        name: cluster.name,
        type: cluster.type,
        issuerUrl,
        issuerHostPath,
        issuerHasPort: host.includes(":"),
        eks,
    };
}
