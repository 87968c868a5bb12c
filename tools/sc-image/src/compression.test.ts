import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decompress, detectCompression, peek } from './compression.js';

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p, 'latin1');
}

test('compression is told by magic bytes', () => {
  assert.equal(detectCompression(gzipSync(Buffer.from('x'))), 'gzip');
  assert.equal(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])), 'zstd');
  assert.equal(detectCompression(Buffer.from('BZh91AY')), 'bzip2');
  assert.equal(detectCompression(Buffer.from('bin/\0\0\0')), 'none');
  assert.equal(detectCompression(Buffer.from([0x1f])), 'none');
  assert.equal(detectCompression(Buffer.alloc(0)), 'none');
});

test('peek returns the head and still yields every byte, across small chunks', async () => {
  const { head, all } = await peek(chunks('ab', 'c', 'defg', 'hij'), 6);
  assert.equal(head.toString(), 'abcdef');
  assert.equal((await collect(all)).toString(), 'abcdefghij');
});

test('peek on a stream shorter than the head', async () => {
  const { head, all } = await peek(chunks('ab'), 6);
  assert.equal(head.toString(), 'ab');
  assert.equal((await collect(all)).toString(), 'ab');
});

test('gzip is decompressed in-process; plain passes through', async () => {
  const data = Buffer.from('hello layer '.repeat(1000));
  const gz = gzipSync(data);
  const { head, all } = await peek(chunks(gz.subarray(0, 3).toString('latin1'), gz.subarray(3).toString('latin1')), 6);
  assert.equal(detectCompression(head), 'gzip');
  assert.deepEqual(await collect(decompress('gzip', all)), data);
  assert.deepEqual(await collect(decompress('none', chunks('plain'))), Buffer.from('plain'));
});

test('broken gzip is an error, not silence', async () => {
  const gz = gzipSync(Buffer.from('x'.repeat(10000)));
  await assert.rejects(collect(decompress('gzip', chunks(gz.subarray(0, gz.length / 2).toString('latin1')))));
});
