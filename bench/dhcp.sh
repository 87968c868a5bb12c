#!/usr/bin/env bash
# How long `sc run --net dhcp` takes until the lease is bound (run returns once it is), and the
# `sc-net attach` step alone, in the test LAN of test/lan.mjs: a veth parent, dnsmasq in a netns.
# Median of N runs.
# Needs root, and a build: npm run build (or build tools/sc-net and run scripts/assemble.sh out).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ -x out/bin/sc-net ] || { echo "bench/dhcp.sh: out/bin/sc-net is missing: build and assemble first" >&2; exit 1; }
exec node --input-type=module - "$runs" <<'JS'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, createLan, rand, scEnv, scNet, startStandIn } from './test/lan.mjs';

const runs = Number(process.argv[2]);
const { root, env } = scEnv();
writeFileSync(env.SC_CONFIG, `{ cgroupParent: "sc-bench-${rand()}" }\n`);

/** The whole `sc run --net dhcp` of busybox, which returns once the lease is bound; rm after each. */
function measureRun(lan) {
  const image = join(root, 'busybox.tar.gz');
  const sh = (cmd, args) => {
    const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  };
  sh('bash', ['scripts/make-busybox-image.sh', image]);
  sh(join(BIN, 'sc'), ['image', 'import', image]);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const name = `bench-${rand()}`;
    const t0 = process.hrtime.bigint();
    try {
      sh(join(BIN, 'sc'), ['run', '--name', name, '--net', 'dhcp', '--parent', lan.parent, 'busybox']);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    } finally {
      spawnSync(join(BIN, 'sc'), ['rm', '-f', name], { env });
    }
  }
  return times;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Attach a fresh stand-in N times; sameId: one container restarted (same MAC), else a new container each time. */
async function measure(lan, sameId) {
  const times = [];
  const id = rand() + rand();
  for (let i = 0; i < runs; i++) {
    const rootfs = mkdtempSync(join(root, 'rootfs-'));
    const s = await startStandIn(rootfs);
    const doc = { v: 1, name: `bench-${rand()}`, id: sameId ? id : rand() + rand(), spec: { net: { mode: 'dhcp', parent: lan.parent } },
      process: { pid: s.pid, startTime: s.startTime } };
    try {
      const t0 = process.hrtime.bigint();
      const r = scNet(env, 'attach', doc);
      const t = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.status !== 0) throw new Error(r.stderr);
      times.push(t);
      scNet(env, 'detach', r.docs[0]);
    } finally {
      scNet(env, 'detach', doc);
      await s.kill();
    }
  }
  return times;
}

const fmt = (xs) => `${median(xs).toFixed(3)} s  (runs: ${xs.map((x) => x.toFixed(3)).join(' ')})`;
const lans = [];
try {
  lans.push(await createLan({ dnsmasqArgs: ['--no-ping'] }));
  const restart = await measure(lans[0], true);
  const fresh = await measure(lans[0], false);
  const whole = measureRun(lans[0]);
  lans.push(await createLan({ dnsmasqArgs: [] }));
  const pinged = await measure(lans[1], false);
  console.log(`sc run --net dhcp of busybox, until the lease is bound, median of ${runs}: ${fmt(whole)}`);
  console.log(`sc-net attach --net dhcp, start to bound lease, median of ${runs} (busybox udhcpc -T 1, first discover at once):`);
  console.log(`  dnsmasq --no-ping, same container restarted (same MAC):  ${fmt(restart)}`);
  console.log(`  dnsmasq --no-ping, a new container each time:             ${fmt(fresh)}`);
  console.log(`  dnsmasq defaults (pings each new address ~3 s first):    ${fmt(pinged)}`);
  console.log('  reference, NOT measured here: the CNI dhcp plugin takes ~5 s in the same setup (stated anchor)');
} finally {
  for (const lan of lans) lan.close();
  rmSync(root, { recursive: true, force: true });
}
JS
