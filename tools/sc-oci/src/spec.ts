import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CAP_NAMES } from '@sc/core';
import { OciError } from './container.js';
import type { Command } from './command.js';

/** A bundle's starting point, as `runc spec` writes one: a shell on a terminal, confined as Docker confines. */
export function defaultConfig(): Record<string, unknown> {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: DEFAULT_CAP_NAMES, effective: DEFAULT_CAP_NAMES, permitted: DEFAULT_CAP_NAMES },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'sc',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type })),
      maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',
        '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

export const spec: Command = {
  summary: 'write a default config.json into the bundle (the current directory, or --bundle DIR)',
  usage: '[--bundle DIR]',
  flags: {
    bundle: { type: 'string', short: 'b', value: 'DIR', description: 'where to write config.json' },
    rootless: { type: 'boolean', description: 'a config for a rootless container: not supported' },
  },
  async run(_ctx, { options }) {
    if (options.rootless) throw new OciError('--rootless is not supported: sc-oci runs containers as root');
    const file = join(resolve(String(options.bundle ?? '.')), 'config.json');
    if (existsSync(file)) throw new OciError(`${file} exists already: remove it first`);
    writeFileSync(file, `${JSON.stringify(defaultConfig(), null, '\t')}\n`, { flag: 'wx', mode: 0o644 });
    return 0;
  },
};
