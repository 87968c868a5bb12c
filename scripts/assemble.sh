#!/usr/bin/env bash
# Lay out a runnable sc installation from the workspace build:
#   DEST/bin/sc                   the front end (bash)
#   DEST/bin/sc-*                 links to DEST/lib/sc-tools, which runs the tool it is called by (and sc-oci)
#   DEST/lib/sc-tools             every tool in one executable (Bun, compiled with bytecode)
#   DEST/lib/<tool>/              each tool's bundle, for Node (node DEST/lib/sc-ps/sc-ps.js …)
#   DEST/libexec/                 the native helpers and the DHCP client script
# Usage: scripts/assemble.sh DEST [--copy]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: scripts/assemble.sh DEST [--copy]}
copy=${2:-}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
tools=(sc-image sc-rootfs sc-cgroup sc-net sc-spawn sc-ps sc-oci)

multicall="$here/tools/sc-tools/dist/sc-tools"
[ -x "$multicall" ] || { echo "assemble: $multicall is missing: build it first (npm run build)" >&2; exit 1; }

stage=$(mktemp -d "$dest/.assemble.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/libexec"
# A copy, or (a build's out/) a hard link: not a symlink, since the tools find libexec/ beside the file they run from.
if [ "$copy" = --copy ]; then cp "$multicall" "$stage/lib/sc-tools"; else ln "$multicall" "$stage/lib/sc-tools" 2>/dev/null || cp "$multicall" "$stage/lib/sc-tools"; fi

for tool in "${tools[@]}"; do
  bundle="$here/tools/$tool/dist/bundle"
  [ -f "$bundle/$tool.js" ] || { echo "assemble: $bundle/$tool.js is missing: build it first (npm run build)" >&2; exit 1; }
  cp -r "$bundle" "$stage/lib/$tool"
  ln -s ../lib/sc-tools "$stage/bin/$tool"
done
# run's flags for bash, from core's list of them (one source: libs/core/src/spec.ts).
node --input-type=module -e "
  const { SPEC_OPTIONS } = await import('$here/libs/core/dist/index.js');
  const names = (type) => Object.entries(SPEC_OPTIONS).filter(([, o]) => o.type === type).map(([n]) => n).join(' ');
  console.log('# made by scripts/assemble.sh from libs/core/src/spec.ts: the flags of sc run');
  console.log('SC_RUN_VALUE_FLAGS=\" ' + names('string') + ' \"');
  console.log('SC_RUN_BOOLEAN_FLAGS=\" ' + names('boolean') + ' \"');
" > "$stage/lib/sc-run-flags.sh"
# sc knows where it is installed (no readlink -f on every call).
sed "s|^here=\"\"\$|here=\"$dest/bin\"|" "$here/tools/sc/sc" > "$stage/bin/sc"
chmod 755 "$stage/bin/sc"
grep -q "^here=\"$dest/bin\"\$" "$stage/bin/sc" || { echo "assemble: could not write the install directory into bin/sc" >&2; exit 1; }
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
