/**
 * What a published issuer serves: its URLs per storage backend (the Flux docs' S3 shapes), the discovery
 * document byte for byte, the JWKS checks (private keys refused, every issue naming its field), and the
 * API server flags in the docs' order.
 */
import { strict as assert } from "node:assert";
import { Issues } from "../../provider/src/core/errors";
import { discoveryDocument, renderDiscoveryDocument } from "../../provider/src/issuer/discovery";
import { apiServerFlags } from "../../provider/src/issuer/flags";
import { PRIVATE_KEY_MEMBERS, checkJwksJson, renderJwks } from "../../provider/src/issuer/jwks";
import { planIssuer } from "../../provider/src/issuer/plan";
import { S3IssuerUrlStyle } from "../../provider/src/issuer/spec";
import { EC_KEY, KIND_ISSUER, RSA_KEY, RSA_KEY_2, azureBlobSpec, gcsSpec, jwksOf, s3Spec } from "../helpers/issuer-samples";
import { validationIssues } from "../helpers/issues";

describe("issuer URLs", () => {
    it("S3, default: the docs' form https://s3.amazonaws.com/<bucket>, JWKS at /openid/v1/jwks, discovery at /.well-known/openid-configuration", () => {
        const p = planIssuer(s3Spec());
        assert.equal(p.issuerUrl, "https://s3.amazonaws.com/flux-oidc-dev");
        assert.equal(p.jwksUri, "https://s3.amazonaws.com/flux-oidc-dev/openid/v1/jwks");
        assert.equal(p.discoveryUrl, "https://s3.amazonaws.com/flux-oidc-dev/.well-known/openid-configuration");
        assert.equal(p.discoveryKey, ".well-known/openid-configuration");
        assert.equal(p.jwksKey, "openid/v1/jwks");
    });

    it("S3, virtual-hosted: https://<bucket>.s3.<region>.amazonaws.com, and .amazonaws.com.cn in China", () => {
        assert.equal(planIssuer(s3Spec({ region: "eu-central-1", urlStyle: S3IssuerUrlStyle.VirtualHosted })).issuerUrl, "https://flux-oidc-dev.s3.eu-central-1.amazonaws.com");
        assert.equal(planIssuer(s3Spec({ region: "cn-north-1", urlStyle: S3IssuerUrlStyle.VirtualHosted })).issuerUrl, "https://flux-oidc-dev.s3.cn-north-1.amazonaws.com.cn");
        assert.equal(planIssuer(s3Spec({ region: "us-gov-west-1", urlStyle: S3IssuerUrlStyle.VirtualHosted })).issuerUrl, "https://flux-oidc-dev.s3.us-gov-west-1.amazonaws.com");
    });

    it("Cloud Storage: https://storage.googleapis.com/<bucket>", () => {
        const p = planIssuer(gcsSpec());
        assert.equal(p.issuerUrl, "https://storage.googleapis.com/flux-oidc-dev");
        assert.equal(p.jwksUri, "https://storage.googleapis.com/flux-oidc-dev/openid/v1/jwks");
    });

    it("Azure Blob: https://<account>.blob.core.windows.net/<container>, or the given cloud's suffix", () => {
        assert.equal(planIssuer(azureBlobSpec()).issuerUrl, "https://fluxoidcdev.blob.core.windows.net/oidc");
        const china = planIssuer(azureBlobSpec({ endpointSuffix: "core.chinacloudapi.cn" }));
        assert.equal(china.issuerUrl, "https://fluxoidcdev.blob.core.chinacloudapi.cn/oidc");
        assert.equal(china.discoveryUrl, "https://fluxoidcdev.blob.core.chinacloudapi.cn/oidc/.well-known/openid-configuration");
    });

    it("a path prefix moves the issuer and both objects under it", () => {
        const p = planIssuer(s3Spec({}, { pathPrefix: "clusters/dev" }));
        assert.equal(p.issuerUrl, "https://s3.amazonaws.com/flux-oidc-dev/clusters/dev");
        assert.equal(p.jwksUri, "https://s3.amazonaws.com/flux-oidc-dev/clusters/dev/openid/v1/jwks");
        assert.equal(p.discoveryKey, "clusters/dev/.well-known/openid-configuration");
        assert.equal(p.jwksKey, "clusters/dev/openid/v1/jwks");
    });
});

describe("issuer discovery document", () => {
    it("is exactly the API server's fields, in its order, with the published issuer and JWKS URI", () => {
        const p = planIssuer(s3Spec());
        assert.equal(
            p.discoveryDocument,
            [
                "{",
                '  "issuer": "https://s3.amazonaws.com/flux-oidc-dev",',
                '  "jwks_uri": "https://s3.amazonaws.com/flux-oidc-dev/openid/v1/jwks",',
                '  "response_types_supported": [',
                '    "id_token"',
                "  ],",
                '  "subject_types_supported": [',
                '    "public"',
                "  ],",
                '  "id_token_signing_alg_values_supported": [',
                '    "RS256"',
                "  ]",
                "}",
                "",
            ].join("\n"),
        );
        assert.deepEqual(Object.keys(JSON.parse(p.discoveryDocument)), ["issuer", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"]);
    });

    it("is byte-identical however the JWKS was formatted or its members ordered, and whatever order the document was built in", () => {
        const reordered = JSON.stringify({ keys: [Object.fromEntries(Object.entries(RSA_KEY).reverse())] }, null, 4);
        const a = planIssuer(s3Spec());
        const b = planIssuer(s3Spec({}, { jwksJson: reordered }));
        assert.equal(a.discoveryDocument, b.discoveryDocument);
        assert.equal(a.jwksDocument, b.jwksDocument);
        const doc = discoveryDocument(a.issuerUrl, a.jwksUri, ["RS256"]);
        const shuffled = Object.fromEntries(Object.entries(doc).reverse()) as typeof doc;
        assert.equal(renderDiscoveryDocument(shuffled), a.discoveryDocument);
    });

    it("lists the JWKS keys' algorithms, sorted and unique; an EC key's curve implies its algorithm; RS256 when a key has no alg", () => {
        const algs = (jwks: string) => JSON.parse(planIssuer(s3Spec({}, { jwksJson: jwks })).discoveryDocument).id_token_signing_alg_values_supported;
        assert.deepEqual(algs(jwksOf(EC_KEY, RSA_KEY, RSA_KEY_2)), ["ES384", "RS256"]);
        assert.deepEqual(algs(jwksOf({ ...RSA_KEY, alg: undefined }, { ...RSA_KEY_2, alg: "PS256" })), ["PS256", "RS256"]);
        assert.deepEqual(algs(jwksOf({ ...EC_KEY, crv: "P-256", alg: "ES256" })), ["ES256"]);
    });

    it("publishes the JWKS with its keys in order and their members sorted, holding old and new keys during a rotation", () => {
        const p = planIssuer(s3Spec({}, { jwksJson: jwksOf(RSA_KEY, RSA_KEY_2) }));
        const published = JSON.parse(p.jwksDocument) as { keys: Array<Record<string, string>> };
        assert.deepEqual(published.keys.map((k) => k.kid), [RSA_KEY.kid, RSA_KEY_2.kid]);
        assert.deepEqual(Object.keys(published.keys[0]), ["alg", "e", "kid", "kty", "n", "use"]);
        assert.deepEqual(published.keys[0], RSA_KEY);
        assert.ok(p.jwksDocument.endsWith("}\n"));
    });
});

describe("issuer JWKS checks", () => {
    const check = (jwks: unknown) => {
        const issues = Issues.root();
        const result = checkJwksJson(jwks, issues, "jwksJson");
        return { result, issues: [...issues.list] };
    };

    it("accepts the API server's JWKS as kubectl prints it", () => {
        const { result, issues } = check(JSON.stringify({ keys: [RSA_KEY, EC_KEY] }, null, 1));
        assert.deepEqual(issues, []);
        assert.deepEqual(result?.algorithms, ["ES384", "RS256"]);
        assert.equal(renderJwks(result!), JSON.stringify({ keys: [RSA_KEY, EC_KEY].map((k) => Object.fromEntries(Object.entries(k).sort())) }, null, 2) + "\n");
    });

    for (const member of PRIVATE_KEY_MEMBERS) {
        it(`refuses a key carrying the private member ${member}, naming jwksJson.keys[i].${member} and saying never to publish private keys`, () => {
            const { result, issues } = check(jwksOf(RSA_KEY, { ...RSA_KEY_2, [member]: "c2VjcmV0" }));
            assert.equal(result, undefined);
            assert.deepEqual(issues.map((i) => i.path), [`jwksJson.keys[1].${member}`]);
            assert.match(issues[0].fix, /never publish private keys/);
            assert.match(issues[0].message, /anyone/);
        });
    }

    const cases: Array<[string, unknown, string, RegExp]> = [
        ["not JSON", "{keys: []", "jwksJson", /not valid JSON/],
        ["not a string", { keys: [RSA_KEY] }, "jwksJson", /JSON string/],
        ["no keys", "{}", "jwksJson", /non-empty keys list/],
        ["an empty key list", jwksOf(), "jwksJson", /non-empty keys list/],
        ["a key that is not an object", JSON.stringify({ keys: ["abc"] }), "jwksJson.keys[0]", /JSON Web Key/],
        ["a symmetric key", jwksOf({ kty: "oct", kid: "s", k: "c2VjcmV0" }), "jwksJson.keys[0].k", /private or secret/],
        ["an Ed25519 key", jwksOf({ kty: "OKP", kid: "o", crv: "Ed25519", x: "abc" }), "jwksJson.keys[0].kty", /RSA, EC/],
        ["an encryption key", jwksOf({ ...RSA_KEY, use: "enc" }), "jwksJson.keys[0].use", /must be "sig"/],
        ["a key without kid", jwksOf({ ...RSA_KEY, kid: undefined }), "jwksJson.keys[0].kid", /needs a kid/],
        ["two keys with one kid", jwksOf(RSA_KEY, { ...RSA_KEY_2, kid: RSA_KEY.kid }), "jwksJson.keys[1].kid", /also the kid of keys\[0\]/],
        ["an RSA key without modulus", jwksOf({ ...RSA_KEY, n: undefined }), "jwksJson.keys[0].n", /base64url/],
        ["an RSA key with an EC algorithm", jwksOf({ ...RSA_KEY, alg: "ES256" }), "jwksJson.keys[0].alg", /not an RSA signing algorithm/],
        ["an EC key whose alg does not match its curve", jwksOf({ ...EC_KEY, alg: "ES256" }), "jwksJson.keys[0].alg", /does not match curve "P-384"/],
        ["an EC key on an unknown curve", jwksOf({ ...EC_KEY, crv: "secp256k1" }), "jwksJson.keys[0].crv", /not a curve/],
    ];
    for (const [what, jwks, path, message] of cases) {
        it(`refuses ${what}, naming ${path}`, () => {
            const { result, issues } = check(jwks);
            assert.equal(result, undefined);
            assert.deepEqual(issues.map((i) => i.path), [path]);
            assert.match(issues[0].message, message);
            assert.ok(issues[0].fix.length > 10, "says how to fix it");
        });
    }

    it("reports every bad key at once", () => {
        const { issues } = check(jwksOf({ ...RSA_KEY, d: "x" }, { ...RSA_KEY_2, use: "enc" }, { ...EC_KEY, kid: "" }));
        assert.deepEqual(issues.map((i) => i.path), ["jwksJson.keys[0].d", "jwksJson.keys[1].use", "jwksJson.keys[2].kid"]);
    });
});

describe("issuer API server flags", () => {
    it("sets the new issuer FIRST, then the previous one, then the JWKS URI (the docs' order)", () => {
        const p = planIssuer(s3Spec({}, { previousIssuerUrl: KIND_ISSUER }));
        assert.deepEqual(p.apiServerFlags, [
            "--service-account-issuer=https://s3.amazonaws.com/flux-oidc-dev",
            `--service-account-issuer=${KIND_ISSUER}`,
            "--service-account-jwks-uri=https://s3.amazonaws.com/flux-oidc-dev/openid/v1/jwks",
        ]);
    });

    it("without a previous issuer, sets one issuer and the JWKS URI, and warns what replacing the issuer outright does", () => {
        const p = planIssuer(gcsSpec());
        assert.deepEqual(p.apiServerFlags, [`--service-account-issuer=${p.issuerUrl}`, `--service-account-jwks-uri=${p.jwksUri}`]);
        assert.ok(p.warnings.some((w) => /previousIssuerUrl is not set/.test(w) && /invalidates every existing ServiceAccount token/.test(w)));
    });

    it("keeps the previous issuer as given, whatever its form", () => {
        assert.deepEqual(apiServerFlags("https://a.example/x", "https://a.example/x/openid/v1/jwks", "kubernetes/serviceaccount"), [
            "--service-account-issuer=https://a.example/x",
            "--service-account-issuer=kubernetes/serviceaccount",
            "--service-account-jwks-uri=https://a.example/x/openid/v1/jwks",
        ]);
    });

    it("warns to change the flags last, to keep the previous issuer while its tokens live, and to publish rotated keys first", () => {
        const p = planIssuer(s3Spec({}, { previousIssuerUrl: KIND_ISSUER }));
        assert.match(p.warnings[0], /only after both documents are publicly readable/);
        assert.ok(p.warnings[0].includes(`curl ${p.discoveryUrl}`) && p.warnings[0].includes(`curl ${p.jwksUri}`));
        assert.ok(p.warnings.some((w) => w.startsWith(`Keep --service-account-issuer=${KIND_ISSUER} as the second value`)));
        assert.ok(p.warnings.some((w) => /both the old and the new public keys/.test(w)));
    });

    it("refuses a previous issuer equal to the new one", () => {
        const issues = validationIssues(() => planIssuer(s3Spec({}, { previousIssuerUrl: "https://s3.amazonaws.com/flux-oidc-dev" })));
        assert.deepEqual(issues.map((i) => i.path), ["previousIssuerUrl"]);
    });
});
