import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run, StepError, type Layout } from '@sc/core';
import { LayerCheck } from './layer-check.js';

/** GNU tar flags that reproduce an archive exactly: modes, owners by number, xattrs, devices, mtimes. */
export const EXACT_TAR = ['--xattrs', '--xattrs-include=*', '--numeric-owner'];

export interface LayerInfo { digest: string; size: number }

/** Read a layer tar through the safety check only: its digest and size, nothing written. */
export async function inspectLayer(tar: AsyncIterable<Buffer>, label: string): Promise<LayerInfo> {
  const check = await LayerCheck.create(label);
  for await (const chunk of tar) check.write(chunk);
  return check.end();
}

/**
 * Extract a layer tar into <root>/layers/<sha256 of the tar>, checking every entry on the way in one
 * read: the check sees each chunk before GNU tar does. A refused or broken archive leaves nothing.
 */
export async function storeLayer(layout: Layout, tar: AsyncIterable<Buffer>, label: string): Promise<LayerInfo> {
  const check = await LayerCheck.create(label);
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
    try {
      await run('tar', [...EXACT_TAR, '-xpf', '-', '-C', tmp], { stdin: checked() });
    } catch (err) {
      // The check's (or the decompressor's) reason beats tar's complaint about its cut-off input.
      if (failure instanceof StepError) throw failure;
      const why = ((failure ?? err) as Error).message;
      throw new StepError('EBADARCHIVE', `archive ${label} could not be ${failure ? 'read' : 'extracted'}: ${why}`);
    }
    if (!info) throw new StepError('EBADARCHIVE', `archive ${label} was not read to its end`);
    const dir = layout.layer(info.digest);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      // Another image already holds this exact layer: share it.
    }
    return info;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
