import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, requireField } from './document.js';
import { InputError } from './errors.js';

test('a valid document parses and gets an empty spec when it has none', () => {
  const doc = parseDocument('{"v":1,"name":"web1"}', 1);
  assert.equal(doc.name, 'web1');
  assert.deepEqual(doc.spec, {});
});

test('bad lines are InputErrors that name the line and the field', () => {
  const cases: Array<[string, RegExp]> = [
    ['not json', /line 3 is not JSON/],
    ['[1]', /line 3 is not a container document/],
    ['{"v":2,"name":"a"}', /version 2 is not supported/],
    ['{"name":"a"}', /version undefined/],
    ['{"v":1}', /field "name": a name is required/],
    ['{"v":1,"name":"a/b"}', /field "name": name "a\/b" is not allowed/],
    ['{"v":1,"name":".."}', /is not allowed/],
    ['{"v":1,"name":"a","spec":[]}', /field "spec" must be an object/],
    ['{"v":1,"name":"a","rootfs":"x"}', /field "rootfs" must be an object/],
  ];
  for (const [line, message] of cases) {
    assert.throws(() => parseDocument(line, 3), (err: unknown) => err instanceof InputError && message.test((err as Error).message), line);
  }
});

test('requireField names the missing path and the hint', () => {
  const doc = parseDocument('{"v":1,"name":"a","image":{"name":"busybox"}}', 1);
  assert.doesNotThrow(() => requireField(doc, 'image.name', 'x'));
  assert.throws(() => requireField(doc, 'image.layers', 'run sc-image resolve'), /a: document has no "image.layers" \(run sc-image resolve\)/);
});
