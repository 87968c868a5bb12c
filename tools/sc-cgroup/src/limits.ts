import type { Spec } from '@sc/core';
import type { Controller } from './mountinfo.js';

/** CFS period: quota = cpus * period. */
export const CPU_PERIOD_US = 100000;

export type Limit = 'memory' | 'cpus' | 'pids';

/** One write into a cgroup knob file, in the order it must happen. */
export interface KnobWrite {
  controller: Controller;
  file: string;
  value: string;
  /** The spec limit this write enforces (undefined when it resets to "no limit"). */
  limit?: Limit;
  /** Present only with some kernel options (swap accounting): skipped quietly when missing. */
  optional?: boolean;
}

export function cpuQuota(cpus: number): number {
  return Math.round(cpus * CPU_PERIOD_US);
}

/** The knob writes that make a cgroup enforce spec.memory/cpus/pids; absent values reset to unlimited. */
export function knobWrites(version: 1 | 2, spec: Pick<Spec, 'memory' | 'cpus' | 'pids'>): KnobWrite[] {
  const { memory, cpus, pids } = spec;
  const mem = memory !== undefined ? ({ limit: 'memory' } as const) : {};
  const cpu = cpus !== undefined ? ({ limit: 'cpus' } as const) : {};
  const pid = pids !== undefined ? ({ limit: 'pids' } as const) : {};
  if (version === 1) {
    const w: KnobWrite[] = [
      // memsw must stay >= the memory limit: lift it first, then set both, so swap is no way around the limit.
      { controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: '-1', optional: true },
      { controller: 'memory', file: 'memory.limit_in_bytes', value: String(memory ?? -1), ...mem },
    ];
    if (memory !== undefined) w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(memory), optional: true, ...mem });
    w.push(
      { controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_US), ...cpu },
      { controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(cpus !== undefined ? cpuQuota(cpus) : -1), ...cpu },
      { controller: 'pids', file: 'pids.max', value: String(pids ?? 'max'), ...pid },
    );
    return w;
  }
  return [
    { controller: 'memory', file: 'memory.max', value: String(memory ?? 'max'), ...mem },
    { controller: 'memory', file: 'memory.swap.max', value: memory !== undefined ? '0' : 'max', optional: true, ...mem },
    { controller: 'cpu', file: 'cpu.max', value: `${cpus !== undefined ? cpuQuota(cpus) : 'max'} ${CPU_PERIOD_US}`, ...cpu },
    { controller: 'pids', file: 'pids.max', value: String(pids ?? 'max'), ...pid },
  ];
}

/** The controllers to enable in cgroup.subtree_control on v2 (the ones the hierarchy offers). */
export function subtreeControl(available: string[]): string {
  return ['cpu', 'memory', 'pids'].filter((c) => available.includes(c)).map((c) => `+${c}`).join(' ');
}
