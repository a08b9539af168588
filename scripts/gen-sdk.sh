#!/usr/bin/env bash
# Regenerates, in one go, everything derived from the components' TypeScript types:
#   provider/schema.json   Pulumi's schema inference on the components, plus the package metadata
#   sdk/python             the Python SDK (pulumi_flux_identity), by Pulumi's Python generator
#   sdk/go/fluxidentity    the Go SDK, by Pulumi's Go generator
#   sdk/go.mod, sdk/go.sum the Go SDK's module (go mod tidy), as pulumi-eks keeps its sdk/go.mod
# Run it as `npm run gen-sdk` (which compiles first); the test suite fails while any of these is stale.
#
# Usage: scripts/gen-sdk.sh [--out <dir>] [--sdks-only]
#   --out <dir>   write under <dir> instead of the repository (the tests regenerate into a scratch folder)
#   --sdks-only   generate the SDKs from the committed provider/schema.json; skip the (slow) inference
# Needs: dist/ built (npm run build), Go (scripts/build-sdk-gen.sh builds the generator program).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

log() { echo "gen-sdk: $*" >&2; }

out="$repo"
infer=true
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out="$(mkdir -p "${2:?--out needs a folder}" && cd "$2" && pwd)"; shift 2 ;;
        --sdks-only) infer=false; shift ;;
        *) log "unknown argument '$1' (usage: $0 [--out <dir>] [--sdks-only])"; exit 2 ;;
    esac
done

generator="$(scripts/build-sdk-gen.sh)"
work="$(mktemp -d "${TMPDIR:-/tmp}/flux-identity-gen-sdk.XXXXXX")"
trap 'rm -rf "$work"' EXIT

schema="$repo/provider/schema.json"
if $infer; then
    if [[ ! -f dist/provider/src/plugin/package-schema.js ]]; then
        log "dist/ is not built; run npm run gen-sdk (or npm run build first)"
        exit 1
    fi
    node -e '
        const { packageSchema } = require("./dist/provider/src/plugin/package-schema");
        require("node:fs").writeFileSync(process.argv[1], JSON.stringify(packageSchema("provider")));
    ' "$work/inferred.json"
    # Stored as `pulumi package get-schema` prints what the plugin serves, byte for byte.
    "$generator" schema "$work/inferred.json" >"$work/schema.json"
    schema="$out/provider/schema.json"
    mkdir -p "$out/provider"
    mv "$work/schema.json" "$schema"
    log "wrote $schema"
fi

"$generator" sdks "$schema" "$work"

# pyproject.toml names README.md beside it; the generator writes the package's own (pulumi-eks copies one too).
cp "$work/python/pulumi_flux_identity/README.md" "$work/python/README.md"

# The Go SDK's module, one folder up from its package: requires the Pulumi Go SDK this package pins.
import_path="$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).language.go.importBasePath' "$schema")"
module="${import_path%/go/*}"
pulumi_version="$(scripts/pinned-pulumi-version.sh)"
mkdir -p "$work/gomod/go"
cp -R "$work/go/." "$work/gomod/go/"
printf 'module %s\n\ngo 1.25.11\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' "$module" "$pulumi_version" >"$work/gomod/go.mod"
(cd "$work/gomod" && GOSUMDB="${GOSUMDB:-off}" GOFLAGS=-mod=mod go mod tidy) >&2

mkdir -p "$out/sdk"
rm -rf "$out/sdk/python" "$out/sdk/go"
cp -R "$work/python" "$out/sdk/python"
cp -R "$work/gomod/go" "$out/sdk/go"
cp "$work/gomod/go.mod" "$work/gomod/go.sum" "$out/sdk/"
log "wrote $out/sdk/python, $out/sdk/go, $out/sdk/go.mod and $out/sdk/go.sum from $schema"
