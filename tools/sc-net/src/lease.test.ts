import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLease } from './lease.js';

test('parses the lease the udhcpc script writes', () => {
  const text = 'ip=10.213.7.134\nmask=24\nrouter=10.213.7.1\ndns=10.213.7.1 10.213.7.2\ndomain=lan\nlease=3600\nserverid=10.213.7.1\nevent=bound\nat=1795883793\n';
  assert.deepEqual(parseLease(text), {
    address: '10.213.7.134/24', gateway: '10.213.7.1', dns: ['10.213.7.1', '10.213.7.2'], domain: 'lan', seconds: 3600, server: '10.213.7.1',
  });
});

test('a lease without router, DNS or domain has just the address', () => {
  assert.deepEqual(parseLease('ip=192.168.1.9\nmask=16\nrouter=\ndns=\ndomain=\n'), { address: '192.168.1.9/16', dns: [] });
});

test('a file without a usable address is no lease', () => {
  assert.equal(parseLease(''), undefined);
  assert.equal(parseLease('ip=10.0.0.300\nmask=24\n'), undefined);
  assert.equal(parseLease('ip=10.0.0.3\nmask=33\n'), undefined);
  assert.equal(parseLease('ip=10.0.0.3\n'), undefined);
});
