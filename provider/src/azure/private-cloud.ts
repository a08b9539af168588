/** Private Azure clouds: their authority host and the endpoints file Flux reads (AZURE_ENVIRONMENT_FILEPATH). */

import { checkKnownFields, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { AzureCloud, AzurePrivateCloud } from "./spec";

const HTTPS_HOST = /^https:\/\/[a-z0-9.-]+(?::\d{1,5})?\/$/i;

/** The private cloud settings when cloud is private; an issue when they are missing or misplaced. */
export function checkPrivateCloud(cloud: AzureCloud, value: unknown, at: Issues): AzurePrivateCloud | undefined {
    if (cloud !== AzureCloud.Private) {
        if (value !== undefined) at.add("privateCloud", `privateCloud only applies with cloud: private (cloud is ${cloud}).`, "remove privateCloud, or set cloud: private.");
        return undefined;
    }
    if (!isRecord(value)) {
        at.add("privateCloud", `cloud: private needs privateCloud {authorityHost, environment}, got ${show(value)}.`, "give the private cloud's Entra ID authority host and its endpoints (resourceManagerEndpoint, tokenAudience, ...).");
        return undefined;
    }
    const p = at.at("privateCloud");
    checkKnownFields(value, ["authorityHost", "environment"], p);
    let ok = true;
    if (typeof value.authorityHost !== "string" || !HTTPS_HOST.test(value.authorityHost)) {
        p.add("authorityHost", `expected an https URL ending in '/', got ${show(value.authorityHost)}.`, "use the form https://login.example.private/.");
        ok = false;
    }
    const env = value.environment;
    if (!isRecord(env) || Object.keys(env).length === 0 || Object.values(env).some((v) => typeof v !== "string")) {
        p.add("environment", `expected a map of endpoint names to string values, got ${show(env)}.`, "give at least resourceManagerEndpoint and tokenAudience, as in the Flux Azure docs' private cloud example.");
        ok = false;
    }
    if (!ok) return undefined;
    const sorted: Record<string, string> = {};
    for (const k of Object.keys(env as Record<string, string>).sort()) sorted[k] = (env as Record<string, string>)[k];
    return { authorityHost: value.authorityHost as string, environment: sorted };
}
