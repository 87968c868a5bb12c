// sc-image on a real distribution: a debootstrap'd Debian minbase rootfs (built once by
// scripts/make-debian-rootfs.sh and cached in /var/cache/sc-test) imports exactly as GNU tar
// extracts it, runs, commits fast, and survives an export/import round trip.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, docs, makeSandbox, uniqueName } from './helpers.mjs';
import { describeTree, sh, treeDiff } from './image-tree.mjs';

const box = makeSandbox('image-debian');
after(() => box.cleanup());
const img = (args) => box.tool('sc-image', args);
const layersDir = join(box.data, 'layers');
const files = join(box.root, 'files');
mkdirSync(files);
const container = uniqueName('deb');

let tarball;
let layer;
let importSeconds;
before(() => {
  // The first run debootstraps (a minute or two); every later run reuses the cached tarball.
  const r = spawnSync('bash', [join(REPO, 'scripts/make-debian-rootfs.sh')], { encoding: 'utf8', timeout: 900_000 });
  assert.equal(r.status, 0, r.stderr);
  tarball = r.stdout.trim();
});

function timed(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}

test('the Debian rootfs imports exactly as GNU tar extracts it, entry by entry', (t) => {
  const [r, seconds] = timed(() => img(['import', '--name', 'debian', tarball]));
  assert.equal(r.code, 0, r.stderr);
  importSeconds = seconds;
  t.diagnostic(`import took ${seconds.toFixed(2)} s`);
  const [image] = docs(r.stdout);
  assert.equal(image.layers.length, 1);
  layer = join(layersDir, image.layers[0]);
  const reference = join(files, 'reference');
  sh(`mkdir ${reference} && tar --xattrs --xattrs-include='*' --numeric-owner -xpf ${tarball} -C ${reference}`);
  const [ours, theirs] = [describeTree(layer), describeTree(reference)];
  assert.equal(ours, theirs, treeDiff(ours, theirs));
  // The comparison saw a whole system: thousands of entries, setuid programs, symlinks, devices dirs.
  assert.ok(ours.split('\n').length > 5000, `${ours.split('\n').length} entries`);
  assert.match(ours, /^usr\/bin\/passwd 0o104755 0 0 /m);
  assert.match(ours, /^bin 0o120777 .* usr\/bin \[\]$/m);
  sh(`rm -rf ${reference}`);
});

test('a Debian container runs, and apt-get works inside it', () => {
  const r = box.sc('run', '--name', container, 'debian');
  assert.equal(r.code, 0, r.stderr);
  const apt = box.sc('exec', container, 'apt-get', '--version');
  assert.equal(apt.code, 0, apt.stderr);
  assert.match(apt.stdout, /^apt \d+\.\d+/);
  assert.match(box.sc('exec', container, 'cat', '/etc/debian_version').stdout, /^12\./);
});

test('commit of one changed file is fast on the large image, and the new image has the change', (t) => {
  assert.ok(layer && importSeconds, 'needs the imported image');
  assert.equal(box.sc('exec', container, 'sh', '-c', 'echo "committed by sc" > /etc/motd').code, 0);
  const [r, seconds] = timed(() => img(['commit', container, 'debian-motd']));
  assert.equal(r.code, 0, r.stderr);
  t.diagnostic(`commit took ${seconds.toFixed(2)} s`);
  assert.ok(seconds < importSeconds / 5, `commit took ${seconds.toFixed(2)} s, import ${importSeconds.toFixed(2)} s`);
  const [image] = docs(r.stdout);
  assert.equal(image.layers.length, 2);
  assert.equal(join(layersDir, image.layers[0]), layer, 'the base layer is shared, not copied');
  const child = uniqueName('deb-motd');
  assert.equal(box.sc('run', '--name', child, 'debian-motd').code, 0);
  assert.equal(box.sc('exec', child, 'cat', '/etc/motd').stdout, 'committed by sc\n');
  for (const c of [child, container]) assert.equal(box.sc('rm', '-f', c).code, 0);
});

test('export then import gives back the identical rootfs', () => {
  const archive = join(files, 'debian.tgz');
  const r = img(['export', 'debian', archive]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(archive).subarray(0, 2), Buffer.from([0x1f, 0x8b]), 'gzip');
  const back = img(['import', '--name', 'debian-rt', archive]);
  assert.equal(back.code, 0, back.stderr);
  const [ours, theirs] = [describeTree(join(layersDir, docs(back.stdout)[0].layers[0])), describeTree(layer)];
  assert.equal(ours, theirs, treeDiff(ours, theirs));
});
