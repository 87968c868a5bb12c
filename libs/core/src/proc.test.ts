import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isSameProcess, processStartTime } from './proc.js';

test('a process is the same only while PID and start time both match', () => {
  const start = processStartTime(process.pid);
  assert.ok(typeof start === 'number' && start > 0);
  assert.ok(isSameProcess({ pid: process.pid, startTime: start! }));
  assert.ok(!isSameProcess({ pid: process.pid, startTime: start! + 1 }), 'a reused PID is not our process');
  const gone = spawnSync('true').pid!;
  assert.ok(!isSameProcess({ pid: gone, startTime: 1 }));
  assert.ok(!isSameProcess(undefined));
  assert.ok(!isSameProcess({ pid: -1, startTime: 0 }));
});
