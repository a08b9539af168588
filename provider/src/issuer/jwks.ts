/**
 * The cluster's JSON Web Key Set: the public keys that verify its ServiceAccount tokens (`kubectl get
 * --raw /openid/v1/jwks`). It is published to the internet, or uploaded to a GCP provider, so it is
 * checked strictly: signature keys of the kinds the API server signs with (RSA, EC), each named by a
 * `kid`, and never a private or symmetric key member.
 */

import { isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";

/** JWK members that only private (or symmetric) keys carry (RFC 7518 6.2.2, 6.3.2, 6.4.1). */
export const PRIVATE_KEY_MEMBERS: readonly string[] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** Key types the API server signs ServiceAccount tokens with. */
export const KEY_TYPES: readonly string[] = ["RSA", "EC"];

const RSA_ALGORITHMS: readonly string[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
/** The algorithm an EC key's curve implies (RFC 7518 3.4). */
const EC_ALGORITHM: Readonly<Record<string, string>> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/** The algorithm assumed for an RSA key without `alg`: what the API server signs with. */
export const DEFAULT_RSA_ALGORITHM = "RS256";

const WHERE = "paste the output of `kubectl get --raw /openid/v1/jwks`";

export interface ValidJwks {
    /** The keys, members in sorted order. */
    readonly keys: ReadonlyArray<Readonly<Record<string, unknown>>>;
    /** Signing algorithms of the keys, sorted and unique. */
    readonly algorithms: readonly string[];
}

/**
 * Parses and validates a JWKS given as JSON text at `field` (issues name `field.keys[i].<member>`).
 * Returns the keys and their algorithms, or undefined with issues added.
 */
export function checkJwksJson(value: unknown, issues: Issues, field: string): ValidJwks | undefined {
    const before = issues.count;
    if (typeof value !== "string") {
        issues.add(field, `expected the cluster's JWKS document as a JSON string with a non-empty keys list, got ${show(value)}.`, `${WHERE}.`);
        return undefined;
    }
    let doc: unknown;
    try {
        doc = JSON.parse(value);
    } catch (err) {
        issues.add(field, `the value is not valid JSON (${(err as Error).message}); expected the cluster's JWKS document with a non-empty keys list.`, `${WHERE}, unmodified.`);
        return undefined;
    }
    if (!isRecord(doc) || !Array.isArray(doc.keys) || doc.keys.length === 0) {
        issues.add(field, "expected the cluster's JWKS document as a JSON string with a non-empty keys list.", `${WHERE}.`);
        return undefined;
    }
    const keysAt = issues.within(issues.path(field)).at("keys");
    const algorithms = new Set<string>();
    const kids = new Map<string, number>();
    const keys: Record<string, unknown>[] = [];
    doc.keys.forEach((key: unknown, i: number) => {
        const at = keysAt.at(i);
        if (!isRecord(key)) {
            at.add(undefined, `expected a JSON Web Key (an object), got ${show(key)}.`, `${WHERE}.`);
            return;
        }
        const alg = checkKey(key, at);
        if (alg !== undefined) algorithms.add(alg);
        if (typeof key.kid === "string" && key.kid !== "") {
            const first = kids.get(key.kid);
            if (first !== undefined) {
                at.add("kid", `kid ${show(key.kid)} is also the kid of keys[${first}]; verifiers pick the key by kid.`, "give every key its own kid, or drop the duplicate key.");
            } else {
                kids.set(key.kid, i);
            }
        }
        keys.push(sortedMembers(key));
    });
    if (issues.count > before) return undefined;
    return { keys, algorithms: [...algorithms].sort() };
}

/** Checks one key; returns its signing algorithm when the key is usable. */
function checkKey(key: Record<string, unknown>, at: Issues): string | undefined {
    const before = at.count;
    for (const member of PRIVATE_KEY_MEMBERS) {
        if (key[member] !== undefined) {
            at.add(
                member,
                `this key carries the private or secret key member ${show(member)}. The JWKS is published where anyone can read it: publishing it would let anyone sign tokens the clouds accept as this cluster's.`,
                "never publish private keys: use only the public JWKS the API server serves (`kubectl get --raw /openid/v1/jwks`), and rotate this signing key now if this document was shared anywhere.",
            );
        }
    }
    if (at.count > before) return undefined;
    if (!KEY_TYPES.includes(key.kty as string)) {
        at.add("kty", `key type ${show(key.kty)} is not one the API server signs ServiceAccount tokens with (${KEY_TYPES.join(", ")}).`, `${WHERE}.`);
        return undefined;
    }
    if (key.use !== undefined && key.use !== "sig") {
        at.add("use", `use is ${show(key.use)}; the keys verify token signatures, so use must be "sig" when present.`, `set "use": "sig", or ${WHERE}.`);
    }
    if (typeof key.kid !== "string" || key.kid === "") {
        at.add("kid", `every key needs a kid (the token header names the key that signed it), got ${show(key.kid)}.`, `${WHERE}; the API server sets a kid on every key.`);
    }
    const alg = key.kty === "RSA" ? checkRsa(key, at) : checkEc(key, at);
    return at.count > before ? undefined : alg;
}

function checkRsa(key: Record<string, unknown>, at: Issues): string | undefined {
    for (const member of ["n", "e"]) {
        if (!isBase64Url(key[member])) at.add(member, `an RSA public key needs ${member} as a base64url string, got ${show(key[member])}.`, `${WHERE}.`);
    }
    if (key.alg === undefined) return DEFAULT_RSA_ALGORITHM;
    if (!RSA_ALGORITHMS.includes(key.alg as string)) {
        at.add("alg", `${show(key.alg)} is not an RSA signing algorithm (${RSA_ALGORITHMS.join(", ")}).`, `correct alg, or ${WHERE}.`);
        return undefined;
    }
    return key.alg as string;
}

function checkEc(key: Record<string, unknown>, at: Issues): string | undefined {
    const implied = typeof key.crv === "string" ? EC_ALGORITHM[key.crv] : undefined;
    if (implied === undefined) {
        at.add("crv", `${show(key.crv)} is not a curve the API server signs with (${Object.keys(EC_ALGORITHM).join(", ")}).`, `${WHERE}.`);
    }
    for (const member of ["x", "y"]) {
        if (!isBase64Url(key[member])) at.add(member, `an EC public key needs ${member} as a base64url string, got ${show(key[member])}.`, `${WHERE}.`);
    }
    if (implied === undefined) return undefined;
    if (key.alg !== undefined && key.alg !== implied) {
        at.add("alg", `alg ${show(key.alg)} does not match curve ${show(key.crv)}, which signs with ${implied}.`, `set "alg": "${implied}", or ${WHERE}.`);
        return undefined;
    }
    return implied;
}

function isBase64Url(value: unknown): boolean {
    return typeof value === "string" && /^[A-Za-z0-9_-]+$/.test(value);
}

function sortedMembers(key: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const member of Object.keys(key).sort()) out[member] = key[member];
    return out;
}

/** The JWKS as published: `{"keys": [...]}` with each key's members sorted, two-space indented, newline-terminated. */
export function renderJwks(jwks: ValidJwks): string {
    return JSON.stringify({ keys: jwks.keys }, null, 2) + "\n";
}
