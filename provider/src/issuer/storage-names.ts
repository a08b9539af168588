/**
 * Naming rules of the storage that holds a published issuer: S3 and Cloud Storage bucket names, Azure
 * storage account, container and resource group names, and the optional path prefix. A name the cloud
 * would refuse is reported before anything is created, with the rule it breaks.
 */

import { Issues, show } from "../core/errors";

const IP_ADDRESS = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** S3 general purpose bucket names (AWS "Bucket naming rules"). */
export function checkS3BucketName(value: unknown, issues: Issues, field: string): value is string {
    const fix = "use 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, for example flux-oidc-dev-1.";
    if (typeof value !== "string" || value.length < 3 || value.length > 63 || !/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(value)) {
        issues.add(field, `${show(value)} is not a valid S3 bucket name.`, fix);
        return false;
    }
    if (value.includes("..") || IP_ADDRESS.test(value)) {
        issues.add(field, `${show(value)} is not a valid S3 bucket name: it has two adjacent periods or is formatted as an IP address.`, fix);
        return false;
    }
    const prefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => value.startsWith(p));
    const suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find((s) => value.endsWith(s));
    if (prefix !== undefined || suffix !== undefined) {
        issues.add(field, `${show(value)} ${prefix !== undefined ? `starts with ${show(prefix)}` : `ends with ${show(suffix)}`}, which S3 reserves.`, "choose another bucket name.");
        return false;
    }
    return true;
}

/** Cloud Storage bucket names (Google "Bucket naming requirements"). */
export function checkGcsBucketName(value: unknown, issues: Issues, field: string): value is string {
    const fix = "use 3 to 63 lowercase letters, digits, '-' and '_', starting and ending with a letter or digit, for example flux-oidc-dev-1.";
    const dotted = typeof value === "string" && value.includes(".");
    const max = dotted ? 222 : 63;
    if (typeof value !== "string" || value.length < 3 || value.length > max || !/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(value)) {
        issues.add(field, `${show(value)} is not a valid Cloud Storage bucket name.`, fix);
        return false;
    }
    if (dotted && value.split(".").some((part) => part.length === 0 || part.length > 63)) {
        issues.add(field, `${show(value)} has an empty dot-separated part or one longer than 63 characters.`, fix);
        return false;
    }
    if (IP_ADDRESS.test(value) || value.startsWith("goog") || /g[o0]{2}gle/.test(value)) {
        issues.add(field, `${show(value)} is refused by Cloud Storage: names cannot be IP addresses, start with "goog" or contain "google".`, "choose another bucket name.");
        return false;
    }
    return true;
}

/** Azure storage account names: 3 to 24 lowercase letters and digits. */
export function checkStorageAccountName(value: unknown, issues: Issues, field: string): value is string {
    if (typeof value !== "string" || !/^[a-z0-9]{3,24}$/.test(value)) {
        issues.add(field, `${show(value)} is not a valid storage account name: 3 to 24 lowercase letters and digits.`, "use for example fluxoidcdev1 (it must be unique across Azure).");
        return false;
    }
    return true;
}

/** Azure blob container names: 3 to 63 lowercase letters, digits and single '-', starting and ending with a letter or digit. */
export function checkContainerName(value: unknown, issues: Issues, field: string): value is string {
    if (typeof value !== "string" || value.length < 3 || value.length > 63 || !/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/.test(value)) {
        issues.add(field, `${show(value)} is not a valid container name: 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit, without '--'.`, "use for example oidc.");
        return false;
    }
    return true;
}

/** Azure resource group names: 1 to 90 letters, digits, '_', '-', '.', '(' and ')', not ending with '.'. */
export function checkResourceGroupName(value: unknown, issues: Issues, field: string): value is string {
    if (typeof value !== "string" || value.length === 0 || value.length > 90 || !/^[-\w.()]+$/.test(value) || value.endsWith(".")) {
        issues.add(field, `${show(value)} is not a valid resource group name.`, "use 1 to 90 letters, digits, '_', '-', '.', '(' and ')', not ending with '.'.");
        return false;
    }
    return true;
}

/** A DNS suffix such as core.windows.net. */
export function checkEndpointSuffix(value: unknown, issues: Issues, field: string): value is string {
    if (typeof value !== "string" || !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(value)) {
        issues.add(
            field,
            `${show(value)} is not a blob endpoint suffix.`,
            "use the suffix after `<account>.blob.`: core.windows.net, core.chinacloudapi.cn, core.usgovcloudapi.net, or your private cloud's (without https:// or a leading dot).",
        );
        return false;
    }
    return true;
}

/** Path segments the issuer URL carries as they are: no escaping, no '.' or '..' segments. */
const PREFIX_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const PREFIX_MAX = 200;

/** The optional path prefix: `a/b/c` segments, no leading or trailing '/'. */
export function checkPathPrefix(value: unknown, issues: Issues, field: string): value is string {
    if (
        typeof value !== "string" ||
        value.length === 0 ||
        value.length > PREFIX_MAX ||
        value.split("/").some((segment) => !PREFIX_SEGMENT.test(segment) || segment === "." || segment === "..")
    ) {
        issues.add(
            field,
            `${show(value)} is not a path prefix: expected 1 to ${PREFIX_MAX} characters of '/'-separated segments of letters, digits, '.', '_' and '-', without a leading or trailing '/'.`,
            "use for example clusters/dev, or omit pathPrefix to publish at the root.",
        );
        return false;
    }
    return true;
}
