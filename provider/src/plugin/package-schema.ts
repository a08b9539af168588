/**
 * The flux-identity package schema: Pulumi's schema inference on the components (what
 * componentProviderHost serves), plus the package metadata and per-language settings the SDK generators
 * read (Python package name, Go import path), laid out as pulumi-eks's schema is. `npm run gen-sdk` writes
 * it to provider/schema.json, which the plugin serves.
 */

import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { COMPONENTS, PROVIDER_NAME } from "./components";

interface ProviderManifest {
    version: string;
    description: string;
    license: string;
    keywords?: string[];
    homepage?: string;
    repository: { url: string };
}

/** The Go SDK's module and package path, from the repository URL: `<host>/<owner>/<repo>/sdk/go/fluxidentity`. */
export function goImportBasePath(repositoryUrl: string): string {
    const m = /^(?:git\+)?https:\/\/([^/]+\/[^/]+\/[^/.]+)(?:\.git)?\/?$/.exec(repositoryUrl);
    if (!m) throw new Error(`provider/package.json: repository.url must be an https URL of a repository, got ${JSON.stringify(repositoryUrl)}`);
    return `${m[1]}/sdk/go/${PROVIDER_NAME.replace(/-/g, "")}`;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Infers the schema from the TypeScript sources in `providerDir` (needs the TypeScript compiler). */
export function packageSchema(providerDir: string): PackageSpec & Record<string, unknown> {
    // Loaded here: the analyzer loads the TypeScript compiler, which only schema generation needs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as typeof import("@pulumi/pulumi/provider/experimental/analyzer");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generateSchema } = require("@pulumi/pulumi/provider/experimental/schema") as typeof import("@pulumi/pulumi/provider/experimental/schema");
    const manifest = JSON.parse(readFileSync(path.join(providerDir, "package.json"), "utf8")) as ProviderManifest & Record<string, unknown>;
    const names = new Set(COMPONENTS.map((c) => c.name));
    const { components, typeDefinitions, dependencies } = new Analyzer(path.resolve(providerDir), PROVIDER_NAME, manifest, names).analyze();
    const inferred = generateSchema(PROVIDER_NAME, manifest.version, manifest.description, components, typeDefinitions, dependencies);
    const respect = { respectSchemaVersion: true };
    return {
        name: inferred.name,
        displayName: "Flux Identity",
        version: inferred.version,
        description: inferred.description,
        keywords: manifest.keywords ?? [],
        homepage: manifest.homepage,
        license: manifest.license,
        repository: manifest.repository.url,
        language: {
            ...inferred.language,
            csharp: { ...respect, rootNamespace: "Pulumi" },
            go: { ...respect, importBasePath: goImportBasePath(manifest.repository.url), generateResourceContainerTypes: true },
            python: { ...respect, packageName: `pulumi_${PROVIDER_NAME.replace(/-/g, "_")}`, pyproject: { enabled: true } },
        },
        resources: sortedKeys(inferred.resources),
        types: sortedKeys(inferred.types),
        ...(inferred.dependencies && inferred.dependencies.length > 0 ? { dependencies: inferred.dependencies } : {}),
    };
}

/** provider/schema.json's text for a schema: two-space JSON and a final newline. */
export function schemaFileText(schema: object): string {
    return `${JSON.stringify(schema, null, 2)}\n`;
}
