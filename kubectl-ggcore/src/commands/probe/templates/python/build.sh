#!/bin/sh
# Builds the probe component: ./build.sh [OUTPUT.wasm] (default: {{id}}.wasm beside this script).
# Needs componentize-py: `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt`
# (or set COMPONENTIZE_PY to its path).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/{{id}}.wasm}

componentize_py=${COMPONENTIZE_PY:-}
if [ -z "$componentize_py" ]; then
  if [ -x "$here/.venv/bin/componentize-py" ]; then
    componentize_py=$here/.venv/bin/componentize-py
  else
    componentize_py=componentize-py
  fi
fi
if ! command -v "$componentize_py" >/dev/null 2>&1; then
  echo "error: componentize-py not found; install it with: python3 -m venv $here/.venv && $here/.venv/bin/pip install -r $here/requirements.txt" >&2
  exit 1
fi

# --stub-wasi replaces every WASI import with a stub that traps, so the component imports only
# ggcore:probe. The price: Python's `random` module is seeded at build time.
"$componentize_py" -d "$here/wit" -w probe componentize --stub-wasi -p "$here" app -o "$out"
echo "built $out"
