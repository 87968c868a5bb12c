import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Header } from 'tar/header';
import { overlayToAufs, parsePax } from './aufs-whiteouts.js';
import { bufferReader, tarMembers } from './tar-members.js';
import { paxRecords } from './whiteouts.js';

type E = { path: string; type?: string; body?: string; pax?: Record<string, string>; devmaj?: number; devmin?: number };

function block(data: ConstructorParameters<typeof Header>[0] & object): Buffer {
  const b = Buffer.alloc(512);
  new Header({ mode: 0o644, uid: 0, gid: 0, mtime: new Date(1_700_000_000_000), ...data }).encode(b, 0);
  return b;
}
const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

/** Entries as GNU tar --format=posix writes them: a pax header before each one that has records. */
function tarOf(entries: E[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const body = paxRecords(e.pax);
      blocks.push(block({ path: `PaxHeaders/${e.path}`, type: 'ExtendedHeader', size: body.length }), pad(body));
    }
    const body = Buffer.from(e.body ?? '');
    blocks.push(block({ path: e.path, type: (e.type ?? 'File') as Header['type'], size: body.length, devmaj: e.devmaj ?? 0, devmin: e.devmin ?? 0 }), pad(body));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function rewrite(tar: Buffer, chunk = 300): Promise<Buffer> {
  async function* chunks() { for (let i = 0; i < tar.length; i += chunk) yield tar.subarray(i, i + chunk); }
  const out: Buffer[] = [];
  for await (const b of overlayToAufs(chunks())) out.push(b);
  return Buffer.concat(out);
}

async function listing(tar: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const m of tarMembers(bufferReader(tar))) out.push(`${m.path} ${m.type} ${tar.subarray(m.offset, m.offset + m.size).toString()}`);
  return out;
}

test('overlay whiteouts become AUFS ones: a 0/0 device a .wh. file, an opaque directory a .wh..wh..opq inside it', async () => {
  const long = `d/${'x'.repeat(120)}`;
  const tar = tarOf([
    { path: 'etc/', type: 'Directory', pax: { mtime: '1700000000.5' } },
    { path: 'etc/gone', type: 'CharacterDevice', pax: { mtime: '1700000000.25' } },
    { path: 'etc/keep', body: 'kept\n', pax: { 'SCHILY.xattr.user.x': 'y' } },
    { path: 'dev/', type: 'Directory' },
    { path: 'dev/null', type: 'CharacterDevice', devmaj: 1, devmin: 3 },
    { path: 'opq/', type: 'Directory', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.user.keep': 'me' } },
    { path: 'opq/new', body: 'n' },
    { path: long, type: 'CharacterDevice', pax: { path: long } },
  ]);
  for (const chunk of [1, 300, 512, 100_000]) {
    const out = await rewrite(tar, chunk);
    assert.deepEqual(await listing(out), [
      'etc/ Directory ', 'etc/.wh.gone File ', 'etc/keep File kept\n', 'dev/ Directory ', 'dev/null CharacterDevice ',
      'opq/ Directory ', 'opq/.wh..wh..opq File ', 'opq/new File n', `d/.wh.${'x'.repeat(120)} File `,
    ], `chunks of ${chunk}`);
  }
  // The opaque mark is gone, other xattrs of the directory stay; untouched entries are byte for byte the same.
  const out = await rewrite(tar);
  assert.ok(!out.toString('latin1').includes('trusted.overlay.opaque'));
  assert.ok(out.toString('latin1').includes('SCHILY.xattr.user.keep=me'));
  assert.deepEqual(parsePax(paxRecords({ a: 'b', 'SCHILY.xattr.user.bin': '\u0000\u00ff' })).map((r) => [r.key, r.value.length]), [['a', 1], ['SCHILY.xattr.user.bin', 3]]);
  assert.deepEqual(out.subarray(0, 1024), tar.subarray(0, 1024), 'etc/ and its pax header');
});

test('a layer without whiteouts passes through unchanged; a cut or broken one is an error', async () => {
  const tar = tarOf([{ path: 'a/', type: 'Directory' }, { path: 'a/b', body: 'x'.repeat(1500), pax: { mtime: '1.5' } }]);
  assert.deepEqual(await rewrite(tar, 700), tar);
  await assert.rejects(rewrite(tar.subarray(0, 2100)), /ends in an entry/);
  await assert.rejects(rewrite(tar.subarray(0, 1600)), /ends in a header/);
  const bad = Buffer.from(tar);
  bad[0] = 0x41;
  await assert.rejects(rewrite(bad), /bad header checksum/);
});
