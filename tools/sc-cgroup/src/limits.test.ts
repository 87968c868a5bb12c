import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMemory, specFromOptions, UsageError } from '@sc/core';
import { cpuQuota, knobWrites, subtreeControl } from './limits.js';

const files = (ws: ReturnType<typeof knobWrites>) => ws.map((w) => `${w.file}=${w.value}`);

test('quota is cpus times the 100000 µs period', () => {
  assert.equal(cpuQuota(0.5), 50000);
  assert.equal(cpuQuota(1.5), 150000);
  assert.equal(cpuQuota(0.01), 1000);
  assert.equal(cpuQuota(0.333), 33300);
});

test('memory strings become bytes; a bare number is MiB', () => {
  assert.equal(parseMemory('64M'), 64 * 2 ** 20);
  assert.equal(parseMemory('64'), 64 * 2 ** 20);
  assert.equal(parseMemory('1G'), 2 ** 30);
  assert.throws(() => specFromOptions({ memory: 'abc' }), UsageError);
  assert.throws(() => specFromOptions({ cpus: '0' }), UsageError);
  assert.throws(() => specFromOptions({ pids: '-1' }), UsageError);
});

test('v1: memsw lifted, then memory and memsw set to the limit; CFS period and quota; pids.max', () => {
  assert.deepEqual(files(knobWrites(1, { memory: parseMemory('32M'), cpus: 1.5, pids: 512 })), [
    'memory.memsw.limit_in_bytes=-1',
    'memory.limit_in_bytes=33554432',
    'memory.memsw.limit_in_bytes=33554432',
    'cpu.cfs_period_us=100000',
    'cpu.cfs_quota_us=150000',
    'pids.max=512',
  ]);
});

test('v1 without limits resets every knob to unlimited', () => {
  assert.deepEqual(files(knobWrites(1, {})), [
    'memory.memsw.limit_in_bytes=-1',
    'memory.limit_in_bytes=-1',
    'cpu.cfs_period_us=100000',
    'cpu.cfs_quota_us=-1',
    'pids.max=max',
  ]);
  assert.ok(knobWrites(1, {}).every((w) => w.limit === undefined));
});

test('v2: memory.max with swap.max 0, cpu.max "QUOTA PERIOD", pids.max', () => {
  assert.deepEqual(files(knobWrites(2, { memory: 1 << 30, cpus: 0.5, pids: 20 })), [
    'memory.max=1073741824',
    'memory.swap.max=0',
    'cpu.max=50000 100000',
    'pids.max=20',
  ]);
  assert.deepEqual(files(knobWrites(2, {})), ['memory.max=max', 'memory.swap.max=max', 'cpu.max=max 100000', 'pids.max=max']);
});

test('v2 subtree_control enables only the controllers the hierarchy offers', () => {
  assert.equal(subtreeControl(['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma']), '+cpu +memory +pids');
  assert.equal(subtreeControl(['memory', 'pids']), '+memory +pids');
  assert.equal(subtreeControl(['hugetlb', '']), '');
});
