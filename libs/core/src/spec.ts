import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseSeccompProfile } from './seccomp.js';
import { UsageError } from './errors.js';
import type { NetMode, Spec } from './document.js';
import type { OptionSpec, Options } from './args.js';

/** The flags that fill `spec`, shared by `sc-ps create` (all of them) and each tool's own verbs (its part). */
export const SPEC_OPTIONS = {
  hostname: { type: 'string', value: 'NAME', description: 'hostname inside the container (default: the container name)' },
  memory: { type: 'string', value: 'SIZE', description: 'memory limit: 64M, 1G, 512k; a bare number means MiB' },
  cpus: { type: 'string', value: 'N', description: 'CPU limit in cores, fractional allowed: 0.5, 1.5' },
  pids: { type: 'string', value: 'N', description: 'maximum number of processes' },
  net: { type: 'string', value: 'MODE', description: 'network: none (loopback only, the default), static or dhcp' },
  parent: { type: 'string', value: 'DEV', description: 'host device the container\'s macvlan NIC hangs off' },
  ip: { type: 'string', value: 'ADDR/PREFIX', description: 'static address, e.g. 192.168.1.50/24' },
  gateway: { type: 'string', value: 'IP', description: 'static default gateway' },
  dns: { type: 'string', value: 'IP', multiple: true, description: 'DNS server for resolv.conf' },
  mac: { type: 'string', value: 'MAC', description: 'MAC address of the NIC (default: derived from the container id)' },
  'macvlan-mode': { type: 'string', value: 'MODE', description: 'bridge (default), private, vepa or passthru' },
  boot: { type: 'boolean', description: "run the image's own /sbin/init as PID 1 instead of sc's waiting PID 1" },
  privileged: { type: 'boolean', description: 'full root inside: all capabilities, /proc and /sys as mounted, every device allowed' },
  'no-new-privileges': { type: 'boolean', description: 'set no_new_privs: setuid programs gain nothing inside the container' },
  seccomp: { type: 'string', value: 'FILE', description: "seccomp profile (Docker/Podman JSON), or 'unconfined' (default: Docker's default profile; none with --privileged)" },
  userns: { type: 'boolean', description: 'a user namespace of its own: container root is an unprivileged host id (from the config\'s userns range)' },
  'stop-signal': { type: 'string', value: 'SIGNAL', description: 'signal that asks PID 1 to shut down, e.g. SIGRTMIN+3 (default: what the image\'s init expects)' },
  disk: { type: 'string', value: 'SIZE', description: 'a disk of its own for the container\'s files: 1G, 512M (default: the config\'s disk, else none)' },
  autostart: { type: 'boolean', description: 'start it with `sc autostart` (at host boot)' },
} satisfies Record<string, OptionSpec>;

const SIZE_UNITS: Record<string, number> = { '': 2 ** 20, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** "64" (MiB, as the seed's -m), "64M", "1G", "512k", "1.5g" → bytes. */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--memory ${JSON.stringify(text)} is not a size: use 64M, 1G or a number of MiB`);
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
  if (bytes < 4 * 2 ** 20) throw new UsageError(`--memory ${text} is too small: a container needs at least 4M`);
  return bytes;
}

/** --disk: like --memory's sizes ("1G", "512M", a bare number of MiB), at least 32 MiB (a filesystem needs room of its own). */
export function parseDisk(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--disk ${JSON.stringify(text)} is not a size: use 512M, 10G or a number of MiB`);
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
  if (bytes < 32 * 2 ** 20) throw new UsageError(`--disk ${text} is too small: a disk needs at least 32M`);
  if (bytes > 2 ** 50) throw new UsageError(`--disk ${text} is too large`);
  return bytes;
}

const SIGNALS = ['HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM',
  'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS'];

/** A signal as people and runc's callers write it (KILL, SIGKILL, 9, SIGRTMIN+3, RTMAX-1) → its number on Linux (glibc's SIGRTMIN 34). */
export function parseSignal(text: string): number {
  const name = parseSignalName(text, `${JSON.stringify(text)} is not a signal: use a name like SIGTERM or SIGRTMIN+3, or a number`);
  const rt = /^SIGRTMIN\+(\d+)$/.exec(name);
  return rt ? 34 + Number(rt[1]) : SIGNALS.indexOf(name.slice(3)) + 1;
}

/** --stop-signal: TERM, SIGTERM, 15, SIGRTMIN+3, RTMIN+3 → the canonical name (SIGTERM, SIGRTMIN+3); never KILL or STOP. */
export function parseStopSignal(text: string): string {
  const why = `--stop-signal ${JSON.stringify(text)} is not a signal: use a name like SIGTERM or SIGRTMIN+3, or a number`;
  const name = parseSignalName(text, why);
  if (name === 'SIGKILL' || name === 'SIGSTOP') throw new UsageError(why);
  return name;
}

function parseSignalName(text: string, why: string): string {
  const t = text.trim().toUpperCase().replace(/^SIG/, '');
  const bad = () => new UsageError(why);
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < 1 || n > 64 || n === 32 || n === 33) throw bad();
    return n <= SIGNALS.length ? `SIG${SIGNALS[n - 1]}` : `SIGRTMIN+${n - 34}`;
  }
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(t) ?? /^RTMAX(?:-(\d+))?$/.exec(t);
  if (rt) {
    const n = t.startsWith('RTMIN') ? 34 + Number(rt[1] ?? 0) : 64 - Number(rt[1] ?? 0);
    if (n < 34 || n > 64) throw bad();
    return `SIGRTMIN+${n - 34}`;
  }
  if (!SIGNALS.includes(t)) throw bad();
  return `SIG${t}`;
}

export function parseCpus(text: string): number {
  const cpus = Number(text);
  const host = availableParallelism();
  if (!/^\d*\.?\d+$/.test(text.trim()) || !Number.isFinite(cpus) || cpus <= 0)
    throw new UsageError(`--cpus ${JSON.stringify(text)} must be a positive number of cores, e.g. 0.5 or 2`);
  if (cpus < 0.01) throw new UsageError(`--cpus ${text} is below the smallest quota (0.01 cores)`);
  if (cpus > host) throw new UsageError(`--cpus ${text} is more than this host's ${host} CPUs`);
  return cpus;
}

export function parsePids(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new UsageError(`--pids ${JSON.stringify(text)} must be a whole number of at least 1`);
  return Number(text);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export function isIPv4(text: string): boolean { return IPV4.test(text); }

function parseCidr(text: string): string {
  const [addr, prefix, extra] = text.split('/');
  if (extra !== undefined || !addr || !isIPv4(addr) || !prefix || !/^\d+$/.test(prefix) || Number(prefix) > 32)
    throw new UsageError(`--ip ${JSON.stringify(text)} must be an IPv4 address with a prefix, e.g. 192.168.1.50/24`);
  return `${addr}/${Number(prefix)}`;
}

/** --seccomp: 'unconfined', or a profile file, read and checked now so that a bad one fails before anything is made. */
function seccompOption(value: string): string {
  if (value === 'unconfined') return value;
  if (value === '') throw new UsageError("--seccomp needs a profile FILE or 'unconfined'");
  const file = resolve(value);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--seccomp ${value}: cannot read the profile: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  parseSeccompProfile(text, file);
  return file;
}

const NET_MODES: NetMode[] = ['none', 'static', 'dhcp'];
const MACVLAN_MODES = ['bridge', 'private', 'vepa', 'passthru'];

/** Turn parsed flags into the parts of `spec` they name; validates everything, touches nothing. */
export function specFromOptions(opts: Options): Spec {
  const spec: Spec = {};
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  if (str('hostname') !== undefined) {
    const h = str('hostname')!;
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(h))
      throw new UsageError(`--hostname ${JSON.stringify(h)} is not a valid hostname (letters, digits, '-', at most 63)`);
    spec.hostname = h;
  }
  if (str('memory') !== undefined) spec.memory = parseMemory(str('memory')!);
  if (str('cpus') !== undefined) spec.cpus = parseCpus(str('cpus')!);
  if (str('pids') !== undefined) spec.pids = parsePids(str('pids')!);
  if (opts.boot === true) spec.boot = true;
  if (opts.privileged === true) spec.privileged = true;
  if (opts['no-new-privileges'] === true) spec.noNewPrivileges = true;
  if (opts.userns === true) spec.userns = true;
  if (opts.autostart === true) spec.autostart = true;
  if (str('stop-signal') !== undefined) spec.stopSignal = parseStopSignal(str('stop-signal')!);
  if (str('disk') !== undefined) spec.disk = parseDisk(str('disk')!);
  if (str('seccomp') !== undefined) spec.seccomp = seccompOption(str('seccomp')!);

  const netFlags = ['parent', 'ip', 'gateway', 'dns', 'mac', 'macvlan-mode'].filter((k) => opts[k] !== undefined);
  const mode = str('net');
  if (mode !== undefined && !NET_MODES.includes(mode as NetMode))
    throw new UsageError(`--net ${JSON.stringify(mode)} must be one of: none, static, dhcp`);
  if (mode === undefined && netFlags.length > 0)
    throw new UsageError(`--${netFlags[0]} needs --net static or --net dhcp`);
  if (mode !== undefined) {
    const net: NonNullable<Spec['net']> = { mode: mode as NetMode };
    if (mode !== 'none') {
      if (!str('parent')) throw new UsageError(`--net ${mode} needs --parent DEV (the host device for the macvlan NIC)`);
      if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(str('parent')!)) throw new UsageError(`--parent ${JSON.stringify(str('parent'))} is not a device name`);
      net.parent = str('parent');
    } else if (netFlags.length > 0) {
      throw new UsageError(`--${netFlags[0]} makes no sense with --net none`);
    }
    if (mode === 'static') {
      if (!str('ip')) throw new UsageError('--net static needs --ip ADDR/PREFIX, e.g. --ip 192.168.1.50/24');
      if (!str('gateway')) throw new UsageError('--net static needs --gateway IP');
      net.address = parseCidr(str('ip')!);
      if (!isIPv4(str('gateway')!)) throw new UsageError(`--gateway ${JSON.stringify(str('gateway'))} is not an IPv4 address`);
      net.gateway = str('gateway');
    } else if (str('ip') !== undefined || str('gateway') !== undefined) {
      throw new UsageError(`--ip and --gateway are for --net static, not --net ${mode}`);
    }
    const dns = opts.dns as string[] | undefined;
    if (dns) {
      for (const d of dns) if (!isIPv4(d)) throw new UsageError(`--dns ${JSON.stringify(d)} is not an IPv4 address`);
      net.dns = dns;
    }
    if (str('mac') !== undefined) {
      if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(str('mac')!) || (parseInt(str('mac')!.slice(0, 2), 16) & 1) === 1)
        throw new UsageError(`--mac ${JSON.stringify(str('mac'))} is not a unicast MAC address like 02:42:ac:11:00:02`);
      net.mac = str('mac')!.toLowerCase();
    }
    if (str('macvlan-mode') !== undefined) {
      if (!MACVLAN_MODES.includes(str('macvlan-mode')!))
        throw new UsageError(`--macvlan-mode must be one of: ${MACVLAN_MODES.join(', ')}`);
      net.macvlanMode = str('macvlan-mode');
    }
    spec.net = net;
  }
  return spec;
}
