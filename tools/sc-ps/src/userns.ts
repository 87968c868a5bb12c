import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepError, USERNS_SIZE, type Config, type Doc, type Layout } from '@sc/core';

/**
 * Reserve the lowest free range of host ids in the config's userns range for NAME. Each range is a
 * file created with O_EXCL (named by its first host id, holding the name): two creates never share one.
 */
export function allocateIds(layout: Layout, config: Config, name: string): NonNullable<Doc['userns']> {
  mkdirSync(layout.userns, { recursive: true, mode: 0o700 });
  const taken = new Set(readdirSync(layout.userns));
  const { first, count } = config.userns;
  for (let uid = first; uid + USERNS_SIZE <= first + count; uid += USERNS_SIZE) {
    if (taken.has(String(uid))) continue;
    try {
      writeFileSync(join(layout.userns, String(uid)), `${name}\n`, { flag: 'wx', mode: 0o600 });
      return { uid, gid: uid, size: USERNS_SIZE };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new StepError('ENOSPC', `every one of the ${Math.floor(count / USERNS_SIZE)} id ranges in the config's userns range (${first}, ${count} ids) is taken; widen "userns" in the config`);
}

/** Give a container's range back: only the file that names this container. */
export function releaseIds(layout: Layout, name: string, ids: Doc['userns']): void {
  if (!ids || !Number.isInteger(ids.uid)) return;
  const file = join(layout.userns, String(ids.uid));
  let holder: string;
  try {
    holder = readFileSync(file, 'utf8').trim();
  } catch {
    return;
  }
  if (holder === name) rmSync(file, { force: true });
}
