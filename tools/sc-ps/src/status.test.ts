import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Layout, processStartTime, type Doc } from '@sc/core';
import { computeStatus } from './status.js';

const me = { pid: process.pid, startTime: processStartTime(process.pid)! };
const doc = (extra: Partial<Doc> = {}): Doc => ({ v: 1, name: 'c1', spec: {}, ...extra });

test('status comes from the live process, never from the status on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'sc-ps-status-'));
  try {
    const layout = new Layout(root);
    assert.equal(computeStatus(doc({ status: 'created' }), layout), 'created');
    assert.equal(computeStatus(doc({ status: 'running', process: me }), layout), 'running');
    assert.equal(computeStatus(doc({ status: 'running', process: { pid: me.pid, startTime: me.startTime + 1 } }), layout), 'stopped', 'a reused PID');
    assert.equal(computeStatus(doc({ status: 'running' }), layout), 'stopped', 'a stale "running" on disk');

    // A PID 1 that only init.pid knows of (the pipeline died before sc-ps save) is running and put back.
    mkdirSync(layout.container('c1'), { recursive: true });
    writeFileSync(layout.initPid('c1'), `${me.pid} ${me.startTime}\n`);
    const orphaned = doc({ status: 'created' });
    assert.equal(computeStatus(orphaned, layout), 'running');
    assert.deepEqual(orphaned.process, me);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
