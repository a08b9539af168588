/**
 * What a user reads when a fleet file is wrong: every message names the field and says how to fix it,
 * in plain words (no schema-library wording, no "a object"), and a file far too large to be a fleet is
 * refused before it is read.
 */
import { strict as assert } from "node:assert";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { article, withArticle } from "../../provider/src/core/articles";
import { planCluster } from "../../provider/src/plan/cluster";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { MAX_FLEET_FILE_BYTES, loadFleet, parseFleet } from "../../sdk/src/spec/fleet";
import { validationIssues } from "../helpers/issues";

const issuesOf = validationIssues;

const HEADER = "apiVersion: flux-identity/v1alpha1\nkind: Fleet\n";
const EXAMPLE = "examples/fleet.yaml in the flux-identity repository";

describe("fleet file messages", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "fi-messages-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("an empty file (or one of comments) says it is empty and what to write", () => {
        for (const text of ["", "\n\n", "# just a comment\n"]) {
            assert.deepEqual(issuesOf(() => parseFleet(text, "fleet.yaml")), [
                {
                    path: "fleet.yaml",
                    message: "the fleet file is empty (or holds only comments).",
                    fix: `write a fleet: apiVersion: flux-identity/v1alpha1, kind: Fleet, and a clusters list (see ${EXAMPLE}).`,
                },
            ]);
        }
    });

    it("clusters: [] names the field and says what a cluster needs", () => {
        assert.deepEqual(issuesOf(() => parseFleet(`${HEADER}clusters: []\n`)), [
            {
                path: "clusters",
                message: "the fleet lists no clusters.",
                fix: `add at least one cluster under clusters: with its name, type, issuerUrl and what Flux reaches in aws, azure or gcp (see ${EXAMPLE}).`,
            },
        ]);
    });

    it("a value of the wrong type says what was expected and what was found, as YAML", () => {
        assert.deepEqual(issuesOf(() => parseFleet("- apiVersion: flux-identity/v1alpha1\n")), [
            { path: "(root)", message: "expected a map (key: value lines), got a list.", fix: "write key: value lines here, indented below the field name." },
        ]);
        assert.deepEqual(issuesOf(() => parseFleet(`${HEADER}clusters:\n  name: a\n`)), [
            { path: "clusters", message: "expected a list (lines starting with '- '), got a map.", fix: "write a list here: one '- ' line per entry, or [a, b] on one line." },
        ]);
        const [tags] = issuesOf(() => parseFleet(`${HEADER}clusters:\n  - name: a\n    type: generic\n    issuerUrl: https://issuer.example.com\n    aws: 3\n`));
        assert.equal(tags.message, "expected a map (key: value lines), got the number 3.");
    });

    it("an empty list elsewhere names the list", () => {
        const [issue] = issuesOf(() =>
            parseFleet(`${HEADER}clusters:\n  - name: a\n    type: generic\n    issuerUrl: https://issuer.example.com\n    aws:\n      accountId: "111122223333"\n      region: eu-west-1\n      controllers:\n        s3:\n          - bucketArns: [arn:aws:s3:::b]\n            usedBy: []\n`),
        );
        assert.deepEqual(issue, { path: "clusters[0].aws.controllers.s3[0].usedBy", message: "the list is empty.", fix: "list at least one entry, or leave usedBy out where it is optional." });
    });

    it("refuses a file far too large to be a fleet before reading it, and names the size", function () {
        // A sparse 600 MB file: no disk space used, and the check must not read it.
        const big = path.join(dir, "huge.yaml");
        const fd = openSync(big, "w");
        ftruncateSync(fd, 600 * 1024 * 1024);
        closeSync(fd);
        const before = process.memoryUsage().rss;
        assert.deepEqual(issuesOf(() => loadFleet(big)), [
            { path: big, message: "the fleet file is 600.0 MB; flux-identity reads fleet files of at most 32.0 MB.", fix: "check the path: is this the fleet spec? A fleet larger than that belongs in several fleet files." },
        ]);
        assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, "the file was not read into memory");
    });

    it("stops reading a stream that never ends (a device) at the limit", function () {
        const [issue] = issuesOf(() => loadFleet("/dev/zero"));
        assert.equal(issue.message, `the fleet file is larger than ${(MAX_FLEET_FILE_BYTES / 1024 / 1024).toFixed(1)} MB; flux-identity reads fleet files of at most 32.0 MB.`);
    });

    it("a missing file or a folder says which, and how to fix it", () => {
        const missing = path.join(dir, "nope.yaml");
        assert.deepEqual(issuesOf(() => loadFleet(missing)), [{ path: missing, message: "there is no file at this path.", fix: "check the path." }]);
        assert.deepEqual(issuesOf(() => loadFleet("nope.yaml")), [{ path: "nope.yaml", message: "there is no file at this path.", fix: `check the path; it is read from ${process.cwd()}.` }]);
        const folder = path.join(dir, "fleet");
        mkdirSync(folder);
        assert.deepEqual(issuesOf(() => loadFleet(folder)), [{ path: folder, message: "this is a folder, not a file.", fix: `give the fleet file in it, such as ${path.join(folder, "fleet.yaml")}.` }]);
        writeFileSync(path.join(folder, "fleet.yaml"), "");
        assert.equal(issuesOf(() => loadFleet(path.join(folder, "fleet.yaml")))[0].message, "the fleet file is empty (or holds only comments).");
    });
});

describe("articles in messages", () => {
    it("choose a or an by sound, for initialisms, spec keys and words", () => {
        const expected: Array<[string, "a" | "an"]> = [
            ["KMS key ARN", "a"],
            ["ECR repository ARN", "an"],
            ["S3 bucket ARN", "an"],
            ["EKS cluster ARN", "an"],
            ["IAM role ARN", "an"],
            ["IAM OIDC provider ARN", "an"],
            ["CodeCommit repository ARN", "a"],
            ["GKE cluster name", "a"],
            ["GCP service account email", "a"],
            ["Artifact Registry repository name", "an"],
            ["Cloud KMS crypto key name", "a"],
            ["Pub/Sub topic name", "a"],
            ["URL", "a"],
            ["HTTPS URL", "an"],
            ["SOPS key", "a"],
            ["object", "an"],
            ["array", "an"],
            ["integer", "an"],
            ["string", "a"],
            ["s3 entry", "an"],
            ["kms entry", "a"],
            ["ecr entry", "an"],
            ["ecrPublic entry", "an"],
            ["gcs entry", "a"],
            ["acr entry", "an"],
            ["aks entry", "an"],
            ["rbacRoles entry", "an"],
            ["azureDevOps entry", "an"],
            ["keyVault entry", "a"],
            ["eventHubs entry", "an"],
            ["unique name", "a"],
            ["hour", "an"],
            ["resourceGroup scope", "a"],
            ["subscription scope", "a"],
            ["8-character name", "an"],
            ["16-character name", "a"],
        ];
        const wrong = expected.filter(([phrase, a]) => article(phrase) !== a).map(([phrase, a]) => `${phrase}: ${article(phrase)}, not ${a}`);
        assert.deepEqual(wrong, []);
        assert.equal(withArticle("object"), "an object");
    });

    it("read right in the planners' messages: a KMS key ARN, an S3 entry", () => {
        const cluster = { name: "c", type: SourceClusterType.Generic, issuerUrl: "https://issuer.example.com" };
        const aws = (controllers: Record<string, unknown>) => issuesOf(() => planCluster({ ...cluster, aws: { accountId: "111122223333", region: "eu-west-1", controllers } as never }));
        const [kms] = aws({ kms: [{ keyArns: ["arn:aws:s3:::bucket"] }] });
        assert.match(kms.message, /is an ARN of service "s3", not a KMS key or alias ARN\.$/);
        const [s3] = aws({ s3: ["bucket"] });
        assert.match(s3.message, /^expected an s3 entry \(a map\), got "bucket"\.$/);
        const [missing] = issuesOf(() => planCluster(cluster));
        assert.equal(missing.fix, "add an aws, azure, gcp, kubernetes or vault section saying what Flux must reach.");
    });
});
