#!/bin/sh
# Builds the probe component: ./build.sh [OUTPUT.wasm] (default: {{id}}.wasm beside this script).
# Needs componentize-js: `npm install` in this directory (or set COMPONENTIZE_JS to its path).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/{{id}}.wasm}

componentize_js=${COMPONENTIZE_JS:-$here/node_modules/.bin/componentize-js}
if [ ! -x "$componentize_js" ]; then
  echo "error: componentize-js not found at $componentize_js; run \`npm install\` in $here" >&2
  exit 1
fi

# -d turns off every WASI feature of the JavaScript runtime, so the component imports only
# ggcore:probe. A default build imports wasi:http, which the host does not serve.
"$componentize_js" "$here/probe.js" --wit "$here/wit" --world-name probe \
  -d stdio random clocks http fetch-event -o "$out"
echo "built $out"
