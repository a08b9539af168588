/**
 * The credential configuration non-GKE controllers read through GOOGLE_APPLICATION_CREDENTIALS, exactly
 * as the Flux GCP docs show it ("At the controller level"), and the audiences around it.
 */

/** Where the projected ServiceAccount token is mounted, and its file name. */
export const GCP_TOKEN_VOLUME = "gcp-token";
export const GCP_TOKEN_DIR = "/var/run/service-account";
export const GCP_TOKEN_EXPIRATION_SECONDS = 3600;
/** Where the ConfigMap holding the configuration is mounted, and its key. */
export const CREDENTIAL_CONFIGURATION_VOLUME = "workload-identity-credential-configuration";
export const CREDENTIAL_CONFIGURATION_DIR = "/etc/workload-identity";
export const CREDENTIAL_CONFIGURATION_FILE = "credential-configuration.json";

/** The ConfigMap of one controller: `<controller>-workload-identity-federation`. */
export function credentialConfigMapName(controller: string): string {
    return `${controller}-workload-identity-federation`;
}

/** The audience of the projected token: the provider's full name as an https URL. */
export function providerTokenAudience(providerName: string): string {
    return `https://iam.googleapis.com/${providerName}`;
}

/** The configuration's own `audience`: the provider's canonical resource name. */
export function credentialAudience(providerName: string): string {
    return `//iam.googleapis.com/${providerName}`;
}

export function impersonationUrl(email: string): string {
    return `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${email}:generateAccessToken`;
}

/**
 * The configuration, keys in the docs' order: `token_info_url` for direct access, or
 * `service_account_impersonation_url` when impersonating `email`.
 */
export function credentialConfiguration(providerName: string, email?: string): Record<string, unknown> {
    const config: Record<string, unknown> = {
        universe_domain: "googleapis.com",
        type: "external_account",
        audience: credentialAudience(providerName),
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        token_url: "https://sts.googleapis.com/v1/token",
    };
    if (email === undefined) {
        config.token_info_url = "https://sts.googleapis.com/v1/introspect";
    } else {
        config.service_account_impersonation_url = impersonationUrl(email);
    }
    config.credential_source = { file: `${GCP_TOKEN_DIR}/${GCP_TOKEN_VOLUME}`, format: { type: "text" } };
    return config;
}

/** The file content: two-space JSON ending in a newline, as the docs' `|` block holds it. */
export function credentialConfigurationJson(providerName: string, email?: string): string {
    return JSON.stringify(credentialConfiguration(providerName, email), null, 2) + "\n";
}
