import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { StepError, libexecPath, processStartTime, run, waitGone } from '@sc/core';
import { parseLease, type Lease } from './lease.js';
import { IFNAME, type NetPaths } from './paths.js';

export interface DhcpClient {
  lease: Lease;
  pid: number;
  startTime: number;
}

/** The container whose /etc/resolv.conf the client keeps up to date on renewals (unless --dns fixed it). */
export interface ResolvTarget { pid: number; startTime: number; fixedDns: boolean }

/**
 * Start the container's DHCP client: native/sc-dhcp runs busybox udhcpc in the container's netns as the
 * unprivileged host id UID with only CAP_NET_ADMIN, CAP_NET_RAW and CAP_NET_BIND_SERVICE, records its leases, and returns
 * once the first is recorded (or the client gave up: -n, after TIMEOUT one-a-second discovers); then it
 * stays behind, renewing (and rewriting resolv.conf when the DNS servers change).
 */
export async function startDhcp(paths: NetPaths, parent: string, hostname: string, timeout: number, target: ResolvTarget, uid: number): Promise<DhcpClient> {
  mkdirSync(paths.dir, { recursive: true });
  for (const f of [paths.lease, paths.pidFile, paths.log]) rmSync(f, { force: true });
  const args = [
    '--netns', paths.netns, '--uid', String(uid), '--lease', paths.lease, '--pidfile', paths.pidFile,
    ...(target.fixedDns ? [] : ['--enter', libexecPath('sc-enter'), '--pid', String(target.pid), '--start-time', String(target.startTime)]),
    '--', 'busybox', 'udhcpc', '-f', '-i', IFNAME, '-s', libexecPath('sc-udhcpc.script'), '-x', `hostname:${hostname}`,
    '-R', // release the lease when stopped (SIGTERM)
    '-n', '-t', String(timeout), '-T', '1', // one discover a second, the first at once; give up after TIMEOUT
    '-A', '5', // once bound, retry lost leases every 5 s
  ];
  try {
    // Not pipes: the client stays behind and would hold them open for the container's life.
    await run(libexecPath('sc-dhcp'), args, {
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
  if (!lease) throw new StepError('EDHCP', `the DHCP client reported a lease but ${paths.lease} holds none (is ${libexecPath('sc-udhcpc.script')} installed?)`);
  return { lease, pid, startTime: processStartTime(pid)! };
}

/** Stop the recorded client (only if it is still the same process), or one the pidfile names; it releases its lease as it exits (sc-dhcp passes SIGTERM on to udhcpc). */
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

/** sc-dhcp writes its pidfile before it reports the first lease; wait a little should the file lag. */
async function daemonPid(pidFile: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const pid = Number(readOr(pidFile).trim());
    if (isOurClient(pid, pidFile)) return pid;
    await sleep(10);
  }
  throw new StepError('EDHCP', `the DHCP client got a lease but did not stay in the background (no live pid in ${pidFile})`);
}

/** A live sc-dhcp started with this pidfile: guards against a reused pid. */
function isOurClient(pid: number, pidFile: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || processStartTime(pid) === undefined) return false;
  const argv = readOr(`/proc/${pid}/cmdline`).split('\0');
  return argv.includes('udhcpc') && argv.includes(pidFile) && argv[0]!.endsWith('sc-dhcp');
}

function readOr(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
