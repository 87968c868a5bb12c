// Issue 11: `sc run --userns` — container root is an unprivileged host id (its own range of 65,536,
// allocated without overlap), the image's files still root's inside through idmapped layers that stay
// unchanged on disk, and a host file reached through an escape stays out of reach. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, importBusybox, leftovers, docs, uniqueName, containerInits } from './helpers.mjs';
import { sh as hostSh } from './image-tree.mjs';

const box = makeSandbox('userns');
// A range of our own, far from the default, so a test never meets a container of the machine's.
const FIRST = 3_000_000;
writeFileSync(box.env.SC_CONFIG, `{ root: "${box.data}", cgroupParent: "${box.cgroupParent}", userns: { first: ${FIRST}, count: ${3 * 65536} } }\n`);

before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

const sh = (name, script) => box.sc('exec', name, 'sh', '-c', script);
const record = (name) => docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name);
const hostIds = (pid) => readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)[1];

test('container root is an unprivileged host id; inside it is root and the image\'s files are root\'s; the layers stay as they are', () => {
  const name = uniqueName('uns');
  const r = box.sc('run', '--name', name, '--userns', '--memory', '64M', 'busybox');
  assert.equal(r.code, 0, r.stderr);
  const doc = record(name);
  assert.deepEqual(doc.userns, { uid: FIRST, gid: FIRST, size: 65536 });
  const [pid] = containerInits(box, name);
  assert.equal(hostIds(pid), String(FIRST), 'PID 1 runs as the first id of the range on the host');
  assert.equal(sh(name, 'id -u; id -g').stdout, '0\n0\n');
  assert.match(sh(name, 'ls -ln /bin/busybox').stdout, /^\S+\s+\d+\s+0\s+0\s/, 'image files are owned by root inside');
  assert.equal(sh(name, 'cat /proc/self/uid_map').stdout.trim().split(/\s+/).join(' '), `0 ${FIRST} 65536`);
  for (const layer of readdirSync(join(box.data, 'layers'))) {
    assert.equal(statSync(join(box.data, 'layers', layer, 'bin', 'busybox')).uid, 0, 'the shared layer is not chowned');
  }
  // Limits still hold: the memory cgroup is the container's.
  assert.equal(box.sc('stats', name, '--json').code, 0);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('a root-owned host file reached through an escape cannot be written by container root (it can with the default mode)', () => {
  const victimDir = join(box.root, 'victim');
  mkdirSync(victimDir, { recursive: true });
  const victim = join(victimDir, 'passwd');
  writeFileSync(victim, 'root:x:0:0\n', { mode: 0o644 });
  for (const [flags, writable] of [[['--userns'], false], [[], true]]) {
    const name = uniqueName(flags.length ? 'esc-u' : 'esc-d');
    // The "escape": the host's file appears inside the container, bound over its /etc/group between the
    // pipeline's steps (the container's mount namespace copies the rootfs with what is mounted in it).
    const step = (tool, args, input) => {
      const r = box.tool(tool, args, input);
      assert.equal(r.code, 0, `${tool} ${args[0]}: ${r.stderr}`);
      return r.stdout;
    };
    const mounted = step('sc-rootfs', ['mount'], step('sc-image', ['resolve'], step('sc-ps', ['create', name, '--image', 'busybox', ...flags])));
    const group = join(docs(mounted)[0].rootfs.merged, 'etc', 'group');
    assert.equal(spawnSync('mount', ['--bind', victim, group]).status, 0);
    step('sc-ps', ['save'], step('sc-net', ['attach'], step('sc-spawn', ['start'], step('sc-cgroup', ['create'], mounted))));
    spawnSync('umount', [group]); // the host's view; the container keeps its copy
    const attempt = sh(name, 'echo pwned >> /etc/group');
    if (writable) {
      assert.equal(attempt.code, 0, 'host root in a default container writes it: this is what --userns prevents');
      writeFileSync(victim, 'root:x:0:0\n');
    } else {
      assert.notEqual(attempt.code, 0);
      assert.match(attempt.stderr, /Permission denied|Operation not permitted/);
      assert.notEqual(sh(name, 'chmod 666 /etc/group').code, 0, 'nor change its mode');
    }
    assert.equal(readFileSync(victim, 'utf8'), 'root:x:0:0\n');
    assert.equal(box.sc('rm', '-f', name).code, 0);
  }
});

test('files written inside keep their in-container owners on disk, across stop/start, commit and export', () => {
  const name = uniqueName('own');
  assert.equal(box.sc('run', '--name', name, '--userns', 'busybox').code, 0);
  assert.equal(sh(name, 'echo a > /root/mine && echo b > /tmp/theirs && chown 1234:4321 /tmp/theirs').code, 0);
  const upper = join(box.data, 'containers', name, 'upper');
  assert.equal(statSync(join(upper, 'root', 'mine')).uid, 0, 'container root\'s file is uid 0 on disk');
  assert.deepEqual([statSync(join(upper, 'tmp', 'theirs')).uid, statSync(join(upper, 'tmp', 'theirs')).gid], [1234, 4321]);
  assert.equal(box.sc('stop', name).code, 0);
  assert.equal(box.sc('start', name).code, 0);
  assert.equal(sh(name, 'ls -ln /tmp/theirs /root/mine').stdout.split('\n').map((l) => l.split(/\s+/).slice(2, 4).join(':')).filter(Boolean).join(' '), '0:0 1234:4321');
  assert.equal(box.sc('image', 'commit', name, `${name}-img`).code, 0);
  const file = join(box.root, `${name}.tgz`);
  assert.equal(box.sc('image', 'export', `${name}-img`, file).code, 0);
  const listing = hostSh(`tar --numeric-owner -tvzf '${file}' ./tmp/theirs ./root/mine`);
  assert.match(listing, /1234\/4321 .* \.\/tmp\/theirs/);
  assert.match(listing, /0\/0 .* \.\/root\/mine/);
  // The committed image runs in a default container with the same owners.
  const again = uniqueName('own2');
  assert.equal(box.sc('run', '--name', again, `${name}-img`).code, 0);
  assert.match(box.sc('exec', again, 'ls', '-ln', '/tmp/theirs').stdout, /1234\s+4321/);
  for (const n of [name, again]) assert.equal(box.sc('rm', '-f', n).code, 0);
  assert.equal(box.sc('image', 'rm', `${name}-img`).code, 0);
  rmSync(file);
});

test('id ranges: each --userns container its own, never overlapping; given back on rm; a full range fails in one line', () => {
  const names = [uniqueName('r1'), uniqueName('r2'), uniqueName('r3')];
  for (const n of names) assert.equal(box.sc('run', '--name', n, '--userns', 'busybox').code, 0);
  const uids = names.map((n) => record(n).userns.uid).sort((a, b) => a - b);
  assert.deepEqual(uids, [FIRST, FIRST + 65536, FIRST + 2 * 65536]);
  const extra = uniqueName('r4');
  const full = box.sc('run', '--name', extra, '--userns', 'busybox');
  assert.equal(full.code, 1);
  assert.match(full.stderr, /id ranges .* taken; widen "userns" in the config/);
  assert.equal(full.stderr.trim().split('\n').length, 1, full.stderr);
  assert.equal(box.sc('ps', '-a', '--json').stdout.includes(extra), false, 'the failed run left no record');
  // A document cannot claim another container's range: sc-ps save keeps the record's.
  const own = record(names[0]).userns.uid;
  const forged = JSON.stringify({ ...record(names[0]), userns: { uid: 0, gid: 0, size: 65536 } });
  assert.equal(box.tool('sc-ps', ['save'], `${forged}\n`).code, 0);
  assert.equal(record(names[0]).userns.uid, own);
  const freed = record(names[1]).userns.uid;
  assert.equal(box.sc('rm', '-f', names[1]).code, 0);
  assert.equal(box.sc('run', '--name', extra, '--userns', 'busybox').code, 0);
  assert.equal(record(extra).userns.uid, freed, 'the range given back is handed out again');
  for (const n of [names[0], names[2], extra]) assert.equal(box.sc('rm', '-f', n).code, 0);
  assert.deepEqual(readdirSync(join(box.data, 'userns')), []);
});
