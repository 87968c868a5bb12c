#!/usr/bin/env bash
# Lay out a runnable sc installation from the workspace build:
#   DEST/bin/sc, DEST/bin/sc-*   launchers (bun + the tool's bundle; sc itself is bash)
#   DEST/lib/<tool>/              each tool's bundle
#   DEST/lib/bun                  the runtime (a copy with --copy, else a symlink into node_modules)
#   DEST/libexec/                 the native helpers and the DHCP client script
# Usage: scripts/assemble.sh DEST [--copy]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: scripts/assemble.sh DEST [--copy]}
copy=${2:-}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
tools=(sc-image sc-rootfs sc-cgroup sc-net sc-spawn sc-ps)

bun="$here/node_modules/bun/bin/bun.exe"
[ -x "$bun" ] || { echo "assemble: $bun is missing: run npm ci first" >&2; exit 1; }

stage=$(mktemp -d "$dest/.assemble.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/libexec"
if [ "$copy" = --copy ]; then cp "$bun" "$stage/lib/bun"; else ln -s "$bun" "$stage/lib/bun"; fi

for tool in "${tools[@]}"; do
  bundle="$here/tools/$tool/dist/bundle"
  [ -f "$bundle/$tool.js" ] || { echo "assemble: $bundle/$tool.js is missing: build it first (npm run build)" >&2; exit 1; }
  cp -r "$bundle" "$stage/lib/$tool"
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$dest/lib/bun" "$dest/lib/$tool/$tool.js" > "$stage/bin/$tool"
  chmod 755 "$stage/bin/$tool"
done
install -m 755 "$here/tools/sc/sc" "$stage/bin/sc"
for helper in "$here"/native/build/*; do
  [ -f "$helper" ] && install -m 755 "$helper" "$stage/libexec/"
done
if [ -d "$here/tools/sc-net/libexec" ]; then
  cp "$here"/tools/sc-net/libexec/* "$stage/libexec/"
fi

# Swap the new tree in whole, so a running sc never sees half an installation.
for part in bin lib libexec; do
  rm -rf "$dest/$part.old"
  [ -e "$dest/$part" ] && mv "$dest/$part" "$dest/$part.old"
  mv "$stage/$part" "$dest/$part"
  rm -rf "$dest/$part.old"
done
