#!/usr/bin/env bash
# Build (once) a tarball of a debootstrap'd Debian bookworm minbase rootfs and print its path.
# The tarball is cached outside the repo; later calls print the cached path at once.
# Made with GNU tar's exact flags, so it carries devices, owners by number, modes and xattrs.
# Usage: scripts/make-debian-rootfs.sh [OUT.tar]   (default /var/cache/sc-test/debian-minbase.tar)
#        SC_DEBIAN_INCLUDE=systemd-sysv,dbus scripts/make-debian-rootfs.sh OUT.tar   (extra packages)
# Needs root and the network the first time (apt-get install debootstrap if it is missing).
set -euo pipefail
out=${1:-${SC_DEBIAN_TARBALL:-/var/cache/sc-test/debian-minbase.tar}}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ -s "$out" ]; then printf '%s\n' "$out"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "make-debian-rootfs: debootstrap needs root" >&2; exit 1; }
mkdir -p "${out%/*}"
# Two test files may want it at once: the second waits for the first, then finds the cache.
exec {lock}>>"$out.lock"
flock "$lock"
if [ -s "$out" ]; then printf '%s\n' "$out"; exit 0; fi

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

root=$(mktemp -d "${out%/*}/rootfs.XXXXXX")
trap 'rm -rf "$root" "$out.tmp"' EXIT
chmod 755 "$root" # a rootfs's "/" is 0755, not mktemp's 0700
debootstrap --variant=minbase ${SC_DEBIAN_INCLUDE:+--include="$SC_DEBIAN_INCLUDE"} bookworm "$root" "$mirror" >&2
# debootstrap leaves its apt lists and package cache: drop them, as image builders do.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages
tar --xattrs --xattrs-include='*' --numeric-owner -C "$root" -cpf "$out.tmp" .
mv "$out.tmp" "$out"
printf '%s\n' "$out"
