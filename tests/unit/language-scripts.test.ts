// The other-language build scripts without building anything: their cache lookups (`--cached` only
// looks, exit 3 and nothing on stdout), their argument and version checks.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fromRoot } from "../helpers/paths";
import { pinnedPulumiVersion } from "../helpers/pulumi-engine";

const script = (name: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(fromRoot("scripts", name), args, { encoding: "utf8", env: { ...process.env, ...env } });

describe("the other-language build scripts", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "flux-identity-lang-scripts-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const caches: Array<[string, string, RegExp]> = [
        ["build-pulumi-yaml.sh", "FLUX_IDENTITY_PULUMI_YAML_CACHE", /no pulumi-language-yaml v\d+\.\d+\.\d+ in .*run .* to build it/],
        ["build-sdk-gen.sh", "FLUX_IDENTITY_SDK_GEN_CACHE", /no build of scripts\/gen-sdk \(v\d+\.\d+\.\d+, sources [0-9a-f]{16}\) in .*; run .* to build it/],
        ["build-python-wheels.sh", "FLUX_IDENTITY_PYTHON_WHEELS_CACHE", /no wheels for pulumi \d+\.\d+\.\d+ on Python \d+\.\d+ in .*; run .* to download them/],
    ];
    for (const [name, cacheVar, message] of caches) {
        it(`${name} --cached only looks: exit 3 and nothing on stdout when ${cacheVar} lacks the build`, () => {
            const r = script(name, ["--cached"], { [cacheVar]: dir });
            assert.equal(r.status, 3, r.stderr);
            assert.equal(r.stdout, "");
            assert.match(r.stderr, message);
        });

        it(`${name} refuses unknown arguments`, () => {
            assert.equal(script(name, ["--bogus"]).status, 2);
        });
    }

    it("build-pulumi-yaml.sh refuses a version range", () => {
        assert.equal(script("build-pulumi-yaml.sh", ["--cached"], { PULUMI_YAML_VERSION: "^1.25.0" }).status, 2);
    });

    it("the SDK generator's codegen is the pinned Pulumi version (scripts/gen-sdk/go.mod)", () => {
        const r = script("pinned-pulumi-version.sh", []);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(`v${r.stdout.trim()}`, pinnedPulumiVersion());
        const goMod = spawnSync("awk", ['$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }', fromRoot("scripts", "gen-sdk", "go.mod")], { encoding: "utf8" }).stdout.trim();
        assert.equal(goMod, pinnedPulumiVersion());
    });

    it("gen-sdk.sh refuses unknown arguments before generating anything", () => {
        const r = script("gen-sdk.sh", ["--bogus"]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /usage: .*--out <dir>/);
    });
});
