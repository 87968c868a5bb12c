import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Header } from 'tar/header';
import { LayerCheck, pathParts } from './layer-check.js';

type E = { path: string; type?: string; linkpath?: string; body?: string };

/** A tar archive from headers made by node-tar itself: no root, no files. */
function tarOf(entries: E[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const h = new Header({ path: e.path, type: (e.type ?? 'File') as Header['type'], size: body.length, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0), linkpath: e.linkpath });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function check(entries: E[]): Promise<{ digest: string; size: number }> {
  const c = await LayerCheck.create('t.tar');
  const tar = tarOf(entries);
  for (let i = 0; i < tar.length; i += 300) c.write(tar.subarray(i, i + 300));
  return c.end();
}

test('pathParts normalises and refuses paths that leave the root', () => {
  assert.deepEqual(pathParts('./a//b/'), ['a', 'b']);
  assert.deepEqual(pathParts('./'), []);
  assert.equal(pathParts('/etc/passwd'), null);
  assert.equal(pathParts('a/../../b'), null);
  assert.equal(pathParts('..'), null);
  assert.deepEqual(pathParts('a/..b'), ['a', '..b']);
});

test('a plain archive passes with its sha256 as the digest and its file bytes as size', async () => {
  const entries: E[] = [
    { path: 'bin/', type: 'Directory' },
    { path: 'bin/sh', body: 'x'.repeat(700) },
    { path: 'bin/ash', type: 'Link', linkpath: 'bin/sh' },
    { path: 'usr/', type: 'Directory' },
    { path: 'usr/bin', type: 'SymbolicLink', linkpath: '/bin' },
    { path: 'dev/', type: 'Directory' },
  ];
  const result = await check(entries);
  assert.equal(result.digest, createHash('sha256').update(tarOf(entries)).digest('hex'));
  assert.equal(result.size, 700);
});

const hostile: [string, E[], RegExp][] = [
  ['dot-dot path', [{ path: '../evil' }], /"\.\.\/evil" that points outside/],
  ['absolute path', [{ path: '/etc/evil' }], /"\/etc\/evil" that points outside/],
  ['write through a planted symlink', [{ path: 'link', type: 'SymbolicLink', linkpath: '/tmp' }, { path: 'link/x' }], /through the symlink "link"/],
  ['replace a planted symlink', [{ path: 'd', type: 'SymbolicLink', linkpath: '/etc' }, { path: 'd/', type: 'Directory' }], /through the symlink "d"/],
  ['hard link escaping', [{ path: 'p', type: 'Link', linkpath: '../../etc/passwd' }], /hard link "p" to "\.\.\/\.\.\/etc\/passwd", outside/],
  ['hard link to nothing', [{ path: 'p', type: 'Link', linkpath: 'etc/shadow' }], /not a file earlier in the archive/],
  ['hard link through a symlink', [{ path: 'l', type: 'SymbolicLink', linkpath: '/etc' }, { path: 'p', type: 'Link', linkpath: 'l/passwd' }], /through the symlink "l"/],
  ['unsupported entry type', [{ path: 'v', type: 'TapeVolumeHeader' }], /unsupported type/],
];
for (const [what, entries, message] of hostile) {
  test(`refuses an archive with a ${what}`, async () => {
    await assert.rejects(check([{ path: 'ok', body: 'fine' }, ...entries]), (err: Error) => {
      assert.match(err.message, /^archive t\.tar refused: it /);
      assert.match(err.message, message);
      return true;
    });
  });
}

test('refuses the hostile chunk itself, before it is passed on', async () => {
  const c = await LayerCheck.create('t.tar');
  const tar = tarOf([{ path: 'ok', body: 'fine' }, { path: '../evil' }]);
  c.write(tar.subarray(0, 1024)); // header and body of "ok"
  assert.throws(() => c.write(tar.subarray(1024, 1536)), /refused/);
});

test('refuses garbage, truncation and empty input', async () => {
  const garbage = await LayerCheck.create('g');
  assert.throws(() => { garbage.write(Buffer.alloc(2048, 0x41)); garbage.end(); }, /not a valid tar archive/);
  const cut = await LayerCheck.create('c');
  assert.throws(() => { cut.write(tarOf([{ path: 'f', body: 'y'.repeat(2000) }]).subarray(0, 1024)); cut.end(); }, /not a valid tar archive \(Truncated/);
  const empty = await LayerCheck.create('e');
  assert.throws(() => { empty.write(Buffer.alloc(1024)); empty.end(); }, /not a valid tar archive \(Unrecognized archive format/);
});
