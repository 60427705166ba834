#!/bin/sh
# Builds the probe component: ./build.sh [OUTPUT.wasm] (default: {{id}}.wasm beside this script).
# Needs the wasm32-wasip2 target: `rustup target add wasm32-wasip2`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/{{id}}.wasm}

cargo build --manifest-path "$here/Cargo.toml" --release --target wasm32-wasip2
target_dir=${CARGO_TARGET_DIR:-$here/target}
cp "$target_dir/wasm32-wasip2/release/{{crate}}.wasm" "$out"
echo "built $out"
