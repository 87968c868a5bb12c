import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, isMountPoint, requireField, run, type StreamVerb } from '@sc/core';
import { rootfsPaths } from './paths.js';

export const mount: StreamVerb = {
  kind: 'forward',
  summary: "mount the container's overlay: the image's layers read-only under its own upper layer",
  reads: 'name image.layers',
  writes: 'rootfs',
  needs(doc) {
    requireField(doc, 'image.layers', 'pipe it through sc-image resolve first');
  },
  async each(doc, ctx) {
    const layers = doc.image!.layers;
    if (!Array.isArray(layers) || layers.length === 0) throw new InputError(`${doc.name}: image.layers is empty`);
    for (const layer of layers) {
      // Only layers of our own store become lowerdirs.
      if (typeof layer !== 'string' || dirname(layer) !== ctx.layout.layers || layer.includes(':') || layer.includes(','))
        throw new InputError(`${doc.name}: image.layers entry ${JSON.stringify(layer)} is not a layer of ${ctx.layout.layers}`);
    }
    const paths = rootfsPaths(ctx.layout, doc);
    for (const dir of Object.values(paths)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isMountPoint(paths.merged)) {
      const options = `lowerdir=${layers.join(':')},upperdir=${paths.upper},workdir=${paths.work}`;
      await run('mount', ['-t', 'overlay', 'overlay', '-o', options, paths.merged]);
    }
    doc.rootfs = { ...paths, mounted: true };
  },
};
