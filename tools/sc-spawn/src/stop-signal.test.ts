import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Doc } from '@sc/core';
import { signalNumber, stopSignalOf } from './stop-signal.js';

const doc = (spec: Doc['spec']): Doc => ({ v: 1, name: 'vm1', spec });

test('stop signal: the user\'s, else SIGTERM for sc\'s PID 1, else what the booted init expects', () => {
  assert.equal(stopSignalOf(doc({ stopSignal: 'SIGUSR1', boot: true }), '/usr/lib/systemd/systemd'), 'SIGUSR1');
  assert.equal(stopSignalOf(doc({}), '/'), 'SIGTERM');
  assert.equal(stopSignalOf(doc({ boot: true }), '/usr/lib/systemd/systemd'), 'SIGRTMIN+3');
  assert.equal(stopSignalOf(doc({ boot: true }), '/bin/busybox'), 'SIGUSR2');
  assert.equal(stopSignalOf(doc({ boot: true }), '/sbin/init'), 'SIGPWR');
  assert.equal(stopSignalOf(doc({ boot: true }), '/usr/lib/systemd/systemd (deleted)'), 'SIGRTMIN+3');
});

test('signal numbers: names from the system, real-time ones from glibc\'s SIGRTMIN (34)', () => {
  assert.equal(signalNumber('SIGTERM'), 15);
  assert.equal(signalNumber('SIGPWR'), 30);
  assert.equal(signalNumber('SIGRTMIN+3'), 37);
  assert.throws(() => signalNumber('SIGNOPE'), /not a signal/);
});
