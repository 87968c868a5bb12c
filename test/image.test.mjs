// sc-image end to end: import (gzip, plain, stdin, magic bytes), ls, resolve, rm, hostile archives,
// and an exact comparison with what GNU tar itself extracts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, busyboxImage, docs, makeSandbox } from './helpers.mjs';
import { describeTree, sh, treeDiff } from './image-tree.mjs';

const box = makeSandbox('image');
after(() => box.cleanup());
const img = (args, input) => box.tool('sc-image', args, input);
const layersDir = join(box.data, 'layers');
const files = join(box.root, 'files');
mkdirSync(files);

const busyboxGz = busyboxImage();
const busyboxDigest = createHash('sha256').update(gunzipSync(readFileSync(busyboxGz))).digest('hex');
const plainTar = join(files, 'busybox-plain.tar');
writeFileSync(plainTar, gunzipSync(readFileSync(busyboxGz)));


/** Names of the entries in a directory, or [] when it does not exist. */
const ls = (dir) => (existsSync(dir) ? readdirSync(dir) : []);

test('import a gzip docker export: the name comes from the file, the layer is its exact rootfs', () => {
  const r = img(['import', busyboxGz]);
  assert.equal(r.code, 0, r.stderr);
  const [image] = docs(r.stdout);
  assert.equal(image.name, 'busybox');
  assert.deepEqual(image.layers, [busyboxDigest]);
  assert.ok(image.size > 1_000_000 && image.size < 10_000_000, String(image.size));
  assert.ok(!Number.isNaN(Date.parse(image.created)));
  const layer = join(layersDir, busyboxDigest);
  assert.ok(lstatSync(join(layer, 'bin/busybox')).isFile());
  assert.equal(readlinkSync(join(layer, 'bin/sh')), 'busybox');
  assert.equal(lstatSync(join(layer, 'tmp')).mode & 0o7777, 0o1777);
  assert.match(readFileSync(join(layer, 'etc/passwd'), 'utf8'), /^root:x:0:0:root:\/root:\/bin\/sh$/m);
  assert.deepEqual(ls(join(box.data, 'tmp')), [], 'no temp dir left');
  // It runs: the layer is a working busybox rootfs.
  assert.equal(spawnSync('chroot', [layer, '/bin/sh', '-c', 'echo hi']).stdout?.toString(), 'hi\n');
});

test('the same archive as plain tar, a gzip named .tar, and from stdin share one layer', () => {
  const plain = img(['import', plainTar]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(docs(plain.stdout)[0].name, 'busybox-plain');
  // Compression is told by magic bytes, never by the name.
  const disguised = join(files, 'disguised.tar');
  copyFileSync(busyboxGz, disguised);
  const d = img(['import', disguised]);
  assert.equal(d.code, 0, d.stderr);
  const fromStdin = box.run(join(BIN, 'sc-image'), ['import', '--name', 'piped', '-'], { input: readFileSync(busyboxGz) });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  for (const r of [plain, d]) assert.deepEqual(docs(r.stdout)[0].layers, [busyboxDigest]);
  assert.deepEqual(ls(layersDir), [busyboxDigest]);
});

test('import from stdin needs --name; bad names and flags are usage errors', () => {
  const r = img(['import', '-'], 'x');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^sc-image: import from stdin needs --name NAME$/m);
  assert.equal(img(['import', busyboxGz, '--name', '../evil']).code, 2);
  assert.equal(img(['import', join(files, '.hidden.tar')]).code, 2, 'a file name with no name before its first dot');
  assert.equal(img(['import']).code, 2);
  assert.equal(img(['import', 'a', 'b']).code, 2);
  assert.equal(img(['import', busyboxGz, '--bogus']).code, 2);
  assert.equal(img(['ls', 'extra']).code, 2);
  assert.equal(img(['rm']).code, 2);
  assert.equal(img(['rm', 'bad/name']).code, 2);
  assert.deepEqual(ls(join(box.data, 'images')).sort(), ['busybox', 'busybox-plain', 'disguised', 'piped']);
});

test('a missing file is a one-line error, exit 1', () => {
  const r = img(['import', join(files, 'nope.tar.gz')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `sc-image: cannot read ${join(files, 'nope.tar.gz')}: ENOENT\n`);
  assert.ok(!existsSync(join(box.data, 'images', 'nope')));
});

test('ls lists the images as NDJSON, or as a table', () => {
  const r = img(['ls']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(docs(r.stdout).map((i) => i.name), ['busybox', 'busybox-plain', 'disguised', 'piped']);
  const t = img(['ls', '--table']);
  assert.match(t.stdout, /^NAME\s+LAYERS\s+SIZE\s+CREATED\n/);
  assert.match(t.stdout, /^busybox\s+1\s+1\.\dMiB\s+\d{4}-/m);
});

test('importing a name again: identical archive succeeds, different archive is refused', () => {
  const same = img(['import', plainTar, '--name', 'busybox']);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stderr, /already imported/);
  assert.deepEqual(docs(same.stdout)[0].layers, [busyboxDigest]);
  const other = join(files, 'other.tar');
  sh(`mkdir -p ${files}/o && echo x > ${files}/o/x && tar -C ${files}/o -cf ${other} x`);
  const diff = img(['import', other, '--name', 'busybox']);
  assert.equal(diff.code, 1);
  assert.equal(diff.stderr, 'sc-image: image busybox exists; sc image rm busybox first\n');
  assert.deepEqual(ls(layersDir), [busyboxDigest], 'the refused archive was not extracted');
});

test('resolve writes the layer directories, top first; unknown image fails in-band', () => {
  const r = img(['resolve'], '{"v":1,"name":"c1","spec":{"image":"busybox"}}\n{"v":1,"name":"c2","spec":{"image":"nosuch"}}\n');
  assert.equal(r.code, 1);
  const [ok, bad] = docs(r.stdout);
  assert.deepEqual(ok.image, { name: 'busybox', layers: [join(layersDir, busyboxDigest)] });
  assert.equal(bad.error.code, 'ENOENT');
  assert.equal(r.stderr, 'sc-image: c2: no image named "nosuch" (sc image ls lists them; sc image import FILE adds one)\n');
  assert.equal(img(['resolve'], 'garbage\n').code, 3);
  const noImage = img(['resolve'], '{"v":1,"name":"c3","spec":{}}\n');
  assert.equal(noImage.code, 3);
  assert.match(noImage.stderr, /spec\.image/);
  assert.equal(img(['resolve', '--bogus'], '').code, 2);
});

test('rm: refused while a container uses the image, -f keeps its layers, the last user frees them', () => {
  const record = join(box.data, 'containers', 'web1');
  mkdirSync(record, { recursive: true });
  writeFileSync(join(record, 'state.json'), JSON.stringify({ v: 1, name: 'web1', spec: { image: 'disguised' } }));
  const refused = img(['rm', 'disguised']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^sc-image: image disguised is used by container web1; remove it first/);
  assert.ok(existsSync(join(box.data, 'images', 'disguised', 'image.json')));

  // Other images share the layer too: rm -f removes only the record.
  for (const name of ['busybox', 'busybox-plain', 'piped']) assert.equal(img(['rm', name]).code, 0);
  const forced = img(['rm', '-f', 'disguised']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(docs(forced.stdout)[0], { name: 'disguised', removed: true, layersRemoved: [], layersKept: [busyboxDigest] });
  assert.deepEqual(ls(join(box.data, 'images')), []);
  assert.deepEqual(ls(layersDir), [busyboxDigest], 'web1 still uses the layer');

  const missing = img(['rm', 'disguised']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no image named "disguised"/);

  // A half-made image (a crashed import) blocks its name until rm -f clears it.
  mkdirSync(join(box.data, 'images', 'half'));
  const busy = img(['import', busyboxGz, '--name', 'half']);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /image half is being imported right now .*sc image rm -f half/);
  assert.equal(img(['rm', 'half']).code, 1);
  assert.equal(img(['rm', '-f', 'half']).code, 0);
  assert.deepEqual(ls(join(box.data, 'images')), []);

  // With the container gone, an image holding the layer frees it on rm.
  spawnSync('rm', ['-rf', record]);
  assert.equal(img(['import', busyboxGz]).code, 0);
  const last = img(['rm', 'busybox']);
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(docs(last.stdout)[0].layersRemoved, [busyboxDigest]);
  assert.deepEqual(ls(layersDir), []);
  assert.deepEqual(ls(join(box.data, 'tmp')), []);
});

test('hostile archives are refused with one line, and leave nothing anywhere', () => {
  const victim = join(box.root, 'victim');
  mkdirSync(victim);
  const hostile = join(files, 'hostile');
  mkdirSync(hostile);
  // Python's tarfile writes whatever names it is given, like an attacker would.
  sh(`cd ${hostile} && python3 - <<'EOF'
import tarfile, io
def mk(name, entries):
    with tarfile.open(name, 'w:gz' if name.endswith('gz') else 'w') as t:
        for path, kind, link in entries:
            ti = tarfile.TarInfo(path); ti.type = kind
            body = b'pwned\\n' if kind == tarfile.REGTYPE else b''
            ti.size = len(body); ti.linkname = link
            t.addfile(ti, io.BytesIO(body))
ok = ('fine', tarfile.REGTYPE, '')
mk('dotdot.tar', [ok, ('../evil', tarfile.REGTYPE, '')])
mk('deep-dotdot.tar.gz', [ok, ('a/../../../evil', tarfile.REGTYPE, '')])
mk('absolute.tar', [ok, ('${victim}/abs', tarfile.REGTYPE, '')])
mk('symlink.tar', [ok, ('link', tarfile.SYMTYPE, '${victim}'), ('link/through', tarfile.REGTYPE, '')])
mk('hardlink.tar', [ok, ('passwd', tarfile.LNKTYPE, '../../etc/passwd')])
# From <root>/tmp/layer-XXXX, three levels up is the test's own directory, where the victim lives.
mk('symlink-relative.tar', [ok, ('up', tarfile.SYMTYPE, '../../../victim'), ('up/rel', tarfile.REGTYPE, '')])
EOF`);
  const expected = {
    'dotdot.tar': /entry "\.\.\/evil" that points outside the image root/,
    'deep-dotdot.tar.gz': /entry "a\/\.\.\/\.\.\/\.\.\/evil" that points outside the image root/,
    'absolute.tar': /entry ".*\/victim\/abs" that points outside the image root/,
    'symlink.tar': /entry "link\/through" that would be written through the symlink "link" planted earlier/,
    'hardlink.tar': /hard link "passwd" to "\.\.\/\.\.\/etc\/passwd", outside the image root/,
    'symlink-relative.tar': /entry "up\/rel" that would be written through the symlink "up" planted earlier/,
  };
  for (const [file, message] of Object.entries(expected)) {
    const r = img(['import', join(hostile, file)]);
    assert.equal(r.code, 1, `${file}: ${r.stderr}`);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^sc-image: archive .*${file.replace(/\./g, '\\.')} refused: it has `));
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    for (const dir of ['layers', 'images', 'tmp']) assert.deepEqual(ls(join(box.data, dir)), [], `${file} left something in ${dir}`);
  }
  assert.deepEqual(ls(victim), []);
  assert.ok(!existsSync(join(box.data, 'evil')) && !existsSync(join(box.root, 'evil')) && !existsSync(join(files, 'evil')));
  // Garbage and a cut-off archive are refused the same way.
  writeFileSync(join(hostile, 'garbage'), Buffer.alloc(4096, 0x41));
  writeFileSync(join(hostile, 'cut.tar.gz'), readFileSync(busyboxGz).subarray(0, 200_000));
  for (const file of ['garbage', 'cut.tar.gz']) {
    const r = img(['import', join(hostile, file)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^sc-image: archive .* (refused: it is not a valid tar archive|could not be read: unexpected end of file)/);
    for (const dir of ['layers', 'images', 'tmp']) assert.deepEqual(ls(join(box.data, dir)), [], `${file} left something in ${dir}`);
  }
});

test('an imported layer is exactly what GNU tar extracts: modes, owners, devices, links, mtimes, xattrs', () => {
  const src = join(files, 'exact-src');
  const archive = join(files, 'exact.tar.gz');
  const reference = join(files, 'exact-ref');
  const hasSetcap = spawnSync('sh', ['-c', 'command -v setcap']).status === 0;
  sh(`mkdir -p ${src}/bin ${src}/shared ${src}/old ${src}/dev ${reference}
cd ${src}
echo suid > bin/suid && chmod 4755 bin/suid
echo sgid > bin/sgid && chmod 2711 bin/sgid
chmod 3777 shared
chmod 2750 old
mkfifo dev/fifo && chmod 0620 dev/fifo
mknod dev/null c 1 3 && chmod 0666 dev/null
echo data > bin/file && ln bin/file bin/hardlink
ln -s /proc/self/fd dev/fd
echo owned > owned && chown 1234:5678 owned && chmod 0604 owned
echo cap > bin/ping && ${hasSetcap ? 'setcap cap_net_raw+ep bin/ping' : 'true'}
python3 -c "import os; os.setxattr('bin/file', 'user.comment', b'kept'); os.setxattr('old', 'user.dir', b'x')"
touch -h -d @946684800 dev/fd
touch -d @315532800 old owned
tar --xattrs --xattrs-include='*' --numeric-owner -czf ${archive} .
tar --xattrs --xattrs-include='*' --numeric-owner -xpzf ${archive} -C ${reference}`);
  const r = img(['import', archive]);
  assert.equal(r.code, 0, r.stderr);
  const layer = join(layersDir, docs(r.stdout)[0].layers[0]);
  const ours = describeTree(layer);
  assert.equal(ours, describeTree(reference), treeDiff(ours, describeTree(reference)));
  // And the comparison saw what it was meant to compare.
  assert.match(ours, /^bin\/suid 0o104755 /m);
  assert.match(ours, /^bin\/sgid 0o102711 /m);
  assert.match(ours, /^shared 0o43777 /m);
  assert.match(ours, /^dev\/fifo 0o10620 /m);
  assert.match(ours, /^dev\/null 0o20666 0 0 0 259 /m);
  assert.match(ours, /^bin\/file 0o100644 0 0 5 0 2 .*'user\.comment'/m);
  assert.match(ours, /^dev\/fd 0o120777 .* 946684800000000000 \/proc\/self\/fd /m);
  assert.match(ours, /^owned 0o100604 1234 5678 /m);
  assert.match(ours, /^old 0o42750 0 0 - 0 2 315532800000000000 .*'user\.dir'/m);
  if (hasSetcap) assert.match(ours, /^bin\/ping .*'security\.capability'/m);
});

test('export writes the flattened rootfs as tar.gz; it imports back to the same tree; layers are stacked', () => {
  assert.equal(img(['import', busyboxGz]).code, 0);
  const out = join(files, 'exported');
  mkdirSync(out);
  const r = img(['export', 'busybox', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(docs(r.stdout)[0], { name: 'busybox', file: join(out, 'busybox.tgz') });
  assert.deepEqual(ls(out), ['busybox.tgz'], 'no partial file left');
  const back = img(['import', join(out, 'busybox.tgz'), '--name', 'roundtrip']);
  assert.equal(back.code, 0, back.stderr);
  const tree = (digest) => sh(`cd ${join(layersDir, digest)} && find . -mindepth 1 -printf '%p %M %U:%G %s %T@ %l\\n' | sort`);
  assert.equal(tree(docs(back.stdout)[0].layers[0]), tree(busyboxDigest));

  // Two layers flatten through an overlay mount: the top one's files win.
  sh(`mkdir -p ${files}/top/etc ${files}/top/bin && echo top > ${files}/top/etc/motd && echo shadowed > ${files}/top/bin/busybox && tar -C ${files}/top -cf ${files}/top.tar etc bin`);
  const top = docs(img(['import', join(files, 'top.tar')]).stdout)[0];
  mkdirSync(join(box.data, 'images', 'stacked'));
  writeFileSync(join(box.data, 'images', 'stacked', 'image.json'), JSON.stringify({ name: 'stacked', layers: [busyboxDigest, top.layers[0]], size: 0, created: top.created }));
  const resolved = docs(img(['resolve'], '{"v":1,"name":"c9","spec":{"image":"stacked"}}\n').stdout)[0];
  assert.deepEqual(resolved.image.layers, [join(layersDir, top.layers[0]), join(layersDir, busyboxDigest)], 'top first');
  const stacked = join(files, 'stacked.tgz');
  assert.equal(img(['export', 'stacked', stacked]).code, 0);
  assert.equal(sh(`tar -xzOf ${stacked} ./etc/motd ./bin/busybox`), 'shadowed\ntop\n');
  assert.match(sh(`tar -tzf ${stacked}`), /^\.\/bin\/sh$/m);
  assert.deepEqual(ls(join(box.data, 'tmp')), [], 'the overlay mount point is gone');
  assert.ok(!readFileSync('/proc/self/mounts', 'utf8').includes(box.data), 'nothing left mounted');
  assert.equal(img(['export', 'nosuch', out]).code, 1);
  assert.equal(img(['export', 'busybox']).code, 2);
});

test('export to stdout piped into tar arrives whole, every time; a reader that leaves early gets one line, exit 1', () => {
  // A file stream on fd 1 failed ("write failed") once the pipe was full and non-blocking: tar got half an archive about half the time.
  if (!existsSync(join(box.data, 'images', 'busybox'))) assert.equal(img(['import', busyboxGz]).code, 0);
  for (let i = 0; i < 6; i++) {
    const dir = join(files, `piped-${i}`);
    mkdirSync(dir);
    const r = box.run('bash', ['-o', 'pipefail', '-c', `sc-image export busybox - | tar -xz -C ${dir}`]);
    assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
    assert.equal(r.stderr, '');
    assert.ok(existsSync(join(dir, 'bin', 'busybox')), `run ${i}: the archive is whole`);
  }
  const early = box.run('bash', ['-c', 'sc-image export busybox - | head -c 10 > /dev/null; echo "exit ${PIPESTATUS[0]}" >&2']);
  assert.equal(early.stderr, 'sc-image: the reader of stdout went away before the whole archive was written\nexit 1\n');
});
