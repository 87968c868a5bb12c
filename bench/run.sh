#!/usr/bin/env bash
# npm run bench — sc side by side with its anchors (runc, crun, nsenter, containerd, GNU tar), medians of
# repeated runs, one table. As root (elsewhere: sudo npm run bench). Needs `npm run build` first.
# BENCH_RUNS (default 20) sets the repetitions; BENCH_SKIP="import dhcp boot oci" leaves parts out.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${BENCH_RUNS:-20}
skip=" ${BENCH_SKIP:-} "

[ "$(id -u)" = 0 ] || { echo "bench: run me as root (sudo npm run bench)" >&2; exit 1; }
[ -x out/bin/sc-ps ] || { echo "bench: out/ is missing: run npm run build first" >&2; exit 1; }
missing=()
for cmd in runc crun hyperfine jq; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/sc-bench.XXXXXX)
export SC_ROOT=$work/sc SC_CONFIG=$work/sc.json5 PATH="$repo/out/bin:$PATH"
printf '{ root: "%s", cgroupParent: "sc-bench-%s" }\n' "$SC_ROOT" "$$" > "$SC_CONFIG"
results=$work/results.tsv
: > "$results"

cleanup() {
  set +e
  for n in bench-run bench-exec bench-stop bench-mem bench-boot bench-many-{1..39}; do sc rm -f "$n" >/dev/null 2>&1; done
  for n in bench-run bench-exec bench-mem; do
    runc delete -f "$n" >/dev/null 2>&1
    crun --cgroup-manager=disabled delete -f "$n" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
# median NAME COMMAND...: hyperfine's median wall time in ms, or "-" when the command fails; the
# mean CPU time (user + system, ms) of the same runs is left in $work/NAME.cpu (cpu NAME prints it).
median() {
  local json=$work/$1.json name=$1
  shift
  if hyperfine --style none --runs "$runs" --warmup 2 --export-json "$json" "$@" >/dev/null 2>"$work/err"; then
    jq -r '.results[] | (.user + .system) * 1000 | . * 100 | round / 100' "$json" > "$work/$name.cpu"
    jq -r '.results[] | .median * 1000 | . * 100 | round / 100' "$json"
  else
    echo "-" > "$work/$name.cpu"
    echo "-"
  fi
}
cpu() { cat "$work/$1.cpu" 2>/dev/null || echo "-"; }
row() { printf '%s\t%s\t%s\t%s\n' "$@" >> "$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "-" }'; }

say "preparing: busybox image for sc, an OCI bundle of the same rootfs for runc and crun"
bash scripts/make-busybox-image.sh "$work/busybox.tar.gz"
sc image import "$work/busybox.tar.gz" >/dev/null
bundle=$work/bundle
mkdir -p "$bundle/rootfs"
tar -xzf "$work/busybox.tar.gz" -C "$bundle/rootfs"
(cd "$bundle" && runc spec)
jq '.process.terminal = false | .process.args = ["sleep", "1000000"] | .root.readonly = false' \
  "$bundle/config.json" > "$bundle/config.tmp" && mv "$bundle/config.tmp" "$bundle/config.json"
crun_flags=(--cgroup-manager=disabled)

if [[ $skip != *" run "* ]]; then
  say "run + rm of a busybox container"
  sc_ms=$(median sc-run "sc run --name bench-run busybox >/dev/null && sc rm -f bench-run >/dev/null")
  runc_ms=$(median runc-run "runc run -d --bundle $bundle bench-run </dev/null >/dev/null 2>&1 && runc delete -f bench-run")
  crun_ms=$(median crun-run "crun ${crun_flags[*]} run -d --bundle $bundle bench-run </dev/null >/dev/null && crun ${crun_flags[*]} delete -f bench-run")
  # crun 1.8 refuses hybrid cgroup layouts (v1 controllers beside a v2 mount that has any): say why.
  if [ "$crun_ms" = "-" ]; then
    crun_ms="refused: $(crun "${crun_flags[@]}" run -d --bundle "$bundle" bench-run 2>&1 </dev/null >/dev/null | head -n1 | cut -c1-50 || true)"
  fi
  row "run + rm, wall (ms)" "$sc_ms" "runc $runc_ms; crun $crun_ms" "$(ratio "$sc_ms" "$runc_ms") of runc"
  row "run + rm, CPU (ms)" "$(cpu sc-run)" "runc $(cpu runc-run)" "$(ratio "$(cpu sc-run)" "$(cpu runc-run)") of runc"
fi

if [[ $skip != *" exec "* ]]; then
  say "exec true in a running container"
  sc run --name bench-exec busybox >/dev/null
  runc run -d --bundle "$bundle" bench-exec </dev/null >/dev/null 2>&1
  pid=$(jq -r .process.pid "$SC_ROOT/containers/bench-exec/state.json")
  sc_ms=$(median sc-exec "sc exec bench-exec true")
  runc_ms=$(median runc-exec "runc exec bench-exec true")
  nsenter_ms=$(median nsenter-exec "nsenter -t $pid -a true")
  row "exec true, wall (ms)" "$sc_ms" "runc exec $runc_ms; nsenter -a $nsenter_ms" "$(ratio "$sc_ms" "$runc_ms") of runc"
  row "exec true, CPU (ms)" "$(cpu sc-exec)" "runc exec $(cpu runc-exec)" "$(ratio "$(cpu sc-exec)" "$(cpu runc-exec)") of runc"
  sc rm -f bench-exec >/dev/null
  runc delete -f bench-exec >/dev/null 2>&1
fi

if [[ $skip != *" stop "* ]]; then
  say "stop of an idle container"
  sc run --name bench-stop busybox >/dev/null
  sc stop bench-stop >/dev/null
  sc_ms=$(median sc-stop --prepare "sc start bench-stop >/dev/null" "sc stop bench-stop >/dev/null")
  runc_ms=$(median runc-stop --prepare "runc run -d --bundle $bundle bench-stop </dev/null >/dev/null 2>&1" "runc delete -f bench-stop")
  row "stop, idle (ms)" "$sc_ms" "runc delete -f of a running one $runc_ms" "$(ratio "$sc_ms" "$runc_ms") of runc"
  sc rm -f bench-stop >/dev/null
  runc delete -f bench-stop >/dev/null 2>&1 || true
fi

if [[ $skip != *" many "* ]]; then
  say "many names in one command: rm -f of 39 running containers, beside one"
  names=()
  for i in $(seq 39); do names+=("bench-many-$i"); done
  make_many() { for n in "$@"; do sc run --name "$n" busybox >/dev/null; done; }
  one=$(runs=5 median sc-rm-one --prepare "sc run --name bench-many-1 busybox >/dev/null" "sc rm -f bench-many-1 >/dev/null")
  declare -f make_many > "$work/make_many.sh"
  many=$(runs=3 median sc-rm-many --prepare "bash -c 'source $work/make_many.sh; make_many ${names[*]}'" "sc rm -f ${names[*]} >/dev/null")
  row "rm -f of 39 names (ms)" "$many" "one name $one" "$(ratio "$many" "$one") of one"
fi

if [[ $skip != *" memory "* ]]; then
  say "memory left resident per running container"
  sc run --name bench-mem busybox >/dev/null
  runc run -d --bundle "$bundle" bench-mem </dev/null >/dev/null 2>&1
  pid=$(jq -r .process.pid "$SC_ROOT/containers/bench-mem/state.json")
  runc_pid=$(runc state bench-mem | jq -r .pid)
  rss() { awk '/^Rss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
  # Everything sc leaves per container is PID 1 and its descendants; an idle one has none.
  procs=$(pgrep -c -P "$pid" || true)
  row "idle RSS per container (KiB)" "$(rss "$pid") (PID 1 + $procs others)" "runc's container process $(rss "$runc_pid")" "$(ratio "$(rss "$pid")" "$(rss "$runc_pid")") of runc"
  sc rm -f bench-mem >/dev/null
  runc delete -f bench-mem >/dev/null 2>&1
fi

if [[ $skip != *" startup "* ]]; then
  say "tool start-up: --version, compiled (Bun, bytecode), beside runc --version and the same tool on Node"
  runc_ms=$(median runc-version "runc --version")
  for tool in sc-image sc-rootfs sc-cgroup sc-net sc-spawn sc-ps; do
    js=$repo/out/lib/$tool/$tool.js
    [ -f "$js" ] || continue
    bun_ms=$(median "bun-$tool" "$repo/out/bin/$tool --version")
    node_ms=$(median "node-$tool" "node $js --version")
    row "$tool --version (ms)" "$bun_ms" "runc --version $runc_ms; Node $node_ms" "$(ratio "$bun_ms" "$runc_ms") of runc"
  done
fi

if [[ $skip != *" oci "* ]]; then
  say "sc-oci beside runc: the runtime's lifecycle, and ctr run --rm under containerd"
  sc image save busybox "$work/busybox-oci.tar" --format oci-archive >/dev/null
  bash bench/oci.sh "$work" "$bundle" "$work/busybox-oci.tar" >> "$results" || say "OCI runtime benchmark failed (see above)"
fi

if [[ $skip != *" import "* ]] && [ -f bench/import.sh ]; then
  say "import of a large rootfs against GNU tar"
  bash bench/import.sh "$work" >> "$results" || say "import benchmark failed (see above)"
fi

if [[ $skip != *" boot "* ]]; then
  say "boot of Debian with systemd to running, beside systemd-nspawn -b"
  bash bench/boot.sh "$work" >> "$results" || say "boot benchmark failed (see above)"
fi

if [[ $skip != *" dhcp "* ]] && [ -f bench/dhcp.sh ]; then
  say "DHCP attach"
  if bash bench/dhcp.sh > "$work/dhcp.txt"; then
    whole=$(sed -nE 's/^sc run --net dhcp.*: ([0-9.]+) s .*/\1/p' "$work/dhcp.txt")
    row "sc run --net dhcp to bound lease (s)" "$whole" "CNI dhcp plugin ~5 (stated, not measured)" "-"
  else
    say "DHCP benchmark failed (see above)"
  fi
fi

printf '\nsc benchmark — %s — %s, %s CPUs, kernel %s — medians of %s runs\n\n' \
  "$(date -u +%Y-%m-%d)" "$(uname -m)" "$(nproc)" "$(uname -r)" "$runs"
{
  printf 'what\tsc\tanchor\tratio\n'
  cat "$results"
} | column -t -s $'\t'
[ ! -s "$work/dhcp.txt" ] || { echo; cat "$work/dhcp.txt"; }
