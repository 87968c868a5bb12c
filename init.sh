#!/usr/bin/env bash
# init.sh [DATA_ROOT] — set up sc on this machine. Run as root (elsewhere: sudo ./init.sh).
# Idempotent: checks the kernel, installs what is missing (Debian packages, npm ci), builds,
# installs sc and sc-* on PATH, writes /etc/sc.json5 if absent, imports the busybox demo image and
# has the host run `sc autostart` at boot (scripts/install-autostart.sh).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

prefix=${SC_PREFIX:-/usr/local}
config=${SC_CONFIG:-/etc/sc.json5}
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'init.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run me as root (sudo ./init.sh): I install packages and write to $prefix and /etc"
[ "$(uname -s)" = Linux ] || die "sc runs containers on Linux only"

say "checking the kernel"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || die "this kernel has no overlayfs (CONFIG_OVERLAY_FS): sc mounts every container's rootfs as an overlay"
for ns in pid mnt uts ipc net cgroup; do
  [ -e "/proc/self/ns/$ns" ] || die "this kernel has no $ns namespaces (CONFIG_${ns^^}_NS): sc needs pid, mnt, uts, ipc, net and cgroup namespaces"
done
grep -q cgroup /proc/self/mountinfo || die "no cgroup filesystem is mounted (sc needs cgroup v1 or v2 under /sys/fs/cgroup)"

say "installing missing Debian packages"
# command to look for → the package that brings it
declare -A wanted=(
  [cc]=gcc [make]=make [jq]=jq [flock]=util-linux [nsenter]=util-linux [ip]=iproute2 [tar]=tar
  [gzip]=gzip [xz]=xz-utils [zstd]=zstd [dnsmasq]=dnsmasq-base [shellcheck]=shellcheck [getfattr]=attr
  [help2man]=help2man [man]=man-db [groff]=groff-base [script]=bsdutils [column]=bsdextrautils
  [mkfs.ext4]=e2fsprogs [losetup]=mount [pgrep]=procps [unshare]=util-linux
  # sc image pull and push talk to registries through skopeo.
  [skopeo]=skopeo
)
missing=()
for cmd in "${!wanted[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}"); done
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -n "$(find /usr/lib -name libc.a -print -quit 2>/dev/null)" ] || missing+=(libc6-dev)
# The demo image and the DHCP client come from busybox-static (a static binary runs in any rootfs).
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
dpkg -s bash-completion >/dev/null 2>&1 || missing+=(bash-completion)
# sc stop queues its timeout with the signal: procps' kill (/bin/kill --queue), not the shell's builtin.
[ -x /bin/kill ] || missing+=(procps)
# The native helpers build the containers' seccomp filters with libseccomp, linked statically.
[ -f /usr/include/seccomp.h ] && [ -n "$(find /usr/lib -name libseccomp.a -print -quit 2>/dev/null)" ] || missing+=(libseccomp-dev)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  command -v apt-get >/dev/null || die "missing ${missing[*]}, and this is not a Debian-like system: install them by hand"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || die "Node.js >= 20.19 with npm is needed to build sc (the tools then run on Bun, installed by npm ci)"

say "installing npm dependencies (npm ci)"
if [ ! -x node_modules/bun/bin/bun.exe ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

say "building"
NX_DAEMON=false npm run --silent build >/dev/null

say "installing into $prefix/lib/sc, with sc and sc-* in $prefix/bin"
bash scripts/assemble.sh "$prefix/lib/sc" --copy
for tool in "$prefix"/lib/sc/bin/*; do ln -sfn "$tool" "$prefix/bin/$(basename "$tool")"; done

say "installing the man pages (made from each tool's --help) and bash completion for sc"
bash scripts/make-man.sh "$prefix/share/man" "$prefix/lib/sc/bin"
install -D -m 644 tools/sc/completion.bash "$prefix/share/bash-completion/completions/sc"
if command -v mandb >/dev/null; then mandb -q "$prefix/share/man" 2>/dev/null || true; fi

if [ ! -e "$config" ]; then
  say "writing $config"
  cat > "$config" <<JSON5
// sc configuration (JSON5). SC_CONFIG points to another file; SC_ROOT overrides root.
{
  // images, layers and containers live here
  root: "${1:-/var/lib/sc}",
  // our own cgroup parent, under each controller (v1) or the unified root (v2)
  cgroupParent: "sc",
  // seconds sc stop waits before it kills a container
  stopTimeout: 10,
  // host ids for --userns containers, 65536 each (keep clear of /etc/subuid's ranges)
  userns: { first: 1000000, count: 65536000 },
}
JSON5
fi
# The data root as the tools read the config (one reader of it: sc-ps config).
root=$(SC_CONFIG=$config "$prefix/bin/sc-ps" config --get root)
# Closed to other host users (images ship setuid binaries): 0700, also when an older sc left it open.
mkdir -p "$root"/{images,layers,containers,locks,tmp}
chmod 700 "$root"

if ! "$prefix/bin/sc-image" ls | grep -q '"name":"busybox"'; then
  say "building and importing the demo image busybox"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  bash scripts/make-busybox-image.sh "$tmp/busybox.tar.gz"
  "$prefix/bin/sc" image import "$tmp/busybox.tar.gz" >/dev/null
fi
# At boot, the host starts the containers marked --autostart: a systemd unit, or a hint for its init.
bash scripts/install-autostart.sh "$prefix/bin/sc"
say "ready: try  sc run -name demo busybox  and then  sc exec demo ps"
