import { existsSync } from 'node:fs';
import { StepError, requireField, type StreamVerb } from '@sc/core';
import { readImage } from './store.js';

export const resolve: StreamVerb = {
  kind: 'forward',
  summary: "look up each container's image and write its layer directories, top first (overlay lowerdir order)",
  reads: 'spec.image',
  writes: 'image',
  needs(doc) {
    requireField(doc, 'spec.image', 'the image to run; sc-ps create --image sets it');
  },
  each(doc, ctx) {
    const name = doc.spec.image!;
    const image = readImage(ctx.layout, name);
    if (!image) throw new StepError('ENOENT', `no image named "${name}" (sc image ls lists them; sc image import FILE adds one)`);
    const layers = image.layers.map((d) => ctx.layout.layer(d)).reverse();
    const missing = layers.find((dir) => !existsSync(dir));
    if (missing) throw new StepError('ENOENT', `image "${name}" is missing its layer ${missing}; sc image rm ${name} and import it again`);
    doc.image = { name, layers };
  },
};
