import { readFileSync } from 'node:fs';

/** Mount points of this mount namespace, from /proc/self/mountinfo (octal escapes like \040 decoded). */
export function mountPoints(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return mountinfo
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export function isMountPoint(path: string): boolean {
  return mountPoints().includes(path);
}
