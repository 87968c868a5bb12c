import { InputError } from './errors.js';
import { nameProblem } from './names.js';

export const DOC_VERSION = 1;

export type NetMode = 'none' | 'static' | 'dhcp';

/** What the user asked for: flags of `sc run`, or of the tool itself. */
export interface Spec {
  image?: string;
  hostname?: string;
  memory?: number; // bytes
  cpus?: number; // cores, fractional
  pids?: number;
  net?: {
    mode: NetMode;
    parent?: string;
    address?: string; // CIDR
    gateway?: string;
    dns?: string[];
    mac?: string;
    macvlanMode?: string;
  };
  boot?: boolean;
  privileged?: boolean;
  noNewPrivileges?: boolean;
  /** Seccomp: absent for sc's default profile (Docker's), "unconfined", or the absolute path of a profile (Docker/Podman JSON). */
  seccomp?: string;
  /** Run in a user namespace of its own: container root is an unprivileged id on the host. */
  userns?: boolean;
  grace?: number; // seconds
  /** Signal that asks the container's PID 1 to shut down (default: by its init, see sc-spawn). */
  stopSignal?: string;
  /** Size in bytes of the container's own disk (its upper layer on a filesystem of that size). */
  disk?: number;
  /** Started by `sc autostart` (at host boot). */
  autostart?: boolean;

  // What an OCI bundle's config.json asks for (sc-oci fills these; sc's own flags do not): a rootfs given as it
  // is, the application as PID 1, the mounts, namespaces and confinement exactly as listed.
  /** The root filesystem, used as it is (no image, no sc-rootfs): the bundle's root.path. */
  root?: { path: string; readonly?: boolean; propagation?: string };
  /** The container's cgroup below each hierarchy's root, instead of <cgroupParent>/<name>. */
  cgroupsPath?: string;
  /** CPU weight (cgroup v1 cpu.shares, 2-262144; v2 cpu.weight from it). */
  cpuShares?: number;
  /** Memory plus swap, bytes (v1 memory.memsw.limit_in_bytes; v2 memory.swap.max = this - memory); absent: no swap. */
  memorySwap?: number;
  /** The devices cgroup's rules, in order, before the standard nodes (OCI linux.resources.devices). */
  deviceRules?: DeviceRule[];
  /** PID 1 is this process (it is the application), not sc's waiting PID 1. */
  process?: ProcessSpec;
  /** Mounted in order instead of sc's own /proc, /sys and /dev. */
  mounts?: MountSpec[];
  /** The namespaces: made new, or joined (path). Absent: sc's own set (pid, mount, uts, ipc, net, cgroup), all new. */
  namespaces?: { type: string; path?: string }[];
  domainname?: string;
  sysctl?: Record<string, string>;
  /** Exactly these (under /proc or /sys) instead of sc's lists. */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  /** Device nodes made in the container (OCI linux.devices). */
  devices?: DeviceSpec[];
}

/** The container's process as an OCI config describes it, checked by sc-oci. */
export interface ProcessSpec {
  args: string[];
  /** Exactly the environment (K=V), nothing added but HOME when absent. */
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  /** Capability names (CAP_...) per set; a set left out is empty. */
  capabilities: { bounding: string[]; effective: string[]; permitted: string[]; inheritable: string[]; ambient: string[] };
  /** RLIMIT_... names; soft and hard in the resource's unit, or "unlimited". */
  rlimits?: { type: string; soft: number | 'unlimited'; hard: number | 'unlimited' }[];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
}

export interface MountSpec { destination: string; type: string; source: string; options: string[] }

/** A node in the container's /dev: type c, b, u or p. */
export interface DeviceSpec { path: string; type: string; major: number; minor: number; fileMode: number; uid: number; gid: number }

/** One devices-cgroup rule: type a, c or b; a missing major or minor is any (*). */
export interface DeviceRule { allow: boolean; type: string; major?: number; minor?: number; access: string }

export interface DocError {
  tool: string;
  code: string;
  message: string;
  /** For programs reading the document: the failing program's command line and output. */
  detail?: string;
}

/** One container as it flows between the tools; each tool owns one section. */
export interface Doc {
  v: number;
  name: string;
  id?: string;
  created?: string;
  status?: 'created' | 'running' | 'stopped';
  spec: Spec;
  image?: { name: string; layers: string[] };
  rootfs?: { upper: string; work: string; merged: string; mounted: boolean };
  /** options: v1, for a booted init: each path → its hierarchy's mount options (sc-spawn mounts them inside). */
  cgroup?: { version: 1 | 2; paths: string[]; options?: Record<string, string> };
  /** console: the keeper of PID 1's console (sc-console), which stop waits for after PID 1. */
  process?: { pid: number; startTime: number; console?: { pid: number; startTime: number } };
  /** The host ids a --userns container owns (sc-ps create allocates them; sc-oci takes them from config.json's
   * single-range uid/gidMappings): container id N is host id uid+N / gid+N. */
  userns?: { uid: number; gid: number; size: number };
  net?: Record<string, unknown>;
  error?: DocError;
  /** The error of the last pipeline that failed on this container, as sc-ps save recorded it. */
  lastError?: DocError & { at: string };
  [section: string]: unknown;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parse one NDJSON line into a document, or throw InputError naming what is wrong. */
export function parseDocument(line: string, lineNo: number): Doc {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    const shown = line.length > 40 ? line.slice(0, 40) + '…' : line;
    throw new InputError(`stdin line ${lineNo} is not JSON: ${JSON.stringify(shown)} (expected one container document per line)`);
  }
  if (!isObject(raw)) throw new InputError(`stdin line ${lineNo} is not a container document (expected a JSON object)`);
  if (raw.v !== DOC_VERSION)
    throw new InputError(`stdin line ${lineNo}: document version ${JSON.stringify(raw.v)} is not supported (this sc reads v ${DOC_VERSION})`);
  const problem = nameProblem(raw.name);
  if (problem) throw new InputError(`stdin line ${lineNo}: field "name": ${problem}`);
  if (raw.spec !== undefined && !isObject(raw.spec)) throw new InputError(`stdin line ${lineNo}: field "spec" must be an object`);
  for (const section of ['image', 'rootfs', 'cgroup', 'process', 'net', 'userns', 'error'] as const) {
    if (raw[section] !== undefined && !isObject(raw[section]))
      throw new InputError(`stdin line ${lineNo} (${raw.name}): field "${section}" must be an object`);
  }
  const doc = raw as unknown as Doc;
  doc.spec ??= {};
  return doc;
}

/** Field checks a verb runs before it acts: a missing field is bad input (exit 3), not a step failure. */
export function requireField(doc: Doc, path: string, hint: string): void {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    cur = isObject(cur) ? cur[part] : undefined;
  }
  if (cur === undefined || cur === null)
    throw new InputError(`${doc.name}: document has no "${path}" (${hint})`);
}
