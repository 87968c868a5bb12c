import { readFileSync, statSync } from 'node:fs';
import { libexecPath, programCause, run, StepError } from '@sc/core';

export interface EtcFacts {
  hostname: string;
  address?: string; // CIDR
  dns?: string[];
}

/**
 * Write /etc/hostname, /etc/hosts and /etc/resolv.conf inside the container. sc-enter --put does it
 * from within the container's own root, where a symlink the container planted (/etc -> the host's
 * /etc, say) resolves to its own files: writing through the host path of the rootfs as root would
 * follow it to the host. A full disk fails with a StepError of code ENOSPC.
 */
export async function writeEtc(proc: { pid: number; startTime?: number }, facts: EtcFacts): Promise<void> {
  if (sameFile(`/proc/${proc.pid}/root`, '/'))
    throw new StepError('EINVAL', `process ${proc.pid} has the host's / as its root: it is no container, and its /etc is the host's`);
  const ip = facts.address?.split('/')[0] ?? '127.0.1.1';
  const resolv = facts.dns?.length ? facts.dns.map((d) => `nameserver ${d}\n`).join('') : hostResolvConf();
  try {
    await run(libexecPath('sc-enter'), [
      '--pid', String(proc.pid), ...(proc.startTime === undefined ? [] : ['--start-time', String(proc.startTime)]),
      '--put', '/etc/hostname', `${facts.hostname}\n`,
      '--put', '/etc/hosts', `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${ip}\t${facts.hostname}\n`,
      '--put', '/etc/resolv.conf', resolv,
    ]);
  } catch (err) {
    // The command line holds the files' contents: the one line says only what sc-enter could not do.
    const cause = programCause(err);
    const code = /No space left on device|Disk quota exceeded/.test(cause) ? 'ENOSPC' : ((err as StepError).code ?? 'EEXEC');
    throw new StepError(code, `cannot write /etc/hostname, hosts and resolv.conf inside the container: ${cause}`);
  }
}

function sameFile(a: string, b: string): boolean {
  const sa = statSync(a);
  const sb = statSync(b);
  return sa.dev === sb.dev && sa.ino === sb.ino;
}

function hostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}
