#!/usr/bin/env bash
# Builds (once) and prints the path of a Python virtual environment for one of
# the external tools the tests need: cfn-lint, checkov, moto or localstack.
#
# Every package is pinned in tools/locks/<name>.txt (a full `pip freeze`), and
# installed with --no-deps so that nothing outside the lock can slip in. Venvs
# live outside the source tree, in $HAGEN_TOOLS_CACHE (default
# ~/.cache/hagen/venvs), under a name that includes a hash of the lock and of the
# interpreter version: a changed lock builds a new venv, an unchanged one is reused.
#
# Usage: tools/venv.sh NAME      prints the venv directory on stdout
# Exit status is non-zero, with the reason on stderr, when the venv cannot be built.
set -euo pipefail

name=${1:?usage: tools/venv.sh cfn-lint|checkov|moto|localstack}
root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/tools/locks/$name.txt"
[ -f "$lock" ] || { echo "tools/venv.sh: no lock file $lock" >&2; exit 2; }

# Interpreter per tool: LocalStack needs Python >= 3.12, the others are locked on 3.11.
case "$name" in
  localstack) want="3.13 3.12" ;;
  *) want="3.11" ;;
esac
# pyenv's own installs first (its shims on PATH may point at a version that is
# not selected), then whatever python3.X is on PATH; a candidate counts only if
# it actually runs.
python=""
for v in $want; do
  for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python "python$v"; do
    if "$cand" -c 'import venv' >/dev/null 2>&1; then python=$(command -v "$cand"); break 2; fi
  done
done
[ -n "$python" ] || { echo "tools/venv.sh: $name needs Python $want, none found on PATH or under pyenv" >&2; exit 3; }

pyver=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
hash=$( { cat "$lock"; echo "$pyver"; } | sha256sum | cut -c1-16)
cache=${HAGEN_TOOLS_CACHE:-$HOME/.cache/hagen/venvs}
venv="$cache/$name-$hash"

if [ ! -f "$venv/.complete" ]; then
  mkdir -p "$cache" 2>/dev/null || {
    echo "tools/venv.sh: cannot create the venv cache $cache for $name; set HAGEN_TOOLS_CACHE to a writable directory" >&2
    exit 5
  }
  # Serialise concurrent builds of the same venv (parallel tests ask at once).
  exec 9>"$cache/$name.lock"
  flock 9
  if [ ! -f "$venv/.complete" ]; then
    echo "tools/venv.sh: building $name venv in $venv (Python $pyver)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$lock" >&2 \
      || { echo "tools/venv.sh: pip could not install $lock into $venv" >&2; rm -rf "$venv"; exit 4; }
    touch "$venv/.complete"
    # Older venvs of this tool are stale once the lock or interpreter changed.
    for old in "$cache/$name"-*; do
      [ "$old" = "$venv" ] || [ ! -d "$old" ] || rm -rf "$old"
    done
  fi
fi
echo "$venv"
