import { formatBytes, formatTable, type CommandVerb } from '@sc/core';
import { listImages } from './store.js';

export const ls: CommandVerb = {
  kind: 'command',
  summary: 'write the record of every image (NDJSON), or a table for people',
  writes: 'image records',
  options: { table: { type: 'boolean', description: 'a table for people instead of NDJSON' } },
  async run(ctx) {
    const images = listImages(ctx.layout);
    if (!ctx.options.table) {
      for (const image of images) await ctx.emit(image);
      return;
    }
    const rows = images.map((i) => [i.name, String(i.layers.length), formatBytes(i.size), i.created]);
    process.stdout.write(formatTable(['NAME', 'LAYERS', 'SIZE', 'CREATED'], rows));
  },
};
