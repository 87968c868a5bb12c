// Seccomp profiles in Docker/Podman's JSON format, compiled into the rules text that native/ loads with
// libseccomp. All policy is decided here; the C side only turns each line into a rule.
//
// Rules text v1: UTF-8, one directive a line, tokens split by one space, `#` starts a comment line.
//   default ACTION            once, the first directive
//   arch NAME                 libseccomp's name in lower case (x86_64 x86 x32 aarch64 arm ...), native first
//   ACTION SYSCALL [ARG ...]  one syscall a line; ARGs on a line are ANDed, lines for one syscall ORed
// ACTION: allow, errno:N, kill_thread, kill_process, trap, log. ARG: INDEX:OP:VALUE[:VALUE2], OP one of
// ne lt le eq ge gt masked_eq, numbers decimal; masked_eq has the mask as VALUE and the datum as VALUE2.
import { constants } from 'node:os';
import { UsageError } from './errors.js';

export interface SeccompArg { index: number; value: number; valueTwo?: number; op: string }
export interface SeccompFilter { caps?: readonly string[]; arches?: readonly string[]; minKernel?: string }
export interface SeccompRule {
  names: readonly string[];
  action: string;
  errnoRet?: number;
  args?: readonly SeccompArg[];
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
  comment?: string;
}
export interface SeccompArchMap { architecture: string; subArchitectures: readonly string[] }
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: readonly SeccompArchMap[];
  architectures?: readonly string[];
  syscalls?: readonly SeccompRule[];
}

/** Docker's default set of capabilities, as names: the set native/caps.h keeps. */
export const DEFAULT_CAP_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Profile actions → the rules text's action token (errno gets its number when compiled). */
const ACTIONS: Record<string, string> = {
  SCMP_ACT_ALLOW: 'allow', SCMP_ACT_ERRNO: 'errno', SCMP_ACT_KILL: 'kill_thread', SCMP_ACT_KILL_THREAD: 'kill_thread',
  SCMP_ACT_KILL_PROCESS: 'kill_process', SCMP_ACT_TRAP: 'trap', SCMP_ACT_LOG: 'log',
};
const REFUSED_ACTIONS: Record<string, string> = {
  SCMP_ACT_TRACE: 'needs a ptrace tracer, and sc runs none',
  SCMP_ACT_NOTIFY: 'needs a seccomp agent (listenerPath), and sc runs none',
};
const OPS: Record<string, string> = {
  SCMP_CMP_NE: 'ne', SCMP_CMP_LT: 'lt', SCMP_CMP_LE: 'le', SCMP_CMP_EQ: 'eq', SCMP_CMP_GE: 'ge', SCMP_CMP_GT: 'gt',
  SCMP_CMP_MASKED_EQ: 'masked_eq',
};
/** The architectures libseccomp knows; the rules text names them without the prefix, in lower case. */
const ARCHES = new Set(['X86', 'X86_64', 'X32', 'ARM', 'AARCH64', 'LOONGARCH64', 'M68K', 'MIPS', 'MIPS64', 'MIPS64N32',
  'MIPSEL', 'MIPSEL64', 'MIPSEL64N32', 'PPC', 'PPC64', 'PPC64LE', 'S390', 'S390X', 'PARISC', 'PARISC64', 'RISCV64',
  'SH', 'SHEB'].map((a) => `SCMP_ARCH_${a}`));
/** Node's process.arch → the name Docker compares includes/excludes.arches with (Go's, via moby's goToNative), and the SCMP arch. */
const NATIVE: Record<string, { docker: string; scmp: string }> = {
  x64: { docker: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  ia32: { docker: 'x86', scmp: 'SCMP_ARCH_X86' },
  arm64: { docker: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
  arm: { docker: 'arm', scmp: 'SCMP_ARCH_ARM' },
  loong64: { docker: 'loongarch64', scmp: 'SCMP_ARCH_LOONGARCH64' },
  ppc64: { docker: 'ppc64le', scmp: 'SCMP_ARCH_PPC64LE' }, // Node's only Linux ppc64 is little-endian
  riscv64: { docker: 'riscv64', scmp: 'SCMP_ARCH_RISCV64' },
  s390x: { docker: 's390x', scmp: 'SCMP_ARCH_S390X' },
  mipsel: { docker: 'mipsel', scmp: 'SCMP_ARCH_MIPSEL' },
};
const MAX_ERRNO = 4095;
const SYSCALL_NAME = /^[a-z0-9_]+$/; // also keeps the rules text's spaces and newlines out of names
const errnoNames: Record<string, number | undefined> = constants.errno;
const list = (o: object): string => Object.keys(o).join(', ');

/** Parse a profile (JSON text) in Docker/Podman's format; `source` (a file path) names it in errors. */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  const fail = (field: string, what: string): never => { throw new UsageError(`seccomp profile ${source}: ${field} ${what}`); };
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) { fail('is not JSON:', (err as Error).message); }

  const object = (v: unknown, field: string, known: string[]): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(field, 'must be a JSON object');
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!known.includes(k)) fail(field === 'the profile' ? k : `${field}.${k}`, `is not a field sc knows (${known.join(', ')})`);
    return o;
  };
  const array = (v: unknown, field: string): unknown[] => {
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : fail(field, 'must be an array');
  };
  const strings = (v: unknown, field: string, pattern: RegExp): string[] =>
    array(v, field).map((s, i) => typeof s === 'string' && pattern.test(s) ? s : fail(`${field}[${i}]`, `${JSON.stringify(s)} is not a valid name`));
  const whole = (v: unknown, field: string, max: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
      fail(field, `${JSON.stringify(v)} is not a whole number from 0 to ${max}`);
    return v as number;
  };
  const action = (v: unknown, field: string): string => {
    if (typeof v !== 'string') return fail(field, 'must be a string naming an action');
    if (REFUSED_ACTIONS[v]) fail(field, `${v} ${REFUSED_ACTIONS[v]}`);
    return ACTIONS[v] ? v : fail(field, `${JSON.stringify(v)} is not an action sc supports (${list(ACTIONS)})`);
  };
  // Podman's profiles also name the errno ("errno": "ENOSYS"); containers/common lets the name win.
  const errnoRet = (v: unknown, name: unknown, act: string, field: string, nameField: string): number | undefined => {
    const ret = v === undefined || v === null ? undefined : whole(v, field, MAX_ERRNO);
    let named: number | undefined;
    if (name !== undefined && name !== '') {
      named = typeof name === 'string' ? (/^\d+$/.test(name) ? Number(name) : errnoNames[name]) : undefined;
      if (named === undefined || named > MAX_ERRNO) fail(nameField, `${JSON.stringify(name)} is not an errno name like "EPERM"`);
      if (ret !== undefined && ret !== named) fail(nameField, `${JSON.stringify(name)} disagrees with ${field} ${ret}`);
    }
    if ((ret ?? named) !== undefined && act !== 'SCMP_ACT_ERRNO')
      fail(ret !== undefined ? field : nameField, `is only for SCMP_ACT_ERRNO, not ${act}`);
    return ret ?? named;
  };
  const arch = (v: unknown, field: string): string => typeof v === 'string' && ARCHES.has(v)
    ? v : fail(field, `${JSON.stringify(v)} is not an architecture libseccomp knows (SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, ...)`);
  const filter = (v: unknown, field: string): SeccompFilter | undefined => {
    if (v === undefined || v === null) return undefined;
    const o = object(v, field, ['caps', 'arches', 'minKernel']);
    const f: SeccompFilter = {
      caps: strings(o.caps, `${field}.caps`, /^CAP_[A-Z_]+$/),
      arches: strings(o.arches, `${field}.arches`, /^[a-z0-9]+$/),
    };
    if (o.minKernel !== undefined && o.minKernel !== '') {
      const m = typeof o.minKernel === 'string' ? /^(\d{1,3})\.(\d{1,3})$/.exec(o.minKernel) : null;
      if (!m || Number(m[1]) > 255 || Number(m[2]) > 255 || (m[1] === '0' && m[2] === '0'))
        fail(`${field}.minKernel`, `${JSON.stringify(o.minKernel)} is not a kernel version like "4.8"`);
      f.minKernel = o.minKernel as string;
    }
    return f;
  };
  const arg = (v: unknown, field: string): SeccompArg => {
    const o = object(v, field, ['index', 'value', 'valueTwo', 'op']);
    const op = typeof o.op === 'string' && OPS[o.op]
      ? o.op : fail(`${field}.op`, `${JSON.stringify(o.op)} is not an operator sc supports (${list(OPS)})`);
    // Numbers above 2^53 reach JavaScript rounded, so they are refused rather than compared wrongly.
    const a: SeccompArg = { index: whole(o.index, `${field}.index`, 5), value: whole(o.value, `${field}.value`, Number.MAX_SAFE_INTEGER), op };
    const two = o.valueTwo === undefined || o.valueTwo === null ? 0 : whole(o.valueTwo, `${field}.valueTwo`, Number.MAX_SAFE_INTEGER);
    if (op === 'SCMP_CMP_MASKED_EQ') a.valueTwo = two;
    else if (two !== 0) fail(`${field}.valueTwo`, `is only used by SCMP_CMP_MASKED_EQ, not ${op}`);
    return a;
  };
  const rule = (v: unknown, field: string): SeccompRule => {
    const o = object(v, field, ['names', 'name', 'action', 'errnoRet', 'errno', 'args', 'includes', 'excludes', 'comment']);
    const hasName = o.name !== undefined && o.name !== ''; // Docker's older single-name form
    if (hasName && o.names !== undefined) fail(field, 'has both name and names: use names');
    const callNames = hasName
      ? [typeof o.name === 'string' && SYSCALL_NAME.test(o.name) ? o.name : fail(`${field}.name`, `${JSON.stringify(o.name)} is not a valid name`)]
      : strings(o.names, `${field}.names`, SYSCALL_NAME);
    if (callNames.length === 0) fail(`${field}.names`, 'must list at least one syscall');
    const act = action(o.action, `${field}.action`);
    const r: SeccompRule = { names: callNames, action: act };
    const ret = errnoRet(o.errnoRet, o.errno, act, `${field}.errnoRet`, `${field}.errno`);
    if (ret !== undefined) r.errnoRet = ret;
    const args = array(o.args, `${field}.args`).map((a, i) => arg(a, `${field}.args[${i}]`));
    if (args.length) r.args = args;
    const includes = filter(o.includes, `${field}.includes`);
    if (includes) r.includes = includes;
    const excludes = filter(o.excludes, `${field}.excludes`);
    if (excludes) r.excludes = excludes;
    if (o.comment !== undefined) r.comment = typeof o.comment === 'string' ? o.comment : fail(`${field}.comment`, 'must be a string');
    return r;
  };

  const top = object(json, 'the profile', ['defaultAction', 'defaultErrnoRet', 'defaultErrno', 'architectures', 'archMap', 'syscalls',
    'flags', 'listenerPath', 'listenerMetadata']);
  if (top.defaultAction === undefined) fail('defaultAction', `is missing: give one of ${list(ACTIONS)}`);
  if (array(top.flags, 'flags').length) fail('flags', `${JSON.stringify(top.flags)} cannot be honoured: sc's loader sets no filter flags`);
  for (const k of ['listenerPath', 'listenerMetadata'])
    if (top[k] !== undefined && top[k] !== '') fail(k, 'cannot be honoured: sc runs no seccomp agent');
  const profile: SeccompProfile = { defaultAction: action(top.defaultAction, 'defaultAction') };
  const ret = errnoRet(top.defaultErrnoRet, top.defaultErrno, profile.defaultAction, 'defaultErrnoRet', 'defaultErrno');
  if (ret !== undefined) profile.defaultErrnoRet = ret;
  const architectures = array(top.architectures, 'architectures').map((a, i) => arch(a, `architectures[${i}]`));
  const archMap = array(top.archMap, 'archMap').map((v, i): SeccompArchMap => {
    const o = object(v, `archMap[${i}]`, ['architecture', 'subArchitectures']);
    return {
      architecture: arch(o.architecture, `archMap[${i}].architecture`),
      subArchitectures: array(o.subArchitectures, `archMap[${i}].subArchitectures`).map((a, j) => arch(a, `archMap[${i}].subArchitectures[${j}]`)),
    };
  });
  if (architectures.length && archMap.length) fail('architectures', 'and archMap are both given: use one of them');
  if (architectures.length) profile.architectures = architectures;
  if (archMap.length) profile.archMap = archMap;
  profile.syscalls = array(top.syscalls, 'syscalls').map((r, i) => rule(r, `syscalls[${i}]`));
  return profile;
}

/** Resolve a profile for one container (its capabilities, Node's arch name, os.release()) into rules text v1. */
export function compileSeccomp(profile: SeccompProfile, opts: { caps: readonly string[]; arch: string; kernel: string; source?: string }): string {
  const source = (opts.source ?? 'default').replace(/[\0-\x1f]/g, '?');
  const native = NATIVE[opts.arch];
  if (!native) throw new UsageError(`seccomp profile ${source}: sc does not know the seccomp architecture of ${opts.arch} (knows ${list(NATIVE)})`);
  const kernelAtLeast = (min: string): boolean => {
    const have = /^(\d+)\.(\d+)/.exec(opts.kernel);
    if (!have) throw new UsageError(`seccomp profile ${source}: cannot read a kernel version from ${JSON.stringify(opts.kernel)}`);
    const [major, minor] = min.split('.').map(Number) as [number, number];
    return Number(have[1]) > major || (Number(have[1]) === major && Number(have[2]) >= minor);
  };
  // moby's setupSeccomp: includes need every listed cap, excludes drop the rule on any one of them.
  const applies = (r: SeccompRule): boolean => {
    const { includes: inc, excludes: exc } = r;
    if (exc?.arches?.includes(native.docker) || exc?.caps?.some((c) => opts.caps.includes(c))) return false;
    if (exc?.minKernel && kernelAtLeast(exc.minKernel)) return false;
    if (inc?.arches?.length && !inc.arches.includes(native.docker)) return false;
    if (inc?.caps?.length && !inc.caps.every((c) => opts.caps.includes(c))) return false;
    return !(inc?.minKernel && !kernelAtLeast(inc.minKernel));
  };
  // As runc: an ERRNO rule without errnoRet returns EPERM; only the default action uses defaultErrnoRet.
  const token = (action: string, errno: number | undefined): string => {
    const t = ACTIONS[action];
    if (!t) throw new UsageError(`seccomp profile ${source}: ${action} is not an action sc supports (${list(ACTIONS)})`);
    return t === 'errno' ? `errno:${errno ?? 1}` : t;
  };
  const arches = [native.scmp, ...(profile.architectures ?? [])];
  const mapped = profile.archMap?.find((m) => m.architecture === native.scmp);
  if (mapped) arches.push(...mapped.subArchitectures);

  const defaultToken = token(profile.defaultAction, profile.defaultErrnoRet);
  const lines = [`# sc seccomp rules v1 (from: ${source})`, `default ${defaultToken}`];
  for (const a of new Set(arches)) lines.push(`arch ${a.replace(/^SCMP_ARCH_/, '').toLowerCase()}`);
  const rules = new Set<string>(); // an identical rule twice (e.g. ptrace with CAP_SYS_PTRACE) says nothing new
  for (const r of profile.syscalls ?? []) {
    if (!applies(r)) continue;
    const act = token(r.action, r.errnoRet);
    if (act === defaultToken) continue; // libseccomp refuses a rule that repeats the default action
    for (const name of r.names) for (const conds of conditionSets(r.args ?? [])) rules.add([act, name, ...conds].join(' '));
  }
  return [...lines, ...rules].join('\n') + '\n';
}

/** runc's matchCall: the conditions are ANDed on one rule, unless an argument index repeats —
 *  libseccomp cannot AND two conditions on one argument — then each condition is a rule of its own (ORed). */
function conditionSets(args: readonly SeccompArg[]): string[][] {
  const conds = args.map((a) => [a.index, OPS[a.op], a.value, ...(a.op === 'SCMP_CMP_MASKED_EQ' ? [a.valueTwo ?? 0] : [])].join(':'));
  const repeats = new Set(args.map((a) => a.index)).size < args.length;
  return repeats ? conds.map((c) => [c]) : [conds];
}
