// Capabilities by name, numbered as the kernel numbers them (linux/capability.h): one list for sc-spawn's
// "every capability" and for sc-oci's sets, turned into the masks sc-init and sc-enter take.
import { UsageError } from './errors.js';

/** Every capability the kernel has had, at its number. */
export const CAPABILITIES: readonly string[] = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID',
  'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE',
  'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN',
  'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE'].map((c) => `CAP_${c}`);

/** A set of names as a hex mask; an unknown name is refused, naming `where`. */
export function capabilityMask(names: readonly string[], where: string): string {
  let mask = 0n;
  for (const name of names) {
    const bit = CAPABILITIES.indexOf(name);
    if (bit < 0) throw new UsageError(`${where}: ${JSON.stringify(name)} is not a capability this sc knows (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE)`);
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16);
}
