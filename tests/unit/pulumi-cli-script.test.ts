// scripts/build-pulumi-cli.sh without building anything: the build module it writes, and its cache lookup.

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fromRoot } from "../helpers/paths";
import { pinnedPulumiVersion } from "../helpers/pulumi-engine";

const SCRIPT = fromRoot("scripts", "build-pulumi-cli.sh");
const pinned = pinnedPulumiVersion();

describe("scripts/build-pulumi-cli.sh", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "flux-identity-cli-script-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("requires pkg and sdk at the pinned version and keeps only the replace directives pointing at published modules", () => {
        const pkgMod = path.join(dir, "pkg.mod");
        writeFileSync(
            pkgMod,
            [
                "module github.com/pulumi/pulumi/pkg/v3",
                "",
                "go 1.25.11",
                "",
                "replace github.com/pulumi/pulumi/sdk/v3 => ../sdk",
                "",
                "replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e",
                "",
                "replace (",
                "\tgithub.com/a/b v1.0.0 => github.com/c/d v1.2.3",
                "\tgithub.com/e/f => /abs/f",
                "\tgithub.com/g/h => ./h",
                ")",
                "",
                "require github.com/x/y v1.0.0",
            ].join("\n"),
        );
        const r = spawnSync(SCRIPT, ["--go-mod-from", pkgMod], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(
            r.stdout,
            [
                "module flux-identity.invalid/pulumi-cli-build",
                "",
                "go 1.25.11",
                "",
                "require (",
                `    github.com/pulumi/pulumi/pkg/v3 ${pinned}`,
                `    github.com/pulumi/pulumi/sdk/v3 ${pinned}`,
                ")",
                "",
                "replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e",
                "replace github.com/a/b v1.0.0 => github.com/c/d v1.2.3",
                "",
            ].join("\n"),
        );
    });

    it("only looks with --cached: exit 3 and nothing on stdout when the cache lacks the version", () => {
        const r = spawnSync(SCRIPT, ["--cached"], { encoding: "utf8", env: { ...process.env, FLUX_IDENTITY_PULUMI_CACHE: dir } });
        assert.equal(r.status, 3);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, new RegExp(`no Pulumi CLI ${pinned} in ${dir}/${pinned}`));
    });

    it("refuses a version range and unknown arguments", () => {
        assert.equal(spawnSync(SCRIPT, ["--cached"], { encoding: "utf8", env: { ...process.env, PULUMI_CLI_VERSION: "^3.248.0" } }).status, 2);
        assert.equal(spawnSync(SCRIPT, ["--bogus"], { encoding: "utf8" }).status, 2);
    });
});
