#!/usr/bin/env bash
# Builds the Pulumi CLI from Go modules, for machines where the official installer cannot run (no
# get.pulumi.com, but a Go toolchain and a Go module proxy).
#
# The CLI is the package github.com/pulumi/pulumi/pkg/v3/cmd/pulumi. `go install pkg@version` refuses it
# because pkg's go.mod has replace directives, so a throwaway module requires pkg and sdk at the version of
# @pulumi/pulumi in package.json's devDependencies (the SDK the tests run), copies pkg's replace directives that point at published modules (not the
# ones pointing into pulumi's own tree), and builds the command. The version is stamped with -ldflags:
# without it `pulumi version` prints nothing and the Automation API refuses the CLI.
#
# Usage: scripts/build-pulumi-cli.sh [--cached]
#   Prints the CLI root (its binary is <root>/bin/pulumi), the layout the Automation API's
#   PulumiCommand.get({ root }) expects. A root holding the right version is reused.
#   --cached: never build; exit 3 when the cache lacks the right version.
#   --go-mod-from <pkg go.mod>: print the build module's go.mod for that pkg go.mod, and stop.
# Environment:
#   FLUX_IDENTITY_PULUMI_CACHE  cache directory (default ${XDG_CACHE_HOME:-~/.cache}/flux-identity/pulumi-cli)
#   PULUMI_CLI_VERSION          build this version instead of the one package.json pins
#   GOSUMDB                     honoured when set; otherwise off (see below)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "build-pulumi-cli: $*" >&2; }

cached_only=false
go_mod_from=""
case "${1:-}" in
    --cached) cached_only=true ;;
    --go-mod-from) go_mod_from="${2:?--go-mod-from needs a go.mod path}" ;;
    "") ;;
    *) log "unknown argument '$1' (usage: $0 [--cached | --go-mod-from <go.mod>])"; exit 2 ;;
esac

# The build module's go.mod: requires pkg and sdk at $2, with pkg's Go version and those of its replace
# directives (single-line or in a block) that point at published modules, not at a local path.
build_go_mod() {
    local pkg_mod="$1" tag="$2"
    echo "module flux-identity.invalid/pulumi-cli-build"
    echo
    grep -E '^go [0-9.]+$' "$pkg_mod" | head -1
    echo
    echo "require ("
    echo "    github.com/pulumi/pulumi/pkg/v3 $tag"
    echo "    github.com/pulumi/pulumi/sdk/v3 $tag"
    echo ")"
    echo
    awk '
        /^replace[[:space:]]*\($/ { block = 1; next }
        block && /^\)$/ { block = 0; next }
        block && NF > 0 { sub(/^[[:space:]]+/, ""); print "replace " $0; next }
        /^replace[[:space:]]/ { sub(/^replace[[:space:]]+/, ""); print "replace " $0 }
    ' "$pkg_mod" | awk '{ target = $0; sub(/.*=>[[:space:]]*/, "", target); if (target !~ /^(\.|\/)/) print }'
}

version="${PULUMI_CLI_VERSION:-$(node -p "require('./package.json').devDependencies['@pulumi/pulumi'].replace(/^[~^=v]+/, '')")}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    log "@pulumi/pulumi must be pinned to an exact version in package.json's devDependencies to pick the CLI, got '$version'"
    exit 2
fi
tag="v$version"
if [[ -n "$go_mod_from" ]]; then
    build_go_mod "$go_mod_from" "$tag"
    exit 0
fi
cache="${FLUX_IDENTITY_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-identity/pulumi-cli}"
root="$cache/$tag"
binary="$root/bin/pulumi"

if [[ -x "$binary" ]] && [[ "$("$binary" version 2>/dev/null)" == "$tag" ]]; then
    log "reusing $binary ($tag)"
    echo "$root"
    exit 0
fi
if $cached_only; then
    log "no Pulumi CLI $tag in $root; run $0 to build it"
    exit 3
fi

if ! command -v go >/dev/null 2>&1; then
    log "go is required to build the Pulumi CLI $tag (or install the CLI and put it on PATH)"
    exit 1
fi

# The public checksum database is not always reachable where the module proxy is; Go then fails with
# "verifying go.mod: ... 404 Not Found". Without GOSUMDB, sums come from what the proxy serves.
export GOSUMDB="${GOSUMDB:-off}"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export CGO_ENABLED=0

work="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-cli-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "building the Pulumi CLI $tag with $(go version | cut -d' ' -f3) in $work"
pkg_mod="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@$tag" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const info = JSON.parse(s);
        if (info.Error) { console.error(info.Error); process.exit(1); }
        console.log(info.GoMod);
    });')"

build_go_mod "$pkg_mod" "$tag" >"$work/go.mod"
log "go.mod of the build module:"
sed 's/^/    /' "$work/go.mod" >&2

(
    cd "$work"
    go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$tag" >&2
    mkdir -p "$root/bin"
    go build -trimpath -o "$root/bin/pulumi.partial" \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$tag" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
)
mv -f "$root/bin/pulumi.partial" "$binary"

printed="$("$binary" version)"
if [[ "$printed" != "$tag" ]]; then
    log "the built CLI prints version '$printed', expected $tag"
    exit 1
fi
log "built $binary ($printed)"
echo "$root"
