/**
 * A small internal portal embedding the fleet runner: start a run, stream its events, fetch its result,
 * cancel it. Every request needs `Authorization: Bearer <token>` (401 otherwise, the event stream
 * included); the server listens on 127.0.0.1 unless told otherwise (startPortal).
 *
 *   POST   /runs               {"operation":"preview","selection":{"labels":{"env":"prod"}}}  -> 202 {"id": "..."}
 *                              preview and up skip stacks unchanged since their last successful up;
 *                              "force": true runs them anyway, "refresh": true refreshes them first
 *                              invalid request or selection -> 400 {"error","issues"}
 *                              destroy without the confirmation -> 409 {"error","targets","confirmDestroy"};
 *                              send it again with "confirmDestroy": [the cluster names] -> 202
 *   GET    /runs/:id           -> {"id","operation","state":"running"|"finished"|"failed","summary"?,"error"?}
 *   GET    /runs/:id/events    -> text/event-stream: every event so far, then live ones
 *   DELETE /runs/:id           -> 202; running updates are cancelled cleanly
 *
 * A run is answered once the runner has checked it (the selection, every selected cluster's spec, the
 * destroy confirmation, the environment) and started, so a refused run never appears as a run.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
// In your own service: import { runFleet, FLEET_OPERATIONS, ... } from "flux-identity/sdk";
import { FluxIdentityValidationError, ValidationIssue } from "../../provider/src/core/errors";
import { runFleet } from "../../sdk/src/runner";
import { FleetConfirmationError, FleetSetupError } from "../../sdk/src/runner/errors";
import { FLEET_OPERATIONS, FleetEvent, FleetOperation, FleetRunOptions, FleetRunSummary } from "../../sdk/src/runner/types";

export interface PortalOptions {
    /** The fleet file every run reads. */
    fleetFile: string;
    /** The token every request must carry as `Authorization: Bearer <token>`. */
    token: string;
    /** The runner; tests pass a double. */
    run?: (options: FleetRunOptions) => Promise<FleetRunSummary>;
}

interface Run {
    id: string;
    operation: FleetOperation;
    state: "running" | "finished" | "failed";
    events: FleetEvent[];
    listeners: Set<(e: FleetEvent) => void>;
    controller: AbortController;
    summary?: FleetRunSummary;
    error?: string;
}

/** The request body of POST /runs; any other key is refused (a misspelled one would be ignored). */
interface RunRequest {
    operation: FleetOperation;
    selection?: unknown;
    concurrency?: number;
    confirmDestroy?: string[];
    force?: boolean;
    refresh?: boolean;
}

const REQUEST_KEYS = ["operation", "selection", "concurrency", "confirmDestroy", "force", "refresh"];

/** The shortest token accepted from the environment. */
export const MIN_TOKEN_LENGTH = 16;

/** The summary of a run that ended before any cluster (a refused spec). */
function emptySummary(operation: FleetOperation): FleetRunSummary {
    return { operation, results: [], succeeded: [], skipped: [], failed: [], cancelled: [], durationMs: 0 };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function parseRunRequest(body: unknown): RunRequest | ValidationIssue[] {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return [{ path: "(body)", message: "expected a JSON object.", fix: 'send {"operation": "preview", "selection": {...}}.' }];
    const b = body as Record<string, unknown>;
    const issues: ValidationIssue[] = [];
    for (const key of Object.keys(b)) {
        if (!REQUEST_KEYS.includes(key)) issues.push({ path: key, message: `${JSON.stringify(key)} is not a field of a run request.`, fix: `use ${REQUEST_KEYS.join(", ")}.` });
    }
    if (typeof b.operation !== "string" || !(FLEET_OPERATIONS as readonly string[]).includes(b.operation)) {
        issues.push({ path: "operation", message: `${JSON.stringify(b.operation)} is not an operation.`, fix: `use one of ${FLEET_OPERATIONS.join(", ")}.` });
    }
    if (b.concurrency !== undefined && (typeof b.concurrency !== "number" || !Number.isInteger(b.concurrency) || b.concurrency < 1)) {
        issues.push({ path: "concurrency", message: "must be a whole number of at least 1.", fix: "send 4, for example." });
    }
    if (b.confirmDestroy !== undefined && (!Array.isArray(b.confirmDestroy) || !b.confirmDestroy.every((n) => typeof n === "string"))) {
        issues.push({ path: "confirmDestroy", message: "must be a list of cluster names.", fix: "send back the confirmDestroy list of the 409 answer." });
    }
    for (const flag of ["force", "refresh"] as const) {
        if (b[flag] !== undefined && typeof b[flag] !== "boolean") issues.push({ path: flag, message: "must be true or false.", fix: `send "${flag}": true, or leave it out.` });
    }
    if (issues.length > 0) return issues;
    const out: RunRequest = { operation: b.operation as FleetOperation };
    // Whether they apply to the operation is the runner's to check (force and refresh are for preview and up).
    if (b.force !== undefined) out.force = b.force as boolean;
    if (b.refresh !== undefined) out.refresh = b.refresh as boolean;
    // The selection goes to the runner as it came: the runner checks it as data and fails closed.
    if (b.selection !== undefined) out.selection = b.selection;
    if (b.concurrency !== undefined) out.concurrency = b.concurrency as number;
    if (b.confirmDestroy !== undefined) out.confirmDestroy = b.confirmDestroy as string[];
    return out;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Whether the request carries the token, compared in constant time (over digests, so lengths do not leak either). */
export function authorized(header: string | undefined, token: string): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

export function createPortal(options: PortalOptions): Server {
    if (typeof options.token !== "string" || options.token.length === 0) throw new Error("createPortal needs a token: every request must present it");
    const run = options.run ?? runFleet;
    const runs = new Map<string, Run>();

    /** Starts a run; resolves once the runner accepted it (run-started), rejects with the runner's refusal. */
    const start = (request: RunRequest): Promise<Run> => {
        const r: Run = { id: randomUUID(), operation: request.operation, state: "running", events: [], listeners: new Set(), controller: new AbortController() };
        return new Promise<Run>((accepted, refused) => {
            const onEvent = (e: FleetEvent) => {
                r.events.push(e);
                if (e.type === "run-started") {
                    runs.set(r.id, r);
                    accepted(r);
                }
                for (const l of r.listeners) l(e);
            };
            // The selection is passed on unchecked on purpose: runFleet refuses anything but a valid one.
            const runOptions = { operation: request.operation, fleet: options.fleetFile, onEvent, signal: r.controller.signal, selection: request.selection } as FleetRunOptions;
            if (request.selection === undefined) delete runOptions.selection;
            if (request.concurrency) runOptions.concurrency = request.concurrency;
            if (request.confirmDestroy) runOptions.confirmDestroy = request.confirmDestroy;
            if (request.force !== undefined) runOptions.force = request.force;
            if (request.refresh !== undefined) runOptions.refresh = request.refresh;
            run(runOptions).then(
                (summary) => {
                    runs.set(r.id, r);
                    r.summary = summary;
                    r.state = "finished";
                    // The runner ends its stream with run-finished; close any stream still open without one.
                    if (!r.events.some((e) => e.type === "run-finished")) onEvent({ type: "run-finished", summary });
                    accepted(r);
                },
                (err: unknown) => {
                    if (!runs.has(r.id)) return refused(err);
                    r.state = "failed";
                    r.error = err instanceof Error ? err.message : String(err);
                    onEvent({ type: "run-finished", summary: emptySummary(r.operation) });
                },
            );
        });
    };

    const refusal = (res: ServerResponse, err: unknown): void => {
        if (err instanceof FleetConfirmationError) {
            return send(res, 409, { error: err.message, issues: err.issues, targets: err.targets, confirmDestroy: err.targets.map((t) => t.cluster) });
        }
        if (err instanceof FluxIdentityValidationError) return send(res, 400, { error: err.message, issues: err.issues });
        if (err instanceof FleetSetupError) return send(res, 503, { error: err.message });
        return send(res, 500, { error: err instanceof Error ? err.message : String(err) });
    };

    return createServer((req, res) => {
        if (!authorized(req.headers.authorization, options.token)) {
            return send(res, 401, { error: "send Authorization: Bearer <token> (the portal printed its token when it started, or took FLUX_IDENTITY_PORTAL_TOKEN)" }, { "www-authenticate": 'Bearer realm="flux-identity portal"' });
        }
        const url = new URL(req.url ?? "/", "http://portal");
        const parts = url.pathname.split("/").filter(Boolean);
        void (async () => {
            if (req.method === "POST" && parts.length === 1 && parts[0] === "runs") {
                let body: unknown;
                try {
                    body = await readJson(req);
                } catch {
                    return send(res, 400, { error: "the body is not JSON" });
                }
                const parsed = parseRunRequest(body);
                if (Array.isArray(parsed)) return send(res, 400, { error: new FluxIdentityValidationError(parsed).message, issues: parsed });
                try {
                    const r = await start(parsed);
                    return send(res, 202, { id: r.id });
                } catch (err) {
                    return refusal(res, err);
                }
            }
            const r = parts[0] === "runs" && parts[1] ? runs.get(parts[1]) : undefined;
            if (!r) return send(res, 404, { error: "no such run" });
            if (req.method === "GET" && parts.length === 2) {
                return send(res, 200, { id: r.id, operation: r.operation, state: r.state, summary: r.summary, error: r.error });
            }
            if (req.method === "DELETE" && parts.length === 2) {
                r.controller.abort();
                return send(res, 202, { id: r.id, state: r.state });
            }
            if (req.method === "GET" && parts.length === 3 && parts[2] === "events") {
                res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
                const write = (e: FleetEvent) => {
                    res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
                    if (e.type === "run-finished") {
                        r.listeners.delete(write);
                        res.end();
                    }
                };
                for (const e of r.events) write(e);
                if (r.state === "running") {
                    r.listeners.add(write);
                    req.on("close", () => r.listeners.delete(write));
                } else if (!r.events.some((e) => e.type === "run-finished")) {
                    write({ type: "run-finished", summary: r.summary ?? emptySummary(r.operation) });
                }
                return;
            }
            return send(res, 405, { error: "method not allowed" });
        })();
    });
}

export interface PortalSettings {
    fleetFile: string;
    /** Default 127.0.0.1: only this machine can reach the portal unless told otherwise. */
    host?: string;
    /** Default 8080; 0 picks a free port. */
    port?: number;
    /** Default a new random token, which `startPortal` returns for printing. */
    token?: string;
    run?: PortalOptions["run"];
}

export const DEFAULT_HOST = "127.0.0.1";

/** Creates the portal and listens; resolves to the server, its URL and the token callers must send. */
export async function startPortal(settings: PortalSettings): Promise<{ server: Server; url: string; token: string; generated: boolean }> {
    const generated = settings.token === undefined;
    const token = settings.token ?? randomBytes(32).toString("base64url");
    if (token.length < MIN_TOKEN_LENGTH) throw new Error(`the portal token must be at least ${MIN_TOKEN_LENGTH} characters long`);
    const portalOptions: PortalOptions = { fleetFile: settings.fleetFile, token };
    if (settings.run) portalOptions.run = settings.run;
    const server = createPortal(portalOptions);
    const host = settings.host ?? DEFAULT_HOST;
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(settings.port ?? 8080, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const address = server.address() as AddressInfo;
    const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return { server, url: `http://${shown}:${address.port}`, token, generated };
}
