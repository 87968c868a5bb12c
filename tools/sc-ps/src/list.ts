import { formatTable, writeOut, type CommandVerb, type Doc } from '@sc/core';
import { readRecord, recordNames } from './records.js';

function lastError(d: Doc): string {
  const e = (d.error ?? d.lastError) as { tool?: string; message?: string } | undefined;
  return e ? `${e.tool}: ${e.message}` : '';
}

export const list: CommandVerb = {
  kind: 'command',
  summary: 'write the documents of running containers (all with -a)',
  writes: 'the whole document',
  options: {
    all: { type: 'boolean', short: 'a', description: 'include stopped and created containers' },
    table: { type: 'boolean', description: 'a table for people instead of NDJSON' },
  },
  async run(ctx) {
    const docs: Doc[] = [];
    for (const name of recordNames(ctx.layout)) {
      let doc: Doc | undefined;
      try {
        doc = readRecord(ctx.layout, name);
      } catch (err) {
        ctx.say((err as Error).message);
        continue;
      }
      if (doc && (ctx.options.all || doc.status === 'running')) docs.push(doc);
    }
    if (!ctx.options.table) {
      for (const doc of docs) await ctx.emit(doc);
      return;
    }
    const rows = docs.map((d) => [
      d.name,
      d.status ?? '',
      d.spec.image ?? '',
      d.status === 'running' ? String(d.process?.pid ?? '') : '',
      typeof d.net?.address === 'string' ? d.net.address : '',
      lastError(d),
    ]);
    writeOut(formatTable(['NAME', 'STATUS', 'IMAGE', 'PID', 'ADDRESS', 'LAST ERROR'], rows));
  },
};
