/**
 * The README's object-level table says which Flux kinds take `spec.serviceAccountName`; Flux's own CRDs
 * (gotk-components.yaml) decide. HelmRepository has no such field: at object level an OCI chart is pulled
 * by an OCIRepository.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { loadAll } from "js-yaml";
import { fluxFixture } from "../helpers/kustomize";
import { fromRoot } from "../helpers/paths";

interface Crd {
    kind: string;
    spec?: { names: { kind: string }; versions: Array<{ name: string; storage: boolean; schema?: { openAPIV3Schema?: { properties?: { spec?: { properties?: Record<string, unknown> } } } } }> };
}

/** The spec fields of a Flux kind's storage version. */
function specFields(crds: Crd[], kind: string): string[] {
    const crd = crds.find((c) => c.kind === "CustomResourceDefinition" && c.spec?.names.kind === kind);
    assert.ok(crd?.spec, `no CRD for ${kind}`);
    const version = crd.spec.versions.find((v) => v.storage);
    return Object.keys(version?.schema?.openAPIV3Schema?.properties?.spec?.properties ?? {});
}

describe("README object-level table against Flux's CRDs", () => {
    const crds = (loadAll(readFileSync(path.join(fluxFixture().dir, "gotk-components.yaml"), "utf8")) as Crd[]).filter(Boolean);
    const readme = readFileSync(fromRoot("README.md"), "utf8");
    // The rows of the "| kind | controller level | object level |" table.
    const table = readme.slice(readme.indexOf("| kind | controller level | object level |"));
    const rows = table
        .split("\n")
        .slice(2)
        .filter((l) => l.startsWith("|"))
        .map((l) => l.split("|").map((c) => c.trim()));

    it("names spec.serviceAccountName at object level only for kinds whose CRD has it", () => {
        assert.ok(rows.length > 0, "the table is in the README");
        for (const [, kinds, , objectLevel] of rows) {
            if (!objectLevel.startsWith("also `spec.serviceAccountName")) continue;
            for (const kind of kinds.split(",").map((k) => k.replace(/\(.*\)/, "").trim())) {
                assert.ok(specFields(crds, kind).includes("serviceAccountName"), `README says ${kind} takes spec.serviceAccountName; its CRD has no such field`);
            }
        }
    });

    it("says HelmRepository has no spec.serviceAccountName, as its CRD", () => {
        assert.ok(!specFields(crds, "HelmRepository").includes("serviceAccountName"));
        const row = rows.find((r) => r[1].startsWith("HelmRepository"));
        assert.ok(row, "a HelmRepository row");
        assert.match(row[3], /HelmRepository has no `spec\.serviceAccountName`/);
    });
});
