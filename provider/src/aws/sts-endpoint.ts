/**
 * Custom STS endpoints (VPC interface endpoints, FIPS). Flux takes one in two places: the Bucket API's
 * `spec.sts.endpoint` (object level, the only object-level path; fluxcd/pkg auth/aws checks it with
 * `ValidateSTSEndpoint`), and, for the controllers' own identity, the AWS SDK's `AWS_ENDPOINT_URL_STS`
 * environment variable, which `config.LoadDefaultConfig` reads for the web identity exchange. Object-level
 * exchanges of every other kind call the regional public endpoint: Flux builds those STS clients itself.
 */

import { Issues, show } from "../core/errors";
import { AwsPartition } from "./partition";

/** fluxcd/pkg auth/aws `stsEndpointPattern`: what Flux accepts, byte for byte. */
export const FLUX_STS_ENDPOINT_PATTERN = /^https:\/\/(.+\.)?sts(-fips)?(\.[^.]+)?(\.vpce)?\.amazonaws\.com$/;

/** The environment variable the AWS SDK for Go v2 reads for a service-specific STS endpoint. */
export const STS_ENDPOINT_ENV = "AWS_ENDPOINT_URL_STS";

/** Regions with FIPS STS endpoints (`sts-fips.<region>.amazonaws.com`) besides GovCloud, whose regional endpoints are FIPS. */
const FIPS_REGIONS = new Set(["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1"]);

export interface StsEndpoint {
    readonly url: string;
    readonly region?: string;
    readonly fips: boolean;
    readonly vpce: boolean;
}

/** Parses an endpoint Flux accepts into its parts: the region it names, FIPS, VPC endpoint. */
export function parseStsEndpoint(url: string): StsEndpoint | undefined {
    const m = FLUX_STS_ENDPOINT_PATTERN.exec(url);
    if (!m) return undefined;
    const region = m[3]?.slice(1);
    return { url, region: region === "vpce" ? undefined : region, fips: m[2] !== undefined, vpce: m[4] !== undefined || region === "vpce" };
}

/**
 * Validates `stsEndpoint` against Flux's own pattern and the target: the endpoint must name the target's
 * region (VPC endpoints and FIPS endpoints are regional), FIPS only where AWS offers it.
 */
export function checkStsEndpoint(value: unknown, region: string, partition: AwsPartition, issues: Issues, field: string): StsEndpoint | undefined {
    const example = `https://sts.${region}.amazonaws.com, https://sts-fips.us-east-1.amazonaws.com or https://vpce-<id>.sts.${region}.vpce.amazonaws.com`;
    if (typeof value !== "string" || value === "") {
        issues.add(field, `expected an STS endpoint URL, got ${show(value)}.`, `use ${example}, or remove ${field}.`);
        return undefined;
    }
    if (partition === "aws-cn") {
        issues.add(
            field,
            `Flux accepts only STS endpoints under amazonaws.com (fluxcd/pkg auth/aws ValidateSTSEndpoint), so no endpoint of partition aws-cn (amazonaws.com.cn) can be given.`,
            `remove ${field}: Flux then calls the regional endpoint sts.${region}.amazonaws.com.cn; a VPC endpoint with private DNS serves that name inside the VPC.`,
        );
        return undefined;
    }
    const endpoint = parseStsEndpoint(value);
    if (!endpoint) {
        issues.add(
            field,
            `${show(value)} is not an STS endpoint Flux accepts: it must match ${FLUX_STS_ENDPOINT_PATTERN.source} (https, no port, no path, no trailing '/').`,
            `use ${example}.`,
        );
        return undefined;
    }
    if (endpoint.region === undefined) {
        if (endpoint.vpce || endpoint.fips) {
            issues.add(field, `${show(value)} names no region; VPC and FIPS STS endpoints are regional.`, `use ${example}.`);
            return undefined;
        }
        return endpoint;
    }
    if (endpoint.region !== region) {
        issues.add(
            field,
            `${show(value)} is an endpoint of region ${endpoint.region}, but this target's STS region is ${region}.`,
            `use the endpoint of ${region} (https://${endpoint.vpce ? "vpce-<id>." : ""}sts${endpoint.fips ? "-fips" : ""}.${region}.${endpoint.vpce ? "vpce." : ""}amazonaws.com), or set region: ${endpoint.region}.`,
        );
        return undefined;
    }
    if (endpoint.fips && !endpoint.vpce && !FIPS_REGIONS.has(region)) {
        issues.add(
            field,
            region.startsWith("us-gov-")
                ? `${show(value)} does not exist: GovCloud's regional STS endpoints are already FIPS endpoints.`
                : `${show(value)} does not exist: AWS offers FIPS STS endpoints only in US and Canadian regions.`,
            region.startsWith("us-gov-") ? `use https://sts.${region}.amazonaws.com.` : `use https://sts.${region}.amazonaws.com, or a FIPS region such as us-east-1.`,
        );
        return undefined;
    }
    return endpoint;
}
