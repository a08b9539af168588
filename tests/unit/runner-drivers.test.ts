/**
 * The engine drivers without an engine: the LocalWorkspace driver's checks, error mapping (with the
 * Automation API's own error classes, built the way the SDK builds them), stack processes, abort
 * forwarding and outputs;
 * the Pulumi Deployments driver's checks; the cluster program under Pulumi's mocks; and module loading.
 */
import { strict as assert } from "node:assert";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import * as pulumi from "@pulumi/pulumi";
import { renderCluster } from "../../sdk/src/render/render";
import { CLUSTER_STACK_OUTPUTS, clusterProgram, clusterProgramFromEnv } from "../../sdk/src/runner/cluster-program";
import { defaultBackendUrl, defaultSecretsProvider, defaultStackNaming } from "../../sdk/src/runner/defaults";
import { FleetSetupError, StackOperationError } from "../../sdk/src/runner/errors";
import type { LocalStackRequest } from "../../sdk/src/runner/local-stack";
import { createRemoteStackDriver, remoteOptionProblems } from "../../sdk/src/runner/remote";
import { StackProcessPool } from "../../sdk/src/runner/stack-process";
import { stackRequest } from "../helpers/stack-request";
import {
    LOCAL_MAX_CONCURRENCY,
    SECRET_PLACEHOLDER,
    StackRunSettings,
    classifyEngineError,
    createLocalStackDriver,
    engineAbortSignal,
    engineMessage,
    fileBackendDir,
    outputValues,
    passphraseProblem,
    workspaceEnvVars,
} from "../../sdk/src/runner/workspace";
import { loadFleet } from "../../sdk/src/spec/fleet";
import { useMocks, valueOf } from "../helpers/mocks";
import { fromRoot } from "../helpers/paths";

// The SDK's internal factory of command errors, fed the way the CLI wrapper feeds it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number) => object };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError(result: object): Error };
const commandError = (stderr: string) => createCommandError(new CommandResult("Updating (prod)", stderr, 255));

function settings(over: Partial<StackRunSettings> = {}): StackRunSettings {
    return { operation: "up", backendUrl: "file:///tmp/state", secretsProvider: "passphrase", envVars: {}, env: {}, workDir: "/nonexistent", ...over };
}

describe("runner: engine drivers", () => {
    describe("LocalWorkspace driver", () => {
        it("requires a passphrase for the passphrase provider, and nothing else", () => {
            assert.match(passphraseProblem("passphrase", {}) ?? "", /PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE/);
            assert.equal(passphraseProblem("passphrase", { PULUMI_CONFIG_PASSPHRASE: "" }), undefined, "an empty passphrase is a passphrase");
            assert.equal(passphraseProblem("passphrase", { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/p" }), undefined);
            assert.equal(passphraseProblem("awskms://alias/fleet", {}), undefined);
            assert.equal(passphraseProblem(undefined, {}), undefined);
        });

        it("refuses to begin without the passphrase, before creating any folder", async () => {
            const dir = mkdtempSync(path.join(tmpdir(), "local-driver-"));
            try {
                const driver = createLocalStackDriver();
                assert.equal(driver.maxConcurrency, LOCAL_MAX_CONCURRENCY);
                await assert.rejects(driver.begin(settings({ workDir: dir, backendUrl: `file://${dir}/state` })), FleetSetupError);
                assert.deepEqual(readdirSync(dir), []);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("refuses to begin without a Pulumi CLI where it is told to look, installing nothing", async () => {
            const dir = mkdtempSync(path.join(tmpdir(), "local-driver-"));
            try {
                const driver = createLocalStackDriver({ cliRoot: path.join(dir, "no-cli") });
                await assert.rejects(driver.begin(settings({ workDir: dir, env: { PULUMI_CONFIG_PASSPHRASE: "x" } })), (err: Error) => err instanceof FleetSetupError && /Pulumi CLI in .*no-cli cannot be run.*installs nothing/s.test(err.message));
                assert.deepEqual(readdirSync(dir), []);
                assert.equal(existsSync(path.join(dir, "no-cli")), false);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("maps the SDK's ConcurrentUpdateError (both backends' texts) to `lock`", () => {
            for (const stderr of [
                "error: [409] Conflict: Another update is currently in progress.\n",
                "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n",
            ]) {
                const err = commandError(stderr);
                assert.ok(err instanceof automation.ConcurrentUpdateError);
                const mapped = classifyEngineError(automation, err, { aborted: false, stack: "o/p/prod" });
                assert.equal(mapped.kind, "lock");
                assert.match(mapped.message, /stack o\/p\/prod is locked by another update/);
                assert.match(mapped.message, /pulumi cancel --stack o\/p\/prod/);
                assert.equal(mapped.cause, err);
            }
        });

        it("maps a failure after an abort to `cancelled`, other command errors to `engine` with the error lines", () => {
            const err = commandError("Updating (prod)\n\nerror: update canceled\n");
            assert.equal(classifyEngineError(automation, err, { aborted: true, stack: "s" }).kind, "cancelled");
            const failed = classifyEngineError(automation, commandError("    aws:iam:Role r creating\nerror: AccessDenied: iam:CreateRole\n"), { aborted: false, stack: "s" });
            assert.deepEqual([failed.kind, failed.message], ["engine", "error: AccessDenied: iam:CreateRole"]);
            const fromStream = classifyEngineError(automation, commandError(""), { aborted: false, stderr: "error: from the stream\n", stack: "s" });
            assert.equal(fromStream.message, "error: from the stream");
        });

        it("maps a missing stack to `engine` with stackNotFound, anything else to `internal`", () => {
            const missing = classifyEngineError(automation, commandError("error: no stack named 'o/p/c9' found\n"), { aborted: false, stack: "o/p/c9" });
            assert.deepEqual([missing.kind, missing.stackNotFound], ["engine", true]);
            const bug = classifyEngineError(automation, new TypeError("x is undefined"), { aborted: false, stack: "s" });
            assert.deepEqual([bug.kind, bug.message, bug.stackNotFound], ["internal", "x is undefined", false]);
            const own = new StackOperationError("lock", "already classified");
            assert.equal(classifyEngineError(automation, own, { aborted: true, stack: "s" }), own);
        });

        it("picks the engine's error lines, else its last lines", () => {
            assert.equal(engineMessage("a\nerror: one\nb\nerror: two\n", "f"), "error: one\nerror: two");
            assert.equal(engineMessage("1\n2\n3\n4\n5\n6\n\n", "f"), "2\n3\n4\n5\n6");
            assert.equal(engineMessage("", " fallback "), "fallback");
        });

        it("keeps each stack's recorded secrets provider although every run starts from fresh workspace folders", () => {
            assert.deepEqual(workspaceEnvVars({ envVars: { A: "1" } }), { PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true", A: "1" });
            assert.deepEqual(workspaceEnvVars({ envVars: { PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "false" } }), { PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "false" });
        });

        it("hides secret outputs' values", () => {
            assert.deepEqual(outputValues({ a: { value: "x", secret: false }, b: { value: "s3cr3t", secret: true }, c: { value: { n: 1 }, secret: false } }), { a: "x", b: SECRET_PLACEHOLDER, c: { n: 1 } });
        });

        it("creates the folder of absolute file:// backends only", () => {
            assert.equal(fileBackendDir("file:///srv/state"), "/srv/state");
            assert.equal(fileBackendDir("file:///srv/state?x=1"), "/srv/state");
            assert.equal(fileBackendDir("file://~"), undefined);
            assert.equal(fileBackendDir("s3://bucket"), undefined);
        });
    });

    describe("stack processes", () => {
        const request = (dir: string): LocalStackRequest => stackRequest(dir, path.join(dir, "no-cli"));

        it("runs the operation in a child process and brings its error back as a StackOperationError; a failed process takes no further operation", async () => {
            const dir = mkdtempSync(path.join(tmpdir(), "flux-identity-stack-process-"));
            const pool = new StackProcessPool({ cliRoot: path.join(dir, "no-cli") });
            try {
                for (const round of [1, 2]) {
                    const err = await pool.run(request(dir), { onEvent: () => undefined, signal: new AbortController().signal }).then(
                        () => assert.fail("no CLI, yet it succeeded"),
                        (e: unknown) => e,
                    );
                    assert.ok(err instanceof StackOperationError, String(err));
                    assert.equal(err.kind, "engine", err.message);
                    assert.match(err.message, /no-cli/, "the child's own message, naming where it looked for the CLI");
                    assert.equal(pool.started, round, "each failed operation's process is replaced, not reused");
                }
            } finally {
                await pool.close();
                rmSync(dir, { recursive: true, force: true });
            }
        });

        it("starts no process for an operation aborted before it began", async () => {
            const controller = new AbortController();
            controller.abort();
            const pool = new StackProcessPool();
            await assert.rejects(pool.run(request("/nonexistent"), { onEvent: () => undefined, signal: controller.signal }), (e: unknown) => e instanceof StackOperationError && e.kind === "cancelled");
            assert.equal(pool.started, 0);
            await pool.close();
        });
    });

    describe("abort forwarding", () => {
        it("holds an abort until the engine's first event, then forwards it", () => {
            const outer = new AbortController();
            const fwd = engineAbortSignal(outer.signal);
            outer.abort("stop");
            assert.equal(fwd.signal.aborted, false, "the SDK would not listen yet");
            fwd.started();
            assert.equal(fwd.signal.aborted, true);
            assert.equal(fwd.signal.reason, "stop");
            fwd.dispose();
        });

        it("forwards an abort at once while the operation runs, and no longer after dispose", () => {
            const outer = new AbortController();
            const fwd = engineAbortSignal(outer.signal);
            fwd.started();
            fwd.started();
            assert.equal(fwd.signal.aborted, false);
            outer.abort();
            assert.equal(fwd.signal.aborted, true);
            const later = new AbortController();
            const done = engineAbortSignal(later.signal);
            done.started();
            done.dispose();
            later.abort();
            assert.equal(done.signal.aborted, false);
        });

        it("drops an abort once the engine's summary is in: the CLI's signal handler may be gone", () => {
            const outer = new AbortController();
            const fwd = engineAbortSignal(outer.signal);
            fwd.started();
            fwd.finished();
            fwd.started();
            outer.abort();
            assert.equal(fwd.signal.aborted, false);
            fwd.dispose();
        });
    });

    describe("defaults", () => {
        const fleet = { apiVersion: "flux-identity/v1alpha1", kind: "Fleet" as const, clusters: [] };
        it("puts state in the work folder unless told otherwise", () => {
            assert.equal(defaultBackendUrl(fleet, { specDir: "/srv/fleet" }), "file:///srv/fleet/.flux-identity/state");
            assert.equal(defaultBackendUrl({ ...fleet, backend: { url: "file://state" } }, { specDir: "/srv/fleet" }), "file:///srv/fleet/state");
            assert.equal(defaultBackendUrl({ ...fleet, backend: { url: "file://~" } }, { specDir: "/srv/fleet" }), "file://~");
            assert.equal(defaultBackendUrl({ ...fleet, backend: { url: "s3://fleet-state" } }, { specDir: "/srv/fleet", backendUrl: "gs://fleet-state" }), "gs://fleet-state");
        });

        it("encrypts with a passphrase on self-managed backends and with the service's own on Pulumi Cloud", () => {
            assert.equal(defaultSecretsProvider(fleet, "s3://b"), "passphrase");
            assert.equal(defaultSecretsProvider(fleet, "https://api.pulumi.com"), undefined);
            assert.equal(defaultSecretsProvider({ ...fleet, backend: { secretsProvider: "default" } }, "https://api.pulumi.com"), undefined);
            assert.equal(defaultSecretsProvider({ ...fleet, backend: { secretsProvider: "awskms://alias/x" } }, "s3://b"), "awskms://alias/x");
        });

        it("names stacks after the cluster in project flux-identity-fleet", () => {
            const c = { name: "prod", type: SourceClusterType.Generic, issuerUrl: "https://i" };
            assert.deepEqual(defaultStackNaming(fleet, c), { project: "flux-identity-fleet", stack: "prod", fullyQualified: "prod" });
            assert.deepEqual(defaultStackNaming({ ...fleet, stacks: { organization: "acme", name: "flux-{cluster}" } }, c), { project: "flux-identity-fleet", stack: "flux-prod", fullyQualified: "acme/flux-identity-fleet/flux-prod" });
        });
    });

    describe("Pulumi Deployments driver", () => {
        const git = { url: "https://github.com/acme/fleet.git", branch: "main", projectPath: "infra/fleet" };

        it("checks its options as RemoteWorkspace would, without any network", () => {
            assert.deepEqual(remoteOptionProblems({ git, fleetFile: "fleet.yaml" }), []);
            assert.deepEqual(remoteOptionProblems({ git: { branch: "main" }, fleetFile: "fleet.yaml", inheritSettings: true }), []);
            assert.equal(remoteOptionProblems({ git: { url: git.url }, fleetFile: "fleet.yaml" }).length, 1);
            assert.equal(remoteOptionProblems({ git: { ...git, commitHash: "abc" }, fleetFile: "fleet.yaml" }).length, 1);
            assert.equal(remoteOptionProblems({ git: { branch: "main" }, fleetFile: "" }).length, 2);
        });

        it("begins only against Pulumi Cloud, with its secrets", async () => {
            const driver = createRemoteStackDriver({ git, fleetFile: "fleet.yaml" });
            assert.equal(driver.maxConcurrency, 25);
            await assert.rejects(driver.begin(settings({ secretsProvider: undefined })), /need a Pulumi Cloud backend, but this run's backend is file:\/\/\/tmp\/state/);
            await assert.rejects(driver.begin(settings({ backendUrl: "https://api.pulumi.com" })), /remove backend.secretsProvider \(passphrase\)/);
            const session = await driver.begin(settings({ backendUrl: "https://api.pulumi.com", secretsProvider: undefined }));
            await session.close();
        });
    });

    describe("cluster program", () => {
        it("declares the cluster's FluxWorkloadIdentity and exports the same files render writes", async () => {
            const spec = loadFleet(fromRoot("examples", "fleet.yaml")).clusters.find((c) => c.name === "dev-kind");
            assert.ok(spec?.aws);
            await useMocks(spec.aws.accountId);
            const outputs = await clusterProgram(spec)();
            assert.deepEqual(Object.keys(outputs), [...CLUSTER_STACK_OUTPUTS]);
            const rendered = renderCluster(spec);
            assert.equal(await valueOf(outputs.kustomizationYaml as pulumi.Output<string>), rendered.files["flux-system/kustomization.yaml"]);
            assert.equal(await valueOf(outputs.tenantServiceAccountsYaml as pulumi.Output<string>), rendered.files["tenants/service-accounts.yaml"]);
            const roles = await valueOf(outputs.awsRoleArns as pulumi.Output<Record<string, string>>);
            assert.ok(Object.keys(roles).length > 0);
        });

        it("takes the fleet file and the cluster from the environment for remote projects", async () => {
            await assert.rejects(clusterProgramFromEnv({})(), /FLUX_IDENTITY_FLEET_FILE.*FLUX_IDENTITY_CLUSTER/);
            await assert.rejects(clusterProgramFromEnv({ FLUX_IDENTITY_FLEET_FILE: fromRoot("examples", "fleet.yaml"), FLUX_IDENTITY_CLUSTER: "nope" })(), /no cluster named "nope"/);
        });
    });

    it("loads no Pulumi code with the runner module, so render stays engine-free", () => {
        const r = spawnSync(process.execPath, ["-e", "require('./dist/sdk/src/runner');process.stdout.write(JSON.stringify(Object.keys(require.cache)))"], { cwd: fromRoot(), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        const mods = JSON.parse(r.stdout) as string[];
        assert.deepEqual(mods.filter((m) => m.includes(`${path.sep}@pulumi${path.sep}`)), []);
    });
});
