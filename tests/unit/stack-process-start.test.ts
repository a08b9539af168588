/**
 * What a stack process's start skips: the modules @pulumi/pulumi loads for closure serialization
 * (deferred-modules.ts), and `pulumi version` when the runner read the CLI's version already
 * (knownPulumiCommand). Each deferral check runs in a fresh Node.js process, whose module cache is empty.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import { StackOperationError } from "../../sdk/src/runner/errors";
import { knownPulumiCommand, type LocalStackRequest } from "../../sdk/src/runner/local-stack";
import { StackProcessPool } from "../../sdk/src/runner/stack-process";
import { fromRoot } from "../helpers/paths";
import { stackRequest } from "../helpers/stack-request";

const DEFERRED = require.resolve("../../sdk/src/runner/deferred-modules");

/** Runs `script` in a fresh Node.js process with `deferModules` in scope; returns what it printed as JSON. */
function inFreshProcess(script: string, cwd: string = fromRoot()): Record<string, unknown> {
    const body = `const { deferModules } = require(${JSON.stringify(DEFERRED)});\n(async () => {\n${script}\n})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ["-e", body], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
}

describe("a stack process's start", function () {
    this.timeout(120000);

    describe("modules deferred until used", () => {
        it("loads none of them while @pulumi/pulumi and its Automation API load", () => {
            const out = inFreshProcess(`
                const deferred = deferModules();
                require("@pulumi/pulumi");
                require("@pulumi/pulumi/automation");
                console.log(JSON.stringify({ requests: deferred.map((d) => d.request), loaded: deferred.filter((d) => d.loaded()).map((d) => d.request) }));
            `);
            assert.deepEqual(out.requests, ["./typescript-shim.js", "@npmcli/arborist", "normalize-package-data"], "every module is found where @pulumi/pulumi resolves it");
            assert.deepEqual(out.loaded, [], "@pulumi/pulumi's start used a deferred module: it would be compiled on every start again");
        });

        it("gives the real module on first use: a function still serializes, with TypeScript's parser loaded then", () => {
            const out = inFreshProcess(`
                const deferred = deferModules();
                const pulumi = require("@pulumi/pulumi");
                class Base { hello() { return "hi"; } }
                class Child extends Base { hello() { return super.hello() + "!"; } }
                const c = new Child();
                const fn = await pulumi.runtime.serializeFunction(() => c.hello());
                const shim = deferred.find((d) => d.request === "./typescript-shim.js");
                console.log(JSON.stringify({ text: fn.text, shimLoaded: shim.loaded(), ts: require(shim.filename).SyntaxKind.SuperKeyword === require("typescript").SyntaxKind.SuperKeyword }));
            `);
            assert.match(String(out.text), /super\.hello\(\)/, "the serialized closure carries the class with its super call");
            assert.equal(out.shimLoaded, true);
            assert.equal(out.ts, true, "the stand-in forwards to the real TypeScript module");
        });

        it("keeps TypeScript's import helpers' view of a CommonJS module (namespace and default imports)", () => {
            const dir = mkdtempSync(path.join(tmpdir(), "flux-identity-deferred-"));
            try {
                const out = inFreshProcess(`
                        const [arborist, npd] = deferModules(["@npmcli/arborist", "normalize-package-data"]);
                        // As tsc emits them for \`import * as a from\` and \`import n from\`.
                        const importStar = (m) => (m && m.__esModule ? m : { ...m, default: m });
                        const importDefault = (m) => (m && m.__esModule ? m : { default: m });
                        const a = importStar(require(arborist.filename));
                        const n = importDefault(require(npd.filename));
                        const before = [arborist.loaded(), npd.loaded()];
                        const data = { name: "x", version: "1.0.0" };
                        n.default(data);
                        console.log(JSON.stringify({ before, arborist: typeof a.Arborist, normalized: typeof data._id, after: [arborist.loaded(), npd.loaded()] }));
                    `, dir);
                    assert.deepEqual(out.before, [false, false], "the helpers alone load nothing");
                    assert.equal(out.arborist, "function");
                    assert.equal(out.normalized, "string", "normalize-package-data ran through the default import");
                    assert.deepEqual(out.after, [true, true]);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("leaves a module alone that is loaded already, or that does not resolve", () => {
            const out = inFreshProcess(`
                require("@npmcli/arborist");
                const deferred = deferModules(["@npmcli/arborist", "no-such-module-anywhere"]);
                console.log(JSON.stringify({ deferred: deferred.map((d) => d.request) }));
            `);
            assert.deepEqual(out.deferred, []);
        });
    });

    describe("the CLI's version from the runner", () => {
        it("makes the PulumiCommand get would make, for the version the runner read", () => {
            const cmd = knownPulumiCommand(automation, "/opt/pulumi", "3.248.0");
            assert.ok(cmd instanceof automation.PulumiCommand);
            assert.equal(cmd.command, "/opt/pulumi/bin/pulumi");
            assert.equal(cmd.version?.toString(), "3.248.0");
            assert.equal(cmd.version?.compare("3.95.0"), 1, "a SemVer, as the workspace compares it");
            assert.equal(knownPulumiCommand(automation, undefined, "3.248.0")?.command, "pulumi");
        });

        it("leaves the SDK's own check to versions it would judge, and an SDK that no longer looks the same", () => {
            for (const v of ["2.25.0", "3.1.0", "4.0.0", "not-a-version"]) assert.equal(knownPulumiCommand(automation, undefined, v), undefined, v);
            class OtherShape {
                constructor(readonly command: string) {}
            }
            assert.equal(knownPulumiCommand({ PulumiCommand: OtherShape as never }, undefined, "3.248.0"), undefined);
        });

        it("does not run `pulumi version` in a stack process when the runner gives the version", async () => {
            const dir = mkdtempSync(path.join(tmpdir(), "flux-identity-cli-version-"));
            const log = path.join(dir, "calls.log");
            // A CLI that records each command and fails it: the operation fails, after its first CLI call.
            mkdirSync(path.join(dir, "cli", "bin"), { recursive: true });
            writeFileSync(path.join(dir, "cli", "bin", "pulumi"), `#!/bin/sh\necho "$1" >> ${JSON.stringify(log)}\nif [ "$1" = version ]; then echo v3.248.0; exit 0; fi\necho "fake CLI refuses $1" >&2\nexit 1\n`);
            chmodSync(path.join(dir, "cli", "bin", "pulumi"), 0o755);
            const request = (cliVersion?: string): LocalStackRequest => stackRequest(dir, path.join(dir, "cli"), cliVersion !== undefined ? { cliVersion } : {});
            const calls = async (cliVersion?: string): Promise<string[]> => {
                writeFileSync(log, "");
                const pool = new StackProcessPool({ cliRoot: path.join(dir, "cli"), ...(cliVersion !== undefined ? { cliVersion } : {}) });
                try {
                    const err = await pool.run(request(cliVersion), { onEvent: () => undefined, signal: new AbortController().signal }).then(
                        () => assert.fail("the fake CLI refuses everything, yet the operation succeeded"),
                        (e: unknown) => e,
                    );
                    assert.ok(err instanceof StackOperationError && /fake CLI refuses/.test(err.message), String(err));
                } finally {
                    await pool.close();
                }
                return readFileSync(log, "utf8").split("\n").filter(Boolean);
            };
            try {
                const without = await calls();
                assert.ok(without.includes("version"), `without the runner's version the SDK runs pulumi version: ${without.join(", ")}`);
                const given = await calls("3.248.0");
                assert.ok(given.length > 0, "the operation reached the CLI");
                assert.ok(!given.includes("version"), `pulumi version ran although the runner gave the version: ${given.join(", ")}`);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
