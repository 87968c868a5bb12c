import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine } from './progress.js';
import { lastOfEach } from './import.js';
import { paxRecords } from './whiteouts.js';
import { whiteoutKind } from './layer-check.js';

test('the progress line shows bytes / total, percent and rate; without a total, bytes and rate', () => {
  assert.equal(progressLine('importing x', 50 << 20, 200 << 20, 2), 'importing x 50MiB / 200MiB  25%  25MiB/s');
  assert.equal(progressLine('importing x', 3 << 20, undefined, 0), 'importing x 3.0MiB  0B/s');
  assert.equal(progressLine('exporting x', 300, 200, 1), 'exporting x 300B / 200B  100%  300B/s');
});

test('a repeated layer is kept where it last appears', () => {
  assert.deepEqual(lastOfEach(['a', 'e', 'b', 'e', 'c']), ['a', 'b', 'e', 'c']);
  assert.deepEqual(lastOfEach(['e', 'e']), ['e']);
});

test('pax records count their own length', () => {
  assert.equal(paxRecords({ path: 'a' }).toString(), '9 path=a\n');
  const long = paxRecords({ k: 'v'.repeat(95) }).toString(); // 1 + 95 + "k= \n" → crosses to three digits
  assert.equal(Number(long.split(' ')[0]), Buffer.byteLength(long));
});

test('AUFS whiteout names', () => {
  assert.equal(whiteoutKind('.wh.a'), 'hide');
  assert.equal(whiteoutKind('.wh..wh..opq'), 'opaque');
  assert.equal(whiteoutKind('.wh..wh.plnk'), 'aufs');
  assert.equal(whiteoutKind('a.wh.b'), undefined);
});
