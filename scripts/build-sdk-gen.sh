#!/usr/bin/env bash
# Builds scripts/gen-sdk (pulumi-gen-flux-identity: Pulumi's Python and Go SDK generators, pkg/v3/codegen,
# at the version of @pulumi/pulumi in package.json). `pulumi package gen-sdk` would hand the schema to the
# Python and Go language hosts; this program calls the same generators directly, with no host.
#
# Usage: scripts/build-sdk-gen.sh [--cached]
#   Prints the program's path. A build of the same sources (main.go, go.mod, go.sum) is reused.
#   --cached: never build; exit 3 when there is no such build.
# Environment:
#   FLUX_IDENTITY_SDK_GEN_CACHE  cache directory (default ${XDG_CACHE_HOME:-~/.cache}/flux-identity/sdk-gen)
#   GOSUMDB                      honoured when set; otherwise off (go.sum pins every module anyway)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "build-sdk-gen: $*" >&2; }

cached_only=false
case "${1:-}" in
    --cached) cached_only=true ;;
    "") ;;
    *) log "unknown argument '$1' (usage: $0 [--cached])"; exit 2 ;;
esac

src=scripts/gen-sdk
pulumi_version="$(scripts/pinned-pulumi-version.sh)"
codegen_version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$src/go.mod")"
if [[ "v$pulumi_version" != "$codegen_version" ]]; then
    log "$src/go.mod requires pkg/v3 $codegen_version, but package.json pins @pulumi/pulumi $pulumi_version; update $src/go.mod (go get github.com/pulumi/pulumi/pkg/v3@v$pulumi_version && go mod tidy)"
    exit 2
fi
digest="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)"
cache="${FLUX_IDENTITY_SDK_GEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-identity/sdk-gen}"
binary="$cache/$codegen_version-$digest/pulumi-gen-flux-identity"

if [[ -x "$binary" ]]; then
    log "reusing $binary"
    echo "$binary"
    exit 0
fi
if $cached_only; then
    log "no build of $src ($codegen_version, sources $digest) in $cache; run $0 to build it"
    exit 3
fi
if ! command -v go >/dev/null 2>&1; then
    log "go is required to build $src"
    exit 1
fi

export GOSUMDB="${GOSUMDB:-off}"
export CGO_ENABLED=0
mkdir -p "$(dirname "$binary")"
log "building $src (codegen $codegen_version) with $(go version | cut -d' ' -f3)"
(cd "$src" && go build -mod=readonly -trimpath -o "$binary.partial" .) >&2
mv -f "$binary.partial" "$binary"
log "built $binary"
echo "$binary"
