import { cgroupPids, formatBytes, type Doc, type StreamVerb } from '@sc/core';
import { cgroupsOf, detectHierarchies } from './hierarchy.js';
import { isFrozen } from './freeze.js';
import { readStats, type CgroupStats } from './usage.js';

export const stats: StreamVerb = {
  kind: 'forward',
  summary: "read each container's memory, CPU time, pids and OOM kills from its cgroups; its processes, and whether it is frozen",
  reads: 'name spec.cgroupsPath',
  writes: 'cgroup.stats',
  each(doc, ctx) {
    const cg = cgroupsOf(detectHierarchies(), ctx.config.cgroupParent, doc);
    const stats = { ...readStats(cg, doc.name), processes: cgroupPids(cg.dirs.pids ?? cg.paths[0]!), frozen: isFrozen(cg, doc.name) };
    doc.cgroup = { version: cg.version, paths: cg.paths, ...doc.cgroup, stats } as Doc['cgroup'];
  },
  table: {
    header: ['NAME', 'MEM USAGE / LIMIT', 'CPU TIME', 'PIDS', 'OOM KILLS'],
    row(doc) {
      const s = (doc.cgroup as { stats?: CgroupStats } | undefined)?.stats;
      if (!s || doc.error) return [doc.name, '-', '-', '-', '-'];
      const bytes = (n: number | null, none: string) => (n === null ? none : formatBytes(n));
      const cpu = s.cpu.usageNs === null ? '-' : `${(s.cpu.usageNs / 1e9).toFixed(2)}s`;
      const pids = `${s.pids.current ?? '-'} / ${s.pids.limit ?? 'unlimited'}`;
      return [doc.name, `${bytes(s.memory.usage, '-')} / ${bytes(s.memory.limit, 'unlimited')}`, cpu, pids, String(s.memory.oomKills ?? '-')];
    },
  },
};
