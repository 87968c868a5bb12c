import { paxRecords } from './whiteouts.js';

const OPAQUE = 'SCHILY.xattr.trusted.overlay.opaque';

type HeaderClass = typeof import('tar/header').Header;

/** One record of a pax extended header: its key, and its bytes as they were ("LEN key=value\n"). */
interface PaxRecord { key: string; value: Buffer; raw: Buffer }

/**
 * A stored layer's tar (GNU tar, --format=posix) as image archives carry layers: overlay's whiteouts
 * become AUFS ones, as `docker save`, Podman and containerd read them. A 0/0 character device NAME
 * becomes an empty file `.wh.NAME`; a directory marked trusted.overlay.opaque=y loses the mark and gains
 * a `.wh..wh..opq` file, right after it. Everything else passes through byte for byte, bodies streamed.
 */
export async function* overlayToAufs(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const { Header } = await import('tar/header');
  const it = input[Symbol.asyncIterator]();
  let buf: Buffer = Buffer.alloc(0);
  let ended = false;
  const fill = async (n: number): Promise<boolean> => {
    while (buf.length < n && !ended) {
      const r = await it.next();
      if (r.done) ended = true;
      else buf = buf.length === 0 ? r.value : Buffer.concat([buf, r.value]);
    }
    return buf.length >= n;
  };
  const take = (n: number): Buffer => {
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  let pax: { header: Buffer; body: Buffer; records: PaxRecord[] } | undefined;
  while (await fill(512)) {
    const block = take(512);
    if (block.every((b) => b === 0)) {
      // The end-of-archive blocks, and whatever padding follows them.
      yield block;
      if (buf.length > 0) yield buf;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      return;
    }
    const h = new Header(block);
    if (!h.cksumValid) throw new Error('the layer tar has a bad header checksum');
    const size = h.size ?? 0;
    const padded = Math.ceil(size / 512) * 512;
    if (h.type === 'ExtendedHeader') {
      if (!(await fill(padded))) throw new Error('the layer tar ends in a pax header');
      const body = take(padded);
      pax = { header: block, body, records: parsePax(body.subarray(0, size)) };
      continue;
    }
    const records = pax?.records ?? [];
    const path = (records.find((r) => r.key === 'path')?.value.toString() ?? h.path ?? '').replace(/\/+$/, '');
    const mtime = records.find((r) => r.key === 'mtime')?.value.toString();
    if (h.type === 'CharacterDevice' && h.devmaj === 0 && h.devmin === 0) {
      const slash = path.lastIndexOf('/');
      yield* whiteoutEntry(Header, `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, h.mtime, mtime);
      pax = undefined;
      if (!(await fill(padded))) throw new Error('the layer tar ends in an entry');
      take(padded);
      continue;
    }
    if (pax) {
      const opaque = h.type === 'Directory' && pax.records.some((r) => r.key === OPAQUE && r.value.toString() === 'y');
      if (opaque) {
        const kept = Buffer.concat(pax.records.filter((r) => r.key !== OPAQUE).map((r) => r.raw));
        if (kept.length > 0) yield* paxHeader(Header, kept);
      } else yield* [pax.header, pax.body];
      pax = undefined;
      if (opaque) {
        yield block;
        yield* whiteoutEntry(Header, `${path}/.wh..wh..opq`, h.mtime, mtime);
        continue;
      }
    }
    yield block;
    for (let left = padded; left > 0; ) {
      if (buf.length === 0 && !(await fill(1))) throw new Error('the layer tar ends in an entry');
      const part = take(Math.min(left, buf.length));
      left -= part.length;
      yield part;
    }
  }
  if (buf.length > 0 || pax) throw new Error('the layer tar ends in a header');
}

/** An empty regular file at `path`, root's, its path and mtime in a pax header (paths may be long). */
function* whiteoutEntry(Header: HeaderClass, path: string, mtime: Date | undefined, paxMtime: string | undefined): Generator<Buffer> {
  yield* paxHeader(Header, paxRecords({ path, ...(paxMtime ? { mtime: paxMtime } : {}) }));
  yield header(Header, { path: path.slice(0, 99), type: 'File', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: mtime ?? new Date(0) });
}

function* paxHeader(Header: HeaderClass, body: Buffer): Generator<Buffer> {
  yield header(Header, { path: 'PaxHeader', type: 'ExtendedHeader', size: body.length, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) });
  yield Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

function header(Header: HeaderClass, data: ConstructorParameters<HeaderClass>[0] & object): Buffer {
  const block = Buffer.alloc(512);
  new Header(data).encode(block, 0);
  return block;
}

/** The records of a pax header body, kept as bytes: xattr values are binary. */
export function parsePax(body: Buffer): PaxRecord[] {
  const records: PaxRecord[] = [];
  for (let off = 0; off < body.length; ) {
    const space = body.indexOf(0x20, off);
    const length = Number(body.subarray(off, space).toString());
    if (space < 0 || !Number.isInteger(length) || length <= space - off || off + length > body.length) throw new Error('the layer tar has a bad pax header');
    const raw = body.subarray(off, off + length);
    const record = raw.subarray(space - off + 1, raw.length - 1);
    const eq = record.indexOf(0x3d);
    records.push({ key: record.subarray(0, eq).toString(), value: record.subarray(eq + 1), raw });
    off += length;
  }
  return records;
}
