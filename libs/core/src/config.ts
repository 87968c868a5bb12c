import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { parseDisk } from './spec.js';

export interface Config {
  /** Data root: images, layers, containers. */
  root: string;
  /** Our own cgroup parent, under each controller (v1) or under the unified root (v2). */
  cgroupParent: string;
  /** Seconds sc stop waits for a container before it kills it. */
  stopTimeout: number;
  /** Host ids handed out to --userns containers, 65536 to each: first, first + count - 1. */
  userns: { first: number; count: number };
  /** A container's DHCP client runs as host id dhcpIdBase + its PID 1's pid (unprivileged, one per container). */
  dhcpIdBase: number;
  /** The size of each new container's own disk (bytes), unless sc run --disk says otherwise; undefined: no disk. */
  disk?: number;
}

/** Pids stay below this (the kernel's pid_max limit): dhcpIdBase + pid must fit. */
const PID_MAX_LIMIT = 4_194_304;

/** Ids each --userns container gets: 0-65535 inside, as a full Linux system expects. */
export const USERNS_SIZE = 65536;

export const DEFAULT_CONFIG_PATH = '/etc/sc.json5';
const DEFAULTS: Config = {
  root: '/var/lib/sc', cgroupParent: 'sc', stopTimeout: 10, userns: { first: 1_000_000, count: 1000 * USERNS_SIZE }, dhcpIdBase: 2_000_000_000,
};

/**
 * Read /etc/sc.json5 (or $SC_CONFIG); $SC_ROOT overrides the data root. A missing file means defaults.
 * json5 is imported here, not at start-up: `--version` and `--help` never pay for it.
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const path = env.SC_CONFIG || DEFAULT_CONFIG_PATH;
  let fromFile: Partial<Config> = {};
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || env.SC_CONFIG)
      throw new UsageError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  if (text !== undefined) {
    try {
      const { default: JSON5 } = await import('json5');
      fromFile = JSON5.parse(text);
    } catch (err) {
      throw new UsageError(`config ${path} is not valid JSON5: ${(err as Error).message}`);
    }
  }
  const config: Config = { ...DEFAULTS, ...fromFile };
  if (env.SC_ROOT) config.root = env.SC_ROOT;
  if (typeof config.root !== 'string' || !config.root.startsWith('/'))
    throw new UsageError(`config ${path}: "root" must be an absolute path`);
  if (typeof config.cgroupParent !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(config.cgroupParent))
    throw new UsageError(`config ${path}: "cgroupParent" must be a plain directory name`);
  const ids = config.userns as Partial<Config['userns']> | undefined;
  const whole = (n: unknown) => typeof n === 'number' && Number.isInteger(n);
  if (!ids || !whole(ids.first) || !whole(ids.count) || ids.first! < 1 || ids.count! < USERNS_SIZE || ids.first! + ids.count! > 2 ** 32 - 1)
    throw new UsageError(`config ${path}: "userns" must be { first: HOSTID, count: N } with first >= 1, count >= ${USERNS_SIZE}, below 2^32`);
  if (config.disk !== undefined && config.disk !== null) {
    try {
      config.disk = parseDisk(String(config.disk));
    } catch (err) {
      throw new UsageError(`config ${path}: "disk": ${(err as Error).message.replace(/^--disk /, '')}`);
    }
  } else delete config.disk;
  if (!whole(config.dhcpIdBase) || config.dhcpIdBase < 1 || config.dhcpIdBase + PID_MAX_LIMIT > 2 ** 32 - 1)
    throw new UsageError(`config ${path}: "dhcpIdBase" must be a host id >= 1 with room for ${PID_MAX_LIMIT} ids above it, below 2^32`);
  return config;
}
