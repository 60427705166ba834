#!/usr/bin/env bash
# Builds the krew release archive of kubectl-ggcore, writes its version, download address and
# sha256 into the krew manifest, and checks that the archive holds exactly the manifest's `files`
# and its `bin`.
#
# Platforms: linux/amd64 only. rust-toolchain.toml installs the standard library for the host and
# wasm32-wasip2 alone, and the build machines cannot download others. So linux/arm64 (which also
# needs a cross linker), darwin/amd64 and darwin/arm64 (which need the macOS SDK) and
# windows/amd64 are not built.
#
# Usage: scripts/release.sh [--binary PATH] [--out DIR] [--manifest FILE] [--base-url URL]
#   --binary PATH    package this linux/amd64 kubectl-ggcore instead of running a release build
#                    (a release build compiles wasmtime again, which takes many minutes)
#   --out DIR        directory for the archive [default: dist]
#   --manifest FILE  krew manifest to update in place [default: krew-manifest.yaml]
#   --base-url URL   address the archive is published under; `uri` becomes URL/ARCHIVE
#                    [default: the homepage's release download address for the version]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

binary=""
out="$root/dist"
manifest="$root/krew-manifest.yaml"
base_url=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --manifest) manifest="$2"; shift 2 ;;
    --base-url) base_url="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument \`$1\`; see \`$0 --help\`" >&2; exit 2 ;;
  esac
done

fail() {
  echo "error: $*" >&2
  exit 1
}

# The version is the workspace's, as `kubectl ggcore version` prints it; krew wants a `v` prefix.
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
[ -n "$version" ] || fail "no \`version = \"...\"\` line in $root/Cargo.toml"
tag="v$version"
[ -f "$manifest" ] || fail "no krew manifest at \`$manifest\`"

if [ -z "$binary" ]; then
  target_dir="${CARGO_TARGET_DIR:-$root/target}"
  echo "building kubectl-ggcore $tag for x86_64-unknown-linux-gnu (release)"
  (cd "$root" && cargo build --release --locked -p kubectl-ggcore --target x86_64-unknown-linux-gnu)
  binary="$target_dir/x86_64-unknown-linux-gnu/release/kubectl-ggcore"
fi
[ -f "$binary" ] || fail "no binary at \`$binary\`"

# An x86-64 ELF has the magic 7f 45 4c 46 and e_machine 0x3e at offset 18.
header="$(od -An -tx1 -N20 "$binary" | tr -d ' \n')"
[ "${header:0:8}" = "7f454c46" ] && [ "${header:36:4}" = "3e00" ] || fail "\`$binary\` is not an x86-64 Linux executable"

# Stage and pack with fixed owners, order and times, so that the same binary gives the same
# archive. Symbols are stripped, because users of the plugin need none.
archive_name="kubectl-ggcore_${tag}_linux_amd64.tar.gz"
mkdir -p "$out"
archive="$(cd "$out" && pwd)/$archive_name"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$binary" "$stage/kubectl-ggcore"
strip "$stage/kubectl-ggcore"
install -m 0644 "$root/LICENSE" "$stage/LICENSE"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" -cf - kubectl-ggcore LICENSE | gzip -n -9 > "$archive"
sha256="$(sha256sum "$archive" | cut -d ' ' -f 1)"

if [ -z "$base_url" ]; then
  homepage="$(sed -n 's/^  homepage: *//p' "$manifest" | head -n 1)"
  [ -n "$homepage" ] || fail "no \`homepage\` in \`$manifest\` to derive the download address from; pass --base-url"
  base_url="$homepage/releases/download/$tag"
fi
uri="${base_url%/}/$archive_name"

# Rewrite `spec.version`, and `uri` and `sha256` of the linux/amd64 platform. The manifest is
# read line by line in its committed layout: one key per line, a platform starting at
# `- selector:`.
updated="$(mktemp)"
awk -v tag="$tag" -v uri="$uri" -v sha="$sha256" '
  /^  version:/ { print "  version: " tag; next }
  /^ *- selector:/ { os = ""; arch = "" }
  /^ *os:/ { os = $2 }
  /^ *arch:/ { arch = $2 }
  os == "linux" && arch == "amd64" && /^ *uri:/ { sub(/uri:.*/, "uri: " uri); found_uri = 1 }
  os == "linux" && arch == "amd64" && /^ *sha256:/ { sub(/sha256:.*/, "sha256: \"" sha "\""); found_sha = 1 }
  { print }
  END { if (!found_uri || !found_sha) exit 3 }
' "$manifest" > "$updated" || { rm -f "$updated"; fail "\`$manifest\` has no linux/amd64 platform with \`uri\` and \`sha256\`"; }
cat "$updated" > "$manifest"
rm -f "$updated"

# Check the archive against the platform's `files` and `bin`: every `from` is in the archive,
# nothing else is, and `bin` is where the `files` put the binary.
platform="$(awk '
  /^ *- selector:/ { os = ""; arch = "" }
  /^ *os:/ { os = $2 }
  /^ *arch:/ { arch = $2 }
  os == "linux" && arch == "amd64" && /^ *(bin|- from|to):/ { print }
' "$manifest")"
bin="$(printf '%s\n' "$platform" | sed -n 's/^ *bin: *//p')"
froms="$(printf '%s\n' "$platform" | sed -n 's/^ *- from: *//p' | sort)"
tos="$(printf '%s\n' "$platform" | sed -n 's/^ *to: *//p')"
listed="$(tar -tzf "$archive" | sort)"
[ "$froms" = "$listed" ] || fail "the archive holds [$(echo $listed)], but the manifest's files are [$(echo $froms)]"
placed="$(paste -d ' ' <(printf '%s\n' "$platform" | sed -n 's/^ *- from: *//p') <(printf '%s\n' "$tos") | awk '{ to = $2; sub(/^\.\/?/, "", to); print (to == "" ? "" : to "/") $1 }')"
printf '%s\n' "$placed" | grep -qx "$bin" || fail "\`bin: $bin\` is not among the installed files [$(echo $placed)]"
printf '%s\n' "$placed" | grep -qx "LICENSE" || fail "the archive puts no LICENSE into the install directory"

echo "archive:  $archive"
echo "sha256:   $sha256"
echo "uri:      $uri"
echo "manifest: $manifest (version $tag, linux/amd64)"
echo "not built here: linux/arm64, darwin/amd64, darwin/arm64, windows/amd64"
