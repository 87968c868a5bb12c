import { closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StepError } from '@sc/core';

export interface EtcFacts {
  hostname: string;
  address?: string; // CIDR
  dns?: string[];
}

/** Write /etc/hostname, /etc/hosts and /etc/resolv.conf into the container's root, never through a symlink. */
export function writeEtc(root: string, facts: EtcFacts): void {
  const etc = join(root, 'etc');
  let st;
  try {
    st = lstatSync(etc);
  } catch {
    mkdirSync(etc, { mode: 0o755 });
  }
  if (st && !st.isDirectory())
    throw new StepError('ENOTDIR', `${etc} is not a directory (a symlink?); sc-net will not write outside the container's root`);
  const ip = facts.address?.split('/')[0] ?? '127.0.1.1';
  writeIn(etc, 'hostname', `${facts.hostname}\n`);
  writeIn(etc, 'hosts', `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${ip}\t${facts.hostname}\n`);
  writeIn(etc, 'resolv.conf', facts.dns?.length ? facts.dns.map((d) => `nameserver ${d}\n`).join('') : hostResolvConf());
}

/** A fresh file renamed over the old name: rename replaces a symlink itself, never the file it points to. */
function writeIn(dir: string, name: string, content: string): void {
  const tmp = join(dir, `.${name}.sc-net-${process.pid}`);
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, join(dir, name));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function hostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}
