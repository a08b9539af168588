#!/usr/bin/env bash
# Builds Pulumi's YAML language host (pulumi-language-yaml), which `pulumi up` starts for a project with
# `runtime: yaml`, from Go modules, for machines where the Pulumi installer cannot run (no get.pulumi.com,
# but a Go toolchain and a Go module proxy). Official Pulumi installs ship the host with the CLI.
#
# github.com/pulumi/pulumi-yaml has no replace directives, so `go install <pkg>@<version>` builds it as
# published. The binary is written next to its version (`<root>/bin/pulumi-language-yaml`) and only
# moved into place once built, so a root holding the binary holds that version.
#
# Usage: scripts/build-pulumi-yaml.sh [--cached]
#   Prints the host's root; put <root>/bin on PATH next to the Pulumi CLI. A built root is reused.
#   --cached: never build; exit 3 when the cache lacks the version.
# Environment:
#   FLUX_IDENTITY_PULUMI_YAML_CACHE  cache directory (default ${XDG_CACHE_HOME:-~/.cache}/flux-identity/pulumi-language-yaml)
#   PULUMI_YAML_VERSION              build this version instead of the pinned one
#   GOSUMDB                          honoured when set; otherwise off (see scripts/build-pulumi-cli.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "build-pulumi-yaml: $*" >&2; }

# The YAML host this project tests with; it speaks the language-host protocol of Pulumi CLI 3.x.
PINNED_VERSION="1.25.0"

cached_only=false
case "${1:-}" in
    --cached) cached_only=true ;;
    "") ;;
    *) log "unknown argument '$1' (usage: $0 [--cached])"; exit 2 ;;
esac

version="${PULUMI_YAML_VERSION:-$PINNED_VERSION}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    log "PULUMI_YAML_VERSION must be an exact version such as $PINNED_VERSION, got '$version'"
    exit 2
fi
tag="v$version"
cache="${FLUX_IDENTITY_PULUMI_YAML_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-identity/pulumi-language-yaml}"
root="$cache/$tag"
binary="$root/bin/pulumi-language-yaml"

if [[ -x "$binary" ]]; then
    log "reusing $binary ($tag)"
    echo "$root"
    exit 0
fi
if $cached_only; then
    log "no pulumi-language-yaml $tag in $root; run $0 to build it"
    exit 3
fi
if ! command -v go >/dev/null 2>&1; then
    log "go is required to build pulumi-language-yaml $tag (or install Pulumi with its language hosts)"
    exit 1
fi

export GOSUMDB="${GOSUMDB:-off}"
export CGO_ENABLED=0
work="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-yaml-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "building pulumi-language-yaml $tag with $(go version | cut -d' ' -f3)"
GOBIN="$work" go install -trimpath -ldflags "-s -w" "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$tag" >&2
mkdir -p "$root/bin"
mv -f "$work/pulumi-language-yaml" "$binary"
log "built $binary ($tag)"
echo "$root"
