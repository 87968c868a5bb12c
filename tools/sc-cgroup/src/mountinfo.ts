import { unescapeMountinfo } from '@sc/core';
/** The controllers sc puts a container in: limits on memory, cpu, pids; on v1 cpuacct for the CPU time, devices for the
 * device allow-list, freezer to pause it. */
export const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'devices', 'freezer'] as const;
export type Controller = (typeof CONTROLLERS)[number];

export interface CgroupMount {
  fstype: 'cgroup' | 'cgroup2';
  mountPoint: string;
  /** v1: the controllers bound to this hierarchy (from the super options); v2: empty. */
  controllers: string[];
  /** v1: the options that name this hierarchy in a mount(2) of it: its controllers, or "none,name=X". */
  options: string;
}

/** Where the controllers live, as read from mountinfo: one root per controller (v1) or the unified root (v2). */
export interface CgroupLayout {
  version: 1 | 2;
  /** v1: controller → its hierarchy's mount point; v2: every controller → the unified root. */
  roots: Partial<Record<Controller, string>>;
  /** v1: the name=systemd hierarchy's mount point, which a booted systemd tracks its processes in. */
  systemd?: string;
  /** v1: mount point → the options of its hierarchy (for a container's own mount of it). */
  options?: Record<string, string>;
}


/** The cgroup and cgroup2 mounts in /proc/self/mountinfo text, in order. */
export function parseMountinfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6) continue;
    const fstype = fields[dash + 1];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const superOptions = (fields[dash + 3] ?? '').split(',');
    const named = superOptions.find((o) => o.startsWith('name='));
    // The super options list rw/ro and the like first; the hierarchy is its controllers (or its name).
    const bound = superOptions.filter((o) => !/^(rw|ro|relatime|noatime|nosuid|nodev|noexec|clone_children|xattr|nsdelegate|memory_recursiveprot|memory_localevents|memory_hugetlb_accounting|favordynmods|noprefix|cpuset_v2_mode|release_agent=.*|name=.*)$/.test(o));
    mounts.push({
      fstype,
      mountPoint: unescapeMountinfo(fields[4]!),
      controllers: fstype === 'cgroup' ? superOptions.filter((o) => (CONTROLLERS as readonly string[]).includes(o)) : [],
      options: fstype === 'cgroup' ? (named ? ['none', named, ...bound].join(',') : bound.join(',')) : '',
    });
  }
  return mounts;
}

/**
 * v1 when any of our controllers is bound to a v1 hierarchy (a controller lives in one hierarchy only);
 * otherwise v2 on the first cgroup2 mount. The unified root may list others (e.g. hugetlb): that does not make it ours.
 */
export function layoutFromMounts(mounts: CgroupMount[]): CgroupLayout | undefined {
  const roots: Partial<Record<Controller, string>> = {};
  for (const m of mounts) for (const c of m.controllers as Controller[]) roots[c] ??= m.mountPoint;
  if (Object.keys(roots).length > 0) {
    const systemd = mounts.find((m) => m.fstype === 'cgroup' && m.options.split(',').includes('name=systemd'))?.mountPoint;
    const options = Object.fromEntries(mounts.filter((m) => m.fstype === 'cgroup').map((m) => [m.mountPoint, m.options]));
    return { version: 1, roots, ...(systemd ? { systemd } : {}), options };
  }
  const unified = mounts.find((m) => m.fstype === 'cgroup2');
  if (!unified) return undefined;
  return { version: 2, roots: Object.fromEntries(CONTROLLERS.map((c) => [c, unified.mountPoint])) };
}
