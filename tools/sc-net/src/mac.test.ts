import { test } from 'node:test';
import assert from 'node:assert/strict';
import { macFromId } from './mac.js';

test('the MAC derived from an id is stable, unicast and locally administered', async () => {
  const id = '5f2c0e4e9b1d4a7c8e3f2a1b0c9d8e7f';
  const mac = await macFromId(id);
  assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  assert.equal(await macFromId(id), mac);
  const first = parseInt(mac.slice(0, 2), 16);
  assert.equal(first & 1, 0, 'unicast');
  assert.equal(first & 2, 2, 'locally administered');
});

test('different ids get different MACs', async () => {
  const macs = new Set(await Promise.all(Array.from({ length: 1000 }, (_, i) => macFromId(`id-${i}`))));
  assert.equal(macs.size, 1000);
});
