import { readFileSync } from 'node:fs';

/** Start time of a process (field 22 of /proc/PID/stat, clock ticks since boot), or undefined if it is gone or a zombie. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return Number(fields[19]);
}

/** True when PID is alive and is the same process that was recorded (guards against PID reuse). */
export function isSameProcess(process: { pid: number; startTime: number } | undefined): boolean {
  if (!process || !Number.isInteger(process.pid) || process.pid <= 0) return false;
  return processStartTime(process.pid) === process.startTime;
}

/** A "PID STARTTIME" file (containers/NAME/init.pid), or undefined if it is missing or malformed. */
export function readPidFile(path: string): { pid: number; startTime: number } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d+) (\d+)\n?$/.exec(text);
  return m ? { pid: Number(m[1]), startTime: Number(m[2]) } : undefined;
}

/** Poll until the process is gone (or a zombie); false if it is still there after `ms`. */
export async function waitGone(proc: { pid: number; startTime: number }, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let delay = 2; isSameProcess(proc); delay = Math.min(delay * 2, 50)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return true;
}
