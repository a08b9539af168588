#!/usr/bin/env bash
# Downloads, once, the Python wheels a virtual environment needs to run Pulumi programs with the
# generated Python SDK (sdk/python): the Pulumi Python SDK at the version of @pulumi/pulumi in
# package.json, the SDK's other dependencies, and setuptools to build the SDK. Later installs are offline:
#
#   python3 -m venv .venv
#   .venv/bin/pip install --no-index --find-links "$(scripts/build-python-wheels.sh)" pulumi==<version> ./sdk/python
#
# Usage: scripts/build-python-wheels.sh [--cached]
#   Prints the wheel folder, one per Pulumi version, Python version and sdk/python/pyproject.toml. A
#   complete folder is reused.
#   --cached: never download; exit 3 when there is no such folder.
# Environment:
#   FLUX_IDENTITY_PYTHON_WHEELS_CACHE  cache directory (default ${XDG_CACHE_HOME:-~/.cache}/flux-identity/python-wheels)
#   PYTHON                             the interpreter (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "build-python-wheels: $*" >&2; }

cached_only=false
case "${1:-}" in
    --cached) cached_only=true ;;
    "") ;;
    *) log "unknown argument '$1' (usage: $0 [--cached])"; exit 2 ;;
esac

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    log "$python is required (Python 3.9 or later)"
    exit 1
fi
pulumi_version="$(scripts/pinned-pulumi-version.sh)"
py_version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
cache="${FLUX_IDENTITY_PYTHON_WHEELS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-identity/python-wheels}"
requirements="$(sha256sum sdk/python/pyproject.toml | cut -c1-12)"
wheels="$cache/pulumi-$pulumi_version-py$py_version-$requirements"

if [[ -f "$wheels/.complete" ]]; then
    log "reusing $wheels"
    echo "$wheels"
    exit 0
fi
if $cached_only; then
    log "no wheels for pulumi $pulumi_version on Python $py_version in $wheels; run $0 to download them"
    exit 3
fi

log "downloading pulumi==$pulumi_version and sdk/python's dependencies for Python $py_version into $wheels"
rm -rf "$wheels"
mkdir -p "$wheels"
# With the build requirements of the SDK's pyproject.toml (setuptools>=61) and of its install (wheel).
"$python" -m pip download --quiet --dest "$wheels" "pulumi==$pulumi_version" "setuptools>=61" wheel ./sdk/python >&2
touch "$wheels/.complete"
log "downloaded $(find "$wheels" -name '*.whl' | wc -l) wheels"
echo "$wheels"
