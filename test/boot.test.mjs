// Issue 12: the VM experience. `sc run --boot` boots a real distribution's init in default confinement —
// systemd (Debian bookworm, debootstrapped once into the tests' cache) to `running` with no failed
// units, busybox init with an inittab — logs its console, stops like a power button within -t, and
// boots again with its files. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSandbox, importBusybox, busyboxImage, leftovers, uniqueName, REPO, BIN, containerInits } from './helpers.mjs';
import { sh as hostSh } from './image-tree.mjs';

const box = makeSandbox('boot');
const work = mkdtempSync(join(tmpdir(), 'sc-e2e-boot-work-'));

before(() => {
  importBusybox(box);
  // Debian with systemd, built once per machine (as the Debian test image is).
  const r = spawnSync('bash', [join(REPO, 'scripts', 'make-debian-rootfs.sh'), '/var/cache/sc-test/debian-systemd.tar'],
    { encoding: 'utf8', env: { ...process.env, SC_DEBIAN_INCLUDE: 'systemd-sysv,iproute2,dbus,procps' }, timeout: 900_000 });
  assert.equal(r.status, 0, r.stderr);
  const imported = box.sc('image', 'import', r.stdout.trim(), '--name', 'debian-systemd');
  assert.equal(imported.code, 0, imported.stderr);
});
after(async () => {
  await box.cleanup();
  rmSync(work, { recursive: true, force: true });
  assert.deepEqual(leftovers(box), []);
});

const exec = (name, ...cmd) => box.sc('exec', name, ...cmd);
const logs = (name) => box.sc('logs', name).stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `systemctl is-system-running` until it settles; returns its last answer and the time it took. */
async function waitRunning(name, ms = 60_000) {
  const started = Date.now();
  let state = '';
  while (Date.now() - started < ms) {
    state = exec(name, 'systemctl', 'is-system-running').stdout.trim();
    if (state === 'running' || state === 'degraded') break;
    await sleep(100);
  }
  return { state, ms: Date.now() - started };
}

test('systemd boots to running in default confinement, with no failed unit; exec works; the console log shows the boot', async (t) => {
  const name = uniqueName('vm');
  const run = box.sc('run', '--name', name, '--boot', 'debian-systemd');
  assert.equal(run.code, 0, run.stderr);
  const { state, ms } = await waitRunning(name);
  t.diagnostic(`is-system-running: ${state} after ${ms} ms`);
  assert.equal(state, 'running', exec(name, 'systemctl', '--failed', '--no-legend').stdout);
  assert.equal(exec(name, 'systemctl', '--failed', '--no-legend').stdout.trim(), '');
  assert.equal(exec(name, 'hostname').stdout.trim(), name);
  // Default confinement: Docker's capabilities and the seccomp filter, for systemd as for any PID 1.
  assert.match(exec(name, 'grep', 'Seccomp:', '/proc/1/status').stdout, /Seccomp:\s+2/);
  assert.match(exec(name, 'grep', 'CapBnd:', '/proc/1/status').stdout, /00000000a80425fb/);
  assert.equal(exec(name, 'systemd-detect-virt', '--container').stdout.trim(), 'container-other');
  assert.match(logs(name), /Welcome to Debian GNU\/Linux 12/);
  // The console: systemd's getty answers on it; sc console attaches (here from a pipe, as a script would).
  const con = box.run(join(BIN, 'sc'), ['console', name], { input: '\n' });
  assert.equal(con.code, 0, con.stderr);
  assert.match(con.stdout, new RegExp(`${name} login:`));

  // Power button: SIGRTMIN+3, a clean shutdown well inside -t, said on the console.
  const started = Date.now();
  const stop = box.sc('stop', '-t', '30', name);
  const took = Date.now() - started;
  t.diagnostic(`stop took ${took} ms`);
  assert.equal(stop.code, 0, stop.stderr);
  assert.ok(took < 20_000, `a clean shutdown, not the -t 30 timeout (${took} ms)`);
  assert.match(logs(name), /(System Halt|Power-Off|power off|Halting system)/i);

  // Boots again, with the files it had.
  assert.equal(box.sc('start', name).code, 0);
  assert.equal((await waitRunning(name)).state, 'running');
  assert.equal(exec(name, 'sh', '-c', 'echo kept > /root/note').code, 0);
  assert.equal(box.sc('stop', name).code, 0);
  assert.equal(box.sc('start', name).code, 0);
  assert.equal(exec(name, 'cat', '/root/note').stdout.trim(), 'kept');
  assert.equal(box.sc('stop', name).code, 0);
  const off = box.sc('console', name);
  assert.equal(off.code, 1);
  assert.match(off.stderr, /has no console: it is not running/);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('busybox init with an inittab boots (sysinit runs) and halts cleanly on sc stop (its shutdown actions run)', async () => {
  const tree = join(work, 'bbinit');
  mkdirSync(tree);
  hostSh(`tar -xzf '${busyboxImage()}' -C '${tree}'`);
  writeFileSync(join(tree, 'etc', 'inittab'), '::sysinit:/bin/echo sysinit ran\n::shutdown:/bin/echo shutdown ran\n');
  hostSh(`[ -e '${tree}/sbin/init' ] || ln -s /bin/busybox '${tree}/sbin/init'; tar --numeric-owner -czf '${tree}.tgz' -C '${tree}' .`);
  assert.equal(box.sc('image', 'import', `${tree}.tgz`, '--name', 'bbinit').code, 0);
  const name = uniqueName('bbi');
  const run = box.sc('run', '--name', name, '--boot', 'bbinit');
  assert.equal(run.code, 0, run.stderr);
  for (let i = 0; i < 50 && !logs(name).includes('sysinit ran'); i++) await sleep(50);
  assert.match(logs(name), /sysinit ran/);
  const started = Date.now();
  assert.equal(box.sc('stop', '-t', '20', name).code, 0);
  assert.ok(Date.now() - started < 10_000, 'halted on SIGUSR2, not killed at -t');
  assert.match(logs(name), /shutdown ran/);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('sc stop -t 14 gives a process that ignores SIGTERM 14 s, then kills it; the console says so', () => {
  const name = uniqueName('t14');
  assert.equal(box.sc('run', '--name', name, 'busybox').code, 0);
  assert.equal(exec(name, 'sh', '-c', '(trap "" TERM; exec sleep 1000) >/dev/null 2>&1 &').code, 0);
  const started = Date.now();
  assert.equal(box.sc('stop', '-t', '14', name).code, 0);
  const took = Date.now() - started;
  assert.ok(took >= 13_800 && took < 17_000, `waited -t 14: ${took} ms`);
  assert.deepEqual(containerInits(box, name), []);
  const log = logs(name);
  assert.match(log, /SIGKILL after 14 s/);
  assert.match(log, /14 s passed: SIGKILL to what is left/);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('a boot that fails says what PID 1 printed last, and the run leaves nothing', () => {
  const tree = join(work, 'badinit');
  mkdirSync(tree);
  hostSh(`tar -xzf '${busyboxImage()}' -C '${tree}' && rm -f '${tree}/sbin/init'`);
  writeFileSync(join(tree, 'sbin', 'init'), '#!/bin/sh\necho "init: cannot find the root disk"\nexit 1\n', { mode: 0o755 });
  hostSh(`tar --numeric-owner -czf '${tree}.tgz' -C '${tree}' .`);
  assert.equal(box.sc('image', 'import', `${tree}.tgz`, '--name', 'badinit').code, 0);
  const name = uniqueName('bad');
  const run = box.sc('run', '--name', name, '--boot', 'badinit');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /printed last: init: cannot find the root disk/);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.equal(box.sc('ps', '-a', '--json').stdout.includes(name), false);
});
