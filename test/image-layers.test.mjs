// sc-image end to end, layered images: docker-save archives and OCI layouts (plain, gzip, stdin),
// whiteouts, hostile image archives, commit, and the progress bar.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, busyboxImage, docs, makeSandbox, uniqueName } from './helpers.mjs';
import { describeTree, sh, treeDiff } from './image-tree.mjs';

const box = makeSandbox('image-layers');
after(() => box.cleanup());
const img = (args, input) => box.tool('sc-image', args, input);
const layersDir = join(box.data, 'layers');
const files = join(box.root, 'files');
mkdirSync(files);
const ls = (dir) => (existsSync(dir) ? readdirSync(dir) : []);
const nothingLeft = (what) => {
  for (const dir of ['layers', 'images', 'tmp']) assert.deepEqual(ls(join(box.data, dir)), [], `${what} left something in ${dir}`);
};

// Archives are written by Python's tarfile, which writes whatever it is told to (as an attacker would).
writeFileSync(join(files, 'mk.py'), `
import tarfile, io, json, hashlib, gzip
T = 1700000000
def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e[0]); ti.mtime = T + 1000 if e[1] == 'dir' else T
            if e[1] == 'dir': ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
            else:
                data = (e[2] if len(e) > 2 else '').encode(); ti.size = len(data); ti.mode = 0o644; t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()
def add(t, name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = T; t.addfile(ti, io.BytesIO(data))
def docker_save(out, layers, names=None, links={}):
    ids = [hashlib.sha256(l).hexdigest() for l in layers]
    with tarfile.open(out, 'w') as t:
        for i, l in zip(ids, layers):
            ti = tarfile.TarInfo(i); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
            add(t, i + '/layer.tar', l)
        for name, target in links.items():
            ti = tarfile.TarInfo(name); ti.type = tarfile.SYMTYPE; ti.linkname = target; t.addfile(ti)
        config = json.dumps({'rootfs': {'type': 'layers', 'diff_ids': ['sha256:' + i for i in ids]}}).encode()
        cid = hashlib.sha256(config).hexdigest()
        add(t, cid + '.json', config)
        add(t, 'manifest.json', json.dumps([{'Config': cid + '.json', 'RepoTags': ['t:latest'], 'Layers': names or [i + '/layer.tar' for i in ids]}]).encode())
def oci(out, layers, manifest_digest=None, layer_digest=None):
    with tarfile.open(out, 'w') as t:
        add(t, 'oci-layout', b'{"imageLayoutVersion":"1.0.0"}')
        descs = []
        for l in layers:
            z = gzip.compress(l, mtime=0); d = 'sha256:' + hashlib.sha256(z).hexdigest()
            add(t, 'blobs/sha256/' + d[7:], z)
            descs.append({'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip', 'digest': layer_digest or d, 'size': len(z)})
        config = b'{}'
        add(t, 'blobs/sha256/' + hashlib.sha256(config).hexdigest(), config)
        m = json.dumps({'schemaVersion': 2, 'config': {'digest': 'sha256:' + hashlib.sha256(config).hexdigest()}, 'layers': descs}).encode()
        md = 'sha256:' + hashlib.sha256(m).hexdigest()
        add(t, 'blobs/sha256/' + md[7:], m)
        other = {'digest': 'sha256:' + '0' * 64, 'platform': {'os': 'linux', 'architecture': 's390x'}}
        index = {'schemaVersion': 2, 'manifests': [other, {'digest': manifest_digest or md, 'platform': {'os': 'linux', 'architecture': 'amd64'}}]}
        add(t, 'index.json', json.dumps(index).encode())
base = gzip.decompress(open('${busyboxImage()}', 'rb').read())
l1 = layer([('etc', 'dir'), ('etc/a', 'file', 'a\\n'), ('etc/keep', 'file', 'kept\\n'), ('dir', 'dir'), ('dir/x', 'file', 'x\\n')])
l2 = layer([('etc', 'dir'), ('etc/.wh.a', 'file'), ('dir', 'dir'), ('dir/.wh..wh..opq', 'file'), ('dir/y', 'file', 'y\\n')])
open('l1.tar', 'wb').write(l1); open('l2.tar', 'wb').write(l2)
`);
const py = (code) => sh(`cd ${files} && python3 - <<'EOF'\nfrom mk import *\n${code}\nEOF`);
py(`docker_save('layered.tar', [base, l1, l2])
oci('oci.tar', [base, l1, l2])
docker_save('repeats.tar', [base, layer([]), l1, layer([]), l2])`);
sh(`cd ${files} && gzip -c layered.tar > layered-gz.tar.gz`);

let layers;
test('a docker save archive imports as its layers, bottom first; AUFS whiteouts become overlay whiteouts', () => {
  const r = img(['import', join(files, 'layered.tar')]);
  assert.equal(r.code, 0, r.stderr);
  const [image] = docs(r.stdout);
  assert.equal(image.name, 'layered');
  assert.equal(image.layers.length, 3);
  layers = image.layers;
  const digest = (f) => sh(`sha256sum ${join(files, f)}`).split(' ')[0];
  assert.equal(layers[1], digest('l1.tar'), 'a layer is stored by the sha256 of its uncompressed tar');
  assert.equal(layers[2], digest('l2.tar'));
  // A layer without whiteouts is exactly what GNU tar extracts.
  const ref1 = join(files, 'ref1');
  const ref2 = join(files, 'ref2');
  sh(`mkdir ${ref1} ${ref2} && tar --xattrs --xattrs-include='*' --numeric-owner -xpf ${files}/l1.tar -C ${ref1} && tar --xattrs --xattrs-include='*' --numeric-owner -xpf ${files}/l2.tar -C ${ref2}`);
  const [ours, theirs] = [describeTree(join(layersDir, layers[1])), describeTree(ref1)].map((t) => t.replace(/^\. .*\n/, ''));
  assert.equal(ours, theirs, treeDiff(ours, theirs));
  // The whiteout layer: the same tree, with the AUFS markers turned into what overlay reads.
  const top = join(layersDir, layers[2]);
  assert.deepEqual(ls(join(top, 'etc')), ['a']);
  const wh = lstatSync(join(top, 'etc/a'));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'etc/a is a 0/0 character device');
  assert.deepEqual(ls(join(top, 'dir')), ['y']);
  assert.equal(sh(`getfattr --absolute-names --only-values -n trusted.overlay.opaque ${top}/dir 2>/dev/null || python3 -c "import os; print(os.getxattr('${top}/dir', 'trusted.overlay.opaque').decode(), end='')"`), 'y');
  // The directories the markers were removed from keep the mtimes the archive gave them.
  for (const d of ['etc', 'dir']) assert.equal(lstatSync(join(top, d)).mtimeMs, lstatSync(join(ref2, d)).mtimeMs, d);
  assert.deepEqual(ls(join(box.data, 'tmp')), []);
});

test('the layered image runs: the deleted file is gone, the opaque directory shows only its own files', () => {
  const name = uniqueName('layered');
  const r = box.sc('run', '--name', name, 'layered');
  assert.equal(r.code, 0, r.stderr);
  const look = box.sc('exec', name, 'sh', '-c', 'ls -A /dir; test -e /etc/a && echo "a present" || echo "a absent"; cat /etc/keep; /bin/busybox true && echo ok');
  assert.equal(look.code, 0, look.stderr);
  assert.equal(look.stdout, 'y\na absent\nkept\nok\n');
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('the same image as an OCI layout (gzip blobs), as gzip, from stdin, with repeated layers: one set of layers', () => {
  const oci = img(['import', join(files, 'oci.tar')]);
  assert.equal(oci.code, 0, oci.stderr);
  assert.deepEqual(docs(oci.stdout)[0].layers, layers, 'the OCI blobs are the same layers, by their uncompressed digest');
  const gz = img(['import', join(files, 'layered-gz.tar.gz')]);
  assert.equal(gz.code, 0, gz.stderr);
  assert.deepEqual(docs(gz.stdout)[0].layers, layers);
  const piped = box.run(join(BIN, 'sc-image'), ['import', '--name', 'piped', '-'], { input: readFileSync(join(files, 'layered-gz.tar.gz')) });
  assert.equal(piped.code, 0, piped.stderr);
  assert.deepEqual(docs(piped.stdout)[0].layers, layers);
  // Empty layers come twice: each layer is kept once, where it last appears (overlay takes a lowerdir once).
  const repeats = img(['import', join(files, 'repeats.tar')]);
  assert.equal(repeats.code, 0, repeats.stderr);
  const empty = sh('head -c 10240 /dev/zero | sha256sum').split(' ')[0];
  assert.deepEqual(docs(repeats.stdout)[0].layers, [layers[0], layers[1], empty, layers[2]]);
  assert.deepEqual(ls(join(layersDir, empty)), []);
  assert.equal(ls(layersDir).length, 4, 'three layers and the empty one, each stored once');
  // Importing the same archive under the same name again is fine; nothing is extracted.
  const again = img(['import', join(files, 'oci.tar'), '--name', 'layered']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /already imported/);
  assert.deepEqual(ls(join(box.data, 'tmp')), []);
  for (const n of ['oci', 'layered-gz', 'piped', 'repeats']) assert.equal(img(['rm', n]).code, 0);
  assert.equal(ls(layersDir).length, 3, 'rm freed only the layer no other image uses');
});

test('hostile and broken image archives are refused with one line and leave nothing anywhere', () => {
  const victim = join(box.root, 'victim');
  mkdirSync(victim);
  const dir = join(files, 'hostile');
  mkdirSync(dir);
  const small = `layer([('bin', 'dir'), ('bin/ok', 'file', 'fine')])`;
  sh(`cd ${dir} && PYTHONPATH=${files} python3 - <<'EOF'
from mk import *
ok = ${small}
docker_save('manifest-escape.tar', [ok], names=['../../etc/passwd'])
docker_save('layer-escape.tar', [ok, layer([('../evil', 'file', 'pwned')])])
docker_save('layer-absolute.tar', [ok, layer([('${victim}/abs', 'file', 'pwned')])])
docker_save('link-escape.tar', [ok], names=['x/layer.tar'], links={'x/layer.tar': '../../../etc/passwd'})
docker_save('missing-layer.tar', [ok], names=['nope/layer.tar'])
oci('blob-escape.tar', [ok], manifest_digest='sha256:../../../../etc/passwd')
oci('layer-blob-escape.tar', [ok], layer_digest='sha256:../../../../etc/shadow')
EOF`);
  writeFileSync(join(dir, 'cut.tar'), readFileSync(join(files, 'layered.tar')).subarray(0, 300_000));
  const expected = {
    'manifest-escape.tar': /refused: its manifest\.json names "\.\.\/\.\.\/etc\/passwd", outside the archive$/,
    'layer-escape.tar': /\(layer [0-9a-f]{64}\/layer\.tar\) refused: it has entry "\.\.\/evil" that points outside the image root/,
    'layer-absolute.tar': /\(layer [0-9a-f]{64}\/layer\.tar\) refused: it has entry ".*\/victim\/abs" that points outside the image root/,
    'link-escape.tar': /refused: its (member )?"x\/layer\.tar" links to "\.\.\/\.\.\/\.\.\/etc\/passwd", outside the archive$/,
    'blob-escape.tar': /refused: its index\.json names blob "sha256:\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd", which is not a digest/,
    'layer-blob-escape.tar': /refused: its blob sha256:[0-9a-f]{64} names blob "sha256:\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow", which is not a digest/,
    'missing-layer.tar': /names "nope\/layer\.tar" in its manifest\.json, but the archive has no such file$/,
    'cut.tar': /is cut short/,
  };
  // The same archives gzipped: sc extracts them as they stream by, then reads the extracted layout,
  // links and paths held to it the same way.
  for (const [file, message] of Object.entries(expected)) {
    if (file === 'cut.tar') continue;
    sh(`gzip -c ${dir}/${file} > ${dir}/${file}.gz`);
    expected[`${file}.gz`] = message;
  }
  const before = ls(layersDir).sort();
  for (const [file, message] of Object.entries(expected)) {
    const r = img(['import', join(dir, file), '--name', 'hostile']);
    assert.equal(r.code, 1, `${file}: ${r.stderr}`);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^sc-image: archive ${dir}/${file.replace(/\./g, '\\.')} `));
    assert.match(r.stderr.trim(), message);
    assert.equal(r.stdout, '');
    assert.deepEqual(ls(layersDir).sort(), before, `${file}: the layers stored before it was refused are gone`);
    assert.deepEqual(ls(join(box.data, 'images')), ['layered'], `${file} left an image`);
    assert.deepEqual(ls(join(box.data, 'tmp')), [], `${file} left something in tmp`);
  }
  assert.deepEqual(ls(victim), []);
  for (const where of [box.data, box.root, files, dir]) assert.ok(!existsSync(join(where, 'evil')), `nothing written at ${where}/evil`);
});

test('commit saves a running container\'s changes as one new layer on top of its image\'s', () => {
  const name = uniqueName('commit');
  assert.equal(box.sc('run', '--name', name, 'layered').code, 0);
  const change = box.sc('exec', name, 'sh', '-c', 'echo changed > /etc/keep && rm -r /dir && mkdir -p /dir /new && echo z > /dir/z && echo n > /new/file');
  assert.equal(change.code, 0, change.stderr);
  const r = img(['commit', name, 'committed']);
  assert.equal(r.code, 0, r.stderr);
  const [image] = docs(r.stdout);
  assert.deepEqual(image.layers.slice(0, 3), layers);
  assert.equal(image.layers.length, 4);
  const top = join(layersDir, image.layers[3]);
  assert.equal(readFileSync(join(top, 'etc/keep'), 'utf8'), 'changed\n');
  assert.equal(lstatSync(top).mode & 0o7777, 0o755, "the new layer's root is not the container's upper dir");
  // The same changes committed again give the same layer: its digest is of a deterministic tar.
  const again = img(['commit', name, 'committed2']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(docs(again.stdout)[0].layers, image.layers);
  assert.equal(box.sc('stop', name).code, 0);

  // A container of the new image sees the changes, whiteouts and opaque directory included.
  const child = uniqueName('child');
  assert.equal(box.sc('run', '--name', child, 'committed').code, 0);
  const look = box.sc('exec', child, 'sh', '-c', 'cat /etc/keep; ls -A /dir; cat /new/file; test -e /etc/a || echo "a absent"');
  assert.equal(look.stdout, 'changed\nz\nn\na absent\n', look.stderr);

  // Refusals: a taken name, a container that does not exist, bad names.
  const taken = img(['commit', name, 'committed']);
  assert.equal(taken.code, 1);
  assert.equal(taken.stderr, 'sc-image: image committed exists; pick another name or sc image rm committed first\n');
  const missing = img(['commit', 'nosuch', 'x']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no container named "nosuch"/);
  assert.equal(img(['commit', name]).code, 2);
  assert.equal(img(['commit', name, '../x']).code, 2);
  assert.ok(!existsSync(join(box.data, 'images', 'x')));
  // Its image is in use: rm refuses, and the base layers stay while the committed image needs them.
  assert.equal(img(['rm', 'committed']).code, 1);
  for (const c of [child, name]) assert.equal(box.sc('rm', '-f', c).code, 0);
  assert.equal(img(['rm', 'committed2']).code, 0);
  assert.equal(img(['rm', 'layered']).code, 0);
  assert.ok(layers.every((d) => existsSync(join(layersDir, d))), 'committed still uses the base layers');
  assert.equal(img(['rm', 'committed']).code, 0);
  assert.deepEqual(ls(layersDir), []);
});

test('a progress bar on a terminal (redrawn with \\r, cleared at the end); nothing on a pipe', () => {
  const quoted = (args) => args.map((a) => `'${a}'`).join(' ');
  const onTty = (args) => box.run('script', ['-qec', quoted([join(BIN, 'sc-image'), ...args]), '/dev/null']);
  const r = onTty(['import', '--name', 'bar', join(files, 'layered-gz.tar.gz')]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /\rimporting bar \d+(\.\d+)?(B|KiB|MiB) \/ \d+(\.\d+)?KiB {2}\d+% {2}\S+\/s\x1b\[K/);
  assert.match(r.stdout, /\r\x1b\[K\{"name":"bar"/, 'the line is cleared before the record is printed');
  const piped = img(['import', '--name', 'quiet', join(files, 'layered-gz.tar.gz')]);
  assert.equal(piped.code, 0);
  assert.equal(piped.stderr, '', 'nothing on a pipe');
  const stdin = box.run('script', ['-qec', `${join(BIN, 'sc-image')} import --name bar2 - < ${join(files, 'layered-gz.tar.gz')}`, '/dev/null']);
  assert.match(stdin.stdout, /\rimporting bar2 \d+(\.\d+)?(B|KiB) {2}\S+\/s\x1b\[K/, 'from stdin: bytes and rate, no total');
  const out = join(files, 'bar.tgz');
  const exp = onTty(['export', 'bar', out]);
  assert.equal(exp.code, 0, exp.stdout);
  assert.match(exp.stdout, /\rexporting bar \d+(\.\d+)?(B|KiB|MiB) \/ /);
  assert.match(sh(`tar -tzf ${out}`), /^\.\/dir\/y$/m);
  assert.equal(img(['export', 'bar', join(files, 'quiet.tgz')]).stderr, '');
});
