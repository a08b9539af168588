/** Starts the portal: FLEET_FILE (default examples/fleet.yaml) and PORT (default 8080). */
import * as path from "node:path";
import { createPortal } from "./server";

const fleetFile = path.resolve(process.env.FLEET_FILE ?? "examples/fleet.yaml");
const port = Number(process.env.PORT ?? 8080);
createPortal({ fleetFile }).listen(port, () => process.stdout.write(`flux-identity portal on http://localhost:${port} (fleet ${fleetFile})\n`));
