// The VM experience: containers marked --autostart come back after a host restart with one `sc autostart`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, importBusybox, leftovers, docs, uniqueName, containerInits, BIN, REPO } from './helpers.mjs';

const box = makeSandbox('autostart');
let layered; // an image of its own top layer, to take away
before(() => {
  importBusybox(box);
  const base = uniqueName('base');
  layered = uniqueName('layered');
  assert.equal(box.sc('run', '--name', base, 'busybox').code, 0);
  assert.equal(box.sc('exec', base, 'sh', '-c', 'echo extra > /etc/extra').code, 0);
  const commit = box.sc('image', 'commit', base, layered);
  assert.equal(commit.code, 0, commit.stderr);
  assert.equal(box.sc('rm', '-f', base).code, 0);
});
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

const record = (name) => docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name);
const lines = (text) => text.split('\n').filter(Boolean).sort();

function run(name, ...flags) {
  const r = box.sc('run', '--name', name, ...flags);
  assert.equal(r.code, 0, `sc run ${name}: ${r.stderr}`);
  assert.equal(box.sc('exec', name, 'sh', '-c', `echo ${name} > /root/who`).code, 0);
}

/** A host restart: every PID 1 killed, its overlay unmounted and its netns gone, behind sc's back; nothing cleaned. */
async function reboot(...names) {
  for (const n of names) {
    for (const pid of containerInits(box, n)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && containerInits(box, n).length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(containerInits(box, n), [], `${n}: its PID 1 is gone`);
    spawnSync('umount', ['-l', join(box.data, 'containers', n, 'merged')]);
    if (existsSync(`/run/netns/sc-${n}`)) spawnSync('ip', ['netns', 'delete', `sc-${n}`]);
  }
  for (const n of names) assert.equal(record(n).status, 'stopped', n);
}

/** Every lock file is free: sc released what it took, and no process it started holds one. */
function assertLocksFree() {
  const dir = join(box.data, 'locks');
  for (const name of readdirSync(dir)) {
    const r = spawnSync('flock', ['--nonblock', join(dir, name), 'true']);
    assert.equal(r.status, 0, `the lock of ${name} is still held`);
  }
}

function assertRunning(name) {
  assert.equal(record(name).status, 'running', name);
  assert.equal(containerInits(box, name).length, 1, `${name}: exactly one PID 1`);
  assert.equal(box.sc('exec', name, 'cat', '/root/who').stdout.trim(), name, `${name}: its files are kept`);
}

function autostartAsync() {
  return new Promise((resolve) => {
    const child = spawn(join(BIN, 'sc'), ['autostart'], { env: box.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('after a host restart sc autostart brings back exactly the marked containers, with their files; again, it does nothing', async () => {
  const [a, b, c] = [uniqueName('mark1'), uniqueName('mark2'), uniqueName('plain')];
  run(a, '--autostart', 'busybox');
  run(b, 'busybox');
  run(c, 'busybox');
  const update = box.sc('update', '--autostart', b);
  assert.equal(update.code, 0, update.stderr);
  assert.equal(update.stdout, `${b}\n`);
  assert.equal(record(a).spec.autostart, true);
  assert.equal(record(b).spec.autostart, true);
  assert.equal(record(c).spec.autostart, undefined);

  await reboot(a, b, c);
  const r = box.sc('autostart');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(lines(r.stdout), [a, b].sort());
  assertRunning(a);
  assertRunning(b);
  assert.equal(record(c).status, 'stopped');
  assert.deepEqual(containerInits(box, c), []);

  const pids = [a, b].map((n) => record(n).process.pid);
  const again = box.sc('autostart');
  assert.deepEqual(again, { code: 0, signal: null, stdout: '', stderr: '' });
  assert.deepEqual([a, b].map((n) => record(n).process.pid), pids, 'the running ones are left as they are');
  assertLocksFree();
  for (const n of [a, b, c]) assert.equal(box.sc('rm', '-f', n).code, 0);
});

test('the mark changes later: sc update --autostart | --no-autostart, through the record, nothing else changed', async () => {
  const [a, b] = [uniqueName('later1'), uniqueName('later2')];
  run(a, '--autostart', 'busybox');
  run(b, 'busybox');
  const before = record(a);

  const off = box.sc('update', '--no-autostart', a);
  assert.equal(off.code, 0, off.stderr);
  const { spec: specAfter, ...restAfter } = record(a);
  const { spec: specBefore, ...restBefore } = before;
  assert.deepEqual(restAfter, restBefore, 'id, created, status and the other sections are kept');
  assert.deepEqual(specAfter, Object.fromEntries(Object.entries(specBefore).filter(([k]) => k !== 'autostart')));

  // Several names at once; one that does not exist is one line and exit 1, the others are changed.
  const missing = uniqueName('nosuch');
  const on = box.sc('update', '--autostart', b, missing);
  assert.equal(on.code, 1);
  assert.equal(on.stdout, `${b}\n`);
  assert.deepEqual(on.stderr.split('\n').filter(Boolean), [`sc-ps: no container named "${missing}" (sc ps -a lists them)`]);
  assert.equal(existsSync(join(box.data, 'locks', missing)), false, 'no lock file is left for a name no container holds');
  assert.equal(record(b).spec.autostart, true);

  await reboot(a, b);
  const r = box.sc('autostart');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${b}\n`);
  assert.equal(record(a).status, 'stopped');
  assertRunning(b);

  assert.equal(box.sc('update', a).code, 2, 'update needs what to change');
  assert.equal(box.sc('update', '--autostart').code, 2, 'update needs a NAME');
  assert.equal(box.sc('update', '--autostart', '../x').code, 2);
  assert.equal(box.sc('autostart', a).code, 2, 'autostart takes no NAME');
  assertLocksFree();
  for (const n of [a, b]) assert.equal(box.sc('rm', '-f', n).code, 0);
});

test('a marked container whose image layer is missing fails with one line; the others still start', async () => {
  const [broken, fine] = [uniqueName('broken'), uniqueName('fine')];
  run(broken, '--autostart', layered);
  run(fine, '--autostart', 'busybox');
  await reboot(broken, fine);
  const top = record(broken).image.layers[0];
  renameSync(top, `${top}.away`);
  let r;
  try {
    r = box.sc('autostart');
  } finally {
    renameSync(`${top}.away`, top);
  }
  assert.equal(r.code, 1);
  assert.equal(r.stdout, `${fine}\n`);
  const errors = r.stderr.split('\n').filter(Boolean);
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0], new RegExp(`^sc-rootfs: ${broken}: `));
  assertRunning(fine);
  const failed = record(broken);
  assert.equal(failed.status, 'stopped');
  assert.equal(failed.lastError.tool, 'sc-rootfs');
  assert.deepEqual(containerInits(box, broken), []);
  assertLocksFree();

  // With its layer back it starts, and the failure is history.
  const again = box.sc('autostart');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `${broken}\n`);
  assertRunning(broken);
  assert.equal(record(broken).lastError, undefined);
  for (const n of [broken, fine]) assert.equal(box.sc('rm', '-f', n).code, 0);
});

test('two sc autostart at once: each container is started once, by one of them; every lock released', async () => {
  const names = [uniqueName('twice1'), uniqueName('twice2'), uniqueName('twice3')];
  for (const n of names) run(n, '--autostart', 'busybox');
  await reboot(...names);
  const results = await Promise.all([autostartAsync(), autostartAsync()]);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(results.map((r) => r.stdout).join('')), [...names].sort(), 'each name started exactly once');
  for (const n of names) assertRunning(n);
  assertLocksFree();
  for (const n of names) assert.equal(box.sc('rm', '-f', n).code, 0);
  assert.deepEqual(readdirSync(join(box.data, 'locks')), [], 'no lock file outlives its container');
});

// The systemd host is played in a mount namespace of its own: a fresh /run with /run/systemd/system,
// a fresh /etc/systemd, and a systemctl that records what it is asked.
function installAutostart(systemd) {
  const fake = join(box.root, 'fake-systemctl');
  mkdirSync(fake, { recursive: true });
  writeFileSync(join(fake, 'systemctl'), '#!/bin/sh\necho "$*" >> /run/systemctl.log\n');
  chmodSync(join(fake, 'systemctl'), 0o755);
  const script = [
    'set -e',
    'mount -t tmpfs tmpfs /run',
    'mount -t tmpfs tmpfs /etc/systemd',
    systemd ? 'mkdir -p /run/systemd/system' : ':',
    `for i in 1 2; do bash ${join(REPO, 'scripts/install-autostart.sh')} /usr/local/bin/sc > /run/out.$i; done`,
    'for f in /run/out.1 /run/out.2 /etc/systemd/system/sc-autostart.service /run/systemctl.log; do printf "=== %s\\n" "$f"; cat "$f" 2>/dev/null || true; done',
  ].join('\n');
  // stdin is not node's socket: bash would take us for rshd and read ~/.bashrc.
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script], {
    encoding: 'utf8', env: { PATH: `${fake}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return Object.fromEntries(r.stdout.split(/^=== /m).filter(Boolean).map((part) => {
    const [file, ...text] = part.split('\n');
    return [file, text.join('\n')];
  }));
}

test('init.sh\'s autostart part: a systemd unit, written once and enabled, where systemd runs the host; one line elsewhere', () => {
  assert.ok(existsSync('/etc/systemd'), 'the test mounts a tmpfs over /etc/systemd');
  const systemd = installAutostart(true);
  const unit = systemd['/etc/systemd/system/sc-autostart.service'];
  for (const line of ['After=network-online.target', 'Wants=network-online.target', 'Type=oneshot', 'ExecStart=/usr/local/bin/sc autostart', 'WantedBy=multi-user.target'])
    assert.match(unit, new RegExp(`^${line}$`, 'm'), line);
  assert.doesNotMatch(unit, /^Environment=/m, 'the default config needs no environment');
  // Twice: the unit is written (and systemd reloaded) once, enabled each time (enable is idempotent).
  assert.equal(systemd['/run/systemctl.log'], 'daemon-reload\nenable --quiet sc-autostart.service\nenable --quiet sc-autostart.service\n');
  assert.equal(systemd['/run/out.1'], systemd['/run/out.2']);
  assert.equal(lines(systemd['/run/out.1']).length, 1);

  const plain = installAutostart(false);
  assert.equal(plain['/run/out.1'], plain['/run/out.2']);
  assert.equal(lines(plain['/run/out.1']).length, 1, 'one line');
  assert.match(plain['/run/out.1'], /no systemd here: .*"\/usr\/local\/bin\/sc autostart"/);
  assert.equal(plain['/etc/systemd/system/sc-autostart.service'], '', 'no unit written');
  assert.equal(plain['/run/systemctl.log'], '', 'systemctl never run');
  assert.ok(readFileSync(join(REPO, 'init.sh'), 'utf8').includes('bash scripts/install-autostart.sh "$prefix/bin/sc"'), 'init.sh runs it');
});
