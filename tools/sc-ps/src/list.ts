import { formatAge, formatTable, hostClock, startedAt, writeOut, type CommandVerb, type Doc, type HostClock } from '@sc/core';
import { readRecord, recordNames } from './records.js';

function lastError(d: Doc): string {
  const e = (d.error ?? d.lastError) as { tool?: string; message?: string } | undefined;
  return e ? `${e.tool}: ${e.message}` : '';
}

/** How long ago the container was created ("3m12s ago"), and for a running one how long its PID 1 has been up. */
function ages(d: Doc, now: number, clock: HostClock): [string, string] {
  const created = d.created ? Date.parse(d.created) : NaN;
  const up = d.status === 'running' && d.process ? now - startedAt(d.process.startTime, clock).getTime() : undefined;
  return [Number.isNaN(created) ? '' : `${formatAge(now - created)} ago`, up === undefined ? '' : formatAge(up)];
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
    const now = Date.now();
    const clock = hostClock();
    const rows = docs.map((d) => [
      d.name,
      d.status ?? '',
      d.spec.image ?? '',
      ...ages(d, now, clock),
      d.status === 'running' ? String(d.process?.pid ?? '') : '',
      typeof d.net?.address === 'string' ? d.net.address : '',
      lastError(d),
    ]);
    writeOut(formatTable(['NAME', 'STATUS', 'IMAGE', 'CREATED', 'UP', 'PID', 'ADDRESS', 'LAST ERROR'], rows));
  },
};
