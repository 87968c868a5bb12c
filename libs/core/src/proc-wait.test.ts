import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { processStartTime, waitGone } from './proc.js';

test('waitGone: true once the process has exited, false while it is still there', async () => {
  const child = spawn('sleep', ['0.2']);
  await new Promise((r) => child.once('spawn', r));
  const proc = { pid: child.pid!, startTime: processStartTime(child.pid!)! };
  assert.equal(await waitGone(proc, 20), false);
  assert.equal(await waitGone(proc, 3000), true);
});
