import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { StepError, libexecPath, processStartTime, run, waitGone } from '@sc/core';
import { parseLease, type Lease } from './lease.js';
import { IFNAME, type NetPaths } from './paths.js';

export interface DhcpClient {
  lease: Lease;
  pid: number;
  startTime: number;
}

/**
 * Run busybox udhcpc on the host inside the container's netns. Without -f it stays in the foreground
 * until the lease is bound, then forks to the background and keeps renewing; with -n it exits 1 when no
 * lease came in time. So the call returns exactly when the lease is bound (or has failed).
 */
/** The container whose /etc/resolv.conf the client keeps up to date on renewals (unless --dns fixed it). */
export interface ResolvTarget { pid: number; startTime: number; fixedDns: boolean }

export async function startDhcp(paths: NetPaths, parent: string, hostname: string, timeout: number, target: ResolvTarget): Promise<DhcpClient> {
  mkdirSync(paths.dir, { recursive: true });
  for (const f of [paths.lease, paths.pidFile, paths.log]) rmSync(f, { force: true });
  const args = [
    `--net=${paths.netns}`, 'busybox', 'udhcpc', '-i', IFNAME, '-s', libexecPath('sc-udhcpc.script'), '-p', paths.pidFile,
    '-x', `hostname:${hostname}`,
    '-R', // release the lease when stopped (SIGTERM)
    '-n', '-t', String(timeout), '-T', '1', // one discover a second, the first at once; give up after TIMEOUT
    '-A', '5', // once bound, retry lost leases every 5 s
  ];
  try {
    // Not pipes: the daemon would inherit them and hold them open for the container's life.
    await run('nsenter', args, {
      env: {
        SC_LEASE_FILE: paths.lease,
        ...(target.fixedDns ? {} : { SC_ENTER: libexecPath('sc-enter'), SC_PID: String(target.pid), SC_START_TIME: String(target.startTime) }),
      },
      cwd: '/', // the client outlives us: it must not pin the caller's directory
      stdin: 'ignore', stdout: 'ignore', stderr: { file: paths.log },
      timeout: (timeout + 3) * 1000,
    });
  } catch (err) {
    const log = readOr(paths.log).trim();
    if (/no lease/.test(log) || /timed out/i.test((err as Error).message))
      throw new StepError('ETIMEDOUT', `no DHCP offer on ${parent} within ${timeout} s (is a DHCP server on that LAN? --dhcp-timeout waits longer)`);
    throw new StepError('EDHCP', `DHCP client failed: ${log.split('\n').pop() || (err as Error).message}`);
  } finally {
    rmSync(paths.log, { force: true });
  }
  const lease = parseLease(readOr(paths.lease));
  const pid = await daemonPid(paths.pidFile);
  if (!lease) throw new StepError('EDHCP', `udhcpc reported a lease but ${paths.lease} holds none (is ${libexecPath('sc-udhcpc.script')} installed?)`);
  return { lease, pid, startTime: processStartTime(pid)! };
}

/** Stop the recorded client (only if it is still the same process), or one the pidfile names; it releases its lease as it exits. */
export async function stopDhcp(recorded: { pid?: unknown; startTime?: unknown }, paths: NetPaths): Promise<void> {
  const pids = new Set<number>();
  if (typeof recorded.pid === 'number' && processStartTime(recorded.pid) === recorded.startTime) pids.add(recorded.pid);
  const fromFile = Number(readOr(paths.pidFile).trim());
  if (isOurClient(fromFile, paths.pidFile)) pids.add(fromFile);
  for (const pid of pids) {
    const start = processStartTime(pid);
    if (start === undefined) continue;
    try { process.kill(pid, 'SIGTERM'); } catch { continue; }
    if (!(await waitGone({ pid, startTime: start }, 3000))) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      await waitGone({ pid, startTime: start }, 1000);
    }
  }
  rmSync(paths.pidFile, { force: true });
}

/** The pidfile names the backgrounded client once it has forked: wait for that (udhcpc rewrites it after the fork). */
async function daemonPid(pidFile: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const pid = Number(readOr(pidFile).trim());
    if (isOurClient(pid, pidFile)) return pid;
    await sleep(10);
  }
  throw new StepError('EDHCP', `udhcpc got a lease but did not stay in the background (no live pid in ${pidFile})`);
}

/** A live udhcpc started with this pidfile: guards against a reused pid. */
function isOurClient(pid: number, pidFile: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || processStartTime(pid) === undefined) return false;
  const argv = readOr(`/proc/${pid}/cmdline`).split('\0');
  return argv.includes('udhcpc') && argv.includes(pidFile);
}

function readOr(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
