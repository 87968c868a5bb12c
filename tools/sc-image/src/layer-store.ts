import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { run, StepError, type Layout } from '@sc/core';
import { EXACT_TAR } from './gnu-tar.js';
import { LayerCheck, type Whiteout } from './layer-check.js';
import { applyWhiteouts } from './whiteouts.js';

export interface LayerInfo { digest: string; size: number }
/** A layer in the store: `created` is false when the store had it already; `top` is what stands at its top (name → entry type). */
export interface StoredLayer extends LayerInfo { created: boolean; top: Map<string, string> }
/**
 * allowEmpty: an empty archive is a valid layer of a layered image (not a valid rootfs).
 * file: the same tar as a plain file, which GNU tar then reads by itself while the check reads the stream.
 * verify: a last check of the layer once read whole (its blob's digest, its own), before it is kept.
 */
export interface LayerOptions { allowEmpty?: boolean; file?: string; verify?: (info: LayerInfo) => void }

/** Read a layer tar through the safety check only: its digest and size, nothing written. */
export async function inspectLayer(tar: AsyncIterable<Buffer>, label: string, options: LayerOptions = {}): Promise<LayerInfo> {
  const check = await LayerCheck.create(label, options);
  for await (const chunk of tar) check.write(chunk);
  const info = check.end();
  options.verify?.(info);
  return info;
}

/** A layer tar extracted and checked into a temp dir of the store, not yet among its layers. */
export class ExtractedLayer {
  constructor(readonly dir: string, readonly info: LayerInfo, readonly top: Map<string, string>, private readonly whiteouts: Whiteout[]) {}

  /** Into layers/<digest>, AUFS whiteouts made overlay's; or thrown away when the store has it already. */
  async keep(layout: Layout): Promise<StoredLayer> {
    try {
      await applyWhiteouts(this.dir, this.whiteouts);
      try {
        renameSync(this.dir, layout.layer(this.info.digest));
        return { ...this.info, top: this.top, created: true };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
        return { ...this.info, top: this.top, created: false }; // another image already holds this exact layer: share it
      }
    } finally {
      this.discard();
    }
  }

  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Extract a layer tar into a temp dir of the store, checking every entry. From a stream the check sees
 * each chunk before GNU tar does. From a plain file both read it side by side (measured: the pipe through
 * Node made the import of a 128 MB rootfs 3x GNU tar's time on a warm cache); GNU tar itself keeps every
 * member inside the temp dir (it strips '/', refuses '..' and delays symlinks that point out), and a
 * refusal of the check throws the whole temp dir away. A refused or broken archive leaves nothing.
 */
export async function extractLayer(layout: Layout, tar: AsyncIterable<Buffer>, label: string, options: LayerOptions = {}): Promise<ExtractedLayer> {
  const check = await LayerCheck.create(label, options);
  mkdirSync(layout.tmp, { recursive: true });
  mkdirSync(layout.layers, { recursive: true });
  const tmp = mkdtempSync(join(layout.tmp, 'layer-'));
  try {
    chmodSync(tmp, 0o755); // the layer's root, unless the archive carries its own "./" entry
    let info: LayerInfo | undefined;
    let failure: unknown;
    async function* checked() {
      try {
        for await (const chunk of tar) {
          check.write(chunk);
          yield chunk;
        }
        info = check.end();
      } catch (err) {
        failure = err;
        throw err;
      }
    }
    const feed = checked();
    const drain = async () => { for await (const _ of feed) { /* through the check */ } };
    try {
      if (options.file) {
        const [extracted] = await Promise.allSettled([run('tar', [...EXACT_TAR, '-xpf', options.file, '-C', tmp]), drain()]);
        if (failure) throw failure;
        if (extracted.status === 'rejected') throw extracted.reason;
      } else {
        await run('tar', [...EXACT_TAR, '-xpf', '-', '-C', tmp], { stdin: feed });
        // GNU tar may stop at the end-of-archive blocks: the check still reads (and hashes) the padding after them.
        if (!info && !failure) await drain();
      }
    } catch (err) {
      // The check's (or the decompressor's) reason beats tar's complaint about its cut-off input.
      if (failure instanceof StepError) throw failure;
      // GNU tar says "Wrote only 2048 of 10240 bytes" when the disk fills: say what it means, and where.
      if (!failure && isFull(tmp)) throw new StepError('ENOSPC', `no space left on device for the layers in ${layout.layers}: free some, or import into a data root with room`, (err as StepError).detail);
      const why = ((failure ?? err) as Error).message;
      throw new StepError('EBADARCHIVE', `archive ${label} could not be ${failure ? 'read' : 'extracted'}: ${why}`);
    }
    if (!info) throw new StepError('EBADARCHIVE', `archive ${label} was not read to its end`);
    options.verify?.(info);
    return new ExtractedLayer(tmp, info, check.top, check.whiteouts);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Extract a layer tar into <root>/layers/<sha256 of the tar> (see extractLayer). */
export async function storeLayer(layout: Layout, tar: AsyncIterable<Buffer>, label: string, options: LayerOptions = {}): Promise<StoredLayer> {
  return (await extractLayer(layout, tar, label, options)).keep(layout);
}

/** Move a layer out of layers/ first, so a half-deleted layer is never mistaken for a whole one. */
export function removeLayer(layout: Layout, digest: string): void {
  mkdirSync(layout.tmp, { recursive: true });
  const trash = mkdtempSync(join(layout.tmp, 'rm-'));
  try {
    renameSync(layout.layer(digest), join(trash, digest));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    rmSync(trash, { recursive: true, force: true });
  }
}

/** The filesystem holding DIR has (next to) no room left: less than 64 KiB free for root. */
function isFull(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.bfree * fs.bsize < 64 * 1024;
  } catch {
    return false;
  }
}
