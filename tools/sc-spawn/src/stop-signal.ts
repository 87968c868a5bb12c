import { constants } from 'node:os';
import { basename } from 'node:path';
import { StepError, type Doc } from '@sc/core';

/**
 * What asks this PID 1 to shut down: the user's --stop-signal; for sc's own PID 1, SIGTERM; for a booted
 * init, what it expects, told by the program PID 1 runs (EXE, /proc/PID/exe as the host reads it):
 * systemd halts on SIGRTMIN+3, busybox init powers off on SIGUSR2, sysvinit and others get SIGPWR (as LXC does).
 */
export function stopSignalOf(doc: Doc, exe: string): string {
  if (doc.spec.stopSignal) return doc.spec.stopSignal;
  if (!doc.spec.boot) return 'SIGTERM';
  const program = basename(exe.replace(/ \(deleted\)$/, ''));
  if (program === 'systemd') return 'SIGRTMIN+3';
  if (program === 'busybox') return 'SIGUSR2';
  return 'SIGPWR';
}

/** SIGTERM → 15, SIGRTMIN+3 → 37 (glibc's SIGRTMIN is 34: the kernel's 32 and two for its threads). */
export function signalNumber(name: string): number {
  const rt = /^SIGRTMIN\+(\d+)$/.exec(name);
  if (rt) return 34 + Number(rt[1]);
  const n = (constants.signals as Record<string, number | undefined>)[name];
  if (!n) throw new StepError('EINVAL', `stop signal ${name} is not a signal this system knows`);
  return n;
}
