import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layout, type Doc } from '@sc/core';
import { everythingOf, rootfsPaths } from './paths.js';

test('rootfs paths come from the layout: a document cannot aim a mount or an rm elsewhere', () => {
  const layout = new Layout('/var/lib/sc');
  const doc = { v: 1, name: 'web1', spec: {}, rootfs: { upper: '/', work: '/etc', merged: '/usr', mounted: true } } as Doc;
  assert.deepEqual(rootfsPaths(layout, doc), {
    upper: '/var/lib/sc/containers/web1/upper',
    work: '/var/lib/sc/containers/web1/work',
    merged: '/var/lib/sc/containers/web1/merged',
  });
  assert.throws(() => rootfsPaths(layout, { ...doc, name: '../x' }), /not allowed/);
});

test('with a disk, upper and work are on it; destroy knows every path either way', () => {
  const layout = new Layout('/var/lib/sc');
  const doc = { v: 1, name: 'web1', spec: { disk: 2 ** 30 }, rootfs: { upper: '/', work: '/etc', merged: '/usr', mounted: true } } as Doc;
  assert.deepEqual(rootfsPaths(layout, doc), {
    upper: '/var/lib/sc/containers/web1/disk/upper',
    work: '/var/lib/sc/containers/web1/disk/work',
    merged: '/var/lib/sc/containers/web1/merged',
  });
  assert.deepEqual(everythingOf(layout, 'web1').map((p) => p.replace('/var/lib/sc/containers/web1/', '')),
    ['merged', 'work', 'upper', 'disk', 'disk.img', 'disk.img.partial']);
});
