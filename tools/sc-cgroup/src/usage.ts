import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepError } from '@sc/core';
import type { ContainerCgroups } from './hierarchy.js';

export interface CgroupStats {
  memory: { usage: number | null; limit: number | null; maxUsage?: number | null; oomKills: number | null };
  cpu: { usageNs: number | null };
  pids: { current: number | null; limit: number | null };
  /** Written by stats: the live processes in the container's cgroups, and whether they are frozen (paused). */
  processes?: number[];
  frozen?: boolean;
}

/** A knob's number; null for "max", v1's "no limit" (2^63 rounded to a page) or a file this hierarchy lacks. */
export function knobNumber(text: string | undefined): number | null {
  const t = text?.trim();
  if (t === undefined || t === '' || t === 'max' || t === '-1') return null;
  const n = Number(t);
  return Number.isFinite(n) && n < 2 ** 62 ? n : null;
}

/** A "key value" line of memory.events, memory.oom_control or cpu.stat. */
export function keyedNumber(text: string | undefined, key: string): number | null {
  const m = text && new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

/** Read a container's usage from its cgroups; fails when they do not exist. */
export function readStats(cg: ContainerCgroups, name: string): CgroupStats {
  const missing = cg.paths.find((p) => !existsSync(p));
  if (missing !== undefined || cg.paths.length === 0)
    throw new StepError('ENOENT', `no cgroup ${missing ?? ''} for "${name}": the container is not running, or sc-cgroup create was not run`);
  const read = (controller: keyof ContainerCgroups['dirs'], file: string): string | undefined => {
    const dir = cg.dirs[controller];
    if (dir === undefined) return undefined;
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  if (cg.version === 1) {
    return {
      memory: {
        usage: knobNumber(read('memory', 'memory.usage_in_bytes')),
        limit: knobNumber(read('memory', 'memory.limit_in_bytes')),
        maxUsage: knobNumber(read('memory', 'memory.max_usage_in_bytes')),
        oomKills: keyedNumber(read('memory', 'memory.oom_control'), 'oom_kill'),
      },
      cpu: { usageNs: knobNumber(read('cpuacct', 'cpuacct.usage')) },
      pids: { current: knobNumber(read('pids', 'pids.current')), limit: knobNumber(read('pids', 'pids.max')) },
    };
  }
  const usageUsec = keyedNumber(read('cpu', 'cpu.stat'), 'usage_usec');
  const peak = read('memory', 'memory.peak');
  return {
    memory: {
      usage: knobNumber(read('memory', 'memory.current')),
      limit: knobNumber(read('memory', 'memory.max')),
      ...(peak !== undefined ? { maxUsage: knobNumber(peak) } : {}),
      oomKills: keyedNumber(read('memory', 'memory.events'), 'oom_kill'),
    },
    cpu: { usageNs: usageUsec === null ? null : usageUsec * 1000 },
    pids: { current: knobNumber(read('pids', 'pids.current')), limit: knobNumber(read('pids', 'pids.max')) },
  };
}
