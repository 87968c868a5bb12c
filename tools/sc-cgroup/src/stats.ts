import {
  InputError, UsageError, failDocument, stdinIsTerminal, writeOut, formatBytes, formatTable, readDocuments, type CommandVerb, type Doc,
} from '@sc/core';
import { containerCgroups, detectHierarchies } from './hierarchy.js';
import { readStats, type CgroupStats } from './usage.js';

// A command verb that runs the forward loop itself: the runner's stream loop always prints documents, and --table must not.
export const stats: CommandVerb = {
  kind: 'command',
  summary: "read each container's memory, CPU time, pids and OOM kills from its cgroups (forward: documents on stdin; writes cgroup.stats)",
  reads: 'name',
  writes: 'cgroup.stats',
  options: {
    table: { type: 'boolean', description: 'print NAME  MEM USAGE / LIMIT  CPU TIME  PIDS  OOM KILLS instead of documents' },
  },
  async run(ctx) {
    if (stdinIsTerminal()) throw new UsageError('stats reads container documents on stdin, e.g. sc-ps list | sc-cgroup stats --table');
    let failed = false;
    const rows: string[][] = [];
    for await (const doc of readDocuments()) {
      if (doc.error === undefined) {
        try {
          const cg = containerCgroups(detectHierarchies(), ctx.config.cgroupParent, doc.name);
          const s = readStats(cg, doc.name);
          doc.cgroup = { version: cg.version, paths: cg.paths, ...doc.cgroup, stats: s } as Doc['cgroup'];
        } catch (err) {
          if (err instanceof InputError || err instanceof UsageError) throw err;
          failDocument(ctx.tool, doc, err);
        }
      }
      if (doc.error !== undefined) failed = true;
      if (ctx.options.table) rows.push(row(doc));
      else await ctx.emit(doc);
    }
    if (ctx.options.table) writeOut(formatTable(['NAME', 'MEM USAGE / LIMIT', 'CPU TIME', 'PIDS', 'OOM KILLS'], rows));
    return failed ? 1 : 0;
  },
};

function row(doc: Doc): string[] {
  const s = (doc.cgroup as { stats?: CgroupStats } | undefined)?.stats;
  if (!s || doc.error) return [doc.name, '-', '-', '-', '-'];
  const bytes = (n: number | null, none: string) => (n === null ? none : formatBytes(n));
  const cpu = s.cpu.usageNs === null ? '-' : `${(s.cpu.usageNs / 1e9).toFixed(2)}s`;
  const pids = `${s.pids.current ?? '-'} / ${s.pids.limit ?? 'unlimited'}`;
  return [doc.name, `${bytes(s.memory.usage, '-')} / ${bytes(s.memory.limit, 'unlimited')}`, cpu, pids, String(s.memory.oomKills ?? '-')];
}
