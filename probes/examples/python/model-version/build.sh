#!/bin/sh
# Builds the probe component: ./build.sh [OUTPUT.wasm] (default: model-version.wasm here).
# Finds componentize-py in $COMPONENTIZE_PY, in the virtual environment scripts/test.sh
# creates (target/probe-toolchains/python), or on PATH.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/model-version.wasm}

componentize_py=${COMPONENTIZE_PY:-}
if [ -z "$componentize_py" ]; then
  installed=$here/../../../../target/probe-toolchains/python/bin/componentize-py
  if [ -x "$installed" ]; then componentize_py=$installed; else componentize_py=componentize-py; fi
fi
if ! command -v "$componentize_py" >/dev/null 2>&1; then
  echo "error: componentize-py not found; run scripts/test.sh, or: pip install -r $here/../requirements.txt" >&2
  exit 1
fi

# --stub-wasi replaces every WASI import with a stub that traps: the component imports only
# ggcore:probe.
"$componentize_py" -d "$here/wit" -w probe componentize --stub-wasi -p "$here" app -o "$out"
echo "built $out"
