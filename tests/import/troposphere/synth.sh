#!/usr/bin/env bash
# Reproduce ../troposphere-web.json from web.py with the pinned troposphere.
# The virtual environment lives outside the repository (override with VENV).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$HOME/.cache/hagen/venvs/troposphere-import}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$venv/bin/python" "$here/web.py" > "$here/../troposphere-web.json"
echo "wrote $(cd "$here/.." && pwd)/troposphere-web.json"
