import { lstatSync, rmSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { run } from '@sc/core';
import { EXACT_TAR } from './gnu-tar.js';
import type { Whiteout } from './layer-check.js';

/**
 * Turn a freshly extracted layer's AUFS whiteouts into overlay's: `.wh.NAME` becomes a 0/0 character
 * device NAME, `.wh..wh..opq` the xattr trusted.overlay.opaque=y on its directory, other `.wh..wh.`
 * entries go. Node can neither mknod nor setxattr, so GNU tar extracts a small archive of those
 * entries; it also puts back each touched directory's mode, owner and mtime (to the nanosecond).
 */
export async function applyWhiteouts(layer: string, whiteouts: Whiteout[]): Promise<void> {
  if (whiteouts.length === 0) return;
  const dirs = new Map<string, { stat: BigIntStats; opaque: boolean }>();
  const devices: { path: string; stat: BigIntStats }[] = [];
  for (const w of whiteouts) {
    const dir = w.entry.slice(0, -1).join('/') || '.';
    const entry = dirs.get(dir) ?? { stat: lstatSync(join(layer, dir), { bigint: true }), opaque: false };
    dirs.set(dir, entry);
    if (w.kind === 'opaque') entry.opaque = true;
    if (w.kind === 'hide') devices.push({ path: join(dir, w.entry.at(-1)!.slice(4)), stat: lstatSync(join(layer, ...w.entry), { bigint: true }) });
  }
  for (const w of whiteouts) rmSync(join(layer, ...w.entry), { recursive: true, force: true });
  const { Header } = await import('tar/header');
  const blocks: Buffer[] = [];
  const add = (path: string, type: 'CharacterDevice' | 'Directory', stat: BigIntStats, mode: number, xattrs: Record<string, string>) => {
    const pax = paxRecords({ path, mtime: nanoTime(stat), ...xattrs });
    blocks.push(header(Header, { path: 'PaxHeader', type: 'ExtendedHeader', size: pax.length }), padded(pax));
    blocks.push(header(Header, { path: path.slice(0, 99), type, mode, uid: Number(stat.uid), gid: Number(stat.gid), size: 0, devmaj: 0, devmin: 0 }));
  };
  for (const d of devices) add(d.path, 'CharacterDevice', d.stat, 0, {});
  for (const [dir, { stat, opaque }] of dirs)
    add(dir, 'Directory', stat, Number(stat.mode) & 0o7777, opaque ? { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } : {});
  blocks.push(Buffer.alloc(1024));
  await run('tar', [...EXACT_TAR, '-xpf', '-', '-C', layer], { stdin: Buffer.concat(blocks) });
}

type HeaderClass = typeof import('tar/header').Header;

function header(Header: HeaderClass, data: ConstructorParameters<HeaderClass>[0] & object): Buffer {
  const block = Buffer.alloc(512);
  new Header({ mtime: new Date(0), ...data }).encode(block, 0);
  return block;
}

function padded(body: Buffer): Buffer {
  return Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

function nanoTime(stat: BigIntStats): string {
  const ns = stat.mtimeNs;
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`;
}

/** A pax extended header body: "LEN key=value\n" records, LEN counting itself. */
export function paxRecords(fields: Record<string, string>): Buffer {
  const records = Object.entries(fields).map(([key, value]) => {
    const rest = Buffer.byteLength(` ${key}=${value}\n`);
    let len = rest + 1;
    while (String(len).length + rest !== len) len = String(len).length + rest;
    return `${len} ${key}=${value}\n`;
  });
  return Buffer.from(records.join(''));
}
