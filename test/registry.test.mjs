// Images from and to a registry: Debian's docker-registry, started by the test on 127.0.0.1 with its
// storage in the test's directory (one open, one behind htpasswd), holds an image skopeo pushed from an
// OCI layout the test writes — the tests' busybox rootfs and a layer with a file and a whiteout. sc image
// pull brings it in by tag and by digest, runs it, shares the busybox layer with an earlier import; a
// missing tag, an unreachable or plain-HTTP registry, a corrupted blob, refused credentials and Ctrl-C
// each fail in one line and leave nothing; sc image push sends a committed container there and back.
// Nothing of skopeo's is left in /var/lib/containers. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, busyboxImage, docs, importBusybox, installDebianPackages, leftovers, makeSandbox, processesMentioning, runInSc, uniqueName } from './helpers.mjs';

const box = makeSandbox('registry');
const work = join(box.root, 'registry');
const ls = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : []);
const layersDir = join(box.data, 'layers');
const imagesDir = join(box.data, 'images');
const HELLO = 'hello from a registry\n';
const hostBefore = existsSync('/var/lib/containers');

/** Debian's docker-registry, skopeo and htpasswd, when missing; the registry's own service is not started. */
const installMissing = () => installDebianPackages([['docker-registry', 'docker-registry'], ['skopeo', 'skopeo'], ['htpasswd', 'apache2-utils']]);

const registries = [];
/**
 * `docker-registry serve` on 127.0.0.1, on a port the kernel picks (read from its log), its storage
 * under the test's directory; with `htpasswd`, only for the users that file names.
 */
async function startRegistry(label, htpasswd) {
  const dir = join(work, label);
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(config, ['version: 0.1', 'log:', '  level: info', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/storage`,
    'http:', '  addr: 127.0.0.1:0', ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: sc-test', `    path: ${htpasswd}`] : []), ''].join('\n'));
  const log = join(dir, 'log');
  const fd = openSync(log, 'w');
  const proc = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const registry = { dir, proc, exited, host: undefined };
  registries.push(registry);
  for (let i = 0; i < 100 && !registry.host; i++) {
    await new Promise((r) => setTimeout(r, 50));
    registry.host = /listening on (127\.0\.0\.1:\d+)/.exec(readFileSync(log, 'utf8'))?.[1];
  }
  assert.ok(registry.host, `docker-registry ${label} did not start: ${readFileSync(log, 'utf8')}`);
  return registry;
}

async function stopRegistries() {
  for (const { proc, exited } of registries) {
    if (proc.exitCode !== null || proc.signalCode !== null) continue;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The test's own skopeo, kept off /var/lib as sc keeps its own (its blob-info cache would land there). */
function skopeo(...args) {
  const script = 'mount --rbind /var/lib /var/lib && mount -o remount,bind,ro /var/lib && exec "$@"';
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', 'skopeo', ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/**
 * An OCI image layout: the tests' busybox tarball as its gzip layer, then an uncompressed layer holding
 * /etc/registry.txt and a whiteout of /etc/group.
 */
function writeLayout(dir) {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (data, mediaType) => {
    const digest = sha256(data);
    writeFileSync(join(blobs, digest), data);
    return { mediaType, digest: `sha256:${digest}`, size: data.length };
  };
  const gz = readFileSync(busyboxImage());
  const tree = join(work, 'layer2');
  mkdirSync(join(tree, 'etc'), { recursive: true });
  writeFileSync(join(tree, 'etc', 'registry.txt'), HELLO);
  writeFileSync(join(tree, 'etc', '.wh.group'), '');
  const tar = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', tree, '-cf', '-', 'etc']);
  assert.equal(tar.status, 0, String(tar.stderr));
  const layers = [blob(gz, 'application/vnd.oci.image.layer.v1.tar+gzip'), blob(tar.stdout, 'application/vnd.oci.image.layer.v1.tar')];
  const config = blob(Buffer.from(JSON.stringify({
    architecture: { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch, os: 'linux', config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(gunzipSync(gz))}`, `sha256:${sha256(tar.stdout)}`] },
  })), 'application/vnd.oci.image.config.v1+json');
  const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers })),
    'application/vnd.oci.image.manifest.v1+json');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [manifest] }));
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
}

let open; // the registry anyone may use
let locked; // the one behind htpasswd
let pushed; // the digest skopeo pushed
let busyboxLayer;
const auth = {};
before(async () => {
  installMissing();
  mkdirSync(work, { recursive: true });
  importBusybox(box);
  busyboxLayer = sha256(gunzipSync(readFileSync(busyboxImage())));
  const htpasswd = join(work, 'htpasswd');
  const made = spawnSync('htpasswd', ['-Bbn', 'alice', 'secret'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  writeFileSync(htpasswd, made.stdout);
  open = await startRegistry('open');
  locked = await startRegistry('locked', htpasswd);
  for (const [name, password] of [['good', 'secret'], ['bad', 'wrong']]) {
    auth[name] = join(work, `${name}-auth.json`);
    writeFileSync(auth[name], JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from(`alice:${password}`).toString('base64') } } }));
  }
  writeLayout(join(work, 'app-oci'));
  const digestFile = join(work, 'pushed-digest');
  skopeo('copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile, `oci:${join(work, 'app-oci')}`, `docker://${open.host}/sc-test/app:v1`);
  pushed = readFileSync(digestFile, 'utf8').trim();
  skopeo('copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'alice:secret', `oci:${join(work, 'app-oci')}`, `docker://${locked.host}/sc-test/app:v1`);
});

after(async () => {
  await stopRegistries();
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
  assert.equal(existsSync('/var/lib/containers'), hostBefore, '/var/lib/containers is as it was');
});

/** HOME and XDG_RUNTIME_DIR of the test's own, empty: no credentials but those a test names. */
function env(extra = {}) {
  const home = join(work, 'home');
  mkdirSync(join(home, 'xdg'), { recursive: true });
  const { REGISTRY_AUTH_FILE: _, ...rest } = box.env;
  return { ...rest, HOME: home, XDG_RUNTIME_DIR: join(home, 'xdg'), ...extra };
}
const sc = (args, extra) => box.run(join(BIN, 'sc'), args, { env: env(extra) });

const inSc = (image, ...cmd) => runInSc(box, image, ...cmd);
const LOOK = 'cat /etc/registry.txt; test -e /etc/group && echo "group is there" || echo "group is gone"';

test('pull by tag: the image runs, its file is there, the file its whiteout deletes is not, its busybox layer is the one imported before', (t) => {
  const before = ls(layersDir);
  assert.ok(before.includes(busyboxLayer));
  const r = sc(['image', 'pull', '--tls-verify=false', `docker://${open.host}/sc-test/app:v1`]);
  assert.equal(r.code, 0, r.stderr);
  const [image] = docs(r.stdout);
  assert.equal(image.name, 'app', "the repository's last part");
  assert.deepEqual(image.source, { reference: `docker://${open.host}/sc-test/app:v1`, digest: pushed });
  assert.equal(image.layers.length, 2);
  assert.equal(image.layers[0], busyboxLayer, 'the busybox layer, by its digest');
  assert.deepEqual(ls(layersDir), [...before, image.layers[1]].sort(), 'one layer more: the busybox one landed once');
  assert.deepEqual(ls(join(box.data, 'tmp')), [], 'nothing left in tmp');
  assert.equal(inSc('app', 'sh', '-c', LOOK), `${HELLO}group is gone\n`);
  t.diagnostic(`pulled ${image.source.reference} (${pushed}), ran it`);
});

test('pull by digest under --name; the same reference pulled again does nothing', () => {
  const before = ls(layersDir);
  const r = sc(['image', 'pull', '--name', 'app-pinned', '--tls-verify=false', `docker://${open.host}/sc-test/app@${pushed}`]);
  assert.equal(r.code, 0, r.stderr);
  const [image] = docs(r.stdout);
  assert.equal(image.name, 'app-pinned');
  assert.equal(image.source.digest, pushed);
  assert.deepEqual(ls(layersDir), before, 'no layer more');
  assert.equal(inSc('app-pinned', 'sh', '-c', LOOK), `${HELLO}group is gone\n`);
  // docker:// may be left out.
  const again = sc(['image', 'pull', '--tls-verify=false', `${open.host}/sc-test/app:v1`]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /^sc-image: image app is already pulled from docker:\/\/127\.0\.0\.1:\d+\/sc-test\/app:v1 \(sha256:[0-9a-f]{64}\)\n$/);
  assert.deepEqual(ls(join(box.data, 'tmp')), []);
});

/** A pull that must fail: exit 1, one line naming the reference and matching `message`, the record with its error piped out, and nothing left. */
function failedPull(args, message, extra) {
  const before = { layers: ls(layersDir), images: ls(imagesDir) };
  const r = sc(['image', 'pull', ...args], extra);
  assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, message);
  const [failed] = docs(r.stdout);
  assert.equal(failed.error.message, r.stderr.trim().replace(/^sc-image: /, ''));
  assert.match(failed.error.detail, /^skopeo .*\n.*level=fatal/, "skopeo's command line and its words, in error.detail");
  assert.deepEqual(ls(layersDir), before.layers, 'no layer left');
  assert.deepEqual(ls(imagesDir), before.images, 'no image left');
  assert.deepEqual(ls(join(box.data, 'tmp')), [], 'nothing left in tmp');
  return r.stderr.trim();
}

test('a missing tag or digest, an unreachable registry, a plain-HTTP one without --tls-verify=false: one line each, nothing left', async (t) => {
  t.diagnostic(failedPull(['--tls-verify=false', `docker://${open.host}/sc-test/app:nope`],
    /^sc-image: docker:\/\/127\.0\.0\.1:\d+\/sc-test\/app:nope: the registry has no such tag or repository \(manifest unknown\)$/m));
  failedPull(['--tls-verify=false', `docker://${open.host}/sc-test/app@sha256:${'0'.repeat(64)}`], /app@sha256:0{64}: the registry has no such digest or repository/);
  failedPull(['--tls-verify=false', `docker://${open.host}/sc-test/nothing:v1`], /nothing:v1: the registry has no such tag or repository/);
  const closed = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
  t.diagnostic(failedPull(['--tls-verify=false', `docker://127.0.0.1:${closed}/sc-test/app:v1`],
    new RegExp(`^sc-image: docker://127\\.0\\.0\\.1:${closed}/sc-test/app:v1: cannot reach the registry 127\\.0\\.0\\.1:${closed}: connection refused$`, 'm')));
  t.diagnostic(failedPull([`docker://${open.host}/sc-test/app:v1`, '--name', 'over-https'], /app:v1: 127\.0\.0\.1:\d+ answers in plain HTTP, not HTTPS: for a registry without TLS, --tls-verify=false$/m));
});

test('what is no registry reference, or no name, is a usage error', () => {
  for (const [args, message] of [
    [['docker://127.0.0.1:5000/Team/app:v1'], /"Team" cannot be part of a repository name/],
    [['oci:/srv/app'], /oci:\/srv\/app names no registry .*sc image import/],
    [['--tls-verify', 'maybe', 'docker://127.0.0.1:5000/app'], /--tls-verify "maybe": use --tls-verify=false or --tls-verify=true/],
    [['--name', '../x', 'docker://127.0.0.1:5000/app'], /--name: /],
    [[], /pull takes one REF/],
  ]) {
    const r = sc(['image', 'pull', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const push = sc(['image', 'push', 'app', `docker://127.0.0.1:5000/app@sha256:${'0'.repeat(64)}`]);
  assert.equal(push.code, 2);
  assert.match(push.stderr, /a push goes to a tag, not a digest/);
});

test("a corrupted blob in the registry's storage fails cleanly and leaves nothing", async (t) => {
  const res = await fetch(`http://${open.host}/v2/sc-test/app/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const manifest = await res.json();
  const hex = manifest.layers[1].digest.split(':')[1];
  const data = join(open.dir, 'storage', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
  const good = readFileSync(data);
  const bad = Buffer.from(good);
  for (let i = 20; i < 28; i++) bad[i] ^= 0xff;
  writeFileSync(data, bad);
  try {
    t.diagnostic(failedPull(['--tls-verify=false', '--name', 'corrupt', `docker://${open.host}/sc-test/app:v1`],
      new RegExp(`^sc-image: docker://127\\.0\\.0\\.1:\\d+/sc-test/app:v1: blob sha256:${hex} is corrupted or was altered: what the registry sent is sha256:[0-9a-f]{64}$`, 'm')));
  } finally {
    writeFileSync(data, good);
  }
});

test('Ctrl-C during a pull from a registry that never answers stops it, and leaves nothing', async () => {
  const sockets = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const { port } = silent.address();
  try {
    // sc in a process group of its own, as a shell runs it: Ctrl-C reaches sc, sc-image and skopeo alike.
    const child = spawn(join(BIN, 'sc'), ['image', 'pull', '--tls-verify=false', `docker://127.0.0.1:${port}/sc-test/app:v1`, '--name', 'stalled'],
      { env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => { stderr += b; });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    for (let i = 0; i < 100 && sockets.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(sockets.length > 0, 'skopeo reached the silent registry');
    assert.deepEqual(ls(imagesDir).filter((n) => n === 'stalled'), ['stalled'], 'the name is reserved meanwhile');
    process.kill(-child.pid, 'SIGINT');
    const { code } = await exited;
    assert.notEqual(code, 0);
    assert.match(stderr, /^sc-image: docker:\/\/127\.0\.0\.1:\d+\/sc-test\/app:v1: interrupted by SIGINT; nothing was kept$/m);
    assert.ok(!ls(imagesDir).includes('stalled'), 'the name is free again');
    assert.deepEqual(ls(join(box.data, 'tmp')), [], 'nothing left in tmp');
    assert.deepEqual(processesMentioning(box.data), [], 'no skopeo left (its command line names its stage)');
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('an htpasswd registry: no credentials, wrong ones, a REGISTRY_AUTH_FILE that is not there, then the right ones', (t) => {
  const ref = `docker://${locked.host}/sc-test/app:v1`;
  t.diagnostic(failedPull(['--tls-verify=false', '--name', 'app-auth', ref],
    /app:v1: the registry asks for credentials and none for 127\.0\.0\.1:\d+ were found \(unauthorized: authentication required\); skopeo login 127\.0\.0\.1:\d+ stores them$/m));
  t.diagnostic(failedPull(['--tls-verify=false', '--name', 'app-auth', ref],
    /app:v1: the registry refused the credentials for 127\.0\.0\.1:\d+ in .*bad-auth\.json \(unauthorized: authentication required\)$/m, { REGISTRY_AUTH_FILE: auth.bad }));
  const missing = sc(['image', 'pull', '--tls-verify=false', '--name', 'app-auth', ref], { REGISTRY_AUTH_FILE: join(work, 'none.json') });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^sc-image: REGISTRY_AUTH_FILE names .*none\.json, which does not exist$/m);
  const before = ls(layersDir);
  const r = sc(['image', 'pull', '--tls-verify=false', '--name', 'app-auth', ref], { REGISTRY_AUTH_FILE: auth.good });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(docs(r.stdout)[0].layers, docs(box.run(join(BIN, 'sc-image'), ['ls']).stdout).find((i) => i.name === 'app').layers, 'the same layers as from the open registry');
  assert.deepEqual(ls(layersDir), before);
});

test('sc image push of a committed container, to both registries, and a pull back runs with its changes', (t) => {
  const name = uniqueName('reg');
  assert.equal(box.sc('run', '--name', name, 'app').code, 0);
  try {
    const change = box.sc('exec', name, 'sh', '-c', 'echo "made in sc" > /root/sc.txt && rm /etc/registry.txt');
    assert.equal(change.code, 0, change.stderr);
    assert.equal(box.sc('stop', '-t', '0', name).code, 0);
    const commit = box.sc('image', 'commit', name, 'changed');
    assert.equal(commit.code, 0, commit.stderr);
  } finally {
    box.sc('rm', '-f', name);
  }
  const ref = `docker://${open.host}/sc-test/changed:1`;
  const r = sc(['image', 'push', '--tls-verify=false', 'changed', ref]);
  assert.equal(r.code, 0, r.stderr);
  const [pushedChange] = docs(r.stdout);
  assert.deepEqual(Object.keys(pushedChange), ['name', 'reference', 'digest']);
  assert.match(pushedChange.digest, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(ls(join(box.data, 'tmp')), []);
  const back = sc(['image', 'pull', '--tls-verify=false', '--name', 'changed-back', ref]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(docs(back.stdout)[0].source.digest, pushedChange.digest);
  const look = 'cat /root/sc.txt; test -e /etc/registry.txt && echo "registry.txt is there" || echo "registry.txt is gone"; test -e /etc/group || echo "group is gone"';
  assert.equal(inSc('changed-back', 'sh', '-c', look), 'made in sc\nregistry.txt is gone\ngroup is gone\n');
  // The registry behind htpasswd: refused without credentials, in one line; taken with them.
  const lockedRef = `docker://${locked.host}/sc-test/changed:1`;
  const refused = sc(['image', 'push', '--tls-verify=false', 'changed', lockedRef]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /changed:1: the registry asks for credentials and none for 127\.0\.0\.1:\d+ were found/);
  assert.deepEqual(ls(join(box.data, 'tmp')), []);
  const taken = sc(['image', 'push', '--tls-verify=false', 'changed', lockedRef], { REGISTRY_AUTH_FILE: auth.good });
  assert.equal(taken.code, 0, taken.stderr);
  assert.equal(docs(taken.stdout)[0].digest, pushedChange.digest, 'the same image, the same manifest');
  t.diagnostic(`pushed ${ref} (${pushedChange.digest}) and ${lockedRef}, pulled it back, ran it`);
});
