import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceList, deviceWrites } from './devices.js';

test('confined: deny everything, then allow the standard nodes, which is what devices.list then shows', () => {
  const writes = deviceWrites(false);
  assert.deepEqual(writes[0], { file: 'devices.deny', value: 'a' });
  assert.ok(writes.slice(1).every((w) => w.file === 'devices.allow'));
  assert.deepEqual(writes.slice(1).map((w) => w.value), deviceList(false));
  assert.deepEqual(deviceList(false), ['c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:2 rwm', 'c 136:* rwm']);
});

test('privileged: every device', () => {
  assert.deepEqual(deviceWrites(true), [{ file: 'devices.allow', value: 'a' }]);
  assert.deepEqual(deviceList(true), ['a *:* rwm']);
});
