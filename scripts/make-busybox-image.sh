#!/usr/bin/env bash
# Build a `docker export`-style tar.gz of a minimal busybox rootfs from Debian's busybox-static
# (apt-get install busybox-static); reproducible: sorted, mtime 0, owned by 0:0.
# Usage: scripts/make-busybox-image.sh OUT.tar.gz
set -euo pipefail
out=${1:?usage: scripts/make-busybox-image.sh OUT.tar.gz}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "make-busybox-image: $busybox is missing: apt-get install busybox-static" >&2; exit 1; }
"$busybox" --list >/dev/null || { echo "make-busybox-image: $busybox cannot list its applets" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
umask 022
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,proc,sys,dev,var/log,var/run}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
install -m 755 "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
# One bin directory: the other usual places point at it, as on merged-/usr systems.
rmdir "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
printf 'busybox\n' > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
: > "$root/etc/resolv.conf"

# Top-level names without "./", as docker export writes them.
(cd "$root" && printf '%s\n' *) > "$root.list"
trap 'rm -rf "$root" "$root.list"' EXIT
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
  -C "$root" -czf "$out.tmp" -T "$root.list"
mv "$out.tmp" "$out"
