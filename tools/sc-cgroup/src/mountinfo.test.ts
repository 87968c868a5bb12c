import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLERS, layoutFromMounts, parseMountinfo } from './mountinfo.js';

const V1_SEPARATE = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

const V1_COMOUNTED = `25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids
`;

const V2 = `22 27 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

test('parses cgroup mounts with their v1 controllers, skipping other filesystems and named hierarchies', () => {
  const mounts = parseMountinfo(V1_SEPARATE);
  assert.equal(mounts.length, 8);
  assert.deepEqual(mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/memory'), { fstype: 'cgroup', mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'], options: 'memory' });
  assert.deepEqual(mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/systemd')?.controllers, []);
  assert.equal(mounts.find((m) => m.mountPoint === '/sys/fs/cgroup/systemd')?.options, 'none,name=systemd');
  assert.deepEqual(mounts.at(-1), { fstype: 'cgroup2', mountPoint: '/sys/fs/cgroup/unified', controllers: [], options: '' });
});

test('v1 with separate cpu and cpuacct mounts (this machine); the controller-less unified mount is not v2 mode', () => {
  const layout = layoutFromMounts(parseMountinfo(V1_SEPARATE))!;
  assert.equal(layout.version, 1);
  assert.deepEqual(layout.roots,
    { cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids', devices: '/sys/fs/cgroup/devices' });
  assert.equal(layout.systemd, '/sys/fs/cgroup/systemd', 'the hierarchy a booted systemd needs');
  assert.equal(layout.options?.['/sys/fs/cgroup/cpuset'], 'cpuset');
});

test('v1 with co-mounted cpu,cpuacct: both controllers share one root', () => {
  const layout = layoutFromMounts(parseMountinfo(V1_COMOUNTED))!;
  assert.equal(layout.version, 1);
  assert.equal(layout.roots.cpu, '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.roots.cpuacct, '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.roots.memory, '/sys/fs/cgroup/memory');
  // A hierarchy is mounted again (inside a container) by exactly its controllers, or its name; xattr and rw are not part of it.
  assert.equal(layout.options?.['/sys/fs/cgroup/cpu,cpuacct'], 'cpu,cpuacct');
  assert.equal(layout.options?.['/sys/fs/cgroup/systemd'], 'none,name=systemd');
});

test('v2: every controller lives in the unified root', () => {
  const layout = layoutFromMounts(parseMountinfo(V2))!;
  assert.equal(layout.version, 2);
  assert.deepEqual(new Set(Object.values(layout.roots)), new Set(['/sys/fs/cgroup']));
  assert.equal(Object.keys(layout.roots).length, CONTROLLERS.length, 'memory, cpu, cpuacct, pids, devices and freezer (cgroup.freeze)');
});

test('octal escapes in mount points are decoded; no cgroup mounts means no layout', () => {
  const [m] = parseMountinfo('50 31 0:40 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n');
  assert.equal(m!.mountPoint, '/mnt/my cgroups');
  assert.equal(layoutFromMounts(parseMountinfo('22 27 0:20 / /proc rw - proc proc rw\n')), undefined);
});
