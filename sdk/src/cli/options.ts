/** Command-line option parsers shared by the commands. */

import { InvalidArgumentError } from "commander";
import { parseConfigPair } from "../spec/references";

/** Collects repeated `--config key=value` options into one record. */
export function collectConfig(pair: string, previous: Record<string, string> | undefined): Record<string, string> {
    const parsed = parseConfigPair(pair);
    if (!parsed) throw new InvalidArgumentError("expected key=value (keys use letters, digits, '_', '.', ':', '/' and '-').");
    return { ...previous, [parsed.key]: parsed.value };
}
