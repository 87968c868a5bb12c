import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidName, nameProblem } from './names.js';

test('names: letters, digits, _ . - and at most 63 characters', () => {
  for (const ok of ['a', 'web1', '007', 'a.b_c-d', 'A'.repeat(63)]) assert.ok(isValidName(ok), ok);
  for (const bad of ['', '.', '..', '-a', '_a', 'a/b', 'a b', 'a\nb', 'A'.repeat(64), 'é']) assert.ok(!isValidName(bad), bad);
  assert.match(nameProblem('A'.repeat(64))!, /longer than 63/);
  assert.equal(nameProblem('ok'), undefined);
});
