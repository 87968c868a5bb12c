import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultImageName } from './image-name.js';

test('the default image name is the file name up to its first dot', () => {
  assert.equal(defaultImageName('busybox.tar.gz'), 'busybox');
  assert.equal(defaultImageName('/srv/images/debian-12.tar'), 'debian-12');
  assert.equal(defaultImageName('./alpine'), 'alpine');
  assert.equal(defaultImageName('dir.d/web.v2.tar.xz'), 'web');
  assert.equal(defaultImageName('.hidden.tar'), '');
});
