/**
 * Starts the portal. Environment: FLEET_FILE (default examples/fleet.yaml), HOST (default 127.0.0.1),
 * PORT (default 8080), FLUX_IDENTITY_PORTAL_TOKEN (the token callers send; default a new one, printed).
 */
import * as path from "node:path";
import { startPortal } from "./server";

const fleetFile = path.resolve(process.env.FLEET_FILE ?? "examples/fleet.yaml");
const settings: Parameters<typeof startPortal>[0] = { fleetFile, port: Number(process.env.PORT ?? 8080) };
if (process.env.HOST) settings.host = process.env.HOST;
if (process.env.FLUX_IDENTITY_PORTAL_TOKEN !== undefined) settings.token = process.env.FLUX_IDENTITY_PORTAL_TOKEN;

startPortal(settings).then(
    ({ url, token, generated }) => {
        process.stdout.write(`flux-identity portal on ${url} (fleet ${fleetFile})\n`);
        if (generated) process.stdout.write(`token (send as Authorization: Bearer <token>; set FLUX_IDENTITY_PORTAL_TOKEN to choose one): ${token}\n`);
    },
    (err: unknown) => {
        process.stderr.write(`flux-identity portal: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    },
);
