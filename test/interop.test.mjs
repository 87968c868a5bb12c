// Images between sc and the tools people already have: Debian's Podman, skopeo and containerd.
// An image built with Podman (`podman import` of the tests' busybox rootfs, a file added in a second
// layer) travels to sc in every format they write — docker-archive (plain and gzip), oci-archive, a
// container export, OCI layouts and dir: directories — and runs with its file there, its layers shared;
// sc's own images (a committed container, whiteouts and all) travel back through `sc image save` to
// `podman load`, skopeo and `ctr image import`, and run there. Corrupted and hostile layouts are refused.
//
// Podman, skopeo and containerd write to /var/lib/containers (a blob-info cache) and /run (runc's and
// containerd's state) whatever their configuration says: each runs in a private mount namespace whose
// /var/lib and /run are overlays with their upper layers in this test's directory. Their storage,
// containerd's root, state and socket are there too; their cgroups are under the sandbox's parent. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { busyboxImage, docs, importBusybox, installDebianPackages, leftovers, makeSandbox, runInSc, uniqueName } from './helpers.mjs';
import { OVERLAY_RUN_AND_VARLIB, overlayDirs, podmanEnv, startContainerd as startContainerdIn, stopChild, writePodmanConfig } from './orchestrators.mjs';

const box = makeSandbox('interop');
const work = join(box.root, 'interop');
const layersDir = join(box.data, 'layers');
const ls = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : []);
const IMAGE = 'localhost/interop:latest';
const HELLO = 'hello from podman\n';
/**
 * What the host had before, where Podman, skopeo and containerd write by default: the test leaves them as
 * they were. (/run/runc is not among them: the benchmarks' runc writes there too.)
 */
const hostPaths = ['/var/lib/containers', '/run/containerd', '/run/libpod'];
const hostBefore = Object.fromEntries(hostPaths.map((p) => [p, existsSync(p)]));

const env = podmanEnv(box.env, work);

/**
 * A command in a private mount namespace whose /run and /var/lib are overlays writing into this test's
 * directory: what the tools put there (a blob-info cache, runc's state, shim sockets) goes with the test.
 */
function contained(cmd, args, { detached = false, log } = {}) {
  const dir = mkdtempSync(join(work, 'ns-'));
  overlayDirs(dir);
  const script = `${OVERLAY_RUN_AND_VARLIB}shift\nexec "$@"`;
  const argv = ['-m', '--propagation', 'private', '--', 'sh', '-ec', script, 'sh', dir, cmd, ...args];
  if (detached) return spawn('unshare', argv, { env, stdio: ['ignore', log, log] });
  const r = spawnSync('unshare', argv, { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const podman = (...args) => contained('podman', args);
const skopeo = (...args) => contained('skopeo', ['--insecure-policy', ...args]);
function ok(r, what) {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
}

/** Debian's podman, skopeo, containerd and runc, when missing; no service of theirs is started meanwhile. */
const installMissing = () => installDebianPackages([['podman', 'podman'], ['skopeo', 'skopeo'], ['containerd', 'containerd'], ['ctr', 'containerd'], ['runc', 'runc']]);

let busyboxLayer;
let podmanLayers;
before(() => {
  installMissing();
  for (const d of ['files', 'build']) mkdirSync(join(work, d), { recursive: true });
  writePodmanConfig(work, 'runtime = "runc"\n');
  importBusybox(box);
  busyboxLayer = createHash('sha256').update(gunzipSync(readFileSync(busyboxImage()))).digest('hex');
  // The image: the tests' busybox rootfs, imported by Podman, and a file in a layer of its own.
  ok(podman('import', busyboxImage(), 'localhost/interop-base:latest'), 'podman import');
  writeFileSync(join(work, 'build', 'hello.txt'), HELLO);
  writeFileSync(join(work, 'build', 'Containerfile'), 'FROM localhost/interop-base:latest\nCOPY hello.txt /interop/hello.txt\n');
  ok(podman('build', '--pull=never', '-t', IMAGE, join(work, 'build')), 'podman build');
  podmanLayers = JSON.parse(ok(podman('image', 'inspect', '--format', '{{json .RootFS.Layers}}', IMAGE), 'podman inspect').stdout).map((l) => l.slice(7));
  assert.equal(podmanLayers.length, 2);
  assert.equal(podmanLayers[0], busyboxLayer, 'Podman kept the rootfs tarball as it is');
});

after(async () => {
  await stopContainerd();
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
  for (const p of hostPaths) assert.equal(existsSync(p), hostBefore[p], `${p} is as it was`);
});

const files = (name) => join(work, 'files', name);
/** Every format Podman and skopeo write an image in, and whether it keeps the image's layers. */
const FORMATS = [
  { name: 'p-docker', label: 'docker-archive (podman save)', file: 'p-docker.tar', layered: true, make: (f) => podman('save', '--format', 'docker-archive', '-o', f, IMAGE) },
  { name: 'p-docker-gz', label: 'docker-archive, gzip (podman save | gzip)', file: 'p-docker.tar.gz', layered: true, make: (f) => gzipOf(files('p-docker.tar'), f) },
  { name: 's-docker', label: 'docker-archive (skopeo copy containers-storage: docker-archive:)', file: 's-docker.tar', layered: true, make: (f) => skopeo('copy', '--quiet', `containers-storage:${IMAGE}`, `docker-archive:${f}`) },
  { name: 'p-oci', label: 'oci-archive (podman save)', file: 'p-oci.tar', layered: true, make: (f) => podman('save', '--format', 'oci-archive', '-o', f, IMAGE) },
  { name: 's-oci', label: 'oci-archive (skopeo copy … oci-archive:)', file: 's-oci.tar', layered: true, make: (f) => skopeo('copy', '--quiet', `containers-storage:${IMAGE}`, `oci-archive:${f}`) },
  { name: 'p-export', label: 'container export (podman export)', file: 'p-export.tar', layered: false, make: (f) => podmanExport(f) },
  { name: 'p-oci-dir', label: 'OCI layout directory (podman save --format oci-dir)', file: 'p-oci-dir', layered: true, make: (f) => podman('save', '--format', 'oci-dir', '-o', f, IMAGE) },
  { name: 's-oci-dir', label: 'OCI layout directory (skopeo copy … oci:DIR)', file: 's-oci-dir', layered: true, make: (f) => skopeo('copy', '--quiet', `containers-storage:${IMAGE}`, `oci:${f}`) },
  { name: 's-dir', label: 'dir: directory (skopeo copy … dir:DIR)', file: 's-dir', layered: true, make: (f) => skopeo('copy', '--quiet', `containers-storage:${IMAGE}`, `dir:${f}`) },
  { name: 'p-docker-dir', label: 'docker-dir directory (podman save --format docker-dir)', file: 'p-docker-dir', layered: true, make: (f) => podman('save', '--format', 'docker-dir', '-o', f, IMAGE) },
];

function gzipOf(from, to) {
  writeFileSync(to, gzipSync(readFileSync(from)));
  return { code: 0 };
}

function podmanExport(file) {
  const name = uniqueName('export');
  ok(podman('create', '--name', name, IMAGE, 'true'), 'podman create');
  try {
    return podman('export', '-o', file, name);
  } finally {
    ok(podman('rm', name), 'podman rm');
  }
}

const inSc = (image, ...cmd) => runInSc(box, image, ...cmd);

const imported = {};
for (const format of FORMATS) {
  test(`Podman/skopeo → sc: ${format.label} imports, runs, and the file is there`, (t) => {
    const file = files(format.file);
    ok(format.make(file), `making ${format.label}`);
    const r = box.sc('image', 'import', file, '--name', format.name);
    assert.equal(r.code, 0, r.stderr);
    const [image] = docs(r.stdout);
    imported[format.name] = image;
    if (format.layered) assert.deepEqual(image.layers, podmanLayers, 'the layers are Podman\'s, by their digests');
    else assert.equal(image.layers.length, 1, 'an export is one layer');
    assert.equal(inSc(format.name, 'cat', '/interop/hello.txt'), HELLO);
    t.diagnostic(`${format.label}: import ok, ${image.layers.length} layer(s), run ok, file there`);
  });
}

test('the layers deduplicate: every layered format shares the two layers, the base is sc\'s own busybox layer', () => {
  assert.equal(Object.keys(imported).length, FORMATS.length, 'every format was imported');
  assert.deepEqual(ls(layersDir), [...podmanLayers, imported['p-export'].layers[0]].sort());
  assert.ok(ls(layersDir).includes(busyboxLayer));
});

/** An import that must fail: exit 1, one line matching `message`, and nothing left in the store. */
function refused(path, message) {
  const before = { layers: ls(layersDir), images: ls(join(box.data, 'images')) };
  const r = box.sc('image', 'import', path, '--name', 'refused');
  assert.equal(r.code, 1, `${path}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.deepEqual(ls(layersDir), before.layers, 'no layer left');
  assert.deepEqual(ls(join(box.data, 'images')), before.images, 'no image left');
  assert.deepEqual(ls(join(box.data, 'tmp')), [], 'nothing left in tmp');
  return r.stderr.trim();
}

test('what sc used to take for a rootfs (an image archive it cannot read as one) is refused, saying what it looked like', (t) => {
  // podman's docker-archive without its manifest.json: a layer blob first, <id>/layer.tar links, repositories.
  const tree = files('no-manifest');
  mkdirSync(tree);
  ok(box.run('tar', ['-xf', files('p-docker.tar'), '-C', tree]), 'tar -x');
  rmSync(join(tree, 'manifest.json'));
  ok(box.run('tar', ['-cf', `${tree}.tar`, '-C', tree, '.']), 'tar -c');
  const message = refused(`${tree}.tar`, /archive .*no-manifest\.tar is not a root filesystem: at its top it holds .*\.tar, .*repositories, an image archive's own files, but no manifest\.json/);
  t.diagnostic(message);
  refused(tree, /directory .*no-manifest is not an image layout: it has neither manifest\.json .* nor index\.json and oci-layout/);
  // A tar of something that is no rootfs at all.
  writeFileSync(files('notes.txt'), 'just notes\n');
  ok(box.run('tar', ['-cf', files('notes.tar'), '-C', files(''), 'notes.txt']), 'tar -c');
  refused(files('notes.tar'), /is not a root filesystem: it has none of the directories one has \(bin, etc, usr, …\), only notes\.txt at its top/);
});

/** The blob of the image's second layer (the file) in an OCI layout directory. */
function ociLayerBlob(dir) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(dir, 'blobs', ...index.manifests[0].digest.split(':')), 'utf8'));
  return join(dir, 'blobs', ...manifest.layers[1].digest.split(':'));
}

test('a corrupted blob fails cleanly and leaves nothing: OCI layouts and dir: directories are checked against their digests', (t) => {
  // dir: keeps layers as plain tars: the same size, one letter changed.
  const dir = files('corrupt-dir');
  cpSync(files('s-dir'), dir, { recursive: true });
  const blob = join(dir, podmanLayers[1]);
  writeFileSync(blob, readFileSync(blob, 'latin1').replace('hello from podman', 'HELLO from podman'), 'latin1');
  t.diagnostic(refused(dir, /sc-image: directory .*corrupt-dir refused: its blob sha256:[0-9a-f]{64} does not match its digest: its content is sha256:[0-9a-f]{64} \(the blob is corrupted or was altered\)/));
  // An OCI layout's gzip blob, altered and gzipped again; and the same layout as an oci-archive.
  const oci = files('corrupt-oci');
  cpSync(files('p-oci-dir'), oci, { recursive: true });
  const gz = ociLayerBlob(oci);
  writeFileSync(gz, gzipSync(Buffer.from(gunzipSync(readFileSync(gz)).toString('latin1').replace('hello from podman', 'HELLO from podman'), 'latin1')));
  refused(oci, /directory .*corrupt-oci refused: its blob sha256:[0-9a-f]{64} (does not match its digest|has \d+ bytes, not the \d+ its descriptor says)/);
  ok(box.run('tar', ['-cf', `${oci}.tar`, '-C', oci, '.']), 'tar -c');
  refused(`${oci}.tar`, /archive .*corrupt-oci\.tar refused: its blob sha256:[0-9a-f]{64} (does not match its digest|has \d+ bytes)/);
  assert.equal(inSc('p-oci-dir', 'cat', '/interop/hello.txt'), HELLO, 'the good image is untouched');
});

test('an OCI layout directory whose links lead out of it is refused, whatever they point at', () => {
  // The same blobs, one directory up: a link there would read files sc was not given.
  const outside = files('outside-blobs');
  cpSync(join(files('p-oci-dir'), 'blobs'), outside, { recursive: true });
  const relative = files('escape-relative');
  cpSync(files('p-oci-dir'), relative, { recursive: true });
  rmSync(join(relative, 'blobs'), { recursive: true });
  symlinkSync('../outside-blobs', join(relative, 'blobs'));
  refused(relative, /directory .*escape-relative refused: its "blobs" links to "\.\.\/outside-blobs", outside the directory/);
  const absolute = files('escape-absolute');
  cpSync(files('p-oci-dir'), absolute, { recursive: true });
  const blob = ociLayerBlob(absolute);
  const target = join(outside, 'sha256', blob.split('/').pop());
  rmSync(blob);
  symlinkSync(target, blob);
  refused(absolute, /directory .*escape-absolute refused: its "blobs\/sha256\/[0-9a-f]{64}" links to ".*outside-blobs.*", outside the directory/);
});

let committed;
test('sc → Podman: sc image save (both formats) → podman load → podman run sees the file', (t) => {
  for (const format of ['oci-archive', 'docker-archive']) {
    const file = files(`sc-${format}.tar`);
    const r = box.sc('image', 'save', 'p-docker', file, '--format', format);
    assert.equal(r.code, 0, r.stderr);
    const [saved] = docs(r.stdout);
    assert.equal(saved.reference, 'localhost/p-docker:latest');
    assert.equal(saved.layers.length, 2, 'layer by layer, not flattened');
    assert.match(ok(podman('load', '-i', file), `podman load ${format}`).stdout, /Loaded image: localhost\/p-docker:latest/);
    const run = ok(podman('run', '--rm', '--cgroup-parent', `/${box.cgroupParent}/podman`, 'localhost/p-docker:latest', 'cat', '/interop/hello.txt'), 'podman run');
    assert.equal(run.stdout, HELLO);
    t.diagnostic(`${format}: podman load ok, podman run sees the file`);
  }
});

test('sc → Podman and skopeo: a committed container, its deletions (whiteouts, an opaque directory) included', (t) => {
  const name = uniqueName('commit');
  assert.equal(box.sc('run', '--name', name, 'p-oci').code, 0);
  // /interop removed and made again (overlay: an opaque directory), /bin/vi removed (a whiteout).
  const change = box.sc('exec', name, 'sh', '-c', 'rm -r /interop && mkdir /interop && echo "made in sc" > /interop/sc.txt && rm /bin/vi');
  assert.equal(change.code, 0, change.stderr);
  const commit = box.sc('image', 'commit', name, 'committed');
  assert.equal(commit.code, 0, commit.stderr);
  box.sc('rm', '-f', name);
  committed = docs(commit.stdout)[0];
  assert.equal(committed.layers.length, 3);
  const look = 'ls -A /interop; cat /interop/sc.txt; test -e /bin/vi && echo "vi there" || echo "vi gone"';
  const expected = 'sc.txt\nmade in sc\nvi gone\n';
  assert.equal(inSc('committed', 'sh', '-c', look), expected);
  const saved = {};
  for (const format of ['oci-archive', 'docker-archive']) {
    const file = files(`committed-${format}.tar`);
    const r = box.sc('image', 'save', 'committed', file, '--format', format);
    assert.equal(r.code, 0, r.stderr);
    saved[format] = docs(r.stdout)[0];
    assert.equal(saved[format].layers.length, 3);
    ok(podman('load', '-i', file), `podman load ${format}`);
    assert.equal(ok(podman('run', '--rm', '--cgroup-parent', `/${box.cgroupParent}/podman`, 'localhost/committed:latest', 'sh', '-c', look), 'podman run').stdout, expected);
    t.diagnostic(`committed, ${format}: podman load ok, podman run sees sc's file, not the deleted ones`);
  }
  // skopeo reads both too, into its own layouts, which sc imports back: the same layers, by digest.
  ok(skopeo('copy', '--quiet', `oci-archive:${files('committed-oci-archive.tar')}`, `dir:${files('committed-dir')}`), 'skopeo copy oci-archive: dir:');
  ok(skopeo('copy', '--quiet', `docker-archive:${files('committed-docker-archive.tar')}`, `oci:${files('committed-oci')}`), 'skopeo copy docker-archive: oci:');
  for (const dir of ['committed-dir', 'committed-oci']) {
    const back = box.sc('image', 'import', files(dir));
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(docs(back.stdout)[0].layers, saved['oci-archive'].layers.map((l) => l.slice(7)));
    assert.equal(inSc(dir, 'sh', '-c', look), expected);
  }
  assert.deepEqual(saved['docker-archive'].layers, saved['oci-archive'].layers, 'both formats carry the same layer tars');
  t.diagnostic('committed: skopeo copy oci-archive:/docker-archive: → dir:/oci: → sc image import: same layers, runs');
});

test('sc image save writes through no planted symlink, and refuses what it cannot do', () => {
  const victim = files('victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, files('planted.tar'));
  const r = box.sc('image', 'save', 'committed', files('planted.tar'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.ok(!readdirSync(files('')).some((f) => f.endsWith('.partial')), 'no partial file left');
  const none = box.sc('image', 'save', 'nosuch', files('x.tar'));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no image named "nosuch"/);
  assert.equal(box.sc('image', 'save', 'committed', files('x.tar'), '--format', 'squashfs').code, 2);
  assert.ok(!existsSync(files('x.tar')));
  assert.deepEqual(ls(join(box.data, 'tmp')), [], 'the staging directory is gone');
});

// containerd, in its own mount namespace, with its own root, state and socket under the test's directory.
let containerd;
const ctrd = join(work, 'containerd');
const socket = join(ctrd, 'containerd.sock');
const ctr = (...args) => {
  const r = spawnSync('ctr', ['-a', socket, '-n', 'sc-interop', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

const startContainerd = async () => {
  containerd = await startContainerdIn(ctrd, ([cmd, ...args], log) => contained(cmd, args, { detached: true, log }), ctr);
};
const stopContainerd = () => stopChild(containerd);

test('sc → containerd: ctr image import of both formats, and ctr run sees the files', async (t) => {
  await startContainerd();
  try {
    let n = 0;
    for (const format of ['oci-archive', 'docker-archive']) {
      ok(ctr('images', 'import', files(`committed-${format}.tar`)), `ctr images import ${format}`);
      assert.match(ctr('images', 'ls', '-q').stdout, /^localhost\/committed:latest$/m);
      const id = `sc-interop-${++n}`;
      const run = ok(ctr('run', '--rm', '--fifo-dir', join(ctrd, 'fifo'), '--cgroup', `/${box.cgroupParent}/${id}`, 'localhost/committed:latest', id,
        'sh', '-c', 'cat /interop/sc.txt; test -e /interop/hello.txt || echo "hello gone"; test -e /bin/vi || echo "vi gone"'), `ctr run ${format}`);
      assert.equal(run.stdout.replace(/\r/g, ''), 'made in sc\nhello gone\nvi gone\n');
      ok(ctr('images', 'rm', 'localhost/committed:latest'), 'ctr images rm');
      t.diagnostic(`committed, ${format}: ctr image import ok, ctr run sees sc's file, not the deleted ones`);
    }
  } finally {
    await stopContainerd();
  }
});
