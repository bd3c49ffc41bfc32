#!/usr/bin/env bash
# Regenerates schemas/ (hagen's vendored AWS resource schemas) from the pinned
# cfn-lint wheel. See tools/vendor-schemas.py for what is written and why.
#
# Usage: tools/vendor-schemas.sh [--out DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$("$root/tools/venv.sh" cfn-lint)
exec "$venv/bin/python" "$root/tools/vendor-schemas.py" "$@"
