import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from './state.js';

test('atomic write replaces the file whole and leaves no temp file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-state-'));
  try {
    const path = join(dir, 'state.json');
    assert.equal(readJson(path), undefined);
    writeJsonAtomic(path, { a: 1 });
    writeJsonAtomic(path, { a: 2 });
    assert.deepEqual(readJson(path), { a: 2 });
    assert.deepEqual(readdirSync(dir), ['state.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
