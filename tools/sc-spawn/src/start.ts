import {
  isMountPoint, isSameProcess, libexecPath, processStartTime, readPidFile, requireField, run, StepError, UsageError, writeFileAtomic,
  InputError, type RunError, type StreamVerb, waitGone,
} from '@sc/core';
const BOOT_SETTLE_MS = 50;
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { initArgs, processInitArgs, type ProcessRun } from './init-args.js';
import { writeSeccompRules } from './seccomp-rules.js';

export const start: StreamVerb = {
  kind: 'forward',
  summary: "start the container's PID 1 in new PID, mount, UTS, IPC, network and cgroup namespaces (and user, with spec.userns), inside its cgroups, under its seccomp filter; " +
    'with spec.process, PID 1 is that process (the application, as sc-oci asks), set up as the spec says, held with --hold until sc-spawn release',
  reads: 'name spec.hostname spec.boot spec.privileged spec.noNewPrivileges spec.seccomp spec.root spec.process spec.mounts spec.namespaces userns rootfs.merged cgroup.paths',
  writes: 'process (and containers/NAME/seccomp, the rules, and seccomp.bpf, the filter sc-enter applies too)',
  options: {
    hold: { type: 'boolean', description: 'spec.process: PID 1 waits before it execs its program until sc-spawn release (runc create, then start)' },
    'stdio-of': { type: 'string', value: 'PID', description: "spec.process: the process's stdin, stdout and stderr are those of process PID (sc-oci's own, which the orchestrator handed them)" },
    'console-socket': { type: 'string', value: 'SOCKET', description: 'spec.process with terminal: its pty master goes to this AF_UNIX socket' },
    'no-pivot': { type: 'boolean', description: 'spec.process: move the rootfs over / and chroot instead of pivot_root (a rootfs on a ramdisk)' },
    'no-new-keyring': { type: 'boolean', description: 'spec.process: keep the caller\'s session keyring instead of a new one' },
  },
  check(ctx) {
    const stdioOf = ctx.options['stdio-of'];
    if (stdioOf !== undefined && !/^[1-9]\d*$/.test(String(stdioOf))) throw new UsageError(`--stdio-of ${JSON.stringify(stdioOf)} must be a process id`);
    const socket = ctx.options['console-socket'];
    if (socket !== undefined && !String(socket).startsWith('/')) throw new UsageError('--console-socket must be an absolute path');
  },
  needs(doc) {
    if (!doc.spec.root) requireField(doc, 'rootfs.merged', 'pipe it through sc-rootfs mount first');
    if (doc.spec.root && !doc.spec.process) throw new InputError(`${doc.name}: spec.root (a rootfs given as it is) needs spec.process`);
  },
  async each(doc, ctx) {
    if (isSameProcess(doc.process)) return; // already running
    // A PID 1 started by a pipeline that was killed before it saved: adopt it rather than start a second.
    const orphan = readPidFile(ctx.layout.initPid(doc.name));
    if (orphan && isSameProcess(orphan)) {
      doc.process = orphan;
      return;
    }
    const root = doc.spec.root?.path ?? doc.rootfs!.merged;
    if (!doc.spec.root && !isMountPoint(root)) throw new StepError('ENOTMOUNTED', `rootfs ${root} is not mounted; pipe the document through sc-rootfs mount first`);
    if (doc.spec.process?.terminal && !ctx.options['console-socket'])
      throw new StepError('EINVAL', 'spec.process.terminal needs --console-socket: where its terminal goes');
    const rules = await writeSeccompRules(doc, ctx.layout.seccomp(doc.name));
    const bpf = ctx.layout.seccompBpf(doc.name);
    rmSync(bpf, { force: true });
    // libseccomp takes ~12 ms of CPU for Docker's profile: a program compiled once for the same rules is reused.
    const kept = rules && ctx.layout.seccompProgram(createHash('sha256').update(rules.text).digest('hex'));
    if (kept && existsSync(kept)) copyFileSync(kept, bpf);
    const seccomp = !rules || !kept ? undefined : existsSync(bpf) ? { filter: bpf } : { rules: rules.file, bpf };
    let args: string[];
    if (doc.spec.process) {
      const hold = ctx.layout.holdFifo(doc.name);
      if (ctx.options.hold) rmSync(hold, { force: true }); // one left by a PID 1 that died while held
      const opts: ProcessRun = {
        ...(ctx.options.hold ? { hold } : {}),
        ...(ctx.options['stdio-of'] !== undefined ? { stdioOf: Number(ctx.options['stdio-of']) } : {}),
        ...(doc.spec.process.terminal ? { consoleSocket: String(ctx.options['console-socket']) } : {}),
        noPivot: ctx.options['no-pivot'] === true,
        noNewKeyring: ctx.options['no-new-keyring'] === true,
      };
      args = processInitArgs(doc, root, { ...(seccomp ? { seccomp } : {}) }, opts);
    } else {
      const console = { keeper: libexecPath('sc-console'), log: ctx.layout.consoleLog(doc.name), socket: ctx.layout.consoleSocket(doc.name) };
      args = initArgs(doc, root, { seccomp, console }, ctx.config.stopTimeout);
    }
    let out: string;
    try {
      out = await run(libexecPath('sc-init'), args);
    } catch (err) {
      throw new StepError('EINIT', `${(err as RunError).stderr?.split('\n').pop()?.replace(/^sc-init: /, '') || (err as Error).message}`);
    }
    if (seccomp && 'rules' in seccomp && kept) keepProgram(bpf, kept);
    const reported = JSON.parse(out) as { pid: unknown; console?: unknown };
    const pid = Number(reported.pid);
    const keeper = Number(reported.console);
    const keeperStart = reported.console !== undefined ? processStartTime(keeper) : undefined;
    let startTime = processStartTime(pid);
    // An image's init that cannot boot usually dies at once: a moment's look says so here, with its last words,
    // rather than as a puzzle in the next step.
    if (doc.spec.boot && startTime !== undefined && (await waitGone({ pid, startTime }, BOOT_SETTLE_MS))) startTime = undefined;
    if (!Number.isInteger(pid) || startTime === undefined) {
      const last = doc.spec.process ? undefined : lastLine(ctx.layout.consoleLog(doc.name));
      throw new StepError('ESRCH', `the container's PID 1 exited right after it started${last ? `; it printed last: ${last}` : doc.spec.boot ? ' (sc logs NAME shows its console)' : ''}`);
    }
    // Recorded at once, by us: whatever kills the pipeline from here on, stop can still find this PID 1.
    writeFileAtomic(ctx.layout.initPid(doc.name), `${pid} ${startTime}\n`);
    doc.process = { pid, startTime, ...(keeperStart !== undefined ? { console: { pid: keeper, startTime: keeperStart } } : {}) };
  },
};

/** The last line PID 1 printed on its console (the tail of the log), or undefined. */
function lastLine(log: string): string | undefined {
  try {
    const text = readFileSync(log, 'utf8').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).pop()?.slice(0, 200);
  } catch {
    return undefined;
  }
}

/** Keep the program sc-init just compiled for the next start with the same rules (temp file and rename). */
function keepProgram(bpf: string, kept: string): void {
  try {
    mkdirSync(dirname(kept), { recursive: true, mode: 0o700 });
    const tmp = `${kept}.${process.pid}.tmp`;
    copyFileSync(bpf, tmp);
    renameSync(tmp, kept);
  } catch {
    // Only a cache: the next start compiles again.
  }
}
