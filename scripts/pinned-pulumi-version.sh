#!/usr/bin/env bash
# Prints the Pulumi version this package pins: the exact version of @pulumi/pulumi in package.json
# (dependencies, else devDependencies). The SDK generator, the Go SDK's module and the Python wheels
# all follow it.
set -euo pipefail
cd "$(dirname "$0")/.."
node -e '
    const p = require("./package.json");
    const v = (p.dependencies ?? {})["@pulumi/pulumi"] ?? (p.devDependencies ?? {})["@pulumi/pulumi"] ?? "";
    if (!/^\d+\.\d+\.\d+$/.test(v)) {
        console.error(`pinned-pulumi-version: @pulumi/pulumi must be pinned to an exact version in package.json, got "${v}"`);
        process.exit(2);
    }
    console.log(v);
'
