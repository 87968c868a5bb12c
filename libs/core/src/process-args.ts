// The flags that make a process what an OCI config says (user, groups, umask, capabilities, limits, OOM
// score, environment, working directory): one translation for sc-init (the container's own process, via
// sc-spawn) and sc-enter (a process exec'd into it, via sc-oci), which read them alike (native/process.h).
import { capabilityMask } from './capabilities.js';
import { UsageError } from './errors.js';
import type { ProcessSpec } from './document.js';

/** RLIMIT_... names at their numbers (asm-generic/resource.h). */
export const RLIMITS: readonly string[] = ['CPU', 'FSIZE', 'DATA', 'STACK', 'CORE', 'RSS', 'NPROC', 'NOFILE', 'MEMLOCK', 'AS',
  'LOCKS', 'SIGPENDING', 'MSGQUEUE', 'NICE', 'RTPRIO', 'RTTIME'].map((r) => `RLIMIT_${r}`);

/** The sets in the order --caps takes them. */
const SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;

export function processArgs(p: ProcessSpec): string[] {
  const args = ['--user', `${p.user.uid}:${p.user.gid}`, '--groups', (p.user.additionalGids ?? []).join(','),
    '--umask', (p.user.umask ?? 0o022).toString(8), '--caps', SETS.map((s) => capabilityMask(p.capabilities[s], `process.capabilities.${s}`)).join(':')];
  for (const r of p.rlimits ?? []) {
    const n = RLIMITS.indexOf(r.type);
    if (n < 0) throw new UsageError(`process.rlimits: ${JSON.stringify(r.type)} is not a resource limit this sc knows (RLIMIT_CPU ... RLIMIT_RTTIME)`);
    args.push('--rlimit', `${n}:${r.soft}:${r.hard}`);
  }
  if (p.oomScoreAdj !== undefined) args.push('--oom-score-adj', String(p.oomScoreAdj));
  if (p.noNewPrivileges) args.push('--no-new-privs');
  args.push('--cwd', p.cwd);
  for (const e of p.env) args.push('--env', e);
  if (p.consoleSize) args.push('--console-size', `${p.consoleSize.height}:${p.consoleSize.width}`);
  return args;
}
