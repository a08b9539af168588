/**
 * A small internal portal embedding the fleet runner: start a run, stream its events, fetch its result,
 * cancel it. It shows the runner's API shape; put your own auth in front before exposing it.
 *
 *   POST   /runs               {"operation":"preview","selection":{"labels":{"env":"prod"}}}  -> 202 {"id": "..."}
 *   GET    /runs/:id           -> {"id","operation","state":"running"|"finished"|"failed","summary"?,"error"?}
 *   GET    /runs/:id/events    -> text/event-stream: every event so far, then live ones
 *   DELETE /runs/:id           -> 202; running updates are cancelled cleanly
 */
import { randomUUID } from "node:crypto";
import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";
// In your own service: import { runFleet, FLEET_OPERATIONS, ... } from "flux-identity/sdk";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { runFleet } from "../../sdk/src/runner";
import { ClusterSelection, FLEET_OPERATIONS, FleetEvent, FleetOperation, FleetRunOptions, FleetRunSummary } from "../../sdk/src/runner/types";

export interface PortalOptions {
    /** The fleet file every run reads. */
    fleetFile: string;
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

interface RunRequest {
    operation: FleetOperation;
    selection?: ClusterSelection;
    concurrency?: number;
}

/** The summary of a run that ended before any cluster (a refused spec). */
function emptySummary(operation: FleetOperation): FleetRunSummary {
    return { operation, results: [], succeeded: [], failed: [], cancelled: [], durationMs: 0 };
}

function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function parseRunRequest(body: unknown): RunRequest | string {
    if (typeof body !== "object" || body === null) return "expected a JSON object";
    const b = body as Record<string, unknown>;
    if (typeof b.operation !== "string" || !(FLEET_OPERATIONS as readonly string[]).includes(b.operation)) return `operation must be one of ${FLEET_OPERATIONS.join(", ")}`;
    const out: RunRequest = { operation: b.operation as FleetOperation };
    if (b.selection !== undefined) out.selection = b.selection as ClusterSelection;
    if (b.concurrency !== undefined) {
        if (typeof b.concurrency !== "number" || !Number.isInteger(b.concurrency) || b.concurrency < 1) return "concurrency must be a whole number of at least 1";
        out.concurrency = b.concurrency;
    }
    return out;
}

export function createPortal(options: PortalOptions): Server {
    const run = options.run ?? runFleet;
    const runs = new Map<string, Run>();

    const start = (request: RunRequest): Run => {
        const r: Run = { id: randomUUID(), operation: request.operation, state: "running", events: [], listeners: new Set(), controller: new AbortController() };
        runs.set(r.id, r);
        const onEvent = (e: FleetEvent) => {
            r.events.push(e);
            for (const l of r.listeners) l(e);
        };
        const runOptions: FleetRunOptions = { operation: request.operation, fleet: options.fleetFile, onEvent, signal: r.controller.signal };
        if (request.selection) runOptions.selection = request.selection;
        if (request.concurrency) runOptions.concurrency = request.concurrency;
        run(runOptions).then(
            (summary) => {
                r.summary = summary;
                r.state = "finished";
                // The runner ends its stream with run-finished; close any stream still open without one.
                if (!r.events.some((e) => e.type === "run-finished")) onEvent({ type: "run-finished", summary });
            },
            (err: unknown) => {
                r.state = "failed";
                r.error = err instanceof FluxIdentityValidationError ? err.message : err instanceof Error ? err.message : String(err);
                onEvent({ type: "run-finished", summary: emptySummary(r.operation) });
            },
        );
        return r;
    };

    return createServer((req, res) => {
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
                if (typeof parsed === "string") return send(res, 400, { error: parsed });
                const r = start(parsed);
                return send(res, 202, { id: r.id });
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
