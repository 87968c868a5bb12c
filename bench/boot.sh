#!/usr/bin/env bash
# bench/boot.sh WORK — boot a Debian bookworm with systemd to `running`: sc run --boot beside
# systemd-nspawn -b on the same rootfs, medians of BOOT_RUNS (default 5). Prints one table row
# (tab-separated) on stdout. As root; sc's environment (SC_ROOT, PATH with out/bin) comes from run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: bench/boot.sh WORK}
runs=${BOOT_RUNS:-5}
command -v systemd-nspawn >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd-container >/dev/null; }
tarball=$(SC_DEBIAN_INCLUDE=systemd-sysv,iproute2,dbus,procps bash scripts/make-debian-rootfs.sh /var/cache/sc-test/debian-systemd.tar)
sc image import "$tarball" --name bench-boot >/dev/null
root=$work/nspawn-root
mkdir -p "$root"
tar --numeric-owner -xpf "$tarball" -C "$root"

# nspawn --keep-unit makes its cgroups ("payload") under its caller's, in the name=systemd and unified
# hierarchies, and leaves them: the caller gets cgroups of the bench's own there, removed after.
cgroups=()
for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
  [ ! -d "$hierarchy" ] || { mkdir -p "$hierarchy/sc-bench-nspawn-$$"; cgroups+=("$hierarchy/sc-bench-nspawn-$$"); }
done
now() { date +%s.%N; }
# until STATE-COMMAND says running (or degraded): the seconds since START
until_running() {
  local start=$1; shift
  for _ in $(seq 600); do
    case $("$@" 2>/dev/null) in running|degraded) break ;; esac
    sleep 0.05
  done
  awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

sc_times=() nspawn_times=()
for _ in $(seq "$runs"); do
  start=$(now)
  sc run --name bench-boot --boot bench-boot >/dev/null
  sc_times+=("$(until_running "$start" sc exec bench-boot systemctl is-system-running)")
  sc rm -f bench-boot >/dev/null

  start=$(now)
  (
    for cg in "${cgroups[@]}"; do echo "$BASHPID" > "$cg/cgroup.procs"; done
    exec script -qec "systemd-nspawn -b -D $root --register=no --keep-unit -q" /dev/null >/dev/null 2>&1
  ) &
  outer=$!
  pid1=""
  for _ in $(seq 200); do
    ns=$(pgrep -f "^systemd-nspawn -b -D $root" | head -n1 || true)
    [ -z "$ns" ] || pid1=$(awk '{ print $1 }' "/proc/$ns/task/$ns/children" 2>/dev/null || true)
    [ -z "$pid1" ] || break
    sleep 0.01
  done
  nspawn_times+=("$(until_running "$start" nsenter -a -t "$pid1" systemctl is-system-running)")
  kill -s SIGRTMIN+3 "$pid1" 2>/dev/null || true
  wait "$outer" 2>/dev/null || true
done
for cg in "${cgroups[@]}"; do find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
sc_s=$(printf '%s\n' "${sc_times[@]}" | median)
nspawn_s=$(printf '%s\n' "${nspawn_times[@]}" | median)
ratio=$(awk -v a="$sc_s" -v b="$nspawn_s" 'BEGIN { printf "%.2fx", a / b }')
printf 'boot to running (s)\t%s\tsystemd-nspawn -b %s\t%s of nspawn\n' "$sc_s" "$nspawn_s" "$ratio"
printf 'runs: sc %s; nspawn %s\n' "${sc_times[*]}" "${nspawn_times[*]}" >&2
