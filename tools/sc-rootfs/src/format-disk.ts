import { closeSync, existsSync, ftruncateSync, openSync, renameSync, rmSync } from 'node:fs';
import { programCause, run, StepError, type Layout } from '@sc/core';
import { partialDiskImage } from './paths.js';

/** Below this mke2fs picks its "small" type (1K blocks, an inode per 4K), which costs a 64M disk a tenth of its room. */
const SMALL_DISK = 512 * 2 ** 20;

/**
 * Make container NAME's disk the first time: a sparse file of SIZE bytes (the host pays for what is
 * written), formatted ext4 with no blocks reserved for root (root inside is who fills it), renamed into
 * place only once formatted.
 */
export async function formatDisk(layout: Layout, name: string, size: number): Promise<void> {
  const image = layout.diskImage(name);
  if (existsSync(image)) return;
  const partial = partialDiskImage(layout, name);
  rmSync(partial, { force: true }); // a format killed half-way
  try {
    const fd = openSync(partial, 'wx', 0o600);
    try {
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
    const type = size < SMALL_DISK ? ['-T', 'default'] : [];
    // The new file reads as zeros already: zeroing the journal would only make the host pay for it now (512M of a 100G disk).
    await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'root_owner=0:0,lazy_journal_init=1', ...type, partial]);
    renameSync(partial, image);
  } catch (err) {
    rmSync(partial, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? 'EFORMAT';
    const cause = code === 'EFBIG' ? `${size} bytes is more than the data root's filesystem holds in one file` : programCause(err);
    throw new StepError(code, `cannot format ${image}: ${cause}`);
  }
}
