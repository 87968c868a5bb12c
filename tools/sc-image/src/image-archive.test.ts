import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Header } from 'tar/header';
import { archiveKind, ImageArchive } from './image-archive.js';
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

async function open(entries: E[]): Promise<ImageArchive> {
  const dir = mkdtempSync(join(tmpdir(), 'sc-image-unit-'));
  try {
    writeFileSync(join(dir, 'a.tar'), tarOf(entries));
    return await ImageArchive.open(join(dir, 'a.tar'), 'a.tar');
  } finally {
    rmSync(dir, { recursive: true, force: true }); // the archive keeps its open descriptor
  }
}

const hex = 'ab'.repeat(32);

test('members are listed with their body offsets, long names included', async () => {
  const long = `d/${'x'.repeat(150)}`;
  // GNU tar's long-name header, then the entry with its name cut to 100 characters.
  const tar = tarOf([{ path: 'a', body: 'hello' }, { path: '././@LongLink', type: 'NextFileHasLongPath', body: `${long}\0` }, { path: long.slice(0, 100), body: 'y' }]);
  const members = [];
  for await (const m of tarMembers(bufferReader(tar))) members.push(m);
  assert.deepEqual(members.map((m) => [m.path, m.offset, m.size]), [['a', 512, 5], [long, members[1]!.offset, 1]]);
  assert.equal(tar.subarray(members[1]!.offset, members[1]!.offset + 1).toString(), 'y');
});

test('an image archive is told from a rootfs by its first entry', async () => {
  assert.equal(await archiveKind(tarOf([{ path: 'manifest.json' }])), 'image');
  assert.equal(await archiveKind(tarOf([{ path: './', type: 'Directory' }, { path: './oci-layout' }])), 'image');
  assert.equal(await archiveKind(tarOf([{ path: `${hex}/`, type: 'Directory' }])), 'image');
  assert.equal(await archiveKind(tarOf([{ path: './', type: 'Directory' }, { path: './etc/', type: 'Directory' }])), 'rootfs');
  assert.equal(await archiveKind(tarOf([{ path: 'bin/sh' }])), 'rootfs');
  assert.equal(await archiveKind(Buffer.alloc(100, 0x41)), 'rootfs');
});

test('docker save layers are found in manifest order, through the links docker writes', async () => {
  const manifest = JSON.stringify([{ Layers: [`${hex}/layer.tar`, 'b/layer.tar'] }]);
  const a = await open([{ path: `${hex}/layer.tar`, body: 'L1' }, { path: 'c/layer.tar', body: 'L2' }, { path: 'b/layer.tar', type: 'SymbolicLink', linkpath: '../c/layer.tar' }, { path: 'manifest.json', body: manifest }]);
  assert.deepEqual(a.layers().map((m) => [m.path, m.size]), [[`${hex}/layer.tar`, 2], ['c/layer.tar', 2]]);
});

test('OCI layers are found through the index, picking this machine\'s platform', async () => {
  const layer = `sha256:${'1'.repeat(64)}`;
  const mine = `sha256:${'2'.repeat(64)}`;
  const other = `sha256:${'3'.repeat(64)}`;
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64'] ?? process.arch;
  const index = { manifests: [{ digest: other, platform: { os: 'linux', architecture: 'mips' } }, { digest: mine, platform: { os: 'linux', architecture: arch } }] };
  const a = await open([
    { path: 'index.json', body: JSON.stringify(index) },
    { path: `blobs/sha256/${'2'.repeat(64)}`, body: JSON.stringify({ layers: [{ digest: layer }] }) },
    { path: `blobs/sha256/${'1'.repeat(64)}`, body: 'tar' },
  ]);
  assert.deepEqual(a.layers().map((m) => m.path), [`blobs/sha256/${'1'.repeat(64)}`]);
});

const refusals: [string, E[], RegExp][] = [
  ['a layer path outside', [{ path: 'manifest.json', body: JSON.stringify([{ Layers: ['../../etc/passwd'] }]) }], /refused: its manifest\.json names "\.\.\/\.\.\/etc\/passwd", outside the archive/],
  ['a link out of the archive', [{ path: 'l', type: 'SymbolicLink', linkpath: '../../x' }, { path: 'manifest.json', body: JSON.stringify([{ Layers: ['l'] }]) }], /refused: its member "l" links to "\.\.\/\.\.\/x", outside/],
  ['an absolute link', [{ path: 'l', type: 'SymbolicLink', linkpath: '/etc/passwd' }, { path: 'manifest.json', body: JSON.stringify([{ Layers: ['l'] }]) }], /links to "\/etc\/passwd", outside/],
  ['a blob digest that is a path', [{ path: 'index.json', body: JSON.stringify({ manifests: [{ digest: 'sha256:../../etc/passwd' }] }) }], /refused: its index\.json names blob "sha256:\.\.\/\.\.\/etc\/passwd", which is not a digest/],
  ['a missing layer', [{ path: 'manifest.json', body: JSON.stringify([{ Layers: ['x/layer.tar'] }]) }], /a\.tar names "x\/layer\.tar" in its manifest\.json, but the archive has no such file/],
  ['two images', [{ path: 'manifest.json', body: JSON.stringify([{ Layers: [] }, { Layers: [] }]) }], /holds 2 images/],
  ['bad JSON', [{ path: 'manifest.json', body: '{' }], /has a manifest\.json that is not valid JSON/],
  ['a link loop', [{ path: 'l', type: 'SymbolicLink', linkpath: 'l' }, { path: 'manifest.json', body: JSON.stringify([{ Layers: ['l'] }]) }], /loop of links/],
];
for (const [what, entries, message] of refusals) {
  test(`an image archive with ${what} is refused`, async () => {
    const a = await open(entries);
    assert.throws(() => a.layers(), (err: Error) => {
      assert.match(err.message, /^archive a\.tar /);
      assert.match(err.message, message);
      return true;
    });
  });
}
