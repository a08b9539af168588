/**
 * Values that exist only once `up` has created what they name, such as a managed identity's client ID.
 * Offline renders write them as `<client ID of flux-prod-aks-source-1a2b3c4d>`: readable, and never a
 * valid value, so nothing can mistake one for the real thing. Writers into a Flux repository look for
 * them and refuse them unless asked.
 */

/** The placeholder for `what`: `<client ID of ...>`. */
export function pendingValue(what: string): string {
    return `<${what}>`;
}

const PENDING_VALUE = /<[^<>\s][^<>\n]*>/g;

/** The placeholders in `text`, each once, in order of appearance. */
export function pendingValuesIn(text: string): string[] {
    return [...new Set(text.match(PENDING_VALUE) ?? [])];
}
