/**
 * How Flux finds a remote cluster's API server: the kubeConfig ConfigMap's `address` and `ca.crt`
 * (fluxcd/pkg auth). For EKS, AKS and GKE both are optional: without them Flux reads the endpoint and CA
 * from the cloud's API (DescribeCluster, ListClusterUserCredentials, GetCluster); with both, it calls
 * none of those APIs, so a private endpoint or proxy can be reached and the lookup grant is not needed.
 * For plain OIDC remote clusters (`provider: generic`) the address is required.
 */

import { X509Certificate } from "node:crypto";
import { Issues, show } from "./errors";

/** The connection details a kubeConfig ConfigMap may carry. */
export interface RemoteClusterEndpoint {
    /** `address`: the API server URL, https, as given (Flux compares it in canonical form). */
    readonly address?: string;
    /** `ca.crt`: PEM certificates of the API server's CA, with a trailing newline. */
    readonly caCert?: string;
}

const ADDRESS = /^https:\/\/([^/?#@\s]+)\/?$/;
const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(\d{1,5}))?$/;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Flux's canonical form of an API server address (auth.ParseClusterAddress): https, lowercase host,
 * explicit port (443 by default). Two addresses select the same endpoint exactly when these agree.
 */
export function canonicalClusterAddress(address: string): string {
    const m = ADDRESS.exec(address);
    const hostPort = (m ? m[1] : address).toLowerCase();
    return `https://${/:\d+$/.test(hostPort) && !/^\[[^\]]*\]$/.test(hostPort) ? hostPort : `${hostPort}:443`}`;
}

/** What an https address names, for the messages of checkClusterAddress. */
export interface HttpsServer {
    /** Its name in a message: "API server". */
    name: string;
    example: string;
}

const API_SERVER: HttpsServer = { name: "API server", example: "https://api.prod.example.com:6443" };

/**
 * Validates an API server address (or another server Flux reaches over https, such as Vault); returns it
 * trimmed of a trailing slash, or undefined with an issue.
 */
export function checkClusterAddress(value: unknown, issues: Issues, field: string, server: HttpsServer = API_SERVER): string | undefined {
    const fix = `use the ${server.name} URL, for example ${server.example} (https only, no path).`;
    if (typeof value !== "string" || value.trim() === "") {
        issues.add(field, `expected the ${server.name} address, got ${show(value)}.`, fix);
        return undefined;
    }
    const m = ADDRESS.exec(value.trim());
    if (!m) {
        issues.add(field, `${show(value)} is not an https URL without a path; Flux connects to the ${server.name} over https only.`, fix);
        return undefined;
    }
    const hp = HOST_PORT.exec(m[1]);
    if (!hp || (hp[1] !== undefined && (Number(hp[1]) < 1 || Number(hp[1]) > 65535))) {
        issues.add(field, `${show(value)} has an invalid host or port.`, fix);
        return undefined;
    }
    return value.trim().replace(/\/$/, "");
}

/** Validates PEM CA certificates; returns them normalized (one block per certificate, final newline). */
export function checkCaCert(value: unknown, issues: Issues, field: string): string | undefined {
    const fix = "paste the API server's CA in PEM form (-----BEGIN CERTIFICATE----- ...), for example `kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d`.";
    if (typeof value !== "string" || value.trim() === "") {
        issues.add(field, `expected PEM certificates, got ${show(value)}.`, fix);
        return undefined;
    }
    if (/PRIVATE KEY-----/.test(value)) {
        issues.add(field, "the value holds a private key; only the CA certificate belongs here, and the ConfigMap is not secret.", "remove the private key block and keep only -----BEGIN CERTIFICATE----- blocks.");
        return undefined;
    }
    const blocks = value.match(PEM_BLOCK) ?? [];
    const rest = value.replace(PEM_BLOCK, "").trim();
    if (blocks.length === 0 || rest !== "") {
        issues.add(field, blocks.length === 0 ? "no PEM certificate found (base64 of the PEM, or a file path, is not accepted)." : `unexpected text around the PEM certificates: ${show(rest.slice(0, 40))}.`, fix);
        return undefined;
    }
    for (const [i, block] of blocks.entries()) {
        try {
            new X509Certificate(block);
        } catch (err) {
            issues.add(field, `certificate ${i + 1} does not parse: ${(err as Error).message}.`, fix);
            return undefined;
        }
    }
    return blocks.map((b) => b.replace(/\r\n/g, "\n")).join("\n") + "\n";
}

/** Reads the optional `address` and `caCert` of a remote-cluster entry. */
export function resolveRemoteClusterEndpoint(entry: Record<string, unknown>, issues: Issues): RemoteClusterEndpoint | undefined {
    const out: { address?: string; caCert?: string } = {};
    if (entry.address !== undefined) {
        const a = checkClusterAddress(entry.address, issues, "address");
        if (a !== undefined) out.address = a;
    }
    if (entry.caCert !== undefined) {
        const c = checkCaCert(entry.caCert, issues, "caCert");
        if (c !== undefined) out.caCert = c;
    }
    return out.address !== undefined || out.caCert !== undefined ? out : undefined;
}

/** Both given: Flux calls no cloud API to find the cluster. */
export function endpointIsComplete(endpoint: RemoteClusterEndpoint | undefined): boolean {
    return endpoint?.address !== undefined && endpoint.caCert !== undefined;
}

/** The ConfigMap keys Flux reads for the endpoint (`address`, `ca.crt`). */
export function endpointConfigMapKeys(endpoint: RemoteClusterEndpoint | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    if (endpoint?.address !== undefined) out.address = endpoint.address;
    if (endpoint?.caCert !== undefined) out["ca.crt"] = endpoint.caCert;
    return out;
}

/** The entry fields every remote-cluster integration accepts for the endpoint. */
export const REMOTE_CLUSTER_ENDPOINT_FIELDS: readonly string[] = ["address", "caCert"];
