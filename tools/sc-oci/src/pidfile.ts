import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** runc's --pid-file: the pid, no newline, replaced whole (a reader never sees half of it). */
export function writePidFile(file: string, pid: number): void {
  const path = resolve(file);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const failed = (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    return new Error(`cannot write the pid file ${path}: ${e.code === 'ENOENT' ? `no directory ${dirname(path)}` : e.message}`);
  };
  try {
    writeFileSync(tmp, String(pid), { mode: 0o644 });
  } catch (err) {
    throw failed(err);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw failed(err);
  }
}
