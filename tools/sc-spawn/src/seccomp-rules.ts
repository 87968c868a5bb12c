import { readFileSync, rmSync } from 'node:fs';
import { release } from 'node:os';
import { compileSeccomp, DEFAULT_CAP_NAMES, parseSeccompProfile, StepError, writeFileAtomic, type Doc, type SeccompProfile } from '@sc/core';
import { noMknod } from './init-args.js';

/** Every capability name the kernel has had: a privileged container keeps them all. */
const ALL_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE',
  'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG',
  'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE'].map((c) => `CAP_${c}`);

/**
 * Compile the container's seccomp profile into rules at FILE for sc-init and sc-enter, or remove FILE
 * and return undefined when it runs unconfined: --seccomp unconfined, or --privileged without a profile.
 */
export async function writeSeccompRules(doc: Doc, file: string): Promise<{ file: string; text: string } | undefined> {
  const choice = doc.spec.seccomp ?? (doc.spec.privileged ? 'unconfined' : 'default');
  if (choice === 'unconfined') {
    rmSync(file, { force: true });
    return undefined;
  }
  let profile: SeccompProfile;
  if (choice === 'default') {
    profile = (await import('@sc/core/seccomp-default')).DEFAULT_SECCOMP_PROFILE;
  } else {
    let text: string;
    try {
      text = readFileSync(choice, 'utf8');
    } catch (err) {
      throw new StepError('ENOENT', `cannot read the container's seccomp profile ${choice}: ${(err as Error).message}`);
    }
    try {
      profile = parseSeccompProfile(text, choice);
    } catch (err) {
      throw new StepError('EINVAL', (err as Error).message); // changed since sc run checked it
    }
  }
  const caps = doc.spec.privileged ? ALL_CAPS : DEFAULT_CAP_NAMES.filter((c) => !(c === 'CAP_MKNOD' && noMknod(doc)));
  const text = compileSeccomp(profile, { caps, arch: process.arch, kernel: release(), source: choice });
  writeFileAtomic(file, text);
  return { file, text };
}
