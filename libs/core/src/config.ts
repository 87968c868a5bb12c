import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

export interface Config {
  /** Data root: images, layers, containers. */
  root: string;
  /** Our own cgroup parent, under each controller (v1) or under the unified root (v2). */
  cgroupParent: string;
  /** Seconds sc stop waits for a container before it kills it. */
  stopTimeout: number;
}

export const DEFAULT_CONFIG_PATH = '/etc/sc.json5';
const DEFAULTS: Config = { root: '/var/lib/sc', cgroupParent: 'sc', stopTimeout: 10 };

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
  return config;
}
