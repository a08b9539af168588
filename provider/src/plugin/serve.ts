/**
 * Serves the flux-identity components as a Pulumi resource plugin over gRPC, the way the engine starts
 * a plugin executable (it passes the engine's address as the argument and reads the port from stdout).
 */

import { readFileSync } from "node:fs";
import { main } from "@pulumi/pulumi/provider";
import { COMPONENTS } from "./components";
import { SchemaComponentProvider } from "./schema-provider";

export function serve(schemaFile: string, args: string[]): Promise<void> {
    return main(new SchemaComponentProvider(readFileSync(schemaFile, "utf8"), COMPONENTS), args);
}
