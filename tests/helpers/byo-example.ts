/**
 * examples/yaml-byo: the brought-identity cluster the YAML, Python and Go end-to-end tests each declare
 * through the plugin, and what `flux-identity render` writes for the same cluster (examples/yaml-byo/
 * fleet.yaml). Those files are what every language's stack outputs must equal.
 */

import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { fromRoot } from "./paths";
import type { EngineScratch, PulumiCli } from "./pulumi-engine";

export const BYO_DIR = fromRoot("examples", "yaml-byo");
const FLEET_FILE = path.join(BYO_DIR, "fleet.yaml");

/** The outputs each language's program exports, as `render` writes them. */
export interface ByoOutputs {
    kustomizationYaml: string;
    tenantServiceAccountsYaml: string;
    tenantRbacYaml: string;
    fluxObjectsYaml: string;
    warnings: string[];
    awsRoleArns: Record<string, string>;
    azureClientIds: Record<string, string>;
}

/** Runs `flux-identity render` on the example's fleet file into `outDir` and reads back what it wrote. */
export function renderedByo(outDir: string): ByoOutputs {
    execFileSync(process.execPath, [fromRoot("dist", "sdk", "src", "cli", "main.js"), "render", FLEET_FILE, "--out", outDir], { encoding: "utf8" });
    const [cluster] = loadFleet(FLEET_FILE).clusters;
    const dir = path.join(outDir, cluster.name);
    const file = (rel: string): string => (existsSync(path.join(dir, rel)) ? readFileSync(path.join(dir, rel), "utf8") : "");
    const plan = JSON.parse(file("plan.json")) as { warnings: string[] };
    return {
        kustomizationYaml: file("flux-system/kustomization.yaml"),
        tenantServiceAccountsYaml: file("tenants/service-accounts.yaml"),
        tenantRbacYaml: file("tenants/rbac.yaml"),
        fluxObjectsYaml: file("flux-objects.yaml"),
        warnings: plan.warnings,
        awsRoleArns: { ...cluster.aws?.existingRoleArns },
        azureClientIds: Object.fromEntries(Object.entries(cluster.azure?.existingIdentities ?? {}).map(([controller, identity]) => [controller, identity.clientId])),
    };
}

/** What an Automation API program in another language prints for one operation. */
export interface ProgramResult {
    outputs: Record<string, unknown>;
    changes: Record<string, number>;
}

/**
 * The tests an inline Automation API program (in any language) declaring the example passes: `up` gives
 * the rendered files, creating the stack, FluxWorkloadIdentity and its AWS and Azure children; a second
 * `up` changes nothing; `destroy` deletes all four and leaves the stack empty.
 */
export function itProvisionsTheExample(ctx: () => { program: (operation: "up" | "destroy") => Promise<ProgramResult>; rendered: ByoOutputs; scratch: EngineScratch; project: string }): void {
    it("declares FluxWorkloadIdentity with typed args: `up` outputs the files render writes", async () => {
        const { program, rendered } = ctx();
        const up = await program("up");
        assertOutputsEqualRender(up.outputs, rendered);
        assert.deepEqual(up.changes, { create: 4 }, "the stack, FluxWorkloadIdentity and its AWS and Azure children");
    });

    it("changes nothing on a second up, and destroys the stack", async () => {
        const { program, scratch, project } = ctx();
        assert.deepEqual((await program("up")).changes, { same: 4 });
        assert.deepEqual((await program("destroy")).changes, { delete: 4 });
        assert.deepEqual(scratch.stackResources(project, "dev"), []);
    });
}

/** Every output the program exports equals what render wrote; the tenant and object files are not empty. */
export function assertOutputsEqualRender(outputs: Record<string, unknown>, rendered: ByoOutputs): void {
    assert.deepEqual(Object.keys(outputs).sort(), Object.keys(rendered).sort(), "the program exports every output");
    for (const [key, value] of Object.entries(rendered)) assert.deepEqual(outputs[key], value, key);
    for (const key of ["kustomizationYaml", "tenantServiceAccountsYaml", "tenantRbacYaml", "fluxObjectsYaml"] as const) assert.ok(rendered[key].length > 0, `render wrote ${key}`);
}

/**
 * The engine's environment for a program in another language: the scratch's (passphrase, PULUMI_HOME,
 * no plugin downloads) with the Pulumi CLI, `extraBins` and the plugin executable (provider/) on PATH.
 */
export function languageEnv(scratch: EngineScratch, cli: PulumiCli, extraBins: string[] = [], pluginOnPath = true): Record<string, string | undefined> {
    const bins = [path.join(cli.root, "bin"), ...extraBins, ...(pluginOnPath ? [fromRoot("provider")] : [])];
    return { ...scratch.env(), PATH: [...bins, process.env.PATH ?? ""].join(path.delimiter) };
}

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
}

const run = promisify(execFile);

/** Runs the Pulumi CLI non-interactively in `cwd`; never throws. */
export async function pulumiIn(cli: PulumiCli, cwd: string, env: Record<string, string | undefined>, ...args: string[]): Promise<CliRun> {
    try {
        const { stdout, stderr } = await run(path.join(cli.root, "bin", "pulumi"), [...args, "--non-interactive"], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

/** examples/yaml-byo/Pulumi.yaml copied into `dir` (created), with `edit` applied to its text. */
export function copyYamlProgram(dir: string, edit: (text: string) => string = (t) => t): string {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "Pulumi.yaml"), edit(readFileSync(path.join(BYO_DIR, "Pulumi.yaml"), "utf8")));
    return dir;
}
