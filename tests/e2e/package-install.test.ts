// The package as users get it: a fresh clone of HEAD is packed (`npm pack` runs `prepare`), the tarball
// is installed into a temporary AWS-only project and then into the same project with every SDK, and each
// entry point is type-checked under node10, node16 and bundler resolution, the README's "Testing your
// program" example runs with mocha, and the bin runs. Only committed work is in a clone of HEAD.

import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fromRoot } from "../helpers/paths";
import { skipWithReason } from "../helpers/skip";

interface PackageJson {
    name: string;
    version: string;
    exports: Record<string, string | { types: string; default: string }>;
    typesVersions: Record<string, Record<string, string[]>>;
    bin: Record<string, string>;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
}

interface PackedFile {
    path: string;
    size: number;
    mode: number;
}

const CLOUD_SDKS = ["@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes"];

/** One symbol per entry point that a program uses, checked by type and at run time. */
const ENTRY_SYMBOLS: Record<string, string> = {
    ".": "FluxWorkloadIdentity",
    "./aws": "AwsFluxIdentity",
    "./azure": "AzureFluxIdentity",
    "./gcp": "GcpFluxIdentity",
    "./kubernetes": "KubernetesFluxIdentity",
    "./vault": "VaultFluxIdentity",
    "./issuer": "PublicOidcIssuer",
    "./core": "planCluster",
    "./live": "FluxLiveCluster",
    "./sdk": "renderFleet",
    "./testing": "fluxIdentityMocks",
};

const specifier = (entry: string) => (entry === "." ? "flux-identity" : `flux-identity/${entry.slice(2)}`);

/** Runs a command, printing it and how long it took; returns its output, or throws with it. */
function sh(cmd: string, args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}): { status: number; stdout: string; stderr: string } {
    const shown = [cmd, ...args].map((a, i) => (args[i - 2] === "-e" ? "<script>" : a.includes(" ") ? JSON.stringify(a) : a)).join(" ");
    const t0 = Date.now();
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: opts.env ?? childEnv(), maxBuffer: 256 * 1024 * 1024 });
    console.log(`        $ ${shown}  (in ${path.basename(cwd)}, ${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${r.status})`);
    const out = { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
    if (out.status !== 0 && !opts.allowFail) throw new Error(`${shown} exited ${out.status}:\n${out.stdout.slice(-4000)}\n${out.stderr.slice(-4000)}`);
    return out;
}

/** The environment without the outer npm run's package and lifecycle variables. */
function childEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_(package|lifecycle)_/.test(k) && k !== "INIT_CWD") env[k] = v;
    return env;
}

const NPM_QUIET = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

/** The README's "Testing your program" example: the first ts block after that heading. */
function readmeTestExample(readme: string): string {
    const section = readme.slice(readme.indexOf("## Testing your program"));
    const block = /```ts\n([\s\S]*?)```/.exec(section);
    assert.ok(block, "the README's Testing your program section has a ts example");
    return block[1];
}

describe("the package, packed from a fresh clone and installed into new projects", function () {
    this.timeout(30 * 60_000);
    let work: string;
    let clone: string;
    let consumer: string;
    let tarball: string;
    let pkg: PackageJson;
    let packed: Map<string, PackedFile>;
    const extraNodes = (process.env.FLUX_IDENTITY_EXTRA_NODES ?? "").split(path.delimiter).filter((n) => n !== "");

    before(function () {
        if (spawnSync("git", ["-C", fromRoot(), "rev-parse", "HEAD"], { encoding: "utf8" }).status !== 0) skipWithReason(this, "not a git checkout: there is no HEAD to clone");
        if (spawnSync("npm", ["--version"], { encoding: "utf8" }).status !== 0) skipWithReason(this, "npm is not on PATH");
        work = mkdtempSync(path.join(tmpdir(), "flux-identity-package-"));
        clone = path.join(work, "flux-identity");
        consumer = path.join(work, "consumer");
        const head = sh("git", ["rev-parse", "HEAD"], fromRoot()).stdout.trim();
        const dirty = sh("git", ["status", "--porcelain", "--untracked-files=no"], fromRoot()).stdout.trim();
        console.log(`        testing commit ${head}${dirty ? " (uncommitted changes in the work tree are not part of it)" : ""}`);
        sh("git", ["clone", "--quiet", "--no-checkout", fromRoot(), clone], work);
        sh("git", ["checkout", "--quiet", head], clone);
        assert.ok(!existsSync(path.join(clone, "dist")), "a fresh clone has no dist/");
        pkg = JSON.parse(readFileSync(path.join(clone, "package.json"), "utf8")) as PackageJson;
    });
    after(() => {
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("packs: prepare builds only what is published, and the tarball holds every entry point and nothing else", () => {
        // The clone's build tools; `prepare` runs once, in `npm pack`.
        sh("npm", ["ci", "--ignore-scripts", ...NPM_QUIET], clone);
        const r = sh("npm", ["pack", "--json", "--pack-destination", work], clone);
        const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number; files: PackedFile[] }>;
        tarball = path.join(work, info.filename);
        packed = new Map(info.files.map((f) => [f.path, f]));
        console.log(`        ${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024 / 1024).toFixed(2)} MiB unpacked`);
        assert.ok(!existsSync(path.join(clone, "dist", "tests")), "prepare compiled the tests");
        for (const f of packed.keys()) {
            assert.match(f, /^(package\.json|README\.md|LICENSE|docs\/[^/]+\.md|sdk\/schema\/fleet\.schema\.json|provider\/(pulumi-resource-flux-identity|schema\.json)|dist\/(provider|sdk)\/(src\/.+\.(js|d\.ts)|schema\/fleet\.schema\.json))$/, `${f} is not something the package needs`);
        }
        const targets = [
            ...Object.values(pkg.exports).flatMap((e) => (typeof e === "string" ? [e] : [e.types, e.default])),
            ...Object.values(pkg.typesVersions["*"]).flat(),
            ...Object.values(pkg.bin),
            "dist/sdk/schema/fleet.schema.json",
            "LICENSE",
        ];
        for (const t of targets) assert.ok(packed.has(t.replace(/^\.\//, "")), `${t} (named by package.json) is not in the tarball`);
        assert.deepEqual(Object.keys(pkg.typesVersions["*"]).map((k) => `./${k}`).sort(), Object.keys(pkg.exports).filter((k) => k !== "." && k !== "./package.json").sort(), "typesVersions maps every subpath export");
        assert.match(readFileSync(path.join(clone, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
        for (const name of Object.keys(pkg.bin)) {
            const bin = packed.get(pkg.bin[name]) as PackedFile;
            assert.equal(bin.mode & 0o111, 0o111, `the ${name} bin is packed with mode ${bin.mode.toString(8)}`);
        }
    });

    it("installs beside only @pulumi/pulumi and @pulumi/aws: no other cloud SDK, no nested @pulumi/pulumi, no tests", () => {
        mkdirSync(consumer);
        writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2));
        const dev = pkg.devDependencies;
        sh("npm", ["install", ...NPM_QUIET, `@pulumi/pulumi@${dev["@pulumi/pulumi"]}`, `@pulumi/aws@${dev["@pulumi/aws"]}`, tarball], consumer);
        const modules = path.join(consumer, "node_modules");
        for (const p of ["flux-identity", "@pulumi/pulumi", "@pulumi/aws"]) assert.ok(existsSync(path.join(modules, p, "package.json")), `${p} is installed`);
        for (const p of CLOUD_SDKS) assert.ok(!existsSync(path.join(modules, p)), `${p} was installed for an AWS-only program`);
        assert.ok(!existsSync(path.join(modules, "flux-identity", "node_modules", "@pulumi")), "flux-identity nests its own @pulumi packages");
        for (const d of ["tests", "bench", ".ci", "dist/tests", "dist/bench", "dist/examples", "examples", "provider/src"]) {
            assert.ok(!existsSync(path.join(modules, "flux-identity", d)), `the installed package holds ${d}`);
        }
        sh("npm", ["ls", "--depth=0"], consumer);
    });

    /** Type-checks a file importing every entry point under the three resolutions, with the clone's TypeScript. */
    function typeCheckEntries(label: string): void {
        const tsc = path.join(clone, "node_modules", "typescript", "bin", "tsc");
        const dir = path.join(consumer, `typecheck-${label}`);
        mkdirSync(dir, { recursive: true });
        const entries = Object.keys(pkg.exports).filter((e) => e !== "./package.json");
        assert.deepEqual(entries.sort(), Object.keys(ENTRY_SYMBOLS).sort(), "every entry point has a symbol to check");
        const lines = entries.map((e, i) => `import * as e${i} from "${specifier(e)}";\nexport const s${i}: unknown = e${i}.${ENTRY_SYMBOLS[e]};`);
        writeFileSync(path.join(dir, "entries.ts"), lines.join("\n") + "\n");
        // node16 also reads the entry points from an ES module, as an ESM program would.
        writeFileSync(path.join(dir, "entries.mts"), entries.map((e, i) => `import * as e${i} from "${specifier(e)}";\nexport const s${i}: unknown = e${i}.${ENTRY_SYMBOLS[e]};`).join("\n") + "\n");
        const base = { strict: true, noEmit: true, types: [] as string[], esModuleInterop: true };
        const configs: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
            node10: { compilerOptions: { ...base, module: "commonjs", moduleResolution: "node10" }, files: ["entries.ts"] },
            node16: { compilerOptions: { ...base, module: "node16", moduleResolution: "node16" }, files: ["entries.ts", "entries.mts"] },
            bundler: { compilerOptions: { ...base, module: "esnext", moduleResolution: "bundler" }, files: ["entries.ts"] },
        };
        for (const [resolution, config] of Object.entries(configs)) {
            writeFileSync(path.join(dir, `tsconfig.${resolution}.json`), JSON.stringify(config, null, 2));
            // No skipLibCheck: the package's declarations must not reach for an SDK that is not installed.
            const r = sh(process.execPath, [tsc, "-p", `tsconfig.${resolution}.json`], dir, { allowFail: true });
            assert.equal(r.status, 0, `${label}, moduleResolution ${resolution}:\n${r.stdout}${r.stderr}`);
        }
    }

    it("type-checks every entry point under node10, node16 and bundler resolution with only the AWS SDK", () => {
        typeCheckEntries("aws-only");
    });

    it("loads every entry point without the other SDKs, and names the missing SDK when a component needs it", () => {
        const entries = Object.keys(pkg.exports).filter((e) => e !== "./package.json");
        const script = [
            `for (const e of ${JSON.stringify(entries.map((e) => [specifier(e), ENTRY_SYMBOLS[e]]))}) if (!require(e[0])[e[1]]) throw new Error(e[0] + " lacks " + e[1]);`,
            `const loaded = Object.keys(require.cache).filter((m) => /node_modules\\/@pulumi\\/(aws|azure-native|gcp|kubernetes|vault)\\//.test(m));`,
            `if (loaded.length > 0) throw new Error("importing the entry points loaded " + loaded[0]);`,
            `const { loadFleet, workloadIdentityArgsFromSpec } = require("flux-identity/sdk");`,
            `const a = workloadIdentityArgsFromSpec(loadFleet(${JSON.stringify(path.join(clone, "examples", "matrix", "kind-to-azure-controller.yaml"))}).clusters[0]);`,
            `try { new (require("flux-identity").AzureFluxIdentity)("x", { cluster: a.cluster, ...a.azure }); }`,
            `catch (e) { process.stdout.write(e.message); }`,
        ].join("\n");
        const r = sh(process.execPath, ["-e", script], consumer);
        assert.match(r.stdout, /AzureFluxIdentity needs @pulumi\/azure-native, which is not installed\. Fix: npm install "@pulumi\/azure-native@\^3/);
    });

    it("runs the README's Testing your program example with mocha under Pulumi's mocks", () => {
        const dev = pkg.devDependencies;
        sh("npm", ["install", ...NPM_QUIET, "--save-dev", `mocha@${dev.mocha}`, `@types/mocha@${dev["@types/mocha"]}`, `@types/node@${dev["@types/node"]}`], consumer);
        const dir = path.join(consumer, "test");
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, "flux.test.ts"), readmeTestExample(readFileSync(path.join(clone, "README.md"), "utf8")));
        writeFileSync(
            path.join(consumer, "tsconfig.json"),
            JSON.stringify({ compilerOptions: { strict: true, module: "commonjs", moduleResolution: "node10", target: "es2022", types: ["node", "mocha"], outDir: "built" }, include: ["test/**/*.ts"] }, null, 2),
        );
        sh(process.execPath, [path.join(clone, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], consumer);
        for (const node of [process.execPath, ...extraNodes]) {
            const version = sh(node, ["--version"], consumer).stdout.trim();
            const r = sh(node, [path.join("node_modules", "mocha", "bin", "mocha.js"), "--timeout", "60000", "built/flux.test.js"], consumer, { allowFail: true });
            assert.equal(r.status, 0, `Node.js ${version}:\n${r.stdout}${r.stderr}`);
            assert.match(r.stdout, /1 passing/, `Node.js ${version}`);
            assert.ok(!/EBADENGINE|Warning/.test(r.stderr), `Node.js ${version} warned:\n${r.stderr}`);
        }
        if (extraNodes.length === 0) console.log("        (FLUX_IDENTITY_EXTRA_NODES is not set: the example ran under this Node.js only)");
    });

    it("runs the flux-identity bin: executable, --help, and render from the installed package", () => {
        const main = path.join(consumer, "node_modules", "flux-identity", pkg.bin["flux-identity"]);
        assert.equal(statSync(main).mode & 0o111, 0o111, "the installed bin target is executable");
        assert.match(readFileSync(main, "utf8"), /^#!\/usr\/bin\/env node\n/);
        const help = sh("npx", ["--no-install", "flux-identity", "--help"], consumer);
        assert.match(help.stdout, /Usage: flux-identity/);
        for (const node of extraNodes) assert.match(sh(node, [main, "--help"], consumer).stdout, /Usage: flux-identity/);
        const out = path.join(consumer, "render");
        const r = sh(path.join(consumer, "node_modules", ".bin", "flux-identity"), ["render", path.join(clone, "examples", "fleet.yaml"), "--out", out], consumer);
        assert.match(r.stdout + r.stderr, /kustomization\.yaml/);
        assert.ok(existsSync(path.join(out, "dev-kind", "flux-system", "kustomization.yaml")), "render wrote the kind cluster's kustomization.yaml");
    });

    // The entry points' types were checked without these SDKs above: the declarations import none of them.
    it("with every SDK installed: a kind cluster reaching all three clouds resolves under the shipped mocks", () => {
        const dev = pkg.devDependencies;
        sh("npm", ["install", ...NPM_QUIET, ...CLOUD_SDKS.map((s) => `${s}@${dev[s]}`)], consumer);
        const cell = path.join(clone, "examples", "matrix", "kind-to-all-clouds-controller.yaml");
        const script = `
const pulumi = require("@pulumi/pulumi");
const { fluxIdentityMocks, outputValue } = require("flux-identity/testing");
const { loadFleet, workloadIdentityArgsFromSpec } = require("flux-identity/sdk");
const spec = loadFleet(${JSON.stringify(cell)}).clusters[0];
(async () => {
  await pulumi.runtime.setMocks(fluxIdentityMocks({
    aws: { accountId: spec.aws.accountId },
    azure: { subscriptionId: spec.azure.subscriptionId, tenantId: spec.azure.tenantId },
    gcp: { projectNumbers: { [spec.gcp.projectId]: spec.gcp.projectNumber } },
  }), "p", "s", false);
  const { FluxWorkloadIdentity } = require("flux-identity");
  const flux = new FluxWorkloadIdentity(spec.name, workloadIdentityArgsFromSpec(spec));
  const [awsRoleArns, azureClientIds, yaml] = await Promise.all([outputValue(flux.awsRoleArns), outputValue(flux.azureClientIds), outputValue(flux.kustomizationYaml)]);
  process.stdout.write(JSON.stringify({ awsRoleArns, azureClientIds, yaml, projectNumber: spec.gcp.projectNumber }));
})().catch((e) => { console.error(e); process.exit(1); });`;
        const r = sh(process.execPath, ["-e", script], consumer);
        const out = JSON.parse(r.stdout) as { awsRoleArns: Record<string, string>; azureClientIds: Record<string, string>; yaml: string; projectNumber: string };
        assert.ok(Object.keys(out.awsRoleArns).length > 0 && Object.keys(out.azureClientIds).length > 0, "identities in AWS and Azure");
        for (const arn of Object.values(out.awsRoleArns)) assert.ok(out.yaml.includes(arn), `${arn} is in the kustomization`);
        for (const id of Object.values(out.azureClientIds)) assert.ok(out.yaml.includes(id), `client ID ${id} is in the kustomization`);
        assert.ok(out.yaml.includes(`projects/${out.projectNumber}/locations/global/workloadIdentityPools/`), "the GCP audience names the project number");
    });

    it("starts the plugin executable from the installed package: it finds its compiled code and schema and serves on a port", async () => {
        // The engine starts a plugin with its own address and reads the port the plugin prints first.
        const plugin = spawn(path.join(consumer, "node_modules", ".bin", "pulumi-resource-flux-identity"), ["127.0.0.1:1"], { cwd: consumer, env: childEnv() });
        let stdout = "";
        let stderr = "";
        plugin.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const port = await new Promise<string>((resolve, reject) => {
            plugin.stdout.setEncoding("utf8").on("data", (d: string) => {
                stdout += d;
                if (/^\d+\n/.test(stdout)) resolve(stdout.trim());
            });
            plugin.on("exit", (code) => reject(new Error(`the plugin exited (${code}) before printing a port:\n${stdout}\n${stderr}`)));
        });
        plugin.kill();
        assert.ok(Number(port) > 0, port);
    });
});
