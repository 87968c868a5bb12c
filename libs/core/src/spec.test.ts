import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { parseCpus, parseMemory, parsePids, specFromOptions } from './spec.js';
import { UsageError } from './errors.js';

test('memory: a bare number is MiB (the seed\'s -m), units k/m/g', () => {
  assert.equal(parseMemory('64'), 64 * 2 ** 20);
  assert.equal(parseMemory('64M'), 64 * 2 ** 20);
  assert.equal(parseMemory('1G'), 2 ** 30);
  assert.equal(parseMemory('1.5g'), 1.5 * 2 ** 30);
  assert.equal(parseMemory('8192k'), 8 * 2 ** 20);
  assert.equal(parseMemory('64MiB'), 64 * 2 ** 20);
  for (const bad of ['abc', '', '-1', '1X', '2']) assert.throws(() => parseMemory(bad), UsageError, bad);
});

test('cpus: positive, fractional, not above the host', () => {
  assert.equal(parseCpus('0.5'), 0.5);
  assert.equal(parseCpus(String(availableParallelism())), availableParallelism());
  for (const bad of ['0', '-1', 'abc', '', String(availableParallelism() + 1), '0.001', '1e3'])
    assert.throws(() => parseCpus(bad), UsageError, bad);
});

test('pids: a whole number of at least 1', () => {
  assert.equal(parsePids('512'), 512);
  for (const bad of ['0', '-5', '1.5', 'x']) assert.throws(() => parsePids(bad), UsageError, bad);
});

test('net flags: static needs ip and gateway, dhcp needs a parent, stray flags are refused', () => {
  assert.deepEqual(specFromOptions({ net: 'static', parent: 'veth0', ip: '10.0.0.5/24', gateway: '10.0.0.1' }).net,
    { mode: 'static', parent: 'veth0', address: '10.0.0.5/24', gateway: '10.0.0.1' });
  assert.deepEqual(specFromOptions({ net: 'dhcp', parent: 'veth0', dns: ['1.1.1.1'] }).net, { mode: 'dhcp', parent: 'veth0', dns: ['1.1.1.1'] });
  assert.deepEqual(specFromOptions({ net: 'none' }).net, { mode: 'none' });
  const refused: Array<[Record<string, string | string[]>, RegExp]> = [
    [{ net: 'static', parent: 'veth0', gateway: '10.0.0.1' }, /needs --ip/],
    [{ net: 'static', parent: 'veth0', ip: '10.0.0.5/24' }, /needs --gateway/],
    [{ net: 'static', parent: 'veth0', ip: '10.0.0.5', gateway: '10.0.0.1' }, /with a prefix/],
    [{ net: 'static', parent: 'veth0', ip: '10.0.0.300/24', gateway: '10.0.0.1' }, /--ip/],
    [{ net: 'dhcp' }, /needs --parent/],
    [{ net: 'dhcp', parent: 'veth0', ip: '10.0.0.5/24' }, /for --net static/],
    [{ net: 'wifi' }, /must be one of/],
    [{ parent: 'veth0' }, /needs --net/],
    [{ net: 'none', parent: 'veth0' }, /no sense/],
    [{ net: 'dhcp', parent: 'veth0', mac: '01:00:00:00:00:01' }, /unicast/],
    [{ net: 'dhcp', parent: 'a b' }, /not a device name/],
  ];
  for (const [opts, message] of refused) assert.throws(() => specFromOptions(opts), message, JSON.stringify(opts));
});

test('hostname is validated', () => {
  assert.equal(specFromOptions({ hostname: 'web-1' }).hostname, 'web-1');
  assert.throws(() => specFromOptions({ hostname: 'bad_host' }), UsageError);
});

test('disk: sizes like memory\'s, at least 32M; stop signals by name or number, canonical', async () => {
  const { parseDisk, parseStopSignal } = await import('./spec.js');
  assert.equal(parseDisk('1G'), 2 ** 30);
  assert.equal(parseDisk('64'), 64 * 2 ** 20);
  for (const bad of ['16M', 'x', '', '-1G']) assert.throws(() => parseDisk(bad), UsageError, bad);
  assert.equal(parseStopSignal('SIGRTMIN+3'), 'SIGRTMIN+3');
  assert.equal(parseStopSignal('rtmin+3'), 'SIGRTMIN+3');
  assert.equal(parseStopSignal('37'), 'SIGRTMIN+3');
  assert.equal(parseStopSignal('term'), 'SIGTERM');
  assert.equal(parseStopSignal('12'), 'SIGUSR2');
  assert.equal(parseStopSignal('SIGPWR'), 'SIGPWR');
  for (const bad of ['KILL', '9', 'SIGSTOP', 'NOPE', '65', '0', 'RTMIN+31']) assert.throws(() => parseStopSignal(bad), UsageError, bad);
  assert.deepEqual(specFromOptions({ disk: '1G', autostart: true, 'stop-signal': 'USR2' }), { disk: 2 ** 30, autostart: true, stopSignal: 'SIGUSR2' });
});
