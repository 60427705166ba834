#!/bin/sh
# Builds the probe component: ./build.sh [OUTPUT.wasm] (default: memory-limits.wasm here).
# Finds componentize-js in $COMPONENTIZE_JS or in probes/examples/js/node_modules, where
# `npm ci` (run by scripts/test.sh) installs it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/memory-limits.wasm}

componentize_js=${COMPONENTIZE_JS:-$here/../node_modules/.bin/componentize-js}
if [ ! -x "$componentize_js" ]; then
  echo "error: componentize-js not found at $componentize_js; run scripts/test.sh, or \`npm ci\` in $(dirname "$here")" >&2
  exit 1
fi

# -d turns off every WASI feature of the JavaScript runtime, so the component imports only
# ggcore:probe. A default build imports wasi:http, which the host does not serve.
"$componentize_js" "$here/probe.js" --wit "$here/wit" --world-name probe \
  -d stdio random clocks http fetch-event -o "$out"
echo "built $out"
