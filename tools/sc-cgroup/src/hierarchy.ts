import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupPids, StepError } from '@sc/core';
import { CONTROLLERS, layoutFromMounts, parseMountinfo, type CgroupLayout, type Controller } from './mountinfo.js';

export interface Hierarchies extends CgroupLayout {
  /** A plain directory shaped like cgroup2 (tests): knob files are created, not found. */
  fake: boolean;
}

/** One container's cgroups: its directory per controller, and the distinct directories (doc.cgroup.paths). */
export interface ContainerCgroups {
  version: 1 | 2;
  fake: boolean;
  dirs: Partial<Record<Controller, string>>;
  paths: string[];
  /** v1: its cgroup in the name=systemd hierarchy (made only for a booted init; removed whenever found). */
  systemd?: string;
  /** v1: each path → the mount options of its hierarchy. */
  options: Record<string, string>;
  /** Our parent directory in each hierarchy, removed when it empties. */
  parents: string[];
}

const CGROUP_MAGIC = [0x27e0eb, 0x63677270]; // CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC

let detected: Hierarchies | undefined;

/** Where the controllers live: $SC_CGROUP_ROOT (a cgroup2 tree, real or fake) or the mounts in /proc/self/mountinfo. */
export function detectHierarchies(env: NodeJS.ProcessEnv = process.env): Hierarchies {
  if (detected) return detected;
  const override = env.SC_CGROUP_ROOT;
  if (override) {
    if (!override.startsWith('/') || !existsSync(join(override, 'cgroup.controllers')))
      throw new StepError('ENOENT', `SC_CGROUP_ROOT=${override} is not a cgroup2 hierarchy (no cgroup.controllers in it); unset it to use the mounted cgroups`);
    const roots = Object.fromEntries(CONTROLLERS.map((c) => [c, override]));
    return (detected = { version: 2, roots, fake: !CGROUP_MAGIC.includes(statfsSync(override).type) });
  }
  const layout = layoutFromMounts(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')));
  if (!layout) throw new StepError('ENOENT', 'no cgroup filesystem is mounted: mount cgroup2 on /sys/fs/cgroup (or the v1 controllers under it)');
  return (detected = { ...layout, fake: false });
}

/**
 * A container's cgroups: <parent>/<name> under each hierarchy, or the spec's cgroupsPath (an OCI config's, given
 * by sc-oci) — its own, whose parents are not ours to remove.
 */
export function containerCgroups(h: Hierarchies, parent: string, name: string, cgroupsPath?: string): ContainerCgroups {
  const below = cgroupsPath !== undefined ? checkedCgroupsPath(cgroupsPath) : join(parent, name);
  const dirs: Partial<Record<Controller, string>> = {};
  for (const c of CONTROLLERS) if (h.roots[c]) dirs[c] = join(h.roots[c]!, below);
  const roots = [...new Set([...Object.values(h.roots), ...(h.systemd ? [h.systemd] : [])])];
  const systemd = h.systemd && cgroupsPath === undefined ? join(h.systemd, below) : undefined;
  const options: Record<string, string> = {};
  for (const root of roots) if (h.options?.[root]) options[join(root, below)] = h.options[root]!;
  return {
    version: h.version,
    fake: h.fake,
    dirs,
    paths: [...new Set(Object.values(dirs))],
    ...(systemd ? { systemd } : {}),
    options,
    parents: cgroupsPath !== undefined ? [] : roots.map((r) => join(r, parent)),
  };
}

/** spec.cgroupsPath: absolute, normalized, plain names — never a way out of the hierarchy. */
export function checkedCgroupsPath(path: string): string {
  if (typeof path !== 'string' || !/^(\/[A-Za-z0-9_.@+-]+)+$/.test(path) || path.split('/').some((p) => p === '.' || p === '..'))
    throw new StepError('EINVAL', `cgroupsPath ${JSON.stringify(path)} must be an absolute path of plain names (letters, digits, _ . @ + -)`);
  return path;
}

/** The cgroups of DOC as the spec places them. */
export function cgroupsOf(h: Hierarchies, parent: string, doc: { name: string; spec: { cgroupsPath?: string } }): ContainerCgroups {
  return containerCgroups(h, parent, doc.name, doc.spec.cgroupsPath);
}

/** Wait (bounded) for a cgroup to empty; returns the processes still in it. */
export async function waitEmpty(dir: string, timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  // Soon at first (the last process is usually just exiting), then every 50 ms.
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const pids = cgroupPids(dir);
    if (pids.length === 0 || Date.now() >= deadline) return pids;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** rmdir a cgroup, with its child cgroups when asked (ones made inside the container); a missing one is fine. */
export function removeCgroupDir(dir: string, withChildren = false): void {
  if (withChildren) for (const child of childCgroups(dir)) removeCgroupDir(child, true);
  try {
    rmdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    // A fake cgroup tree (tests) is a plain filesystem: there the knob files are real files to remove first.
    if (code === 'ENOTEMPTY' && !CGROUP_MAGIC.includes(statfsSync(dir).type) && childCgroups(dir).length === 0) {
      rmSync(dir, { recursive: true });
      return;
    }
    throw err;
  }
}

function childCgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
