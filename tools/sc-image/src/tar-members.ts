import type { HeaderData } from 'tar/header';

/** One entry of a tar archive, where its body lies in the archive. */
export interface Member {
  path: string;
  type: string;
  linkpath?: string;
  /** Byte offset of the body, and its length. */
  offset: number;
  size: number;
}

/** Reads `length` bytes at `offset`; fewer at the end of the data. */
export type ReadAt = (offset: number, length: number) => Buffer;

export class TruncatedTar extends Error {}

/**
 * The entries of an uncompressed tar, header by header, bodies skipped (so an image archive of
 * hundreds of MB is indexed by reading a few KB). Pax and GNU long-name headers are applied.
 * Throws TruncatedTar when the data ends before the archive does, Error on a bad header.
 */
export async function* tarMembers(read: ReadAt): AsyncGenerator<Member> {
  const [{ Header }, { Pax }] = await Promise.all([import('tar/header'), import('tar/pax')]);
  let ex: HeaderData | undefined;
  let gex: HeaderData | undefined;
  for (let off = 0; ; ) {
    const block = read(off, 512);
    if (block.length < 512) throw new TruncatedTar('the archive ends in the middle of an entry');
    if (block.every((b) => b === 0)) return;
    const h = new Header(block, 0, ex, gex);
    if (!h.cksumValid) throw new Error(`is not a valid tar archive (bad header checksum at byte ${off})`);
    const size = h.size ?? 0;
    const body = off + 512;
    const text = () => {
      const b = read(body, size);
      if (b.length < size) throw new TruncatedTar('the archive ends in the middle of an entry');
      return b.toString('utf8');
    };
    switch (h.type) {
      case 'ExtendedHeader': ex = Pax.parse(text(), ex, false); break;
      case 'GlobalExtendedHeader': gex = Pax.parse(text(), gex, true); break;
      case 'NextFileHasLongPath': ex = { ...ex, path: text().replace(/\0.*$/s, '') }; break;
      case 'NextFileHasLongLinkpath': ex = { ...ex, linkpath: text().replace(/\0.*$/s, '') }; break;
      default:
        // A pax or GNU long path is the whole path (node-tar's Header would still prepend a ustar prefix).
        yield { path: ex?.path ?? h.path ?? '', type: h.type, linkpath: ex?.linkpath ?? (h.linkpath || undefined), offset: body, size };
        ex = undefined;
    }
    off = body + Math.ceil(size / 512) * 512;
  }
}

/** A ReadAt over bytes in memory (the head of a stream). */
export function bufferReader(buf: Buffer): ReadAt {
  return (offset, length) => buf.subarray(offset, offset + length);
}
