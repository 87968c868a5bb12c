import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatTable } from './table.js';

test('an age is one word in its two largest units', () => {
  const s = 1000;
  assert.equal(formatAge(0), '0s');
  assert.equal(formatAge(-5 * s), '0s', 'a clock a second behind is not a negative age');
  assert.equal(formatAge(999), '0s');
  assert.equal(formatAge(45 * s), '45s');
  assert.equal(formatAge(180 * s), '3m');
  assert.equal(formatAge(192 * s), '3m12s');
  assert.equal(formatAge((2 * 3600 + 5 * 60 + 59) * s), '2h5m');
  assert.equal(formatAge((3 * 86400 + 4 * 3600 + 59 * 60) * s), '3d4h');
  assert.equal(formatAge((86400 + 30 * 60) * s), '1d', 'only the unit next to the largest');
  assert.equal(formatAge(400 * 86400 * s), '400d');
});

test('a table pads every column but the last', () => {
  assert.equal(formatTable(['A', 'BB'], [['xyz', 'w'], ['', 'v']]), 'A    BB\nxyz  w\n     v\n');
});
