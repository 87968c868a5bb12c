#!/usr/bin/env bash
# sc-oci as the OCI runtime beside runc: the runtime's own lifecycle (create, start, delete -f of the
# bench bundle) and `ctr run --rm` of busybox under Debian's containerd, with --runc-binary sc-oci and
# runc. Medians of BENCH_RUNS (20), CPU time (user + system of the whole command) beside wall.
# containerd and the runtimes' state live in a private mount namespace whose /run and /var/lib write
# into WORKDIR, as in test/oci-interop.test.mjs. Prints TAB-separated rows for bench/run.sh's table.
# Usage: bash bench/oci.sh WORKDIR BUNDLE IMAGE.tar   (as root; BUNDLE: an OCI bundle whose process waits;
#        IMAGE.tar: an OCI archive of busybox, as `sc image save` writes it)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: bench/oci.sh WORKDIR BUNDLE IMAGE.tar}
bundle=${2:?usage: bench/oci.sh WORKDIR BUNDLE IMAGE.tar}
archive=${3:?usage: bench/oci.sh WORKDIR BUNDLE IMAGE.tar}
runs=${BENCH_RUNS:-20}
sc_oci=$PWD/out/bin/sc-oci
[ -x "$sc_oci" ] || { echo "bench/oci: $sc_oci is missing: build and assemble first" >&2; exit 1; }
if ! command -v ctr >/dev/null; then
  # Debian starts containerd on install unless policy-rc.d says no: this bench starts its own.
  planted=; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; planted=1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq containerd >/dev/null
  [ -z "$planted" ] || rm -f /usr/sbin/policy-rc.d
fi

dir=$(mktemp -d "$work/oci.XXXXXX")
holder='' containerd=''
parent=sc-bench-oci-$$
cleanup() {
  set +e
  [ -z "$containerd" ] || { kill "$containerd"; wait "$containerd"; } 2>/dev/null
  [ -z "$holder" ] || { kill "$holder"; wait "$holder"; } 2>/dev/null
  for c in /sys/fs/cgroup/*/"$parent"; do [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir"/ns/{run-up,run-work,lib-up,lib-work} "$dir/fifo"
# shellcheck disable=SC2016 # the inner sh expands its own $1
unshare -m --propagation private -- sh -ec 'mount -t overlay overlay -o "lowerdir=/run,upperdir=$1/run-up,workdir=$1/run-work" /run
mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$1/lib-up,workdir=$1/lib-work" /var/lib
touch "$1/ready"; exec sleep infinity' sh "$dir/ns" &
holder=$!
for _ in $(seq 100); do [ -e "$dir/ns/ready" ] && break; sleep 0.05; done
ns="nsenter --mount=/proc/$holder/ns/mnt --"

cat > "$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.opt", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
$ns containerd --config "$dir/config.toml" > "$dir/containerd.log" 2>&1 &
containerd=$!
ctr="$ns ctr -a $dir/containerd.sock -n bench"
for _ in $(seq 100); do $ctr version >/dev/null 2>&1 && break; sleep 0.1; done
$ctr images import "$archive" >/dev/null
image=$($ctr images ls -q | head -n1)

# median NAME COMMAND: hyperfine's median wall time and mean CPU time (ms), "- -" when it fails.
median() {
  if hyperfine --style none --runs "$runs" --warmup 2 --export-json "$dir/$1.json" "$2" >/dev/null 2>"$dir/err"; then
    jq -r '.results[0] | "\(.median * 100000 | round / 100) \((.user + .system) * 100000 | round / 100)"' "$dir/$1.json"
  else
    echo "bench/oci: $1 failed: $(tail -n1 "$dir/err")" >&2
    echo "- -"
  fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "-" }'; }

# The runtime alone: the lifecycle containerd's shim drives, on the bench bundle, state under $dir.
life() { echo "$1 --root $dir/$2 create --bundle $bundle bench-oci </dev/null >/dev/null 2>&1 && $1 --root $dir/$2 start bench-oci && $1 --root $dir/$2 delete -f bench-oci"; }
read -r sc_ms sc_cpu <<< "$(median sc-oci-life "$(life "$sc_oci" sc-oci-root)")"
read -r runc_ms runc_cpu <<< "$(median runc-life "$(life runc runc-root)")"
printf 'sc-oci create + start + delete -f, wall (ms)\t%s\trunc %s\t%s of runc\n' "$sc_ms" "$runc_ms" "$(ratio "$sc_ms" "$runc_ms")"
printf 'the same, CPU (ms)\t%s\trunc %s\t%s of runc\n' "$sc_cpu" "$runc_cpu" "$(ratio "$sc_cpu" "$runc_cpu")"

# Under containerd: ctr run --rm of busybox true, the runtime's cgroup under our own parent.
crun_rm() { echo "$ctr run --rm --runc-binary $1 --fifo-dir $dir/fifo --cgroup /$parent/bench-ctr $image bench-ctr true"; }
read -r sc_ms sc_cpu <<< "$(median ctr-sc-oci "$(crun_rm "$sc_oci")")"
read -r runc_ms runc_cpu <<< "$(median ctr-runc "$(crun_rm "$(command -v runc)")")"
printf 'ctr run --rm busybox true, wall (ms)\t%s\tcontainerd with runc %s\t%s of runc\n' "$sc_ms" "$runc_ms" "$(ratio "$sc_ms" "$runc_ms")"
