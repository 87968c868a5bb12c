// A bundle's config.json (runtime-spec 1.0-1.1) read into what the sc tools take: the spec (the wishes),
// the seccomp profile, the user namespace's ids, and sc-oci's own part (hooks, annotations). Every field is
// either honoured or refused here, by name; none is ignored.
import { readFileSync } from 'node:fs';
import { isAbsolute, normalize, resolve } from 'node:path';
import {
  CAPABILITIES, MS, parseMountOptions, parseSeccompProfile, RLIMITS, UsageError,
  type DeviceRule, type DeviceSpec, type MountSpec, type ProcessSpec, type Spec,
} from '@sc/core';

export { ConfigError } from './errors.js';
import { ConfigError } from './errors.js';

export interface Hook { path: string; args?: string[]; env?: string[]; timeout?: number }
export type HookName = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';
export type Hooks = Partial<Record<HookName, Hook[]>>;

/** sc-oci's own section of a container's document: what its state reports and its hooks. */
export interface OciSection {
  id: string;
  bundle: string;
  ociVersion: string;
  annotations: Record<string, string>;
  hooks: Hooks;
}

export interface Bundle {
  spec: Spec;
  /** linux.seccomp, checked: written beside the record as the container's profile. */
  seccomp?: unknown;
  /** Host ids for the container's 0..size-1, from single-range uid/gidMappings. */
  userns?: { uid: number; gid: number; size: number };
  oci: OciSection;
}

type Json = Record<string, unknown>;

const fail = (field: string, what: string): never => {
  throw new ConfigError(`config.json: ${field} ${what}`);
};
const refuse = (field: string, why: string): never => fail(field, `is not supported: ${why}`);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && v !== false && v !== 0 && !(Array.isArray(v) && v.length === 0) && !(isObject(v) && Object.keys(v).length === 0);

function object(v: unknown, field: string, known: readonly string[]): Json {
  if (!isObject(v)) return fail(field, 'must be a JSON object');
  for (const k of Object.keys(v)) if (!known.includes(k)) fail(field ? `${field}.${k}` : k, `is not a field of runtime-spec 1.0-1.1 that sc knows (${field || 'the config'} has ${known.join(', ')})`);
  return v;
}
const optionalObject = (v: unknown, field: string, known: readonly string[]): Json => (v === undefined || v === null ? {} : object(v, field, known));
function array(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : fail(field, 'must be an array');
}
function string(v: unknown, field: string): string {
  return typeof v === 'string' ? v : fail(field, 'must be a string');
}
const strings = (v: unknown, field: string): string[] => array(v, field).map((s, i) => string(s, `${field}[${i}]`));
function integer(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return fail(field, `${JSON.stringify(v)} must be a whole number from ${min} to ${max}`);
  return v;
}
function boolean(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  return typeof v === 'boolean' ? v : fail(field, 'must be true or false');
}
/** A field sc has no way to honour: refused when it asks for anything. */
function unsupported(o: Json, field: string, keys: Record<string, string>): void {
  for (const [k, why] of Object.entries(keys)) if (present(o[k])) refuse(field ? `${field}.${k}` : k, why);
}
/** An absolute path inside the container, normalized; no way out by "..". */
function containerPath(v: unknown, field: string): string {
  const p = string(v, field);
  if (!p.startsWith('/')) fail(field, `${JSON.stringify(p)} must be an absolute path`);
  if (p.split('/').includes('..') || p.includes('\0')) fail(field, `${JSON.stringify(p)} must not contain ".."`);
  return normalize(p).replace(/(.)\/$/, '$1');
}

const UINT32_MAX_ID = 2 ** 32 - 2;
/** JSON numbers reach JavaScript as doubles: 2^64-1 (RLIM_INFINITY) arrives rounded, and is infinity all the same. */
const rlimitValue = (v: unknown, field: string): number | 'unlimited' => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return fail(field, `${JSON.stringify(v)} must be a whole number of at least 0`);
  return v >= 2 ** 63 ? 'unlimited' : v;
};

/**
 * What sc-oci may pass on: the capabilities of its own bounding set. A host can withhold some from its root (a
 * sandboxing agent dropping CAP_SYS_RESOURCE, say); asking the kernel for one of those fails the process at start.
 */
function ownCapabilities(): string[] {
  const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (!bnd) return [...CAPABILITIES];
  const mask = BigInt(`0x${bnd}`);
  return CAPABILITIES.filter((_, i) => ((mask >> BigInt(i)) & 1n) === 1n);
}

/** runc's default when none are given (its process keeps what runc has): our own capabilities, in the bounding, effective and permitted sets. */
function capabilities(v: unknown): ProcessSpec['capabilities'] {
  if (v === undefined || v === null) {
    const own = ownCapabilities();
    return { bounding: own, effective: [...own], permitted: [...own], inheritable: [], ambient: [] };
  }
  const o = object(v, 'process.capabilities', ['bounding', 'effective', 'inheritable', 'permitted', 'ambient']);
  const set = (k: string) => strings(o[k], `process.capabilities.${k}`).map((c, i) => (CAPABILITIES.includes(c) ? c : fail(`process.capabilities.${k}[${i}]`, `${JSON.stringify(c)} is not a capability this sc knows`)));
  return { bounding: set('bounding'), effective: set('effective'), permitted: set('permitted'), inheritable: set('inheritable'), ambient: set('ambient') };
}

/** process: of config.json, or of `sc-oci exec --process FILE` (field names the caller's). */
export function readProcess(v: unknown, field = 'process'): ProcessSpec {
  const o = object(v, field, ['terminal', 'consoleSize', 'user', 'args', 'commandLine', 'env', 'cwd', 'capabilities', 'rlimits',
    'noNewPrivileges', 'apparmorProfile', 'oomScoreAdj', 'selinuxLabel', 'ioPriority', 'scheduler', 'execCPUAffinity']);
  unsupported(o, field, {
    commandLine: 'it is for Windows', apparmorProfile: 'sc loads no AppArmor profile', selinuxLabel: 'sc sets no SELinux label',
    ioPriority: 'sc sets no I/O priority', scheduler: 'sc sets no scheduling policy', execCPUAffinity: 'sc sets no CPU affinity',
  });
  const args = strings(o.args, `${field}.args`);
  if (args.length === 0) fail(`${field}.args`, 'must name the program to run');
  const user = object(o.user ?? {}, `${field}.user`, ['uid', 'gid', 'umask', 'additionalGids', 'username']);
  unsupported(user, `${field}.user`, { username: 'it is for Windows; give uid and gid' });
  const env = strings(o.env, `${field}.env`);
  for (const [i, e] of env.entries()) if (!/^[^=]+=/.test(e)) fail(`${field}.env[${i}]`, `${JSON.stringify(e)} must look like NAME=VALUE`);
  const p: ProcessSpec = {
    args,
    env,
    cwd: containerPath(o.cwd ?? '/', `${field}.cwd`),
    user: {
      uid: integer(user.uid ?? 0, `${field}.user.uid`, 0, UINT32_MAX_ID),
      gid: integer(user.gid ?? 0, `${field}.user.gid`, 0, UINT32_MAX_ID),
      additionalGids: array(user.additionalGids, `${field}.user.additionalGids`).map((g, i) => integer(g, `${field}.user.additionalGids[${i}]`, 0, UINT32_MAX_ID)),
      ...(user.umask !== undefined && user.umask !== null ? { umask: integer(user.umask, `${field}.user.umask`, 0, 0o777) } : {}),
    },
    capabilities: capabilities(o.capabilities),
  };
  if (p.user.additionalGids!.length > 64) fail(`${field}.user.additionalGids`, 'lists more than 64 groups');
  const rlimits = array(o.rlimits, `${field}.rlimits`).map((r, i) => {
    const f = `${field}.rlimits[${i}]`;
    const l = object(r, f, ['type', 'soft', 'hard']);
    const type = string(l.type, `${f}.type`);
    if (!RLIMITS.includes(type)) fail(`${f}.type`, `${JSON.stringify(type)} is not a resource limit this sc knows (RLIMIT_CPU ... RLIMIT_RTTIME)`);
    const soft = rlimitValue(l.soft, `${f}.soft`);
    const hard = rlimitValue(l.hard, `${f}.hard`);
    if (hard !== 'unlimited' && (soft === 'unlimited' || soft > hard)) fail(`${f}.soft`, 'is above its hard limit');
    return { type, soft, hard };
  });
  if (rlimits.length) p.rlimits = rlimits;
  if (boolean(o.noNewPrivileges, `${field}.noNewPrivileges`)) p.noNewPrivileges = true;
  if (o.oomScoreAdj !== undefined && o.oomScoreAdj !== null) p.oomScoreAdj = integer(o.oomScoreAdj, `${field}.oomScoreAdj`, -1000, 1000);
  if (boolean(o.terminal, `${field}.terminal`)) p.terminal = true;
  if (o.consoleSize !== undefined && o.consoleSize !== null) {
    const c = object(o.consoleSize, `${field}.consoleSize`, ['height', 'width']);
    const height = integer(c.height, `${field}.consoleSize.height`, 0, 65535);
    const width = integer(c.width, `${field}.consoleSize.width`, 0, 65535);
    if (height && width) p.consoleSize = { height, width };
  }
  return p;
}

const MOUNT_TYPES = ['bind', 'tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'];

function mounts(v: unknown, bundle: string): MountSpec[] {
  return array(v, 'mounts').map((m, i) => {
    const o = object(m, `mounts[${i}]`, ['destination', 'type', 'source', 'options', 'uidMappings', 'gidMappings']);
    unsupported(o, `mounts[${i}]`, { uidMappings: 'sc makes no idmapped config mounts', gidMappings: 'sc makes no idmapped config mounts' });
    const rel = string(o.destination, `mounts[${i}].destination`);
    const destination = containerPath(rel.startsWith('/') ? rel : `/${rel}`, `mounts[${i}].destination`);
    const where = `config.json: mounts[${i}] (${destination})`;
    const options = strings(o.options, `mounts[${i}].options`);
    let flags: number;
    try {
      ({ flags } = parseMountOptions(options, where));
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    const bind = o.type === 'bind' || (flags & MS.BIND) !== 0;
    const type = bind ? 'bind' : string(o.type ?? 'none', `mounts[${i}].type`);
    if (!MOUNT_TYPES.includes(type)) refuse(`mounts[${i}].type`, `sc mounts ${MOUNT_TYPES.join(', ')} (and binds), not ${JSON.stringify(type)}`);
    let source = string(o.source ?? type, `mounts[${i}].source`);
    // A bind's source is a host path; a relative one is the bundle's, as runc reads it.
    if (bind) source = isAbsolute(source) ? source : resolve(bundle, source);
    return { destination, type, source, options };
  });
}

const NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'];

function namespaces(v: unknown): { type: string; path?: string }[] {
  const seen = new Set<string>();
  const list = array(v, 'linux.namespaces').map((n, i) => {
    const o = object(n, `linux.namespaces[${i}]`, ['type', 'path']);
    const type = string(o.type, `linux.namespaces[${i}].type`);
    if (!NAMESPACE_TYPES.includes(type)) fail(`linux.namespaces[${i}].type`, `${JSON.stringify(type)} is not a namespace (${NAMESPACE_TYPES.join(', ')})`);
    if (seen.has(type)) fail(`linux.namespaces[${i}]`, `repeats the ${type} namespace`);
    seen.add(type);
    if (type === 'time') refuse(`linux.namespaces[${i}]`, 'sc makes no time namespace');
    const path = o.path === undefined || o.path === null || o.path === '' ? undefined : string(o.path, `linux.namespaces[${i}].path`);
    if (path !== undefined && !isAbsolute(path)) fail(`linux.namespaces[${i}].path`, 'must be an absolute path');
    if (path !== undefined && (type === 'mount' || type === 'user'))
      refuse(`linux.namespaces[${i}].path`, `sc joins no existing ${type} namespace: the container gets its own`);
    return path !== undefined ? { type, path } : { type };
  });
  if (!seen.has('mount')) refuse('linux.namespaces', 'a container without a mount namespace of its own (sc always makes one: add {"type": "mount"})');
  return list;
}

/** Single-range mappings from container id 0, the same size for users and groups: what --userns maps. */
function idMappings(uid: unknown, gid: unknown): { uid: number; gid: number; size: number } {
  const one = (v: unknown, field: string) => {
    const list = array(v, field);
    if (list.length !== 1) refuse(field, `${list.length} ranges: sc maps one range, from container id 0`);
    const o = object(list[0], `${field}[0]`, ['containerID', 'hostID', 'size']);
    if (o.containerID !== 0) refuse(`${field}[0].containerID`, 'sc maps its range from container id 0');
    return { host: integer(o.hostID, `${field}[0].hostID`, 1, UINT32_MAX_ID), size: integer(o.size, `${field}[0].size`, 1, 2 ** 32 - 1) };
  };
  const u = one(uid, 'linux.uidMappings');
  const g = one(gid, 'linux.gidMappings');
  if (u.size !== g.size) refuse('linux.gidMappings[0].size', 'a range of another size than the uid range');
  return { uid: u.host, gid: g.host, size: u.size };
}

/** runc's rule: a sysctl is set only where the container has its own namespace for it. */
function sysctl(v: unknown, own: (type: string) => boolean): Record<string, string> {
  const o = v === undefined || v === null ? {} : isObject(v) ? v : fail('linux.sysctl', 'must be an object of names and values');
  const out: Record<string, string> = {};
  const IPC = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];
  for (const [key, value] of Object.entries(o)) {
    const field = `linux.sysctl["${key}"]`;
    if (!/^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/.test(key)) fail(field, 'is not a sysctl name like net.ipv4.ip_forward');
    const ns = IPC.includes(key) || key.startsWith('fs.mqueue.') ? 'ipc' : key.startsWith('net.') ? 'network'
      : key === 'kernel.hostname' || key === 'kernel.domainname' ? 'uts' : undefined;
    if (ns === undefined) return refuse(field, 'it is not a namespaced sysctl: setting it would change the host');
    if (!own(ns)) refuse(field, `the container has no ${ns} namespace of its own`);
    out[key] = string(value, field);
  }
  return out;
}

function kernelPaths(v: unknown, field: string): string[] {
  return strings(v, field).map((p, i) => {
    const path = containerPath(p, `${field}[${i}]`);
    if (!/^\/(proc|sys)\//.test(path)) refuse(`${field}[${i}]`, `${JSON.stringify(p)}: sc masks and makes read-only only paths under /proc and /sys`);
    return path;
  });
}

function devices(v: unknown, userns: boolean): DeviceSpec[] {
  return array(v, 'linux.devices').map((d, i) => {
    const f = `linux.devices[${i}]`;
    const o = object(d, f, ['type', 'path', 'major', 'minor', 'fileMode', 'uid', 'gid']);
    if (userns) refuse(f, 'a user namespace cannot make device nodes');
    const path = containerPath(o.path, `${f}.path`);
    if (!path.startsWith('/dev/')) refuse(`${f}.path`, `${JSON.stringify(path)}: sc makes device nodes only under /dev`);
    const type = string(o.type, `${f}.type`);
    if (!['c', 'b', 'u', 'p'].includes(type)) fail(`${f}.type`, `${JSON.stringify(type)} must be c, b, u or p`);
    return {
      path, type,
      major: type === 'p' ? 0 : integer(o.major, `${f}.major`, 0, 4095),
      minor: type === 'p' ? 0 : integer(o.minor, `${f}.minor`, 0, 2 ** 20 - 1),
      fileMode: o.fileMode === undefined || o.fileMode === null ? 0o666 : integer(o.fileMode, `${f}.fileMode`, 0, 0o7777),
      uid: o.uid === undefined || o.uid === null ? 0 : integer(o.uid, `${f}.uid`, 0, UINT32_MAX_ID),
      gid: o.gid === undefined || o.gid === null ? 0 : integer(o.gid, `${f}.gid`, 0, UINT32_MAX_ID),
    };
  });
}

function deviceRules(v: unknown): DeviceRule[] {
  return array(v, 'linux.resources.devices').map((r, i) => {
    const f = `linux.resources.devices[${i}]`;
    const o = object(r, f, ['allow', 'type', 'major', 'minor', 'access']);
    if (typeof o.allow !== 'boolean') fail(`${f}.allow`, 'must be true or false');
    const type = o.type === undefined || o.type === null || o.type === '' ? 'a' : string(o.type, `${f}.type`);
    if (!['a', 'c', 'b'].includes(type)) fail(`${f}.type`, `${JSON.stringify(type)} must be a, c or b`);
    const access = o.access === undefined || o.access === null || o.access === '' ? 'rwm' : string(o.access, `${f}.access`);
    if (!/^(?!.*(.).*\1)[rwm]{1,3}$/.test(access)) fail(`${f}.access`, `${JSON.stringify(access)} must be letters of rwm`);
    const number = (k: string, max: number) => (o[k] === undefined || o[k] === null || o[k] === -1 ? undefined : integer(o[k], `${f}.${k}`, 0, max));
    const major = number('major', 4095);
    const minor = number('minor', 2 ** 20 - 1);
    return { allow: o.allow as boolean, type, access, ...(major !== undefined ? { major } : {}), ...(minor !== undefined ? { minor } : {}) };
  });
}

/** linux.resources (of config.json, or of `sc-oci update --resources`): memory, CPU, pids and device rules. */
export function readResources(v: unknown, field = 'linux.resources'): Pick<Spec, 'memory' | 'memorySwap' | 'cpus' | 'cpuShares' | 'pids' | 'deviceRules'> {
  const o = optionalObject(v, field, ['devices', 'memory', 'cpu', 'pids', 'blockIO', 'hugepageLimits', 'network', 'rdma', 'unified']);
  unsupported(o, field, {
    blockIO: 'sc sets no block I/O weights or limits', hugepageLimits: 'sc sets no hugetlb limits', network: 'sc sets no net_cls or net_prio',
    rdma: 'sc sets no RDMA limits', unified: 'sc writes no raw cgroup v2 files',
  });
  const out: ReturnType<typeof readResources> = {};
  const mem = optionalObject(o.memory, `${field}.memory`, ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP', 'swappiness', 'disableOOMKiller', 'useHierarchy', 'checkBeforeUpdate']);
  unsupported(mem, `${field}.memory`, {
    reservation: 'sc sets no soft memory limit', kernel: 'kernel memory limits are gone from Linux', kernelTCP: 'sc sets no kernel TCP memory limit',
    swappiness: 'sc sets no swappiness', disableOOMKiller: 'sc leaves the OOM killer on', useHierarchy: 'sc leaves memory.use_hierarchy as it is',
    checkBeforeUpdate: 'sc does not compare a new limit with the usage',
  });
  const bytes = (k: string) => (mem[k] === undefined || mem[k] === null || mem[k] === -1 ? undefined : integer(mem[k], `${field}.memory.${k}`, 1, Number.MAX_SAFE_INTEGER));
  const limit = bytes('limit');
  if (limit !== undefined) out.memory = limit;
  if (mem.swap === -1 && limit !== undefined) out.memorySwap = -1;
  else if (bytes('swap') !== undefined) {
    if (limit === undefined) refuse(`${field}.memory.swap`, 'swap without a memory limit (give memory.limit too)');
    if (bytes('swap')! < limit!) fail(`${field}.memory.swap`, 'is memory plus swap: it cannot be below memory.limit');
    out.memorySwap = bytes('swap')!;
  }
  const cpu = optionalObject(o.cpu, `${field}.cpu`, ['shares', 'quota', 'period', 'realtimeRuntime', 'realtimePeriod', 'cpus', 'mems', 'idle', 'burst']);
  unsupported(cpu, `${field}.cpu`, {
    realtimeRuntime: 'sc gives no real-time CPU time', realtimePeriod: 'sc gives no real-time CPU time', cpus: 'sc pins no CPUs (cpuset)',
    mems: 'sc pins no memory nodes (cpuset)', idle: 'sc sets no SCHED_IDLE cgroup', burst: 'sc sets no CPU burst',
  });
  if (cpu.shares !== undefined && cpu.shares !== null && cpu.shares !== 0) out.cpuShares = integer(cpu.shares, `${field}.cpu.shares`, 2, 262144);
  const quota = cpu.quota === undefined || cpu.quota === null || cpu.quota === -1 || cpu.quota === 0 ? undefined : integer(cpu.quota, `${field}.cpu.quota`, 1000, Number.MAX_SAFE_INTEGER);
  const period = cpu.period === undefined || cpu.period === null || cpu.period === 0 ? 100000 : integer(cpu.period, `${field}.cpu.period`, 1000, 1000000);
  if (quota !== undefined) {
    out.cpus = quota / period;
    if (out.cpus < 0.01) refuse(`${field}.cpu.quota`, `${quota}/${period} is below the smallest share sc sets (0.01 CPUs)`);
  } else if (cpu.period !== undefined && cpu.period !== null && cpu.period !== 0 && period !== 100000) {
    refuse(`${field}.cpu.period`, 'a period without a quota (sc keeps the period at 100000 µs and scales the quota)');
  }
  const pids = optionalObject(o.pids, `${field}.pids`, ['limit']);
  if (pids.limit !== undefined && pids.limit !== null && (pids.limit as number) > 0) out.pids = integer(pids.limit, `${field}.pids.limit`, 1, Number.MAX_SAFE_INTEGER);
  else if (pids.limit !== undefined && pids.limit !== null) integer(pids.limit, `${field}.pids.limit`, -1, 0);
  if (o.devices !== undefined && o.devices !== null) out.deviceRules = deviceRules(o.devices);
  return out;
}

function hooks(v: unknown): Hooks {
  const o = optionalObject(v, 'hooks', ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
  unsupported(o, 'hooks', {
    createContainer: 'sc-oci runs no hook inside the container\'s namespaces before pivot_root yet (prestart, createRuntime, poststart and poststop it runs)',
    startContainer: 'sc-oci runs no hook inside the container yet (prestart, createRuntime, poststart and poststop it runs)',
  });
  const out: Hooks = {};
  for (const name of ['prestart', 'createRuntime', 'poststart', 'poststop'] as const) {
    const list = array(o[name], `hooks.${name}`).map((h, i) => {
      const f = `hooks.${name}[${i}]`;
      const x = object(h, f, ['path', 'args', 'env', 'timeout']);
      const path = string(x.path, `${f}.path`);
      if (!isAbsolute(path)) fail(`${f}.path`, 'must be an absolute path');
      const hook: Hook = { path };
      if (x.args !== undefined && x.args !== null) hook.args = strings(x.args, `${f}.args`);
      if (x.env !== undefined && x.env !== null) hook.env = strings(x.env, `${f}.env`);
      if (x.timeout !== undefined && x.timeout !== null) hook.timeout = integer(x.timeout, `${f}.timeout`, 1, 86400);
      return hook;
    });
    if (list.length) out[name] = list;
  }
  return out;
}

/** config.json's text → what the tools and sc-oci take; BUNDLE is the bundle's absolute path, ID the container's. */
export function readConfig(text: string, bundle: string, id: string): Bundle {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config.json is not JSON: ${(err as Error).message}`);
  }
  const top = object(json, '', ['ociVersion', 'process', 'root', 'hostname', 'domainname', 'mounts', 'hooks', 'annotations', 'linux',
    'windows', 'solaris', 'vm', 'zos', 'freebsd']);
  unsupported(top, '', { windows: 'sc runs Linux containers', solaris: 'sc runs Linux containers', vm: 'sc runs containers, not virtual machines', zos: 'sc runs Linux containers', freebsd: 'sc runs Linux containers' });
  const ociVersion = string(top.ociVersion, 'ociVersion');
  if (!/^1\.[01]\.\d+(-[0-9A-Za-z.-]+)?$/.test(ociVersion)) refuse('ociVersion', `${JSON.stringify(ociVersion)}: sc-oci reads runtime-spec 1.0 and 1.1`);
  if (top.process === undefined || top.process === null) fail('process', 'is missing: sc-oci runs the process it names');
  const process = readProcess(top.process);
  const root = object(top.root, 'root', ['path', 'readonly']);
  const rootPath = string(root.path, 'root.path');
  const linux = optionalObject(top.linux, 'linux', ['devices', 'uidMappings', 'gidMappings', 'sysctl', 'resources', 'cgroupsPath', 'namespaces',
    'seccomp', 'rootfsPropagation', 'maskedPaths', 'readonlyPaths', 'mountLabel', 'intelRdt', 'personality', 'timeOffsets', 'memoryPolicy', 'netDevices']);
  unsupported(linux, 'linux', {
    mountLabel: 'sc sets no SELinux label', intelRdt: 'sc sets no Intel RDT classes', personality: 'sc sets no execution domain',
    timeOffsets: 'sc makes no time namespace', memoryPolicy: 'sc sets no NUMA memory policy', netDevices: 'sc moves no network devices into a container',
  });
  const ns = namespaces(linux.namespaces);
  const own = (type: string) => ns.some((n) => n.type === type && !n.path);
  const has = (type: string) => ns.some((n) => n.type === type);
  const spec: Spec = {
    root: { path: resolve(bundle, rootPath), ...(boolean(root.readonly, 'root.readonly') ? { readonly: true } : {}) },
    process,
    namespaces: ns,
    mounts: mounts(top.mounts, bundle),
    // delete --force: a runc container goes at SIGKILL, not after a grace.
    stopSignal: 'SIGKILL',
  };
  if (top.hostname !== undefined && top.hostname !== null && top.hostname !== '') {
    if (!own('uts')) refuse('hostname', 'the container has no UTS namespace of its own to set it in');
    spec.hostname = string(top.hostname, 'hostname');
  }
  if (top.domainname !== undefined && top.domainname !== null && top.domainname !== '') {
    if (!own('uts')) refuse('domainname', 'the container has no UTS namespace of its own to set it in');
    spec.domainname = string(top.domainname, 'domainname');
  }
  const bundleOut: Bundle = {
    spec,
    oci: { id, bundle, ociVersion, annotations: {}, hooks: hooks(top.hooks) },
  };
  if (top.annotations !== undefined && top.annotations !== null) {
    const a = isObject(top.annotations) ? top.annotations : fail('annotations', 'must be an object of strings');
    for (const [k, value] of Object.entries(a)) bundleOut.oci.annotations[k] = string(value, `annotations["${k}"]`);
  }
  if (has('user')) bundleOut.userns = idMappings(linux.uidMappings, linux.gidMappings);
  else if (present(linux.uidMappings) || present(linux.gidMappings)) refuse('linux.uidMappings', 'mappings without a user namespace (add {"type": "user"} to linux.namespaces)');
  const devs = devices(linux.devices, has('user'));
  if (devs.length) spec.devices = devs;
  const sys = sysctl(linux.sysctl, own);
  if (Object.keys(sys).length) spec.sysctl = sys;
  Object.assign(spec, readResources(linux.resources));
  // runc makes linux.devices before it writes the device rules; ours are in the cgroup before sc-init makes the
  // nodes, so making exactly these stays allowed after the rules (m only: reading and writing are the rules' to give).
  if (devs.some((d) => d.type !== 'p')) {
    spec.deviceRules = [...(spec.deviceRules ?? [{ allow: false, type: 'a', access: 'rwm' }]),
      ...devs.filter((d) => d.type !== 'p').map((d) => ({ allow: true, type: d.type === 'b' ? 'b' : 'c', major: d.major, minor: d.minor, access: 'm' }))];
  }
  if (linux.cgroupsPath !== undefined && linux.cgroupsPath !== null && linux.cgroupsPath !== '') {
    const path = string(linux.cgroupsPath, 'linux.cgroupsPath');
    if (/^[^/:]*:[^:]*:[^:]*$/.test(path)) refuse('linux.cgroupsPath', `${JSON.stringify(path)} is a systemd slice path: sc-oci manages cgroups itself (cgroupfs); configure the orchestrator so (see sc-oci --help)`);
    if (!path.startsWith('/') || !/^(\/[A-Za-z0-9_.@+-]+)+$/.test(path) || path.split('/').some((p) => p === '.' || p === '..'))
      refuse('linux.cgroupsPath', `${JSON.stringify(path)}: sc-oci takes an absolute path of plain names, like /default/${id}`);
    spec.cgroupsPath = path;
  }
  if (linux.rootfsPropagation !== undefined && linux.rootfsPropagation !== null && linux.rootfsPropagation !== '') {
    const p = string(linux.rootfsPropagation, 'linux.rootfsPropagation');
    if (['shared', 'rshared', 'unbindable', 'runbindable'].includes(p))
      refuse('linux.rootfsPropagation', `${JSON.stringify(p)}: the container's mounts live in a namespace that is a slave of sc-init's own, never shared with the host's`);
    if (!['private', 'rprivate', 'slave', 'rslave'].includes(p)) fail('linux.rootfsPropagation', `${JSON.stringify(p)} must be private, rprivate, slave or rslave`);
    spec.root!.propagation = p;
  }
  const masked = kernelPaths(linux.maskedPaths, 'linux.maskedPaths');
  const readonly = kernelPaths(linux.readonlyPaths, 'linux.readonlyPaths');
  if (masked.length) spec.maskedPaths = masked;
  if (readonly.length) spec.readonlyPaths = readonly;
  if (linux.seccomp !== undefined && linux.seccomp !== null) {
    try {
      parseSeccompProfile(JSON.stringify(linux.seccomp), 'config.json linux.seccomp');
    } catch (err) {
      throw new ConfigError((err as UsageError).message.replace(/^seccomp profile config\.json linux\.seccomp: /, 'config.json: linux.seccomp.'));
    }
    bundleOut.seccomp = linux.seccomp;
  }
  return bundleOut;
}
