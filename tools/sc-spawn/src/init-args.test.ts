import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Doc } from '@sc/core';
import { initArgs, MASKED_PATHS, READONLY_PATHS } from './init-args.js';

const doc = (extra: Partial<Doc> = {}, spec: Doc['spec'] = {}): Doc => ({ v: 1, name: 'web1', spec, ...extra });

const CONFINED = [...READONLY_PATHS.flatMap((p) => ['--readonly', p]), ...MASKED_PATHS.flatMap((p) => ['--mask', p])];

test('a plain container: its root, hostname = name, the default grace, /proc confined', () => {
  assert.deepEqual(initArgs(doc(), '/r'), ['--root', '/r', '--hostname', 'web1', '--grace', '10', ...CONFINED]);
  assert.ok(READONLY_PATHS.includes('/proc/sys') && MASKED_PATHS.includes('/proc/kcore'));
});

test('cgroups are joined before the clone; v2 (no device rules) also loses mknod unless privileged', () => {
  const v1 = doc({ cgroup: { version: 1, paths: ['/sys/fs/cgroup/memory/sc/web1', '/sys/fs/cgroup/pids/sc/web1'] } });
  assert.deepEqual(initArgs(v1, '/r').slice(6, 10), ['--cgroup', '/sys/fs/cgroup/memory/sc/web1', '--cgroup', '/sys/fs/cgroup/pids/sc/web1']);
  const v2 = doc({ cgroup: { version: 2, paths: ['/sys/fs/cgroup/sc/web1'] } });
  assert.ok(initArgs(v2, '/r').includes('--no-mknod'));
  assert.ok(!initArgs({ ...v2, spec: { privileged: true } }, '/r').includes('--no-mknod'));
});

test('the spec\'s wishes: hostname, privileged, no_new_privs, boot (with /run, /run/lock and its cgroups)', () => {
  const args = initArgs(doc({}, { hostname: 'h1', privileged: true, noNewPrivileges: true, boot: true, grace: 3 }), '/r');
  assert.deepEqual(args, ['--root', '/r', '--hostname', 'h1', '--grace', '3', '--privileged', '--no-new-privs',
    '--tmpfs', '/run:mode=755,size=20%', '--tmpfs', '/run/lock:mode=1777,size=5m', '--boot', '--', '/sbin/init']);
});

test('boot on cgroup v1: each hierarchy mounted inside, read-only but name=systemd; a machine id from the container id', () => {
  const cgroup = { version: 1 as const, paths: ['/sys/fs/cgroup/memory/sc/vm', '/sys/fs/cgroup/cpu,cpuacct/sc/vm', '/sys/fs/cgroup/systemd/sc/vm'],
    options: { '/sys/fs/cgroup/memory/sc/vm': 'memory', '/sys/fs/cgroup/cpu,cpuacct/sc/vm': 'cpu,cpuacct', '/sys/fs/cgroup/systemd/sc/vm': 'none,name=systemd' } };
  const args = initArgs(doc({ cgroup, id: '0123456789abcdef0123456789abcdef' }, { boot: true }), '/r');
  const cgroupfs = args.flatMap((a, i) => (a === '--cgroupfs' ? [args[i + 1]] : []));
  assert.deepEqual(cgroupfs, ['memory:memory:ro', 'cpu,cpuacct:cpu,cpuacct:ro', 'systemd:none,name=systemd:rw']);
  assert.ok(args.includes('container_uuid=01234567-89ab-cdef-0123-456789abcdef'));
  assert.ok(initArgs(doc({ cgroup: { version: 2, paths: ['/sys/fs/cgroup/sc/vm'] } }, { boot: true }), '/r').includes('--cgroup2'));
  assert.ok(!initArgs(doc({ cgroup }), '/r').includes('--cgroupfs'), 'only a booted init gets them');
});

test('the console: keeper, log and socket in one flag', () => {
  const args = initArgs(doc(), '/r', { console: { keeper: '/lx/sc-console', log: '/c/console.log', socket: '/c/console.sock' } });
  assert.deepEqual(args.slice(args.indexOf('--console'), args.indexOf('--console') + 2), ['--console', '/lx/sc-console:/c/console.log:/c/console.sock']);
});
