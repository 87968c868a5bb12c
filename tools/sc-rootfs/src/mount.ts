import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError, isMountPoint, libexecPath, mountDisk, mountOptions, requireField, run, StepError, type StreamVerb } from '@sc/core';
import { formatDisk } from './format-disk.js';
import { rootfsPaths } from './paths.js';

export const mount: StreamVerb = {
  kind: 'forward',
  summary: "mount the container's overlay: the image's layers read-only under its own upper layer (nodev; idmapped with --userns); " +
    'with spec.disk, that layer is on a disk of its own (an ext4 image, formatted the first time)',
  reads: 'name image.layers spec.privileged spec.disk userns',
  writes: 'rootfs',
  needs(doc) {
    requireField(doc, 'image.layers', 'pipe it through sc-image resolve first');
    const disk = doc.spec.disk;
    if (disk !== undefined && (typeof disk !== 'number' || !Number.isSafeInteger(disk) || disk < 32 * 2 ** 20))
      throw new InputError(`${doc.name}: spec.disk ${JSON.stringify(disk)} is not a size in bytes of at least 32M`);
  },
  async each(doc, ctx) {
    const layers = doc.image!.layers;
    if (!Array.isArray(layers) || layers.length === 0) throw new InputError(`${doc.name}: image.layers is empty`);
    for (const layer of layers) {
      // Only layers of our own store become lowerdirs.
      if (typeof layer !== 'string' || dirname(layer) !== ctx.layout.layers || /[:,\\=]/.test(layer))
        throw new InputError(`${doc.name}: image.layers entry ${JSON.stringify(layer)} is not a layer of ${ctx.layout.layers}`);
    }
    const paths = rootfsPaths(ctx.layout, doc);
    if (doc.spec.disk) {
      await formatDisk(ctx.layout, doc.name, doc.spec.disk);
      await mountDisk(ctx.layout, doc.name, 'rw');
    }
    // The upper layer's root is the container's "/": open to its users, closed to the host's by the data root.
    mkdirSync(paths.upper, { recursive: true });
    chmodSync(paths.upper, 0o755);
    for (const dir of [paths.work, paths.merged]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isMountPoint(paths.merged)) {
      if (doc.spec.disk) freeOverlayWorkDir(paths.work);
      await run(libexecPath('sc-overlay'), overlayArgs(doc, layers, paths));
      if (mountOptions(paths.merged)?.includes('ro')) {
        await run('umount', [paths.merged]);
        throw new StepError('EROFS', `the overlay on ${paths.upper} could only be mounted read-only (is its disk full? dmesg says why)`);
      }
    }
    doc.rootfs = { ...paths, mounted: true };
  },
};

/**
 * Overlay makes WORK/work anew at each mount. On a full disk, the blocks of the one it removes are not
 * yet free when it asks (its mount then falls back to read-only): remove it first and commit the removal.
 */
function freeOverlayWorkDir(work: string): void {
  const stale = join(work, 'work');
  if (!existsSync(stale)) return;
  rmSync(stale, { recursive: true, force: true });
  const fd = openSync(work, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** sc-overlay's command line: device nodes an image ships are inert (nodev) unless privileged; --userns maps the layers. */
export function overlayArgs(doc: { spec: { privileged?: boolean }; userns?: { uid: number; gid: number; size: number } }, layers: string[],
  paths: { upper: string; work: string; merged: string }): string[] {
  const args = doc.spec.privileged ? [] : ['--nodev'];
  if (doc.userns) args.push('--idmap', `${doc.userns.uid}:${doc.userns.gid}:${doc.userns.size}`);
  for (const layer of layers) args.push('--lower', layer);
  return [...args, '--upper', paths.upper, '--work', paths.work, paths.merged];
}
