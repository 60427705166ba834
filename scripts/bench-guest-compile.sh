#!/usr/bin/env bash
# Measures what a Python and a JavaScript probe cost to start: runs `diagnose` with the example
# probe alone (--no-builtin) twice against an empty compile cache, and prints the wall-clock
# time of each run and the compile time the report records. The first run compiles the
# component; the second loads it from the on-disk cache.
#
# Usage: scripts/bench-guest-compile.sh [PLUGIN_BINARY]
# The binary defaults to the release build in $CARGO_TARGET_DIR (or target/), built when
# missing. The toolchains come from scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-${CARGO_TARGET_DIR:-target}/release/kubectl-ggcore}
if [ ! -x "$binary" ]; then
  cargo build --release --locked -p kubectl-ggcore
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
probes/examples/python/model-version/build.sh "$work/python.wasm" >/dev/null
probes/examples/js/memory-limits/build.sh "$work/js.wasm" >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "plugin:  $binary"
for probe in python js; do
  size=$(du -k "$work/$probe.wasm" | cut -f1)
  cache=$work/cache-$probe
  for run in first second; do
    started=$(date +%s%N)
    GGCORE_CACHE_DIR=$cache "$binary" diagnose --snapshot examples/veritas-snapshot --allow-unsigned --no-builtin \
      --probe "$work/$probe.wasm" -o json >"$work/report.json" || true
    finished=$(date +%s%N)
    python3 - "$work/report.json" "$probe" "$run" "$size" "$(( (finished - started) / 1000000 ))" <<'PY'
import json, sys
path, probe, run, size_kib, wall_ms = sys.argv[1:]
stats = json.load(open(path))["probes"][0]["stats"]
cache = "hit" if stats["cacheHit"] else "miss"
print(f"{probe:<7} {int(size_kib) / 1024:5.1f} MiB  {run:<6} run: {int(wall_ms):6d} ms wall, compile {stats['compileMs']:6d} ms (cache {cache}), probe run {stats['runMs']} ms, peak memory {stats['peakMemoryBytes'] / 2**20:.1f} MiB")
PY
  done
done
