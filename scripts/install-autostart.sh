#!/usr/bin/env bash
# install-autostart.sh SC — have the host run "SC autostart" at boot, which starts the containers
# marked --autostart. Where systemd runs the host: the unit sc-autostart.service, written and
# enabled; elsewhere one line saying what to add to the host's init. Idempotent; init.sh runs it.
# SC_CONFIG and SC_ROOT, when set, are passed on to the unit.
set -euo pipefail
sc=${1:?usage: scripts/install-autostart.sh /PATH/TO/sc}
unit=/etc/systemd/system/sc-autostart.service
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

if [ ! -d /run/systemd/system ]; then
  say "no systemd here: to start the containers marked --autostart at boot, have the host's init run \"$sc autostart\" once the network is up (e.g. from /etc/rc.local)"
  exit 0
fi

unit_text() {
  cat <<UNIT
[Unit]
Description=Start the sc containers marked --autostart
Documentation=man:sc(1)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=$sc autostart
UNIT
  if [ "${SC_CONFIG:-/etc/sc.json5}" != /etc/sc.json5 ]; then printf 'Environment="SC_CONFIG=%s"\n' "$SC_CONFIG"; fi
  if [ -n "${SC_ROOT:-}" ]; then printf 'Environment="SC_ROOT=%s"\n' "$SC_ROOT"; fi
  cat <<UNIT
# It only starts the containers: they are not its processes to stop when it ends.
RemainAfterExit=yes
KillMode=process

[Install]
WantedBy=multi-user.target
UNIT
}

say "installing $unit: systemd runs \"$sc autostart\" at boot"
want=$(unit_text)
if [ "$(cat "$unit" 2>/dev/null)" != "$want" ]; then
  mkdir -p "${unit%/*}"
  printf '%s\n' "$want" > "$unit.new"
  mv "$unit.new" "$unit"
  systemctl daemon-reload
fi
systemctl enable --quiet sc-autostart.service
