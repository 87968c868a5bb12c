import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CAPABILITIES, libexecPath, processArgs, type ProcessSpec } from '@sc/core';
import { ConfigError, readProcess } from './config.js';
import { checkId, getContainer, OciError, statusOf } from './container.js';
import type { Command } from './command.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

export const exec: Command = {
  summary: "run a process in a created or running container: --process FILE (an OCI process, as containerd and conmon give it), or ARGS with the container's own process as the rest",
  usage: '[FLAGS] ID [COMMAND [ARG...]]',
  flags: {
    process: { type: 'string', short: 'p', value: 'FILE', description: 'the process, as config.json\'s process (JSON)' },
    detach: { type: 'boolean', short: 'd', description: 'do not wait: exit once it runs (its parent, the caller\'s subreaper, reaps it)' },
    'pid-file': { type: 'string', value: 'FILE', description: "write the process's pid to FILE" },
    tty: { type: 'boolean', short: 't', description: 'a terminal for it (to --console-socket, or relayed to ours)' },
    'console-socket': { type: 'string', value: 'SOCKET', description: 'an AF_UNIX socket that receives the master of its terminal' },
    cwd: { type: 'string', value: 'DIR', description: 'its working directory' },
    env: { type: 'string', short: 'e', value: 'K=V', multiple: true, description: 'an environment variable, added' },
    user: { type: 'string', short: 'u', value: 'UID[:GID]', description: 'its user (numeric ids)' },
    'additional-gids': { type: 'string', short: 'g', value: 'GID', multiple: true, description: 'an additional group' },
    cap: { type: 'string', short: 'c', value: 'CAP', multiple: true, description: 'a capability to add' },
    'no-new-privs': { type: 'boolean', description: 'set no_new_privs' },
    'preserve-fds': { type: 'string', value: 'N', description: 'pass N more descriptors: only 0 is supported' },
    'process-label': { type: 'string', value: 'LABEL', description: 'an SELinux label: not supported' },
    apparmor: { type: 'string', value: 'PROFILE', description: 'an AppArmor profile: not supported' },
    cgroup: { type: 'string', value: 'PATH', description: 'a sub-cgroup to run in: not supported' },
    'ignore-paused': { type: 'boolean', description: 'run in a paused container too (the process waits with it)' },
  },
  async run(ctx, { options, args }) {
    const id = checkId(args[0]);
    for (const [flag, why] of [['process-label', 'sc sets no SELinux label'], ['apparmor', 'sc loads no AppArmor profile'], ['cgroup', 'sc runs it in the container\'s own cgroups']] as const)
      if (options[flag] !== undefined) throw new OciError(`--${flag} is not supported: ${why}`);
    if (options['preserve-fds'] !== undefined && options['preserve-fds'] !== '0') throw new OciError('--preserve-fds is not supported: sc-oci passes a process its stdio only');
    const doc = await getContainer(ctx, id);
    const status = await statusOf(ctx, doc);
    if (status === 'stopped') throw new OciError(`cannot exec in container "${id}": it has stopped`);
    if (status === 'paused' && !options['ignore-paused']) throw new OciError(`cannot exec in container "${id}": it is paused`);
    const p = processOf(doc.spec.process, options, args.slice(1));
    if (p.terminal && !options['console-socket'] && options.detach) throw new OciError('a terminal for a detached process needs --console-socket');
    const enter = ['--pid', String(doc.process!.pid), '--start-time', String(doc.process!.startTime)];
    for (const path of doc.cgroup?.paths ?? []) enter.push('--cgroup', path);
    if (existsSync(ctx.layout.seccompBpf(doc.name))) enter.push('--seccomp', ctx.layout.seccompBpf(doc.name));
    enter.push('--clear-env', ...processArgs(p));
    if (p.terminal && options['console-socket']) enter.push('--console-socket', resolve(String(options['console-socket'])));
    if (options['pid-file']) enter.push('--pid-file', resolve(String(options['pid-file'])));
    if (options.detach) enter.push('--detach');
    return runEnter([...enter, '--', ...p.args]);
  },
};

/** The process: the file's, or the container's own with ARGS and the flags' changes (as runc builds it). */
function processOf(own: ProcessSpec | undefined, options: Record<string, unknown>, args: string[]): ProcessSpec {
  try {
    if (options.process !== undefined) {
      if (args.length) throw new OciError('give the command in --process FILE or as ARGS, not both');
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(String(options.process), 'utf8'));
      } catch (err) {
        throw new OciError(`cannot read the process ${options.process}: ${(err as Error).message}`);
      }
      return readProcess(json, 'the process');
    }
    if (!args.length) throw new OciError('exec needs a command: ARGS, or --process FILE');
    const base: ProcessSpec = own ?? readProcess({ args }, 'the process');
    const p: ProcessSpec = { ...base, args, user: { ...base.user }, capabilities: { ...base.capabilities }, env: [...base.env] };
    delete p.consoleSize;
    if (options.cwd !== undefined) {
      if (!String(options.cwd).startsWith('/')) throw new OciError(`--cwd ${JSON.stringify(options.cwd)} must be an absolute path`);
      p.cwd = String(options.cwd);
    }
    for (const e of (options.env as string[] | undefined) ?? []) {
      if (!/^[^=]+=/.test(e)) throw new OciError(`--env ${JSON.stringify(e)} must look like NAME=VALUE`);
      p.env = [...p.env.filter((x) => !x.startsWith(`${e.slice(0, e.indexOf('='))}=`)), e];
    }
    if (options.user !== undefined) {
      const m = /^(\d+)(?::(\d+))?$/.exec(String(options.user));
      if (!m) throw new OciError(`--user ${JSON.stringify(options.user)} must be UID or UID:GID (numbers)`);
      p.user.uid = Number(m[1]);
      p.user.gid = m[2] !== undefined ? Number(m[2]) : p.user.gid;
    }
    if (options['additional-gids']) p.user.additionalGids = (options['additional-gids'] as string[]).map((g) => (/^\d+$/.test(g) ? Number(g) : NaN));
    if (p.user.additionalGids?.some((g) => Number.isNaN(g))) throw new OciError('--additional-gids takes numbers');
    for (const cap of (options.cap as string[] | undefined) ?? []) {
      if (!CAPABILITIES.includes(cap)) throw new OciError(`--cap ${JSON.stringify(cap)} is not a capability this sc knows`);
      for (const set of ['bounding', 'effective', 'permitted'] as const) if (!p.capabilities[set].includes(cap)) p.capabilities[set] = [...p.capabilities[set], cap];
    }
    if (options['no-new-privs']) p.noNewPrivileges = true;
    if (options.tty) p.terminal = true;
    else delete p.terminal;
    return p;
  } catch (err) {
    if (err instanceof ConfigError) throw new OciError(err.message.replace(/^config\.json: /, ''));
    throw err;
  }
}

/** sc-enter with our stdio (the process's), signals passed on, its exit status ours. */
function runEnter(args: string[]): Promise<number> {
  const child = spawn(libexecPath('sc-enter'), args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of FORWARDED) process.on(s, forward);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new OciError(`cannot run sc-enter: ${err.message}`)));
    child.on('close', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
