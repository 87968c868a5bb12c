import { programOutput } from './program-output.js';

export type Compression = 'gzip' | 'xz' | 'zstd' | 'bzip2' | 'none';

const MAGIC: [Compression, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];

/** What a stream is compressed with, from its first bytes (never from a file name). */
export function detectCompression(head: Uint8Array): Compression {
  for (const [kind, magic] of MAGIC) if (magic.every((b, i) => head[i] === b)) return kind;
  return 'none';
}

/** The first `n` bytes of a stream, and the whole stream (those bytes included) to read on. */
export async function peek(input: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    first.push(r.value);
    have += r.value.length;
  }
  async function* all() {
    yield* first;
    if (!done) for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head: Buffer.concat(first).subarray(0, n), all: all() };
}

const PACKAGE: Record<string, string> = { xz: 'xz-utils', zstd: 'zstd', bzip2: 'bzip2' };

/** The uncompressed bytes of a (possibly compressed) stream: gzip in-process, the others through Debian's own tools. */
export function decompress(kind: Compression, input: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  if (kind === 'none') return input;
  if (kind === 'gzip') return gunzip(input);
  return viaProgram(kind, input);
}

// zlib and streams are imported when an archive is read, not at every start of the tool.
async function* gunzip(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const [{ createGunzip }, { Readable, pipeline }] = await Promise.all([import('node:zlib'), import('node:stream')]);
  const gz = createGunzip();
  pipeline(Readable.from(input), gz, () => {});
  for await (const chunk of gz) yield chunk as Buffer;
}

function viaProgram(program: string, input: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  return programOutput(program, ['-dc'], {
    input,
    missing: `the archive is ${program}-compressed but ${program} is not installed (apt-get install ${PACKAGE[program]})`,
    failure: `${program} cannot decompress the archive`,
  });
}
