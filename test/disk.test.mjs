// `sc run --disk SIZE`: the container's own layer on a disk of its own (a sparse ext4 image, loop-mounted),
// so a container that fills its disk fills only that; a full disk still stops, starts, commits, exports
// and is removed. Run as root: real loop devices and ext4.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, importBusybox, leftovers, loopDevicesUnder, mountsUnder, docs, uniqueName, containerInits, BIN } from './helpers.mjs';

const box = makeSandbox('disk');
const MiB = 2 ** 20;
const FIRST = 4_000_000; // a --userns range of this file's own, far from the default and from userns.test's
const config = (extra = '') =>
  writeFileSync(box.env.SC_CONFIG, `{ root: "${box.data}", cgroupParent: "${box.cgroupParent}", userns: { first: ${FIRST}, count: 65536 }, ${extra} }\n`);
config();

before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

const sh = (name, script) => box.sc('exec', name, 'sh', '-c', script);
const record = (name) => docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name);
const dirOf = (name) => join(box.data, 'containers', name);

/** What a test makes goes when it ends, passed or failed: its containers (rm -f: mounts, loop devices and all) and images. */
function removeAfter(t, { containers = [], images = [], paths = [] }) {
  t.after(() => {
    for (const n of containers) box.sc('rm', '-f', n);
    for (const i of images) box.sc('image', 'rm', '-f', i);
    for (const p of paths) rmSync(p, { recursive: true, force: true });
  });
}

function ok(r, what) {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
}

/** `df /` inside, in KiB: [size, available]. */
function dfRoot(name) {
  const line = ok(sh(name, 'df -k / | tail -1'), 'df').stdout.trim().split(/\s+/);
  return [Number(line[1]), Number(line[3])];
}

/** Blocks the data root's files take on the host (du -x: what is mounted in it, the disk's content, is not counted twice). */
function hostKiB() {
  spawnSync('sync');
  return Number(spawnSync('du', ['-skx', box.data], { encoding: 'utf8' }).stdout.split('\t')[0]);
}

/** Everything a container's disk leaves on the host: its image, mounts, loop devices. */
function diskTraces(name) {
  const dir = dirOf(name);
  return [
    ...mountsUnder(dir).map((m) => `mount ${m.split(' ')[1]}`),
    ...loopDevicesUnder(dir).map((l) => `loop ${l}`),
    ...['disk.img', 'disk.img.partial', 'disk'].filter((f) => existsSync(join(dir, f))).map((f) => `file ${f}`),
  ];
}

/** Fill the container's disk: one big file, then small ones until not even one more fits. */
function fill(name) {
  const big = sh(name, 'dd if=/dev/zero of=/fill bs=1M count=200');
  assert.notEqual(big.code, 0, 'writing 200M on a 64M disk fails');
  assert.match(big.stderr, /No space left on device/);
  const small = sh(name, 'i=0; while echo x > /small$i; do i=$((i+1)); done; echo $i');
  assert.match(small.stderr, /No space left on device/);
  assert.equal(dfRoot(name)[1], 0, 'nothing left');
}

test('run --disk 64M: df shows it, writing past it fails inside, the host pays at most its size; a full disk stops, starts, commits, exports and is removed', (t) => {
  const name = uniqueName('full');
  const again = uniqueName('again');
  removeAfter(t, { containers: [name, again], images: [`${name}-run`, `${name}-stopped`], paths: [`${name}-run`, `${name}-stopped`].map((i) => join(box.root, `${i}.tgz`)) });
  const hostBefore = hostKiB();
  ok(box.sc('run', '--name', name, '--disk', '64M', 'busybox'), 'run --disk');
  assert.equal(record(name).spec.disk, 64 * MiB, 'the record says what the container has');
  const [size] = dfRoot(name);
  assert.ok(size > 56 * 1024 && size <= 64 * 1024, `df / shows about 64M: ${size} KiB`);

  // The disk is mounted inert where the container's layer lives; the overlay's upper is on it.
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const disk = mounts.find((l) => l.split(' ')[4] === join(dirOf(name), 'disk'));
  assert.ok(disk, 'the disk is mounted at containers/NAME/disk');
  for (const flag of ['nodev', 'nosuid', 'noexec']) assert.ok(disk.split(' ')[5].split(',').includes(flag), `${flag}: ${disk}`);
  assert.match(mounts.find((l) => l.split(' ')[4] === join(dirOf(name), 'merged')), new RegExp(`upperdir=${join(dirOf(name), 'disk', 'upper')},`));
  assert.equal(existsSync(join(dirOf(name), 'upper')), false, 'no upper layer in the data root');
  assert.equal(statSync(join(dirOf(name), 'disk')).mode & 0o777, 0o700, "the disk's own root is closed to the host's users");
  assert.equal(loopDevicesUnder(dirOf(name)).length, 1);

  ok(sh(name, 'echo kept > /root/keep && cp /bin/busybox /root/true && /root/true'), 'write, and run what was written (noexec is the disk\'s, not the overlay\'s)');
  fill(name);
  const grew = hostKiB() - hostBefore;
  assert.ok(grew > 40 * 1024, `filling the disk used the host's room: ${grew} KiB`);
  assert.ok(grew <= 64 * 1024 + 256, `the host's data root grew by at most the disk's size: ${grew} KiB`);
  assert.ok(statSync(join(dirOf(name), 'disk.img')).blocks * 512 <= 64 * MiB);

  // Commit while running (full), then stop, start (files kept, /etc kept), commit while stopped.
  ok(box.sc('image', 'commit', name, `${name}-run`), 'commit of a running full disk');
  // Replacing a file of the image goes through overlay's work dir: then a full disk has no block left
  // for the work dir overlay makes anew at each mount, unless sc makes room for it.
  ok(sh(name, 'rm /etc/group && ln -s nowhere /etc/group; i=0; while echo x > /more$i; do i=$((i+1)); done; true'), 'replace a file of the image');
  assert.equal(dfRoot(name)[1], 0);
  ok(box.sc('stop', name), 'stop of a full disk');
  assert.deepEqual(mountsUnder(dirOf(name)), []);
  assert.deepEqual(loopDevicesUnder(dirOf(name)), [], 'stop leaves no loop device');
  const start = ok(box.sc('start', name), 'start of a full disk');
  assert.equal(start.stderr, '', 'its /etc files were rewritten in place: nothing to warn about');
  assert.equal(ok(sh(name, 'cat /root/keep'), 'read').stdout, 'kept\n');
  assert.equal(ok(sh(name, 'hostname'), 'hostname').stdout.trim(), name);
  assert.match(ok(sh(name, 'cat /etc/hosts'), 'hosts').stdout, new RegExp(`\\t${name}\\n`));
  assert.equal(ok(sh(name, 'touch /root/new && echo rw'), 'the rootfs is writable (not fallen back to read-only)').stdout, 'rw\n');
  ok(box.sc('stop', name), 'stop again');
  ok(box.sc('image', 'commit', name, `${name}-stopped`), 'commit of a stopped full disk');
  assert.deepEqual(diskTraces(name).filter((x) => !x.startsWith('file')), [], 'the commit unmounted the disk it mounted');

  for (const image of [`${name}-run`, `${name}-stopped`]) {
    const file = join(box.root, `${image}.tgz`);
    ok(box.sc('image', 'export', image, file), `export ${image}`);
    const listing = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' }).stdout.split('\n');
    for (const f of ['./root/keep', './fill', './small0']) assert.ok(listing.includes(f), `${image} has ${f}`);
    rmSync(file);
  }
  // The committed image runs (here without a disk) with the files.
  ok(box.sc('run', '--name', again, `${name}-stopped`), 'run the committed image');
  assert.equal(sh(again, 'cat /root/keep').stdout, 'kept\n');
  ok(box.sc('rm', '-f', again), 'rm');

  ok(box.sc('start', name), 'start');
  ok(box.sc('rm', '-f', name), 'rm -f of a running full disk');
  assert.deepEqual(diskTraces(name), []);
  assert.equal(existsSync(dirOf(name)), false);
  const losetup = spawnSync('losetup', ['-a'], { encoding: 'utf8' }).stdout;
  assert.equal(losetup.includes(box.root), false, `losetup -a names no file of ours:\n${losetup}`);
  for (const image of [`${name}-run`, `${name}-stopped`]) ok(box.sc('image', 'rm', image), 'image rm');
});

test('the config\'s disk applies when no --disk is given; --disk overrides it; no disk when neither', (t) => {
  const [byConfig, byFlag, none] = [uniqueName('cfg'), uniqueName('flag'), uniqueName('none')];
  removeAfter(t, { containers: [byConfig, byFlag, none] });
  try {
    config('disk: "48M"');
    ok(box.sc('run', '--name', byConfig, 'busybox'), 'run with the config\'s disk');
    ok(box.sc('run', '--name', byFlag, '--disk', '96M', 'busybox'), 'run --disk');
  } finally {
    config();
  }
  ok(box.sc('run', '--name', none, 'busybox'), 'run with no disk');
  assert.equal(record(byConfig).spec.disk, 48 * MiB);
  assert.equal(record(byFlag).spec.disk, 96 * MiB);
  assert.equal('disk' in record(none).spec, false);
  const [small] = dfRoot(byConfig);
  const [large] = dfRoot(byFlag);
  assert.ok(small > 40 * 1024 && small <= 48 * 1024, `48M: ${small} KiB`);
  assert.ok(large > 88 * 1024 && large <= 96 * 1024, `96M: ${large} KiB`);
  assert.ok(dfRoot(none)[0] > 1024 * 1024, 'without a disk, / is the data root\'s filesystem');
  assert.equal(existsSync(join(dirOf(none), 'disk.img')), false);
  assert.equal(existsSync(join(dirOf(none), 'upper')), true);
  // The config's default is for new containers: one made without it keeps having no disk.
  try {
    config('disk: "48M"');
    ok(box.sc('stop', none), 'stop');
    ok(box.sc('start', none), 'start');
    assert.equal(existsSync(join(dirOf(none), 'disk.img')), false);
  } finally {
    config();
  }
  // A document cannot take a container's disk away: sc-ps save keeps the record's.
  const forged = { ...record(byFlag), spec: { ...record(byFlag).spec } };
  delete forged.spec.disk;
  ok(box.tool('sc-ps', ['save'], `${JSON.stringify(forged)}\n`), 'save');
  assert.equal(record(byFlag).spec.disk, 96 * MiB);
  for (const n of [byConfig, byFlag, none]) {
    ok(box.sc('rm', '-f', n), 'rm');
    assert.deepEqual(diskTraces(n), []);
  }
});

test('--userns --disk 64M: root inside is an unprivileged host id; files written inside keep their owners on the disk', (t) => {
  const name = uniqueName('uns');
  removeAfter(t, { containers: [name] });
  ok(box.sc('run', '--name', name, '--userns', '--disk', '64M', 'busybox'), 'run --userns --disk');
  const [pid] = containerInits(box, name);
  assert.equal(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)[1], String(FIRST));
  assert.equal(sh(name, 'id -u').stdout, '0\n');
  ok(sh(name, 'echo a > /root/mine && echo b > /tmp/theirs && chown 1234:4321 /tmp/theirs'), 'write');
  const upper = join(dirOf(name), 'disk', 'upper');
  assert.deepEqual([statSync(join(upper, 'root', 'mine')).uid, statSync(join(upper, 'root', 'mine')).gid], [0, 0]);
  assert.deepEqual([statSync(join(upper, 'tmp', 'theirs')).uid, statSync(join(upper, 'tmp', 'theirs')).gid], [1234, 4321]);
  assert.ok(dfRoot(name)[0] <= 64 * 1024);
  ok(box.sc('stop', name), 'stop');
  ok(box.sc('start', name), 'start');
  assert.match(sh(name, 'ls -ln /tmp/theirs').stdout, /1234\s+4321/);
  ok(box.sc('rm', '-f', name), 'rm');
  assert.deepEqual(diskTraces(name), []);
});

test('bad sizes: exit 2, one line, nothing made', () => {
  for (const size of ['10M', 'abc', '1.5X', '0', '-1', '']) {
    const name = uniqueName('bad');
    const r = box.sc('run', '--name', name, `--disk=${size}`, 'busybox');
    assert.equal(r.code, 2, `--disk=${size}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--disk/);
    assert.equal(existsSync(dirOf(name)), false);
    assert.equal(existsSync(join(box.data, 'locks', name)), false);
  }
  const name = uniqueName('badcfg');
  try {
    config('disk: "1k"');
    const r = box.sc('run', '--name', name, 'busybox');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /config .*"disk": 1k is too small/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    config();
  }
  assert.equal(existsSync(dirOf(name)), false);
  assert.deepEqual(loopDevicesUnder(box.root), []);
});

test('a format that fails names the image and the cause in one line and leaves no half-made disk', (t) => {
  const fake = join(box.root, 'fake-bin');
  const name = uniqueName('nofmt');
  removeAfter(t, { containers: [name], paths: [fake] });
  mkdirSync(fake, { recursive: true });
  writeFileSync(join(fake, 'mkfs.ext4'), '#!/bin/sh\necho "mkfs.ext4: Could not allocate block in ext2 filesystem while trying to allocate filesystem tables" >&2\nexit 1\n');
  chmodSync(join(fake, 'mkfs.ext4'), 0o755);
  const r = box.run(join(BIN, 'sc'), ['run', '--name', name, '--disk', '64M', 'busybox'], { env: { ...box.env, PATH: `${fake}:${box.env.PATH}` } });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `sc-rootfs: ${name}: cannot format ${join(dirOf(name), 'disk.img')}: Could not allocate block in ext2 filesystem while trying to allocate filesystem tables\n`);
  assert.equal(existsSync(dirOf(name)), false, 'the failed run rolled back');
});

test('inverse verbs are idempotent and tolerate half-built disks: never made, twice, a format killed, a commit killed', (t) => {
  const name = uniqueName('half');
  const other = uniqueName('part');
  removeAfter(t, { containers: [name, other] });
  const doc = (extra = {}) => `${JSON.stringify({ v: 1, name, spec: { disk: 64 * MiB }, ...extra })}\n`;
  // Never created, and twice.
  for (let i = 0; i < 2; i++) {
    for (const verb of ['umount', 'destroy']) ok(box.tool('sc-rootfs', [verb], doc()), `sc-rootfs ${verb} of a disk never made (#${i + 1})`);
  }
  ok(box.sc('run', '--name', name, '--disk', '64M', 'busybox'), 'run');
  ok(sh(name, 'echo kept > /root/keep'), 'write');
  ok(box.sc('stop', name), 'stop');
  const state = readFileSync(join(dirOf(name), 'state.json'), 'utf8').replace(/\n\s*/g, '');
  for (let i = 0; i < 2; i++) ok(box.tool('sc-rootfs', ['umount'], `${state}\n`), `umount of a stopped disk (#${i + 1})`);

  // A commit killed while it had the disk mounted read-only: start mounts it read-write again; umount takes it off.
  ok(box.run('mount', ['-o', 'loop,ro', join(dirOf(name), 'disk.img'), join(dirOf(name), 'disk')]), 'mount read-only');
  ok(box.sc('start', name), 'start over a read-only disk');
  ok(sh(name, 'echo more >> /root/keep'), 'write');
  ok(box.sc('stop', name), 'stop');
  ok(box.run('mount', ['-o', 'loop,ro', join(dirOf(name), 'disk.img'), join(dirOf(name), 'disk')]), 'mount read-only');
  const refused = box.tool('sc-rootfs', ['destroy'], `${state}\n`);
  assert.equal(refused.code, 1, 'destroy refuses a mounted disk');
  assert.match(refused.stderr, /disk is still mounted; stop the container first/);
  ok(box.tool('sc-rootfs', ['umount'], `${state}\n`), 'umount takes it off');
  assert.deepEqual(diskTraces(name).filter((x) => !x.startsWith('file')), []);

  // A loop device someone left attached to the image is detached by umount.
  ok(box.run('losetup', ['-f', join(dirOf(name), 'disk.img')]), 'losetup');
  assert.equal(loopDevicesUnder(dirOf(name)).length, 1);
  ok(box.tool('sc-rootfs', ['umount'], `${state}\n`), 'umount');
  assert.deepEqual(loopDevicesUnder(dirOf(name)), []);

  ok(box.sc('start', name), 'start');
  assert.equal(sh(name, 'cat /root/keep').stdout, 'kept\nmore\n');
  ok(box.sc('rm', '-f', name), 'rm');
  assert.deepEqual(diskTraces(name), []);

  // A format killed half-way left disk.img.partial: the next mount starts over and leaves only disk.img.
  const created = ok(box.tool('sc-ps', ['create', other, '--image', 'busybox', '--disk', '64M']), 'create').stdout;
  const resolved = ok(box.tool('sc-image', ['resolve'], created), 'resolve').stdout;
  writeFileSync(join(dirOf(other), 'disk.img.partial'), 'half a disk');
  const mounted = ok(box.tool('sc-rootfs', ['mount'], resolved), 'mount over a partial image').stdout;
  assert.deepEqual(readdirSync(dirOf(other)).filter((f) => f.startsWith('disk')).sort(), ['disk', 'disk.img']);
  for (let i = 0; i < 2; i++) ok(box.tool('sc-rootfs', ['mount'], resolved), `mount again (#${i + 1})`);
  assert.equal(mountsUnder(dirOf(other)).length, 2, 'one disk, one overlay');
  for (let i = 0; i < 2; i++) ok(box.tool('sc-rootfs', ['umount'], mounted), `umount (#${i + 1})`);
  for (let i = 0; i < 2; i++) ok(box.tool('sc-rootfs', ['destroy'], mounted), `destroy (#${i + 1})`);
  assert.deepEqual(diskTraces(other), []);
  ok(box.tool('sc-ps', ['rm'], mounted), 'sc-ps rm');
});

test('a disk the host crashed under: stop works; commit says how to recover it; start recovers it', (t) => {
  const name = uniqueName('crash');
  const probe = join(box.root, 'shutdown-fs');
  removeAfter(t, { containers: [name], images: [`${name}-img`], paths: [probe] });
  ok(box.run('cc', ['-O2', '-Wall', '-o', probe, join(import.meta.dirname, 'fixtures', 'shutdown-fs.c')]), 'cc');
  ok(box.sc('run', '--name', name, '--disk', '64M', 'busybox'), 'run');
  ok(sh(name, 'echo kept > /root/keep && sync'), 'write');
  ok(box.run(probe, [join(dirOf(name), 'disk')]), 'the "crash"');
  ok(box.sc('stop', name), 'stop');
  assert.deepEqual(diskTraces(name).filter((x) => !x.startsWith('file')), []);
  const commit = box.sc('image', 'commit', name, `${name}-img`);
  assert.equal(commit.code, 1);
  const image = join(dirOf(name), 'disk.img').replaceAll('.', '\\.');
  assert.match(commit.stderr, new RegExp(`^sc-image: cannot mount ${image}: cannot mount /dev/loop\\d+ read-only: its journal needs recovery; sc start ${name} recovers it, then commit\n$`));
  assert.deepEqual(diskTraces(name).filter((x) => !x.startsWith('file')), [], 'the failed commit left no mount or loop device');
  ok(box.sc('start', name), 'start recovers the disk');
  assert.equal(sh(name, 'cat /root/keep').stdout, 'kept\n');
  ok(box.sc('stop', name), 'stop');
  ok(box.sc('image', 'commit', name, `${name}-img`), 'commit');
  ok(box.sc('rm', name), 'rm');
  assert.deepEqual(diskTraces(name), []);
});
