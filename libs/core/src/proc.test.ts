import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { clockTicksPerSecond, hostClock, isSameProcess, processStartTime, startedAt } from './proc.js';

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

test('the clock tick is the one sysconf(_SC_CLK_TCK) gives (getconf CLK_TCK)', () => {
  const getconf = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  assert.equal(getconf.status, 0, getconf.stderr);
  assert.equal(clockTicksPerSecond(), Number(getconf.stdout.trim()));
});

test('a start time in clock ticks since boot is the wall-clock time the process started', () => {
  const started = startedAt(processStartTime(process.pid)!);
  const expected = Date.now() - process.uptime() * 1000;
  // btime is whole seconds and the tick a hundredth: within two seconds of what the process itself says.
  assert.ok(Math.abs(started.getTime() - expected) < 2000, `${started.toISOString()} vs ${new Date(expected).toISOString()}`);
  const clock = hostClock();
  assert.equal(startedAt(250, { ...clock, ticksPerSecond: 100 }).getTime(), (clock.bootTime + 2.5) * 1000);
});
