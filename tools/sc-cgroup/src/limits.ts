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

/** v2's cpu.weight for v1's cpu.shares (runc's mapping: 2..262144 onto 1..10000). */
export function cpuWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

type LimitSpec = Pick<Spec, 'memory' | 'cpus' | 'pids' | 'cpuShares' | 'memorySwap'>;

/**
 * The knob writes that make a cgroup enforce spec.memory/cpus/pids; absent values reset to unlimited. Swap is
 * none (memory + swap = memory) unless spec.memorySwap says how much; CPU shares are written only when given.
 */
export function knobWrites(version: 1 | 2, spec: LimitSpec): KnobWrite[] {
  const { memory, cpus, pids, cpuShares, memorySwap } = spec;
  const mem = memory !== undefined ? ({ limit: 'memory' } as const) : {};
  const cpu = cpus !== undefined ? ({ limit: 'cpus' } as const) : {};
  const pid = pids !== undefined ? ({ limit: 'pids' } as const) : {};
  const shares = cpuShares !== undefined ? ({ limit: 'cpus' } as const) : {};
  if (version === 1) {
    const w: KnobWrite[] = [
      // memsw must stay >= the memory limit: lift it first, then set both, so swap is no way around the limit.
      { controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: '-1', optional: true },
      { controller: 'memory', file: 'memory.limit_in_bytes', value: String(memory ?? -1), ...mem },
    ];
    if (memory !== undefined) w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(memorySwap ?? memory), optional: memorySwap === undefined, ...mem });
    w.push(
      { controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_US), ...cpu },
      { controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(cpus !== undefined ? cpuQuota(cpus) : -1), ...cpu },
    );
    if (cpuShares !== undefined) w.push({ controller: 'cpu', file: 'cpu.shares', value: String(cpuShares), ...shares });
    w.push({ controller: 'pids', file: 'pids.max', value: String(pids ?? 'max'), ...pid });
    return w;
  }
  const swap = memory === undefined ? 'max' : String(memorySwap !== undefined ? memorySwap - memory : 0);
  const w: KnobWrite[] = [
    { controller: 'memory', file: 'memory.max', value: String(memory ?? 'max'), ...mem },
    { controller: 'memory', file: 'memory.swap.max', value: swap, optional: memorySwap === undefined, ...mem },
    { controller: 'cpu', file: 'cpu.max', value: `${cpus !== undefined ? cpuQuota(cpus) : 'max'} ${CPU_PERIOD_US}`, ...cpu },
  ];
  if (cpuShares !== undefined) w.push({ controller: 'cpu', file: 'cpu.weight', value: String(cpuWeight(cpuShares)), ...shares });
  w.push({ controller: 'pids', file: 'pids.max', value: String(pids ?? 'max'), ...pid });
  return w;
}

/** The controllers to enable in cgroup.subtree_control on v2 (the ones the hierarchy offers). */
export function subtreeControl(available: string[]): string {
  return ['cpu', 'memory', 'pids'].filter((c) => available.includes(c)).map((c) => `+${c}`).join(' ');
}
