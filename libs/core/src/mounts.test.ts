import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountOptions, mountPoints } from './mounts.js';

const sample = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '90 22 0:50 / /var/lib/sc/containers/a\\040b/merged rw - overlay overlay rw,lowerdir=/x',
  '91 22 7:0 / /var/lib/sc/containers/c/disk rw,nosuid,nodev,noexec - ext4 /dev/loop0 rw',
  '92 91 7:1 / /var/lib/sc/containers/c/disk ro,nosuid,nodev,noexec - ext4 /dev/loop1 ro',
].join('\n');

test('mount points are read from mountinfo with octal escapes decoded', () => {
  assert.deepEqual(mountPoints(sample.split('\n').slice(0, 2).join('\n')), ['/', '/var/lib/sc/containers/a b/merged']);
});

test('mount options are those of the mount on top, then its filesystem\'s', () => {
  assert.deepEqual(mountOptions('/var/lib/sc/containers/c/disk', sample), ['ro', 'nosuid', 'nodev', 'noexec', 'ro']);
  assert.deepEqual(mountOptions('/', sample), ['rw', 'relatime', 'rw']);
  // An overlay that fell back to read-only says so in its filesystem's options only.
  assert.ok(mountOptions('/m', '93 22 0:51 / /m rw,nodev - overlay overlay ro,lowerdir=/x,upperdir=/u\n')!.includes('ro'));
  assert.equal(mountOptions('/nowhere', sample), undefined);
});
