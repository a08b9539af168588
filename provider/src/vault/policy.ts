/**
 * The Vault policy of one identity: `update` on exactly `<mount>/decrypt/<key>` for each key (the only
 * call SOPS makes to decrypt with transit), nothing else. Rendered as HCL, deterministically.
 */

export function decryptPolicy(paths: readonly string[]): string {
    return paths.map((p) => `path ${JSON.stringify(p)} {\n  capabilities = ["update"]\n}\n`).join("\n");
}
