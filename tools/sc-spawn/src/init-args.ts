import { basename, dirname } from 'node:path';
import type { Doc } from '@sc/core';

/** Host kernel knobs a confined container may read but not turn (Docker's read-only paths). */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
/** Host kernel state a confined container has no business seeing (Docker's masked paths). */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
/** What a booted init gets of its own, as systemd's container interface asks: /run and /run/lock as tmpfs. */
export const BOOT_TMPFS = ['/run:mode=755,size=20%', '/run/lock:mode=1777,size=5m'];

export interface SpawnPaths {
  /** Seccomp rules to compile and where sc-init leaves the BPF program for sc-enter, or a program compiled
   * before (the same rules) to load as it is; absent: unconfined. */
  seccomp?: { rules: string; bpf: string } | { filter: string };
  /** The console keeper (libexec/sc-console) and where it logs and listens. */
  console?: { keeper: string; log: string; socket: string };
}

/** The spawner's command line: every policy about the container's process is decided here, in TypeScript. */
export function initArgs(doc: Doc, root: string, paths: SpawnPaths = {}, stopTimeout = 10): string[] {
  const args = ['--root', root, '--hostname', doc.spec.hostname ?? doc.name, '--grace', String(doc.spec.grace ?? stopTimeout)];
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
  if (paths.seccomp && 'filter' in paths.seccomp) args.push('--seccomp-filter', paths.seccomp.filter);
  else if (paths.seccomp) args.push('--seccomp', paths.seccomp.rules, '--seccomp-bpf', paths.seccomp.bpf);
  if (paths.console) args.push('--console', `${paths.console.keeper}:${paths.console.log}:${paths.console.socket}`);
  if (doc.userns) args.push('--userns', `${doc.userns.uid}:${doc.userns.gid}:${doc.userns.size}`);
  if (doc.spec.noNewPrivileges) args.push('--no-new-privs');
  if (doc.spec.boot) args.push(...bootArgs(doc), '--boot', '--', '/sbin/init');
  return args;
}

/** A booted init's /run, /run/lock and /sys/fs/cgroup (v1: each hierarchy read-only but name=systemd; v2: its own subtree), and its machine id. */
function bootArgs(doc: Doc): string[] {
  const args = BOOT_TMPFS.flatMap((t) => ['--tmpfs', t]);
  if (doc.cgroup?.version === 2) args.push('--cgroup2');
  for (const [path, options] of Object.entries(doc.cgroup?.options ?? {})) {
    if (!options) continue;
    const mode = options.split(',').includes('name=systemd') ? 'rw' : 'ro';
    args.push('--cgroupfs', `${basename(dirname(dirname(path)))}:${options}:${mode}`);
  }
  // systemd takes its machine id from here when the image has none of its own.
  if (doc.id && /^[0-9a-f]{32}$/.test(doc.id)) args.push('--env', `container_uuid=${doc.id.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}`);
  return args;
}

export function noMknod(doc: Doc): boolean {
  return !doc.spec.privileged && doc.cgroup?.version === 2;
}
