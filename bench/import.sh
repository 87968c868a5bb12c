#!/usr/bin/env bash
# Import of a debootstrap'd Debian minbase rootfs: sc-image import against GNU tar extracting the same
# file into a fresh directory (the cached tarball, plain and gzip), medians of BENCH_IMPORT_RUNS (3).
# Prints TAB-separated rows for bench/run.sh's table: what, sc, anchor, ratio.
# Usage: bash bench/import.sh WORKDIR   (as root; builds the tarball once with scripts/make-debian-rootfs.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: bench/import.sh WORKDIR}
runs=${BENCH_IMPORT_RUNS:-3}
sc_image=$PWD/out/bin/sc-image
[ -x "$sc_image" ] || { echo "bench/import: $sc_image is missing: build and assemble first" >&2; exit 1; }

tarball=$(bash scripts/make-debian-rootfs.sh)
dir=$(mktemp -d "$work/import.XXXXXX")
trap 'rm -rf "$dir"' EXIT
gzip -c "$tarball" > "$dir/debian-minbase.tar.gz"

# median_s NAME PREPARE COMMAND: hyperfine's median in seconds; PREPARE empties the target and
# flushes the previous run's writes, so each run starts from the same disk state, and each timed
# command ends with sync: without it the time measured is mostly whose dirty pages the kernel
# happened to write back during the run (single runs varied from 0.3x to 1.4x).
median_s() {
  hyperfine --style none --runs "$runs" --export-json "$dir/$1.json" --prepare "$2" "$3" >/dev/null 2>"$dir/err" \
    || { cat "$dir/err" >&2; return 1; }
  jq -r '.results[0].median * 100 | round / 100' "$dir/$1.json"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

for file in "$tarball" "$dir/debian-minbase.tar.gz"; do
  kind=${file##*/debian-minbase}
  out=$dir/extract root=$dir/sc-root
  tar_s=$(median_s "tar$kind" "rm -rf $out && mkdir $out && sync" \
    "tar --xattrs --xattrs-include='*' --numeric-owner -xpf $file -C $out && sync")
  sc_s=$(median_s "sc$kind" "rm -rf $root && sync" "SC_ROOT=$root $sc_image import --name debian $file >/dev/null && sync")
  printf 'import debian minbase %s, synced (s)\t%s\tGNU tar %s\t%s of GNU tar\n' "${kind#.}" "$sc_s" "$tar_s" "$(ratio "$sc_s" "$tar_s")"
  rm -rf "$out" "$root"
done
