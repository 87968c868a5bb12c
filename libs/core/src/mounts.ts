import { readFileSync } from 'node:fs';

interface Mount { point: string; options: string[] }

/** A path field of mountinfo: space, tab, newline and backslash come escaped in octal (\040). */
export function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mounts of this mount namespace, in mount order, from /proc/self/mountinfo (octal escapes like \040 decoded). */
function mounts(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): Mount[] {
  return mountinfo
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(' ');
      // The mount's own options, then (after the optional fields, "-", type and source) its filesystem's.
      const dash = fields.indexOf('-', 6);
      const superOptions = dash > 0 ? (fields[dash + 3] ?? '') : '';
      return {
        point: unescapeMountinfo(fields[4]!),
        options: [...fields[5]!.split(','), ...superOptions.split(',').filter(Boolean)],
      };
    });
}

/** Mount points of this mount namespace, from /proc/self/mountinfo. */
export function mountPoints(mountinfo?: string): string[] {
  return mounts(mountinfo).map((m) => m.point);
}

export function isMountPoint(path: string): boolean {
  return mountPoints().includes(path);
}

/** The options (ro, nodev, …) of what is mounted on top at PATH, the mount's and its filesystem's, or undefined when nothing is. */
export function mountOptions(path: string, mountinfo?: string): string[] | undefined {
  return mounts(mountinfo).findLast((m) => m.point === path)?.options;
}
