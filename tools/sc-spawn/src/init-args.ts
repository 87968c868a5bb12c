import { basename, dirname } from 'node:path';
import { MS, parseMountOptions, processArgs, type Doc, type MountSpec, type ProcessSpec } from '@sc/core';

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

/** What sc-spawn start was asked for this once (runc create's flags, through sc-oci), beside the spec. */
export interface ProcessRun {
  /** PID 1 waits at this FIFO before it execs its program, until sc-spawn release. */
  hold?: string;
  /** The process's stdin, stdout and stderr are this process's. */
  stdioOf?: number;
  /** Its terminal goes to the listener on this socket. */
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
}

/** OCI namespace types → sc-init's names. */
const NAMESPACES: Record<string, string> = { pid: 'pid', mount: 'mount', uts: 'uts', ipc: 'ipc', network: 'net', cgroup: 'cgroup' };

/**
 * sc-init's command line for spec.process, the application as PID 1 (sc-oci): the mounts, namespaces, masks,
 * devices and process exactly as the spec lists them, no sc default added but the standard /dev nodes.
 */
export function processInitArgs(doc: Doc, root: string, paths: SpawnPaths, run: ProcessRun): string[] {
  const spec = doc.spec;
  const p = spec.process!;
  const args = ['--root', root];
  if (spec.hostname !== undefined) args.push('--hostname', spec.hostname);
  if (spec.domainname !== undefined) args.push('--domainname', spec.domainname);
  for (const path of doc.cgroup?.paths ?? []) args.push('--cgroup', path);
  const namespaces: { type: string; path?: string }[] = spec.namespaces ?? Object.keys(NAMESPACES).map((type) => ({ type }));
  args.push('--namespaces', namespaces.filter((n) => !n.path && NAMESPACES[n.type]).map((n) => NAMESPACES[n.type]).join(','));
  for (const n of namespaces) if (n.path && NAMESPACES[n.type]) args.push('--join', `${NAMESPACES[n.type]}:${n.path}`);
  for (const [i, m] of (spec.mounts ?? []).entries()) args.push(...mountArgs(doc, m, `mounts[${i}] (${m.destination})`));
  if ((spec.mounts ?? []).some((m) => m.destination === '/dev' && m.type === 'tmpfs')) args.push('--dev');
  for (const d of spec.devices ?? []) args.push('--device', `${d.type}:${d.major}:${d.minor}:${d.fileMode.toString(8)}:${d.uid}:${d.gid}:${d.path}`);
  for (const [key, value] of Object.entries(spec.sysctl ?? {})) args.push('--sysctl', `${key}=${value}`);
  for (const path of spec.readonlyPaths ?? []) args.push('--readonly', path);
  for (const path of spec.maskedPaths ?? []) args.push('--mask', path);
  if (paths.seccomp && 'filter' in paths.seccomp) args.push('--seccomp-filter', paths.seccomp.filter);
  else if (paths.seccomp) args.push('--seccomp', paths.seccomp.rules, '--seccomp-bpf', paths.seccomp.bpf);
  if (doc.userns) args.push('--userns', `${doc.userns.uid}:${doc.userns.gid}:${doc.userns.size}`);
  if (spec.root?.readonly) args.push('--readonly-root');
  if (spec.root?.propagation) args.push('--root-propagation', String(parseMountOptions([spec.root.propagation], 'rootfsPropagation').propagation));
  if (run.noPivot) args.push('--no-pivot');
  if (!run.noNewKeyring) args.push('--new-keyring');
  if (run.hold) args.push('--hold', run.hold);
  if (run.consoleSocket) args.push('--console-socket', run.consoleSocket);
  else if (run.stdioOf !== undefined) args.push('--stdio-of', String(run.stdioOf));
  // cgroup v2 limits devices only with a BPF program, which sc does not load: there the process makes no nodes.
  const caps = doc.cgroup?.version === 2 ? withoutMknod(p.capabilities) : p.capabilities;
  args.push(...processArgs({ ...p, capabilities: caps }), '--process', '--', ...p.args);
  return args;
}

function withoutMknod(caps: ProcessSpec['capabilities']): ProcessSpec['capabilities'] {
  const drop = (set: string[]) => set.filter((c) => c !== 'CAP_MKNOD');
  return { bounding: drop(caps.bounding), effective: drop(caps.effective), permitted: drop(caps.permitted), inheritable: drop(caps.inheritable), ambient: drop(caps.ambient) };
}

/** One mount as sc-init's --mount words; a cgroup filesystem as runc gives one: the container's own cgroups bound in. */
function mountArgs(doc: Doc, m: MountSpec, where: string): string[] {
  const { flags, propagation, data } = parseMountOptions(m.options, where);
  const mount = (dest: string, type: string, source: string, f: number, prop: number, d: string) => ['--mount', dest, type, source, String(f), String(prop), d];
  if (m.type === 'cgroup' || m.type === 'cgroup2') {
    const attrs = flags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
    const paths = doc.cgroup?.paths ?? [];
    if (doc.cgroup?.version === 2) return paths[0] ? mount(m.destination, 'bind', paths[0], MS.BIND | MS.REC | attrs, propagation, '') : [];
    // v1: a tmpfs holding each hierarchy's cgroup of the container, named as the hierarchy is (cpu,cpuacct; systemd).
    const args = mount(m.destination, 'tmpfs', 'cgroup', MS.NOSUID | MS.NODEV | MS.NOEXEC, 0, 'mode=755');
    for (const path of paths) {
      const options = doc.cgroup?.options?.[path];
      if (!options) continue;
      const dir = options.split(',').filter((o) => o !== 'none').map((o) => o.replace(/^name=/, '')).join(',');
      args.push(...mount(`${m.destination}/${dir}`, 'bind', path, MS.BIND | MS.REC | attrs, 0, ''));
    }
    // Then the tmpfs remounted read-only, and its propagation ('' type: nothing mounted, only changed).
    if (flags & MS.RDONLY) args.push(...mount(m.destination, '', '', MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, 0, 'mode=755'));
    if (propagation) args.push(...mount(m.destination, '', '', 0, propagation, ''));
    return args;
  }
  const bind = m.type === 'bind' || (flags & MS.BIND) !== 0;
  return mount(m.destination, bind ? 'bind' : m.type, m.source, bind ? flags | MS.BIND : flags, propagation, data);
}
