import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { endianness } from 'node:os';

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

const AT_CLKTCK = 17;
const ARCHS_32 = ['arm', 'ia32', 'mips', 'mipsel', 'ppc'];

/**
 * The clock ticks per second of /proc's times (USER_HZ), as the kernel hands it to every process:
 * AT_CLKTCK in our auxiliary vector, which is what sysconf(_SC_CLK_TCK) returns.
 */
export function clockTicksPerSecond(): number {
  const auxv = readFileSync('/proc/self/auxv');
  const word = ARCHS_32.includes(process.arch) ? 4 : 8;
  const le = endianness() === 'LE';
  const read = (at: number): number => {
    if (word === 4) return le ? auxv.readUInt32LE(at) : auxv.readUInt32BE(at);
    return Number(le ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at));
  };
  for (let at = 0; at + 2 * word <= auxv.length; at += 2 * word) {
    if (read(at) === AT_CLKTCK) return read(at + word);
  }
  throw new Error('/proc/self/auxv holds no AT_CLKTCK: cannot tell the clock tick');
}

/** What turns /proc's start times into wall-clock times: when the host booted (btime of /proc/stat) and the clock tick. */
export interface HostClock {
  bootTime: number; // seconds since the epoch
  ticksPerSecond: number;
}

export function hostClock(): HostClock {
  const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
  if (!m) throw new Error('/proc/stat holds no btime: cannot tell when the host booted');
  return { bootTime: Number(m[1]), ticksPerSecond: clockTicksPerSecond() };
}

/** The wall-clock time a process started, from its start time as processStartTime gives it (clock ticks since boot). */
export function startedAt(startTime: number, clock: HostClock = hostClock()): Date {
  return new Date((clock.bootTime + startTime / clock.ticksPerSecond) * 1000);
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

/** The live processes in a cgroup directory and its child cgroups (none when it does not exist); zombies count as gone. */
export function cgroupPids(dir: string): number[] {
  let text: string;
  let children: string[];
  try {
    text = readFileSync(join(dir, 'cgroup.procs'), 'utf8');
    children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const own = text.split('\n').filter(Boolean).map(Number).filter((pid) => processStartTime(pid) !== undefined);
  return [...own, ...children.flatMap(cgroupPids)];
}
