import type { Doc } from '@sc/core';

/** Host kernel knobs a confined container may read but not turn (Docker's read-only paths). */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
/** Host kernel state a confined container has no business seeing (Docker's masked paths). */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** The spawner's command line: every policy about the container's process is decided here, in TypeScript. */
export function initArgs(doc: Doc, root: string, seccomp?: { rules: string; bpf: string }): string[] {
  const args = ['--root', root, '--hostname', doc.spec.hostname ?? doc.name, '--grace', String(doc.spec.grace ?? 10)];
  for (const path of doc.cgroup?.paths ?? []) args.push('--cgroup', path);
  // Confined unless asked: sc-init drops capabilities and masks /proc; sc-enter copies PID 1's confinement.
  if (doc.spec.privileged) {
    args.push('--privileged');
  } else {
    for (const path of READONLY_PATHS) args.push('--readonly', path);
    for (const path of MASKED_PATHS) args.push('--mask', path);
    // cgroup v2 limits devices only with a BPF program, which sc does not load: without it, no mknod.
    if (noMknod(doc)) args.push('--no-mknod');
  }
  if (seccomp) args.push('--seccomp', seccomp.rules, '--seccomp-bpf', seccomp.bpf);
  if (doc.userns) args.push('--userns', `${doc.userns.uid}:${doc.userns.gid}:${doc.userns.size}`);
  if (doc.spec.noNewPrivileges) args.push('--no-new-privs');
  if (doc.spec.boot) args.push('--boot', '--', '/sbin/init');
  return args;
}

export function noMknod(doc: Doc): boolean {
  return !doc.spec.privileged && doc.cgroup?.version === 2;
}
