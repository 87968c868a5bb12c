import { readlinkSync, rmSync } from 'node:fs';
import { isSameProcess, readPidFile, run, StepError, UsageError, waitGone, type Doc, type StreamVerb } from '@sc/core';
import { signalNumber, stopSignalOf } from './stop-signal.js';

export const stop: StreamVerb = {
  kind: 'inverse',
  concurrent: true,
  summary: "ask PID 1 to shut the container down, as a VM's power button does, and SIGKILL what is left after --time seconds. " +
    "The signal: spec.stopSignal, else what the image's init expects (systemd: SIGRTMIN+3, busybox init: SIGUSR2, another init: SIGPWR), " +
    "else SIGTERM to sc's own PID 1, which passes it to every process and waits the same --time",
  reads: 'name spec.stopSignal spec.boot process (or containers/NAME/init.pid)',
  writes: 'process (removed; and containers/NAME/seccomp, exec.fifo)',
  options: {
    time: { type: 'string', short: 't', value: 'SECONDS', description: 'how long to wait for a clean shutdown before SIGKILL (default: the config\'s stopTimeout, 10)' },
  },
  check(ctx) {
    const t = ctx.options.time;
    if (t !== undefined && !/^\d+(\.\d+)?$/.test(String(t))) throw new UsageError(`--time ${JSON.stringify(t)} must be a number of seconds`);
  },
  async each(doc, ctx) {
    const pidFile = ctx.layout.initPid(doc.name);
    // The record may miss a PID 1 started by a pipeline that was killed before it saved: init.pid has it.
    const proc = [doc.process, readPidFile(pidFile)].find((p) => isSameProcess(p));
    if (proc) {
      const grace = ctx.options.time !== undefined ? Number(ctx.options.time) : ctx.config.stopTimeout;
      await askToStop(doc, proc.pid, grace, grace === (doc.spec.grace ?? ctx.config.stopTimeout));
      if (!(await waitGone(proc, grace * 1000 + 500))) {
        // Killing PID 1 of a PID namespace kills every process in it.
        process.kill(proc.pid, 'SIGKILL');
        if (!(await waitGone(proc, 5000))) throw new StepError('EBUSY', `PID 1 (pid ${proc.pid}) survived SIGKILL for 5 s`);
      }
    }
    // The console keeper writes PID 1's last words and goes: wait for it, so stop leaves nothing running.
    const keeper = doc.process?.console;
    if (keeper && isSameProcess(keeper) && !(await waitGone(keeper, 2000))) {
      try { process.kill(keeper.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    }
    rmSync(pidFile, { force: true });
    // start compiles them again; a hold FIFO is of a PID 1 that is gone
    for (const file of [ctx.layout.seccomp(doc.name), ctx.layout.seccompBpf(doc.name), ctx.layout.holdFifo(doc.name)]) rmSync(file, { force: true });
    delete doc.process;
  },
};

/** The stop signal; to sc's own PID 1 with the grace queued along (sigqueue), so one timeout holds from `sc stop -t` to PID 1. */
async function askToStop(doc: Doc, pid: number, grace: number, graceAtStart: boolean): Promise<void> {
  const signal = stopSignalOf(doc, readOr(`/proc/${pid}/exe`));
  // sc-init already waits what it was started with (sc-spawn start passed it): no need to queue it.
  if (!doc.spec.boot && signal === 'SIGTERM' && !graceAtStart) {
    try {
      await run('/bin/kill', ['--queue', String(Math.ceil(grace)), '-s', 'TERM', String(pid)]);
      return;
    } catch {
      // procps' kill missing or refusing: a plain SIGTERM, and sc-init's own --grace.
    }
  }
  process.kill(pid, signalNumber(signal));
}

function readOr(link: string): string {
  try {
    return readlinkSync(link);
  } catch {
    return '';
  }
}
