/**
 * `render --out` into a folder that already holds an earlier render: it says what happened to each file,
 * removes the folders of clusters no longer in the spec and the files a cluster no longer has, and only
 * ever what a manifest says flux-identity wrote.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { dump } from "js-yaml";
import { EXIT_OK, runCli } from "../../sdk/src/cli/main";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { fromRoot } from "../helpers/paths";

async function render(spec: string, out: string): Promise<string> {
    let text = "";
    let err = "";
    const code = await runCli(["render", spec, "--out", out], { out: (t) => void (text += t), err: (t) => void (err += t), isTTY: false });
    assert.equal(code, EXIT_OK, err);
    return text;
}

describe("render --out into an existing folder", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "fi-render-out-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const specOf = (names: string[], change?: (c: ReturnType<typeof loadFleet>["clusters"][number]) => void) => {
        const fleet = loadFleet(fromRoot("examples", "fleet.yaml"));
        const clusters = fleet.clusters.filter((c) => names.includes(c.name));
        if (change) clusters.forEach(change);
        const file = path.join(dir, `fleet-${names.join("-")}${change ? "-changed" : ""}.yaml`);
        writeFileSync(file, dump({ ...fleet, clusters }));
        return file;
    };

    it("removes the folders of clusters no longer in the spec, and only those it wrote", async () => {
        const out = path.join(dir, "out");
        const first = await render(specOf(["prod-eks", "dev-kind", "edge-kind"]), out);
        assert.match(first, /: \d+ files \(\d+ created, 0 updated, 0 unchanged\):/);
        // Someone else's folder, and a folder an older version rendered (plan.json, no manifest).
        mkdirSync(path.join(out, "notes"));
        writeFileSync(path.join(out, "notes", "todo.md"), "mine\n");
        mkdirSync(path.join(out, "old-cluster"));
        writeFileSync(path.join(out, "old-cluster", "plan.json"), "{}\n");
        // A file of the user's inside a cluster folder that goes away.
        writeFileSync(path.join(out, "edge-kind", "README.md"), "notes on edge-kind\n");

        const second = await render(specOf(["prod-eks"]), out);
        assert.ok(!existsSync(path.join(out, "dev-kind")), "dev-kind is gone with all its files");
        assert.match(second, new RegExp(`  removed ${escape(path.join(out, "dev-kind"))}/ \\(cluster dev-kind is no longer in the spec\\)\\n`));
        assert.ok(existsSync(path.join(out, "edge-kind", "README.md")), "a file flux-identity did not write stays");
        assert.ok(!existsSync(path.join(out, "edge-kind", "plan.json")), "its own files went");
        assert.match(second, new RegExp(`note: ${escape(path.join(out, "edge-kind"))}: cluster edge-kind is no longer in the spec; its files were removed, others in the folder were kept\\.`));
        assert.equal(readFileSync(path.join(out, "notes", "todo.md"), "utf8"), "mine\n");
        assert.ok(existsSync(path.join(out, "old-cluster", "plan.json")));
        assert.match(second, /old-cluster looks like an earlier render but has no manifest\.json; left alone/);
        for (const line of second.split("\n").filter((l) => l.includes(path.join(out, "prod-eks")))) assert.match(line, /unchanged /, line);
    });

    it("removes the files a cluster no longer has, and says which", async () => {
        const out = path.join(dir, "out");
        await render(specOf(["dev-kind"]), out);
        assert.ok(existsSync(path.join(out, "dev-kind", "tenants", "rbac.yaml")));
        const text = await render(
            specOf(["dev-kind"], (c) => {
                if (c.aws) delete c.aws.tenants;
            }),
            out,
        );
        assert.ok(!existsSync(path.join(out, "dev-kind", "tenants")), "tenants/ is gone");
        assert.match(text, new RegExp(`removed +${escape(path.join(out, "dev-kind", "tenants", "rbac.yaml"))}`));
        assert.match(text, new RegExp(`updated +${escape(path.join(out, "dev-kind", "flux-system", "kustomization.yaml"))}`));
        const manifest = JSON.parse(readFileSync(path.join(out, "dev-kind", "manifest.json"), "utf8")) as { files: Record<string, string> };
        assert.ok(!Object.keys(manifest.files).some((f) => f.startsWith("tenants/")));
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
