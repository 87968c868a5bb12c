import type { ChildProcess } from 'node:child_process';
import { StepError } from '@sc/core';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Ctrl-C (or a kill) during a pull or a push: instead of dying with its temp files in place, the tool
 * stops the program it waits on and fails its ordinary way, which removes what it made.
 */
export class Interrupt {
  signal?: NodeJS.Signals;
  private child?: ChildProcess;
  private readonly handler = (signal: NodeJS.Signals) => {
    this.signal ??= signal;
    this.child?.kill('SIGTERM');
  };

  constructor() {
    for (const s of SIGNALS) process.on(s, this.handler);
  }

  /** The program now waited on (undefined once it exited). */
  watch(child: ChildProcess | undefined): void {
    this.child = child;
    if (child && this.signal) child.kill('SIGTERM');
  }

  /** Throws once a signal came: `what` was interrupted. */
  check(what: string): void {
    if (this.signal) throw new StepError('EINTR', `${what}: interrupted by ${this.signal}`);
  }

  dispose(): void {
    for (const s of SIGNALS) process.off(s, this.handler);
  }
}
