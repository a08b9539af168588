/**
 * Everything `npm run gen-sdk` derives from the components' TypeScript types is committed as it would
 * regenerate today: provider/schema.json (schema inference) and sdk/python, sdk/go, sdk/go.mod, sdk/go.sum
 * (Pulumi's generators, scripts/gen-sdk). The test regenerates into a scratch folder and compares.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { findGo, findSdkGenerator } from "../helpers/language-tools";
import { fromRoot } from "../helpers/paths";
import { requireTool } from "../helpers/pulumi-engine";

const REGENERATE = "run `npm run gen-sdk` and commit the result";

/** Files under `dir` (relative to `base`), leaving out what git ignores (pip's build/ and egg-info). */
function filesUnder(base: string, dir: string, useGit: boolean): string[] {
    if (useGit) {
        const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", dir], { cwd: base, encoding: "utf8" });
        return listed.split("\n").filter((f) => f && existsSync(path.join(base, f))).sort();
    }
    if (!existsSync(path.join(base, dir))) return [];
    if (statSync(path.join(base, dir)).isFile()) return [dir];
    return (readdirSync(path.join(base, dir), { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
        .filter((e) => e.isFile())
        .map((e) => path.relative(base, path.join(e.parentPath, e.name)))
        .sort();
}

/** Which files differ between the repository and a regeneration, by name. */
function staleFiles(repo: string, regenerated: string, dirs: string[], useGit = true): string[] {
    const stale: string[] = [];
    for (const dir of dirs) {
        const have = filesUnder(repo, dir, useGit);
        const want = filesUnder(regenerated, dir, false);
        for (const f of want.filter((f) => !have.includes(f))) stale.push(`${f} (missing)`);
        for (const f of have.filter((f) => !want.includes(f))) stale.push(`${f} (no longer generated)`);
        for (const f of want.filter((f) => have.includes(f))) {
            if (!readFileSync(path.join(repo, f)).equals(readFileSync(path.join(regenerated, f)))) stale.push(`${f} (differs)`);
        }
    }
    return stale;
}

describe("generated files kept in step with the components (`npm run gen-sdk`)", function () {
    // Schema inference type-checks provider/ with its dependencies' declarations: tens of seconds.
    this.timeout(600_000);
    let out: string;
    const insideGit = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: fromRoot(), encoding: "utf8" }).stdout.trim() === "true";

    before(function () {
        requireTool(this, "the generated-files check", findSdkGenerator());
        requireTool(this, "the generated-files check", findGo());
        out = mkdtempSync(path.join(tmpdir(), "flux-identity-gen-sdk-"));
        const r = spawnSync(fromRoot("scripts", "gen-sdk.sh"), ["--out", out], { cwd: fromRoot(), encoding: "utf8" });
        assert.equal(r.status, 0, `scripts/gen-sdk.sh --out failed:\n${r.stderr}`);
    });
    after(() => out && rmSync(out, { recursive: true, force: true }));

    it("provider/schema.json is what schema inference gives for the components today", () => {
        assert.deepEqual(staleFiles(fromRoot(), out, ["provider/schema.json"], insideGit), [], `provider/schema.json is stale: ${REGENERATE}`);
    });

    it("sdk/python, sdk/go, sdk/go.mod and sdk/go.sum are what Pulumi's generators write from it", () => {
        const stale = staleFiles(fromRoot(), out, ["sdk/python", "sdk/go", "sdk/go.mod", "sdk/go.sum"], insideGit);
        assert.deepEqual(stale, [], `the generated SDKs are stale: ${REGENERATE}`);
    });
});
