// What runc's callers read of a failure: one line on stderr, and with --log a line in the log file, in
// runc's format (--log-format json: {"level":"error","msg":"...","time":"..."}, which containerd's shim
// takes its error from; text: time="..." level=error msg="...").
import { appendFileSync } from 'node:fs';
import { writeErr } from '@sc/core';

export class Log {
  constructor(private readonly file: string | undefined, private readonly format: 'text' | 'json', private readonly debugOn: boolean) {}

  private write(level: 'error' | 'warning' | 'debug', msg: string): void {
    if (!this.file) return;
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const line = this.format === 'json' ? JSON.stringify({ level, msg, time }) : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
    try {
      appendFileSync(this.file, `${line}\n`, { mode: 0o600 });
    } catch {
      // The log is the caller's; a failure to write it must not hide the error itself.
    }
  }

  error(msg: string): void {
    this.write('error', msg);
    writeErr(`sc-oci: ${msg}\n`);
  }

  warn(msg: string): void {
    this.write('warning', msg);
    writeErr(`sc-oci: warning: ${msg}\n`);
  }

  debug(msg: string): void {
    if (this.debugOn) this.write('debug', msg);
  }
}
