// A mount's options as OCI configs and fstab spell them, turned into mount(2)'s flags (what sc-init's --mount
// takes) and the filesystem's own options. One reading, shared by sc-oci (which refuses what it cannot honour)
// and sc-spawn (which builds sc-init's command line).
import { UsageError } from './errors.js';

export const MS = {
  RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, SYNCHRONOUS: 16, REMOUNT: 32, MANDLOCK: 64, DIRSYNC: 128, NOSYMFOLLOW: 256,
  NOATIME: 1024, NODIRATIME: 2048, BIND: 4096, REC: 16384, SILENT: 32768, UNBINDABLE: 1 << 17, PRIVATE: 1 << 18,
  SLAVE: 1 << 19, SHARED: 1 << 20, RELATIME: 1 << 21, I_VERSION: 1 << 23, STRICTATIME: 1 << 24, LAZYTIME: 1 << 25,
} as const;

/** Flag words: [flags set, flags cleared] (as runc reads them). */
const FLAGS: Record<string, [number, number]> = {
  defaults: [0, 0], ro: [MS.RDONLY, 0], rw: [0, MS.RDONLY], nosuid: [MS.NOSUID, 0], suid: [0, MS.NOSUID],
  nodev: [MS.NODEV, 0], dev: [0, MS.NODEV], noexec: [MS.NOEXEC, 0], exec: [0, MS.NOEXEC], sync: [MS.SYNCHRONOUS, 0],
  async: [0, MS.SYNCHRONOUS], dirsync: [MS.DIRSYNC, 0], mand: [MS.MANDLOCK, 0], nomand: [0, MS.MANDLOCK],
  noatime: [MS.NOATIME, 0], atime: [0, MS.NOATIME], nodiratime: [MS.NODIRATIME, 0], diratime: [0, MS.NODIRATIME],
  relatime: [MS.RELATIME, 0], norelatime: [0, MS.RELATIME], strictatime: [MS.STRICTATIME, 0], nostrictatime: [0, MS.STRICTATIME],
  lazytime: [MS.LAZYTIME, 0], nolazytime: [0, MS.LAZYTIME], iversion: [MS.I_VERSION, 0], noiversion: [0, MS.I_VERSION],
  silent: [MS.SILENT, 0], loud: [0, MS.SILENT], nosymfollow: [MS.NOSYMFOLLOW, 0], symfollow: [0, MS.NOSYMFOLLOW],
  bind: [MS.BIND, 0], rbind: [MS.BIND | MS.REC, 0],
};
const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC, shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC, unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
};
/** Options runc knows that sc does not do: refused by name rather than passed to the filesystem. */
const REFUSED: Record<string, string> = {
  remount: 'a config mount is made, never remounted',
  tmpcopyup: 'sc does not copy the image\'s files into a tmpfs (a runc extension)',
  idmap: 'idmapped mounts of config mounts are not supported', ridmap: 'idmapped mounts of config mounts are not supported',
};

/** runtime-spec 1.1's recursive attributes (mount_setattr), which sc does not set. */
const RECURSIVE = new Set(['ro', 'rw', 'nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec', 'noatime', 'atime', 'nodiratime', 'diratime',
  'relatime', 'norelatime', 'strictatime', 'nostrictatime', 'nosymfollow', 'symfollow'].map((o) => `r${o}`));

export interface MountFlags {
  /** mount(2) flags, MS_BIND and MS_REC of a bind included. */
  flags: number;
  /** MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, with MS_REC for the r- forms; 0: as it comes. */
  propagation: number;
  /** The filesystem's own options (mode=755, newinstance, size=64k, ...), comma-joined. */
  data: string;
}

/** Read OPTIONS; `where` names the mount in errors ("mounts[3] (/dev/shm)"). */
export function parseMountOptions(options: readonly string[], where: string): MountFlags {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const option of options) {
    if (typeof option !== 'string' || option === '' || /[,\0\n]/.test(option))
      throw new UsageError(`${where}: option ${JSON.stringify(option)} is not a single mount option`);
    if (Object.hasOwn(REFUSED, option)) throw new UsageError(`${where}: option "${option}" is not supported: ${REFUSED[option]}`);
    if (Object.hasOwn(FLAGS, option)) {
      const [set, clear] = FLAGS[option]!;
      flags = (flags & ~clear) | set;
    } else if (Object.hasOwn(PROPAGATION, option)) {
      propagation = PROPAGATION[option]!;
    } else if (RECURSIVE.has(option)) {
      throw new UsageError(`${where}: option "${option}" (a recursive mount attribute) is not supported`);
    } else {
      data.push(option);
    }
  }
  if (flags & MS.BIND && data.length > 0)
    throw new UsageError(`${where}: option "${data[0]}" is no mount flag sc knows, and a bind mount takes no filesystem options`);
  return { flags, propagation, data: data.join(',') };
}
