/**
 * The Vault plan: the JWT auth method trusting this cluster's issuer, one role per ServiceAccount
 * (`<namespace>_<name>`, bound to exactly its subject and the Vault address as audience), one policy per
 * role allowing only transit decrypt on its keys, and the kustomize-controller ConfigMap. Pure.
 */

import { FluxController, controllersForKinds } from "../core/catalog";
import { checkBoolean, checkKnownFields, isRecord } from "../core/checks";
import { SourceCluster, resolveSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { DEFAULT_FLUX_NAMESPACE, checkNamespace, serviceAccountSubject } from "../core/kubernetes";
import { boundedName } from "../core/names";
import { checkClusterAddress } from "../core/remote-cluster";
import { tenantControllers } from "../core/tenants";
import { toYaml } from "../flux/manifests";
import { checkFluxVersion, checkObjectLevelControllers, fluxVersionFacts } from "../flux/version";
import { VAULT_PATH, VaultGrant, grantKinds, resolveAccess } from "./grants";
import { vaultObjectSettings } from "./object-settings";
import { VAULT_COMPONENT_PATHS, VaultIdentityPlan, VaultJwtAuthPlan, VaultPlan, VaultPlanInput, VaultPlanOptions } from "./plan-model";
import { decryptPolicy } from "./policy";
import { VaultTargetSpec } from "./spec";
import { resolveTenants } from "./tenants";
import { vaultWarnings } from "./warnings";

export * from "./plan-model";
export { VAULT_TENANT_FIELDS } from "./tenants";

export const VAULT_TARGET_FIELDS = ["address", "namespace", "jwtAuth", "tokenTtlSeconds", "controllers", "tenants"];
export const DEFAULT_TOKEN_TTL_SECONDS = 1200;
const PLACEHOLDER_ISSUER = "https://pending.flux-identity.invalid/issuer";

export function planVault(input: VaultPlanInput, options: VaultPlanOptions = {}): VaultPlan {
    const paths = options.paths ?? VAULT_COMPONENT_PATHS;
    const pending = options.pending ?? {};
    const issues = Issues.root();
    const at = issues.within(paths.vault);
    const v: Partial<VaultTargetSpec> = isRecord(input.vault) ? input.vault : {};
    if (!isRecord(input.vault)) {
        at.add(undefined, `expected the Vault settings, got ${show(input.vault)}.`, "give address and what kustomize-controller decrypts with.");
    }
    checkKnownFields(v as Record<string, unknown>, VAULT_TARGET_FIELDS, at);
    const clusterInput = { ...input.cluster, issuerUrl: pending.issuerUrl ? PLACEHOLDER_ISSUER : input.cluster.issuerUrl } as SourceCluster;
    const cluster = resolveSourceCluster(clusterInput, issues.within(paths.cluster), { placeholderIssuer: pending.issuerUrl });
    const fluxNamespace = input.fluxNamespace ?? DEFAULT_FLUX_NAMESPACE;
    checkNamespace(fluxNamespace, issues.within(paths.namespace), undefined);
    const versionIssues = issues.within(paths.version ?? "fluxVersion");
    const fluxVersion = checkFluxVersion(input.fluxVersion, versionIssues, undefined);
    // kustomize-controller's --sops-vault-configmap, which this target sets, is in Flux 2.9 (kustomize-controller
    // v1.9) and not in 2.7 (v1.7.3's main.go); an unknown flag makes the controller exit at start-up.
    if (!fluxVersionFacts(fluxVersion).sopsVault) {
        versionIssues.add(
            undefined,
            `Flux ${fluxVersion}'s kustomize-controller has no --sops-vault-configmap: SOPS decryption with Vault ServiceAccount-token logins starts with Flux 2.9, and an unknown flag makes the controller exit.`,
            "set the Flux version to 2.9 or later once the cluster runs it, or remove the vault target.",
        );
    }

    const address = checkClusterAddress(v.address, at, "address", { name: "Vault (or OpenBao)", example: "https://vault.example.com:8200" });
    if (v.namespace !== undefined && (typeof v.namespace !== "string" || !VAULT_PATH.test(v.namespace))) {
        at.add("namespace", `${show(v.namespace)} is not a Vault namespace path.`, "give it without leading or trailing '/', such as teams/platform, or omit namespace.");
    }
    const ttl = v.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 60 || ttl > 86400) {
        at.add("tokenTtlSeconds", `expected whole seconds from 60 to 86400, got ${show(ttl)}.`, `omit it for ${DEFAULT_TOKEN_TTL_SECONDS} (20 minutes), or give a value in range.`);
    }
    const jwtAuth = planJwtAuth(v.jwtAuth, input.cluster.name, cluster?.issuerUrl ?? "", at.at("jwtAuth"));
    const controllerGrants = resolveAccess(v.controllers, at.at("controllers"));
    const tenants = resolveTenants(v.tenants, at);
    if (controllerGrants.length === 0 && tenants.length === 0 && issues.count === 0) {
        at.add(undefined, "nothing to decrypt with: no transit keys under controllers or tenants.", "list transit keys under controllers.transit or tenants[].access.transit.");
    }
    const objectLevelControllers = controllersForKinds(tenants.flatMap((t) => t.kinds));
    checkObjectLevelControllers(fluxVersion, objectLevelControllers, versionIssues);
    issues.throwIfAny();
    if (!cluster || !address || !jwtAuth) throw new Error("unreachable: invalid Vault input without issues");

    const identities: VaultIdentityPlan[] = [];
    const seed = (key: string) => JSON.stringify(["vault-policy", input.cluster.name, cluster.issuerUrl, address, key]);
    const add = (key: string, ref: { namespace: string; name: string }, grants: readonly VaultGrant[], controller?: FluxController) => {
        const decryptPaths = [...new Set(grants.flatMap((g) => g.resources))].sort();
        const identity: VaultIdentityPlan = {
            key,
            ref: { ...ref },
            roleName: `${ref.namespace}_${ref.name}`,
            subject: serviceAccountSubject(ref.namespace, ref.name),
            policyName: boundedName([`flux-${input.cluster.name}-${ref.namespace}-${ref.name}`], seed(key), { maxLength: 128, allowed: /[a-z0-9-]/ }),
            decryptPaths,
            policy: decryptPolicy(decryptPaths),
        };
        if (controller) identity.controller = controller;
        identities.push(identity);
    };
    // SOPS decryption is kustomize-controller's alone.
    for (const c of controllersForKinds(grantKinds(controllerGrants))) add(c, { namespace: fluxNamespace, name: c }, controllerGrants, c);
    for (const t of tenants) add(`${t.ref.namespace}/${t.ref.name}`, t.ref, t.grants);

    const plan: Omit<VaultPlan, "warnings"> = {
        cluster,
        fluxNamespace,
        fluxVersion,
        address,
        tokenTtlSeconds: ttl as number,
        jwtAuth,
        identities,
        configYaml: toYaml({ instances: [{ address, loginPath: jwtAuth.loginPath }] }),
        objectLevelControllers,
        tenantControllers: tenantControllers(tenants),
        objectSettings: vaultObjectSettings(controllerGrants, tenants),
    };
    if (v.namespace !== undefined) plan.namespace = v.namespace;
    return { ...plan, warnings: vaultWarnings(plan) };
}

function planJwtAuth(value: unknown, clusterName: string, issuerUrl: string, at: Issues): VaultJwtAuthPlan | undefined {
    if (value !== undefined && !isRecord(value)) {
        at.add(undefined, `expected the JWT auth settings (path, create, jwtValidationPubkeys), got ${show(value)}.`, "omit jwtAuth for a JWT auth method at flux-<cluster name>.");
        return undefined;
    }
    const j = value ?? {};
    checkKnownFields(j, ["path", "create", "jwtValidationPubkeys"], at);
    const before = at.count;
    const create = checkBoolean(j.create, at, "create", true);
    const path = j.path ?? `flux-${clusterName}`;
    if (typeof path !== "string" || !VAULT_PATH.test(path)) {
        at.add("path", `${show(path)} is not a Vault auth mount path.`, "give it without leading or trailing '/' and without auth/, such as flux-prod.");
    }
    let keys: string[] | undefined;
    if (j.jwtValidationPubkeys !== undefined) {
        if (!create) at.add("jwtValidationPubkeys", "keys are set on an auth method flux-identity creates, but create is false.", "configure the existing auth method yourself, or remove create: false.");
        if (!Array.isArray(j.jwtValidationPubkeys) || j.jwtValidationPubkeys.length === 0 || j.jwtValidationPubkeys.some((k) => typeof k !== "string" || !/-----BEGIN PUBLIC KEY-----/.test(k) || /PRIVATE KEY/.test(k))) {
            at.add("jwtValidationPubkeys", "expected a non-empty list of PEM public keys (-----BEGIN PUBLIC KEY-----), and no private keys.", "convert the cluster's JWKS signing keys to PEM, or omit jwtValidationPubkeys to use OIDC discovery on the issuer.");
        } else {
            keys = [...(j.jwtValidationPubkeys as string[])];
        }
    }
    if (at.count > before) return undefined;
    const plan: VaultJwtAuthPlan = { create, path: path as string, loginPath: `auth/${path as string}/login`, boundIssuer: issuerUrl };
    if (keys) plan.jwtValidationPubkeys = keys;
    else plan.oidcDiscoveryUrl = issuerUrl;
    return plan;
}
