#!/usr/bin/env node
// The Flux-auth judge's launcher (`npm run judge -- <render-dir> ...`): builds what it needs on first
// use (the Go judge for each Flux version, cached by a hash of its sources; tests/iam-eval with cargo;
// tests/authn-config and tests/vault-eval, cached by a hash of theirs),
// picks the Flux version of each cluster from its plan.json, and runs the judge. Plain Node.js, so it
// works from a fresh clone after `npm ci`, before any TypeScript build.
//
//   node tests/flux-auth/judge.js [--flux <dir>] [--flux-version 2.9|2.10] [--json] <render-dir>...
//   node tests/flux-auth/judge.js --build-only [--flux-version 2.9|2.10]   prints the judge binary
//
// Environment: FLUX_IDENTITY_JUDGE_CACHE (default ~/.cache/flux-identity/flux-auth-judge), GOTOOLCHAIN
// (the v2.10 build needs Go 1.27; unset, it is set to go1.27.3 for that build).
"use strict";
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const here = __dirname;
const root = path.resolve(here, "..", "..");

/** The two builds: one source tree, a go.mod per pkg/auth version, build tags for the API differences. */
const BUILDS = {
    "2.9": { modfile: "go.mod", tags: [], toolchain: undefined, auth: "github.com/fluxcd/pkg/auth v0.54.3" },
    "2.10": { modfile: "go.v2.10.mod", tags: ["flux210"], toolchain: "go1.27.3", auth: "github.com/fluxcd/pkg/auth v0.66.0" },
};

function fail(code, msg) {
    process.stderr.write(`flux-auth judge: ${msg}\n`);
    process.exit(code);
}

function cacheRoot() {
    return process.env.FLUX_IDENTITY_JUDGE_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "flux-identity", "flux-auth-judge");
}

/** Hash of everything the build reads: Go sources, the version's go.mod and go.sum, tags, toolchain. */
function sourceHash(version) {
    const b = BUILDS[version];
    const h = crypto.createHash("sha256");
    const files = fs.readdirSync(here).filter((f) => f.endsWith(".go")).sort();
    files.push(b.modfile, b.modfile.replace(/\.mod$/, ".sum"));
    for (const f of files) {
        const p = path.join(here, f);
        h.update(f + "\0" + (fs.existsSync(p) ? fs.readFileSync(p) : "") + "\0");
    }
    h.update(JSON.stringify({ tags: b.tags, toolchain: b.toolchain || "" }));
    return h.digest("hex").slice(0, 16);
}

/** The judge binary for a Flux version, built into the cache when missing. Returns { binary } or { reason }. */
function ensureJudge(version, log = (m) => process.stderr.write(m + "\n")) {
    const b = BUILDS[version];
    if (!b) return { reason: `unknown Flux version ${version} (the judge has builds for ${Object.keys(BUILDS).join(", ")})` };
    const dir = path.join(cacheRoot(), `v${version}-${sourceHash(version)}`);
    const binary = path.join(dir, "flux-auth-judge");
    if (fs.existsSync(binary)) return { binary };
    fs.mkdirSync(dir, { recursive: true });
    const env = { ...process.env, GOFLAGS: "-mod=readonly", CGO_ENABLED: "0" };
    if (b.toolchain && !(process.env.GOTOOLCHAIN || "").startsWith("go1.2")) env.GOTOOLCHAIN = b.toolchain;
    const args = ["build", "-trimpath", "-modfile", b.modfile, "-o", binary + ".partial"];
    if (b.tags.length) args.push("-tags", b.tags.join(","));
    args.push(".");
    log(`flux-auth judge: building the Flux ${version} judge (${b.auth}) into ${dir}; the first build takes minutes`);
    const started = Date.now();
    const r = spawnSync("go", args, { cwd: here, env, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
    if (r.error) return { reason: `go is not available (${r.error.message}); install Go 1.26+ to build the judge` };
    if (r.status !== 0) {
        fs.rmSync(binary + ".partial", { force: true });
        const stderr = (r.stderr || "").trim();
        const refused = /403 Forbidden|not available|verifying .*: .*404/.test(stderr);
        return { reason: `go build of the Flux ${version} judge failed${refused ? " (the Go module proxy refused a module it needs)" : ""}:\n${stderr}` };
    }
    fs.renameSync(binary + ".partial", binary);
    log(`flux-auth judge: built in ${Math.round((Date.now() - started) / 1000)} s`);
    return { binary };
}

/**
 * A Go helper of tests/ (authn-config: kube-apiserver's JWT authenticator; vault-eval: Vault's JWT auth
 * method), built into the cache by a hash of its sources. Returns { binary } or { reason }.
 */
function ensureGoTool(name, log = (m) => process.stderr.write(m + "\n")) {
    const dir = path.join(root, "tests", name);
    const h = crypto.createHash("sha256");
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".go") || f === "go.mod" || f === "go.sum").sort()) {
        h.update(f + "\0" + fs.readFileSync(path.join(dir, f)) + "\0");
    }
    const out = path.join(cacheRoot(), `${name}-${h.digest("hex").slice(0, 16)}`);
    const binary = path.join(out, name);
    if (fs.existsSync(binary)) return { binary };
    fs.mkdirSync(out, { recursive: true });
    log(`flux-auth judge: building tests/${name} into ${out}`);
    // go.sum pins every module; the public checksum database may be out of reach.
    const env = { ...process.env, GOFLAGS: "-mod=readonly", CGO_ENABLED: "0", GOSUMDB: process.env.GOSUMDB || "off" };
    const r = spawnSync("go", ["build", "-trimpath", "-o", binary + ".partial", "."], { cwd: dir, env, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
    if (r.error) return { reason: `go is not available (${r.error.message}); install Go 1.26+ to build tests/${name}` };
    if (r.status !== 0) {
        fs.rmSync(binary + ".partial", { force: true });
        return { reason: `go build of tests/${name} failed:\n${(r.stderr || "").trim()}` };
    }
    fs.renameSync(binary + ".partial", binary);
    return { binary };
}

/** The helpers every judge run passes to the judge. */
function ensureHelpers() {
    const iam = ensureIamEval();
    if (iam.reason) return iam;
    const authn = ensureGoTool("authn-config");
    if (authn.reason) return authn;
    const vault = ensureGoTool("vault-eval");
    if (vault.reason) return vault;
    return { args: ["--iam-eval", iam.binary, "--authn-config", authn.binary, "--vault-eval", vault.binary] };
}

/** tests/iam-eval, built with cargo when missing. */
function ensureIamEval() {
    const binary = path.join(root, "tests", "iam-eval", "target", "release", "iam-eval");
    if (fs.existsSync(binary)) return { binary };
    const r = spawnSync("cargo", ["build", "--release", "--locked", "--manifest-path", path.join(root, "tests", "iam-eval", "Cargo.toml")], { stdio: ["ignore", "inherit", "inherit"] });
    if (r.error) return { reason: `cargo is not available (${r.error.message}); install Rust to build tests/iam-eval` };
    if (r.status !== 0 || !fs.existsSync(binary)) return { reason: `cargo build of tests/iam-eval failed with status ${r.status}` };
    return { binary };
}

/** Flux's install manifests: --flux, else the real v2.9.4 ones beside the repository, else the project's fixture. */
function defaultFluxDir() {
    const shared = path.resolve(root, "..", "shared", "fixtures", "flux-v2.9.4");
    return fs.existsSync(path.join(shared, "gotk-components.yaml")) ? shared : path.join(root, "tests", "fixtures", "flux-mini");
}

/** Cluster folders of a render (the folder itself when it holds plan.json). */
function clusterDirs(renderDir) {
    if (fs.existsSync(path.join(renderDir, "plan.json"))) return [renderDir];
    return fs
        .readdirSync(renderDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(renderDir, e.name, "plan.json")))
        .map((e) => path.join(renderDir, e.name))
        .sort();
}

/** The Flux version a cluster's plan targets: flux.version, absent meaning 2.9. */
function planVersion(dir) {
    try {
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8"));
        return (plan.flux && plan.flux.version) || "2.9";
    } catch (e) {
        fail(2, `${dir}/plan.json: ${e.message}`);
    }
}

function parseArgs(argv) {
    const o = { json: false, buildOnly: false, rest: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) fail(2, `${a} needs a value`);
            return argv[++i];
        };
        if (a === "--flux") o.flux = value();
        else if (a === "--flux-version") o.fluxVersion = value();
        else if (a === "--json") o.json = true;
        else if (a === "--build-only") o.buildOnly = true;
        else if (a === "-h" || a === "--help") {
            process.stdout.write("usage: npm run judge -- <render-dir>... [--flux <dir with gotk-components.yaml>] [--flux-version 2.9|2.10] [--json]\n");
            process.exit(0);
        } else if (a.startsWith("-")) fail(2, `unknown option ${a}`);
        else o.rest.push(a);
    }
    return o;
}

function main() {
    const o = parseArgs(process.argv.slice(2));
    if (o.fluxVersion && !BUILDS[o.fluxVersion]) fail(2, `--flux-version ${o.fluxVersion}: the judge has builds for ${Object.keys(BUILDS).join(", ")}`);
    if (o.buildOnly) {
        const helpers = ensureHelpers();
        if (helpers.reason) fail(2, helpers.reason);
        const built = ensureJudge(o.fluxVersion || "2.9");
        if (built.reason) fail(3, built.reason);
        process.stdout.write(built.binary + "\n");
        return;
    }
    if (o.rest.length === 0) fail(2, "expected a render directory (usage: npm run judge -- <render-dir>... [--flux <dir>] [--flux-version 2.9|2.10] [--json])");
    const dirs = [];
    for (const arg of o.rest) {
        const renderDir = path.resolve(arg);
        if (!fs.existsSync(renderDir) || !fs.statSync(renderDir).isDirectory()) fail(2, `${arg} is not a directory`);
        const found = clusterDirs(renderDir);
        if (found.length === 0) fail(2, `${arg} holds no cluster folder with plan.json: is it a directory \`flux-identity render --out\` wrote?`);
        dirs.push(...found);
    }
    const fluxDir = path.resolve(o.flux || defaultFluxDir());
    if (!fs.existsSync(path.join(fluxDir, "gotk-components.yaml"))) fail(2, `--flux ${fluxDir} holds no gotk-components.yaml`);

    // Clusters grouped by the Flux version to judge them with.
    const groups = new Map();
    for (const dir of dirs) {
        const rendered = planVersion(dir);
        const v = o.fluxVersion || rendered;
        // Flux's code differs between versions where renders do (the 2.9 feature gate, 2.10's token RBAC).
        if (v !== rendered) {
            process.stderr.write(
                `flux-auth judge: warning: ${path.basename(dir)} was rendered for Flux ${rendered} (plan.json flux.version) and is judged with Flux ${v}'s code; expect refusals where the two differ. Judge it with --flux-version ${rendered}, or render it with flux.version: "${v}".\n`,
            );
        }
        if (!BUILDS[v]) fail(2, `${dir}/plan.json targets Flux ${v}; the judge has builds for ${Object.keys(BUILDS).join(", ")}`);
        groups.set(v, [...(groups.get(v) || []), dir]);
    }
    const helpers = ensureHelpers();
    if (helpers.reason) fail(2, helpers.reason);
    let exit = 0;
    for (const [version, group] of groups) {
        const built = ensureJudge(version);
        if (built.reason) fail(2, built.reason);
        const args = ["--flux", fluxDir, ...helpers.args, ...(o.json ? ["--json"] : []), ...group];
        const r = spawnSync(built.binary, args, { stdio: "inherit" });
        if (r.error) fail(2, r.error.message);
        exit = Math.max(exit, r.status === null ? 2 : r.status);
    }
    process.exit(exit);
}

module.exports = { ensureJudge, ensureIamEval, ensureGoTool, defaultFluxDir, BUILDS };

if (require.main === module) main();
