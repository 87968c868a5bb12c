import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Header } from 'tar/header';
import { ArchiveFiles } from './archive-files.js';
import { layoutKind, rootfsProblem } from './archive-shape.js';
import { bytesProblem, digestProblem } from './blob-digest.js';
import { DirectoryFiles } from './directory-files.js';
import { imageLayers } from './image-layout.js';
import type { LayoutFiles } from './layout-files.js';
import { bufferReader, tarMembers } from './tar-members.js';

type E = { path: string; type?: string; linkpath?: string; body?: string };

function tarOf(entries: E[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const block = Buffer.alloc(512);
    new Header({ path: e.path, type: (e.type ?? 'File') as Header['type'], size: body.length, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), linkpath: e.linkpath }).encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The same entries as a tar file and as a directory: every case is run on both readers. */
function layouts(entries: E[]): { archive: () => Promise<LayoutFiles>; directory: () => LayoutFiles; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sc-image-unit-'));
  writeFileSync(join(dir, 'a.tar'), tarOf(entries));
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  for (const e of entries) {
    const path = join(tree, e.path);
    mkdirSync(e.type === 'Directory' ? path : dirname(path), { recursive: true });
    if (e.type === 'SymbolicLink') symlinkSync(e.linkpath!, path);
    else if (e.type !== 'Directory') writeFileSync(path, e.body ?? '');
  }
  return {
    archive: async () => (await ArchiveFiles.open(join(dir, 'a.tar')))!,
    directory: () => DirectoryFiles.open(tree, 'directory', 'a.tar'),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function both(entries: E[], check: (files: LayoutFiles, kind: string) => Promise<void>): Promise<void> {
  const l = layouts(entries);
  try {
    for (const [kind, open] of [['archive', l.archive], ['directory', l.directory]] as const) {
      const files = await open();
      try {
        await check(files, kind);
      } finally {
        files.close();
      }
    }
  } finally {
    l.done();
  }
}

const hex = 'ab'.repeat(32);
const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const read = async (files: LayoutFiles) => Promise.all((await imageLayers(files)).map(async (l) => {
  const chunks: Buffer[] = [];
  for await (const c of l.file.stream()) chunks.push(c);
  return [l.path, Buffer.concat(chunks).toString()];
}));

test('members are listed with their body offsets, long names included', async () => {
  const long = `d/${'x'.repeat(150)}`;
  // GNU tar's long-name header, then the entry with its name cut to 100 characters.
  const tar = tarOf([{ path: 'a', body: 'hello' }, { path: '././@LongLink', type: 'NextFileHasLongPath', body: `${long}\0` }, { path: long.slice(0, 100), body: 'y' }]);
  const members = [];
  for await (const m of tarMembers(bufferReader(tar))) members.push(m);
  assert.deepEqual(members.map((m) => [m.path, m.offset, m.size]), [['a', 512, 5], [long, members[1]!.offset, 1]]);
  assert.equal(tar.subarray(members[1]!.offset, members[1]!.offset + 1).toString(), 'y');
});

test('an image layout is told by what stands at its top, wherever it stands in the archive', async () => {
  const kind = async (entries: E[]) => {
    const l = layouts(entries);
    try {
      const files = await l.archive();
      files.close();
      return layoutKind((n) => files.has(n));
    } finally {
      l.done();
    }
  };
  // podman save: the first member is a layer blob, manifest.json comes last.
  assert.equal(await kind([{ path: `${hex}.tar`, body: 'L' }, { path: `${'cd'.repeat(32)}/layer.tar`, type: 'SymbolicLink', linkpath: `../${hex}.tar` }, { path: 'manifest.json', body: '[]' }]), 'docker');
  assert.equal(await kind([{ path: './', type: 'Directory' }, { path: './blobs/sha256/x' }, { path: './index.json' }, { path: './oci-layout' }]), 'oci');
  assert.equal(await kind([{ path: 'index.json' }]), undefined, 'index.json alone is not an OCI layout');
  assert.equal(await kind([{ path: './', type: 'Directory' }, { path: './etc/', type: 'Directory' }]), undefined);
  assert.equal(await kind([{ path: 'etc/manifest.json' }]), undefined, 'only the top counts');
});

test('what cannot be a root filesystem is told, and how it looked', () => {
  const top = (o: Record<string, string>) => new Map(Object.entries(o));
  assert.equal(rootfsProblem([top({ bin: 'Directory', 'index.html': 'File' })]), undefined);
  assert.equal(rootfsProblem([top({ usr: 'Directory', bin: 'SymbolicLink' })]), undefined, 'merged /usr');
  assert.equal(rootfsProblem([top({ etc: 'Directory' }), top({ 'hello.txt': 'File' })]), undefined, 'the union of the layers');
  assert.match(rootfsProblem([top({ [`${hex}.tar`]: 'File', repositories: 'File', [`${'cd'.repeat(32)}`]: 'Directory' })])!,
    /^is not a root filesystem: at its top it holds abababababab…\.tar, cdcdcdcdcdcd…\/, repositories, an image archive's own files, but no manifest\.json \(a `docker save` of Docker before 1\.10/);
  assert.match(rootfsProblem([top({ etc: 'Directory', 'oci-layout': 'File' })])!, /holds etc\/, oci-layout \(oci-layout is an image archive's own file\), but no index\.json/);
  assert.equal(rootfsProblem([top({ x: 'File' })]), 'is not a root filesystem: it has none of the directories one has (bin, etc, usr, …), only x at its top; nothing was imported');
  assert.match(rootfsProblem([top({ etc: 'File' })])!, /none of the directories/, 'etc must be a directory');
  assert.match(rootfsProblem([new Map()])!, /only nothing at its top/);
});

test('digests: sha256 and sha512 are checked, anything else is no digest or cannot be verified', async () => {
  assert.equal(digestProblem(sha('x')), undefined);
  assert.equal(digestProblem(`sha512:${'a'.repeat(128)}`), undefined);
  assert.equal(digestProblem('sha256:../../etc/passwd'), 'not a digest');
  assert.equal(digestProblem(`sha256:${'A'.repeat(64)}`), 'not a digest');
  assert.equal(digestProblem(`sha256:${'a'.repeat(63)}`), 'not a digest');
  assert.equal(digestProblem(`blake3:${'a'.repeat(64)}`), 'unverifiable');
  assert.equal(digestProblem(42), 'not a digest');
  assert.equal(await bytesProblem(Buffer.from('x'), sha('x'), 1), undefined);
  assert.match((await bytesProblem(Buffer.from('y'), sha('x')))!, /does not match its digest: its content is sha256:[0-9a-f]{64}/);
  assert.match((await bytesProblem(Buffer.from('x'), sha('x'), 2))!, /has 1 bytes, not the 2 its descriptor says/);
});

test('docker save layers are found in manifest order, through the links docker writes', async () => {
  const manifest = JSON.stringify([{ Layers: [`${hex}/layer.tar`, 'b/layer.tar'] }]);
  await both([{ path: `${hex}/layer.tar`, body: 'L1' }, { path: 'c/layer.tar', body: 'L2' }, { path: 'b/layer.tar', type: 'SymbolicLink', linkpath: '../c/layer.tar' }, { path: 'manifest.json', body: manifest }], async (files) => {
    assert.deepEqual(await read(files), [[`${hex}/layer.tar`, 'L1'], ['b/layer.tar', 'L2']]);
  });
});

test('docker save: the config\'s diff ids go with the layers, to be checked when they are stored', async () => {
  const config = JSON.stringify({ rootfs: { diff_ids: [sha('a'), sha('b')] } });
  await both([{ path: 'c.json', body: config }, { path: 'a.tar', body: 'a' }, { path: 'b.tar', body: 'b' }, { path: 'manifest.json', body: JSON.stringify([{ Config: 'c.json', Layers: ['a.tar', 'b.tar'] }]) }], async (files) => {
    assert.deepEqual((await imageLayers(files)).map((l) => l.diffId), [sha('a').slice(7), sha('b').slice(7)]);
  });
});

test('OCI layers are found through the index, picking this machine\'s platform; manifests are checked against their digests', async () => {
  const layer = sha('tar');
  const mine = JSON.stringify({ layers: [{ digest: layer, size: 3 }] });
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64'] ?? process.arch;
  const index = { manifests: [{ digest: `sha256:${'3'.repeat(64)}`, platform: { os: 'linux', architecture: 'mips' } }, { digest: sha(mine), platform: { os: 'linux', architecture: arch } }] };
  const entries = [
    { path: 'oci-layout', body: '{}' },
    { path: 'index.json', body: JSON.stringify(index) },
    { path: `blobs/sha256/${sha(mine).slice(7)}`, body: mine },
    { path: `blobs/sha256/${layer.slice(7)}`, body: 'tar' },
  ];
  await both(entries, async (files) => {
    const [l] = await imageLayers(files);
    assert.deepEqual([l!.path, l!.digest, l!.size], [`blobs/sha256/${layer.slice(7)}`, layer, 3]);
  });
  // The manifest altered: refused before any layer is read.
  entries[2]!.body = mine.replace('3', '4');
  await both(entries, async (files) => {
    await assert.rejects(imageLayers(files), /refused: its blob sha256:[0-9a-f]{64} does not match its digest/);
  });
});

test('a dir: directory (skopeo copy … dir:) names its blobs by their hex digest', async () => {
  const manifest = JSON.stringify({ schemaVersion: 2, layers: [{ digest: sha('one'), size: 3 }, { digest: sha('two'), size: 3 }] });
  await both([{ path: 'manifest.json', body: manifest }, { path: sha('one').slice(7), body: 'one' }, { path: `${sha('two').slice(7)}.tar`, body: 'two' }, { path: 'version', body: 'Directory Transport Version: 1.1\n' }], async (files) => {
    assert.deepEqual(await read(files), [[sha('one').slice(7), 'one'], [`${sha('two').slice(7)}.tar`, 'two']]);
  });
});

const refusals: [string, E[], RegExp][] = [
  ['a layer path outside', [{ path: 'manifest.json', body: JSON.stringify([{ Layers: ['../../etc/passwd'] }]) }], /refused: its manifest\.json names "\.\.\/\.\.\/etc\/passwd", outside the (archive|directory)/],
  ['a link out of it', [{ path: 'l', type: 'SymbolicLink', linkpath: '../../x' }, { path: 'manifest.json', body: JSON.stringify([{ Layers: ['l'] }]) }], /refused: its (member )?"l" links to "\.\.\/\.\.\/x", outside/],
  ['an absolute link', [{ path: 'l', type: 'SymbolicLink', linkpath: '/etc/passwd' }, { path: 'manifest.json', body: JSON.stringify([{ Layers: ['l'] }]) }], /links to "\/etc\/passwd", outside/],
  ['a directory link out of it', [{ path: 'd', type: 'SymbolicLink', linkpath: '/etc' }, { path: 'manifest.json', body: JSON.stringify([{ Layers: ['d/passwd'] }]) }], /(refused: its "d" links to "\/etc", outside the directory|names "d\/passwd" in its manifest\.json, but the archive has no such file)/],
  ['a blob digest that is a path', [{ path: 'index.json', body: JSON.stringify({ manifests: [{ digest: 'sha256:../../etc/passwd' }] }) }], /refused: its index\.json names blob "sha256:\.\.\/\.\.\/etc\/passwd", which is not a digest/],
  ['a missing layer', [{ path: 'manifest.json', body: JSON.stringify([{ Layers: ['x/layer.tar'] }]) }], /names "x\/layer\.tar" in its manifest\.json, but the (archive|directory) has no such file/],
  ['two images', [{ path: 'manifest.json', body: JSON.stringify([{ Layers: [] }, { Layers: [] }]) }], /holds 2 images/],
  ['bad JSON', [{ path: 'manifest.json', body: '{' }], /has a manifest\.json that is not valid JSON/],
  ['a link loop', [{ path: 'l', type: 'SymbolicLink', linkpath: 'l' }, { path: 'manifest.json', body: JSON.stringify([{ Layers: ['l'] }]) }], /loop of links/],
];
for (const [what, entries, message] of refusals) {
  test(`an image layout with ${what} is refused, as a tar and as a directory`, async () => {
    await both(entries, async (files, kind) => {
      await assert.rejects(imageLayers(files), (err: Error) => {
        assert.match(err.message, new RegExp(`^${kind} .*a\\.tar `));
        assert.match(err.message, message);
        return true;
      });
    });
  });
}
