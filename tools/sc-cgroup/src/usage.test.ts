import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyedNumber, knobNumber } from './usage.js';

test('knob numbers: "max" and v1\'s page-rounded 2^63 mean no limit', () => {
  assert.equal(knobNumber('67108864\n'), 67108864);
  assert.equal(knobNumber('max\n'), null);
  assert.equal(knobNumber('9223372036854771712\n'), null);
  assert.equal(knobNumber(undefined), null);
});

test('keyed lines: oom_kill from memory.oom_control / memory.events, usage_usec from cpu.stat', () => {
  assert.equal(keyedNumber('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', 'oom_kill'), 3);
  assert.equal(keyedNumber('low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n', 'oom_kill'), 1);
  assert.equal(keyedNumber('usage_usec 1500\nuser_usec 1000\n', 'usage_usec'), 1500);
  assert.equal(keyedNumber('oom_kill_disable 0\n', 'oom_kill'), null);
});
