// Issue 11: hostile images and a hostile host neighbour. Each test is an attack that must fail: an image
// whose /dev, /proc, /sys or /etc is a symlink out of it, device nodes shipped in a layer, a setuid binary
// in a layer tried by an unprivileged host user, symlinks planted for export and rm. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSandbox, importBusybox, busyboxImage, leftovers, uniqueName } from './helpers.mjs';
import { sh } from './image-tree.mjs';

const box = makeSandbox('hostile');
const work = mkdtempSync(join(tmpdir(), 'sc-e2e-hostile-work-'));
const NOBODY = 65534;

before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  rmSync(work, { recursive: true, force: true });
  assert.deepEqual(leftovers(box), []);
});

/** The busybox image, changed by a shell script run in its extracted tree, imported as NAME. */
function hostileImage(name, script) {
  const tree = join(work, name);
  mkdirSync(tree);
  sh(`tar -xzf '${busyboxImage()}' -C '${tree}' && cd '${tree}' && ${script} && tar --numeric-owner -czf '${tree}.tgz' -C '${tree}' .`);
  const r = box.sc('image', 'import', `${tree}.tgz`, '--name', name);
  assert.equal(r.code, 0, r.stderr);
}

const hostRoot = () => readdirSync('/').sort();

for (const dir of ['dev', 'proc', 'sys']) {
  test(`an image whose /${dir} is a symlink to / makes sc write nothing on the host: the run fails, naming it`, () => {
    const image = `link-${dir}`;
    hostileImage(image, `rm -rf ${dir} && ln -s / ${dir}`);
    const before = hostRoot();
    const name = uniqueName(image);
    const r = box.sc('run', '--name', name, image);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${dir} in the container is a symlink or crosses one`));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.deepEqual(hostRoot(), before, 'the host\'s / gained nothing (no null, zero, pts, shm, …)');
    for (const node of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm', 'fd', 'stdin'])
      assert.ok(!before.includes(node) ? !existsSync(`/${node}`) : true, `/${node} was not made on the host`);
    assert.equal(existsSync(join(box.data, 'containers', name)), false, 'the failed run left nothing');
  });
}

test('an image whose /etc is a symlink to a host directory: sc writes its hostname, hosts and resolv.conf nowhere on the host', () => {
  const hostEtc = join(work, 'host-etc');
  mkdirSync(hostEtc);
  writeFileSync(join(hostEtc, 'hosts'), 'the host\'s own\n');
  hostileImage('link-etc', `rm -rf etc && ln -s '${hostEtc}' etc`);
  const name = uniqueName('linketc');
  const r = box.sc('run', '--name', name, 'link-etc');
  // Inside the container that path does not exist: the /etc files cannot be written, and the run says so.
  assert.equal(r.code, 1);
  assert.match(r.stderr, /sc-net: .*etc/);
  assert.deepEqual(readdirSync(hostEtc), ['hosts']);
  assert.equal(readFileSync(join(hostEtc, 'hosts'), 'utf8'), 'the host\'s own\n');
  assert.equal(existsSync(join(box.data, 'containers', name)), false);
});

test('device nodes shipped in an image are inert (the rootfs is nodev); the container\'s own /dev works', () => {
  const disk = execOut('findmnt', ['-no', 'SOURCE', '/']).trim();
  const { rdev } = statSync(disk);
  const [major, minor] = [(rdev >> 8) & 0xfff, (rdev & 0xff) | ((rdev >> 12) & 0xfff00)];
  // A copy of the host's root disk, and of /dev/null: the devices cgroup allows 1:3, so only nodev can refuse it.
  hostileImage('with-nodes', `mknod hostdisk b ${major} ${minor} && mknod nullcopy c 1 3 && chmod 666 nullcopy`);
  const name = uniqueName('nodes');
  assert.equal(box.sc('run', '--name', name, 'with-nodes').code, 0);
  const disk1 = box.sc('exec', name, 'dd', 'if=/hostdisk', 'of=/dev/null', 'bs=512', 'count=1');
  assert.notEqual(disk1.code, 0);
  assert.match(disk1.stderr, /Permission denied/);
  const copy = box.sc('exec', name, 'sh', '-c', 'echo x > /nullcopy');
  assert.notEqual(copy.code, 0);
  assert.match(copy.stderr, /Permission denied/);
  assert.equal(box.sc('exec', name, 'sh', '-c', 'echo x > /dev/null && head -c 4 /dev/zero | wc -c').stdout.trim(), '4');
  assert.match(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.includes(join(box.data, 'containers', name, 'merged'))), /\bnodev\b/);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('the data root is closed to other host users: a setuid binary in a layer cannot be reached, and a root left open is closed again', () => {
  hostileImage('with-suid', 'cp bin/busybox bin/suid-busybox && chmod 4755 bin/suid-busybox');
  // Only the data root's own mode may stand in the way: the sandbox around it is opened for the attempt.
  chmodSync(box.root, 0o755);
  assert.equal(statSync(box.data).mode & 0o777, 0o700);
  const layers = readdirSync(join(box.data, 'layers')).map((d) => join(box.data, 'layers', d, 'bin', 'suid-busybox'));
  const suid = layers.find((p) => {
    try { return (lstatSync(p).mode & 0o4000) !== 0; } catch { return false; }
  });
  assert.ok(suid, 'the layer holds the setuid binary');
  // Through a shell: setpriv itself execs its command while it still holds root's capabilities.
  const asNobody = (...cmd) => spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '/bin/sh', '-c', 'exec "$@"', 'sh', ...cmd], { encoding: 'utf8' });
  const run = asNobody(suid, 'id', '-u');
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /Permission denied/);
  assert.notEqual(asNobody('ls', join(box.data, 'layers')).status, 0);
  // An older sc (or a hand-made directory) left the root open: the next command closes it.
  chmodSync(box.data, 0o755);
  assert.equal(box.sc('ps').code, 0);
  assert.equal(statSync(box.data).mode & 0o777, 0o700);
  chmodSync(box.root, 0o700);
});

test('sc image export writes through no planted symlink: the destination link is replaced, its target untouched', () => {
  const dir = join(work, 'export');
  mkdirSync(dir);
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, join(dir, 'out.tgz'));
  const r = box.sc('image', 'export', 'busybox', join(dir, 'out.tgz'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.ok(lstatSync(join(dir, 'out.tgz')).isFile(), 'out.tgz is now the archive itself');
  assert.deepEqual(readdirSync(dir).sort(), ['out.tgz', 'victim'], 'no partial file left');
});

test('rm and commit of a container full of symlinks to the host: the host\'s files are neither removed nor copied', () => {
  const hostDir = join(work, 'host-data');
  mkdirSync(hostDir);
  writeFileSync(join(hostDir, 'keep'), 'host secret\n');
  const name = uniqueName('links');
  assert.equal(box.sc('run', '--name', name, 'busybox').code, 0);
  // Inside, these point nowhere; on the host, they would name hostDir.
  assert.equal(box.sc('exec', name, 'sh', '-c', `mkdir -p /srv && ln -s ${hostDir} /srv/dir && ln -s ${hostDir}/keep /srv/file`).code, 0);
  const commit = box.sc('image', 'commit', name, `${name}-img`);
  assert.equal(commit.code, 0, commit.stderr);
  const exported = join(work, `${name}.tgz`);
  assert.equal(box.sc('image', 'export', `${name}-img`, exported).code, 0);
  const listing = sh(`tar -tvzf '${exported}' ./srv`);
  assert.match(listing, new RegExp(`./srv/file -> ${hostDir}/keep`));
  assert.doesNotMatch(listing, /\.\/srv\/dir\/keep/, 'the link was archived, not followed');
  assert.equal(box.sc('rm', '-f', name).code, 0);
  assert.equal(box.sc('image', 'rm', `${name}-img`).code, 0);
  assert.deepEqual(readdirSync(hostDir), ['keep']);
  assert.equal(readFileSync(join(hostDir, 'keep'), 'utf8'), 'host secret\n');
});

function execOut(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
