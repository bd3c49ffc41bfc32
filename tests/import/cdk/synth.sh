#!/usr/bin/env bash
# Reproduce ../cdk-web.template.json from app.js without the cdk CLI:
# install the pinned packages from package-lock.json, run the app with the
# cloud assembly written to a scratch directory, and copy the template out.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
npm ci --no-audit --no-fund
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
CDK_OUTDIR="$out" node app.js
cp "$out/HagenCdkWeb.template.json" ../cdk-web.template.json
echo "wrote $(cd .. && pwd)/cdk-web.template.json"
