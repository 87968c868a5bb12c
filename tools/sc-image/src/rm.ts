import { existsSync, rmSync } from 'node:fs';
import { checkNames, type CommandVerb } from '@sc/core';
import { removeLayer } from './layer-store.js';
import { containerLayers, containerRecords, listImages, readImage } from './store.js';

export const rm: CommandVerb = {
  kind: 'command',
  summary: 'remove images and every layer of theirs no other image uses; refuses images containers use',
  reads: 'image records and the containers\' records that use them',
  writes: 'one line per image removed: {name, removed, layersRemoved, layersKept}',
  usage: 'NAME...',
  options: { force: { type: 'boolean', short: 'f', description: 'remove the image even if containers use it (their layers stay)' } },
  check(ctx) {
    checkNames(ctx.verb, ctx.args, 'image');
  },
  async run(ctx) {
    let code = 0;
    for (const name of ctx.args) {
      const image = readImage(ctx.layout, name);
      const dir = ctx.layout.image(name);
      if (!image) {
        // A directory without a record is a crashed (or running) import: -f clears it.
        if (ctx.options.force && existsSync(dir)) {
          rmSync(dir, { recursive: true, force: true });
          ctx.say(`removed the unfinished import of image ${name}`);
          continue;
        }
        ctx.say(`no image named "${name}" (sc image ls lists them)`);
        code = 1;
        continue;
      }
      const containers = containerRecords(ctx.layout);
      const users = containers.filter((d) => d.image?.name === name || d.spec?.image === name).map((d) => d.name);
      if (users.length > 0 && !ctx.options.force) {
        ctx.say(`image ${name} is used by container${users.length > 1 ? 's' : ''} ${users.join(', ')}; remove ${users.length > 1 ? 'them' : 'it'} first (or sc image rm -f ${name})`);
        code = 1;
        continue;
      }
      const kept = new Set([
        ...listImages(ctx.layout).filter((i) => i.name !== name).flatMap((i) => i.layers),
        ...containers.flatMap(containerLayers),
        ...(users.length > 0 ? image.layers : []),
      ]);
      rmSync(dir, { recursive: true, force: true });
      const freed = image.layers.filter((d) => !kept.has(d));
      for (const digest of freed) removeLayer(ctx.layout, digest);
      await ctx.emit({ name, removed: true, layersRemoved: freed, layersKept: image.layers.filter((d) => kept.has(d)) });
    }
    return code;
  },
};
