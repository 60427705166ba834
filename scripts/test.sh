#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the tests use, then runs
# `cargo test` for the whole workspace. CI (`.ci/run`) calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the tests run for real. kubectl runs the plugin mechanism and protocol checks;
# Prometheus and promtool serve the metrics probes (the tests start their own server); minisign
# signs and verifies bundles beside the plugin; strace and unshare (util-linux) show that bundle
# commands open no connection; dnsmasq is the DNS server of the lookup tests.
packages=()
command -v kubectl >/dev/null || packages+=(kubernetes-client)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || packages+=(prometheus)
command -v minisign >/dev/null || packages+=(minisign)
command -v strace >/dev/null || packages+=(strace)
command -v unshare >/dev/null || packages+=(util-linux)
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || packages+=(dnsmasq-base)
if [ "${#packages[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${packages[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
fi

# The guest toolchains of the Python and JavaScript probes, into local directories only:
# componentize-py into a virtual environment under target/, componentize-js into
# probes/examples/js/node_modules from the committed package-lock.json. The end-to-end tests
# build the example probes from source with them and fail, naming this script, without them.
if [ ! -x target/probe-toolchains/python/bin/componentize-py ]; then
  echo "installing componentize-py into target/probe-toolchains/python"
  python3 -m venv target/probe-toolchains/python
fi
target/probe-toolchains/python/bin/pip install --quiet --disable-pip-version-check -r probes/examples/python/requirements.txt
if [ ! -x probes/examples/js/node_modules/.bin/componentize-js ] ||
  [ probes/examples/js/package-lock.json -nt probes/examples/js/node_modules/.package-lock.json ]; then
  echo "installing componentize-js into probes/examples/js/node_modules"
  (cd probes/examples/js && npm ci --no-audit --no-fund)
fi

# rust-toolchain.toml names the toolchain and the wasm32-wasip2 target; rustup installs both on
# first use. `cargo test` builds the plugin (and with it the built-in probes) once, in target/.
cargo test --workspace --locked --no-fail-fast "$@"
