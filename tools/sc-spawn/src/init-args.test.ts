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

test('the spec\'s wishes: hostname, privileged, no_new_privs, boot', () => {
  const args = initArgs(doc({}, { hostname: 'h1', privileged: true, noNewPrivileges: true, boot: true, grace: 3 }), '/r');
  assert.deepEqual(args, ['--root', '/r', '--hostname', 'h1', '--grace', '3', '--privileged', '--no-new-privs', '--boot', '--', '/sbin/init']);
});
