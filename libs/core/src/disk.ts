import { mkdirSync, chmodSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StepError } from './errors.js';
import { run, RunError } from './exec.js';
import type { Layout } from './layout.js';
import { isMountPoint, mountOptions } from './mounts.js';

/**
 * A container's own disk (sc run --disk) is an ext4 image loop-mounted at layout.disk(NAME). Nothing on
 * it runs, gains privileges or opens as a device from the host's side: the overlay over it is what the
 * container runs from, with its own flags. `mount -o loop` sets the loop device to clear itself when
 * the filesystem is unmounted.
 */
const DISK_OPTIONS = 'loop,nodev,nosuid,noexec';

/**
 * Mount container NAME's disk image at its disk directory, read-write (sc-rootfs mount) or read-only
 * (sc-image commit of a stopped container). Already mounted so: nothing to do; mounted read-only and
 * wanted read-write (a commit was killed): mounted again.
 */
export async function mountDisk(layout: Layout, name: string, mode: 'rw' | 'ro'): Promise<void> {
  const image = layout.diskImage(name);
  const dir = layout.disk(name);
  const options = mountOptions(dir);
  if (options && (mode === 'ro' || !options.includes('ro'))) return;
  if (options) await umountDisk(layout, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    await run('mount', ['-t', 'ext4', '-o', `${DISK_OPTIONS},${mode}`, image, dir]);
  } catch (err) {
    throw new StepError('EMOUNT', `cannot mount ${image}: ${programCause(err)}`);
  }
  // The filesystem's own root (upper/, work/, lost+found) is the host's: closed as the container's directory is.
  if (mode === 'rw') chmodSync(dir, 0o700);
}

/** Unmount container NAME's disk if it is mounted, and detach any loop device its image is still attached to. */
export async function umountDisk(layout: Layout, name: string): Promise<void> {
  const dir = layout.disk(name);
  if (isMountPoint(dir)) {
    try {
      await run('umount', [dir]);
    } catch (err) {
      throw new StepError('EBUSY', `cannot unmount ${dir}: ${programCause(err)}; is something still using it?`);
    }
  }
  await detachLoops(layout.diskImage(name));
}

/**
 * Loop devices attached to FILE, from sysfs (/sys/block/loopN/loop/backing_file). Unmounting clears the
 * device `mount -o loop` made; this catches one left by anything else (a mount killed half-way, a
 * person's losetup), so a removed container leaves no device behind.
 */
export function loopDevicesOf(file: string): string[] {
  let path: string;
  try {
    path = join(realpathSync(dirname(file)), basename(file));
  } catch {
    return [];
  }
  const found: string[] = [];
  let devices: string[];
  try {
    devices = readdirSync('/sys/block').filter((d) => d.startsWith('loop'));
  } catch {
    return [];
  }
  for (const device of devices) {
    try {
      if (readFileSync(`/sys/block/${device}/loop/backing_file`, 'utf8').trim() === path) found.push(`/dev/${device}`);
    } catch { /* not attached */ }
  }
  return found;
}

async function detachLoops(file: string): Promise<void> {
  for (const device of loopDevicesOf(file)) {
    try {
      // On a device still in use (mounted in another mount namespace), this only marks it to clear itself when released.
      await run('losetup', ['-d', device]);
    } catch (err) {
      throw new StepError('EBUSY', `cannot detach ${device} from ${file}: ${programCause(err)}`);
    }
  }
}

/** The line of a system program's failure that says why, without the program's name and the path it repeats. */
export function programCause(err: unknown): string {
  if (!(err instanceof RunError)) return (err as Error).message;
  const line = err.stderr.split('\n').map((l) => l.trim()).find(Boolean);
  if (!line) return err.message;
  return line.replace(/^[\w.-]+: /, '').replace(/^\/\S*: /, '').replace(/\.$/, '');
}
