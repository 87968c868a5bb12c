import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountPoints } from './mounts.js';

test('mount points are read from mountinfo with octal escapes decoded', () => {
  const sample = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '90 22 0:50 / /var/lib/sc/containers/a\\040b/merged rw - overlay overlay rw,lowerdir=/x',
  ].join('\n');
  assert.deepEqual(mountPoints(sample), ['/', '/var/lib/sc/containers/a b/merged']);
});
