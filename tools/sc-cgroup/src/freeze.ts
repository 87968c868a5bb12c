import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepError, stepError, type Doc, type StreamVerb } from '@sc/core';
import { cgroupsOf, detectHierarchies, type ContainerCgroups } from './hierarchy.js';

const WAIT_MS = 5000;

/** The file that freezes a cgroup, and what it reads while frozen and thawed: v1's freezer, v2's cgroup.freeze. */
function freezer(cg: ContainerCgroups, name: string): { file: string; state: () => 'frozen' | 'thawed' | 'changing'; write: (frozen: boolean) => string } {
  const dir = cg.dirs.freezer;
  if (dir === undefined) throw new StepError('ENOENT', `no freezer cgroup for "${name}": this host mounts no freezer hierarchy`);
  if (cg.version === 1) {
    const file = join(dir, 'freezer.state');
    return {
      file,
      state: () => ({ FROZEN: 'frozen', THAWED: 'thawed' } as const)[readFileSync(file, 'utf8').trim() as 'FROZEN' | 'THAWED'] ?? 'changing',
      write: (frozen) => (frozen ? 'FROZEN' : 'THAWED'),
    };
  }
  const file = join(dir, 'cgroup.freeze');
  return {
    file,
    state: () => (/^frozen 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8')) ? 'frozen' : readFileSync(file, 'utf8').trim() === '0' ? 'thawed' : 'changing'),
    write: (frozen) => (frozen ? '1' : '0'),
  };
}

/** Whether DOC's cgroups are frozen now (false when there is no freezer or no cgroup). */
export function isFrozen(cg: ContainerCgroups, name: string): boolean {
  try {
    return freezer(cg, name).state() === 'frozen';
  } catch {
    return false;
  }
}

async function setFrozen(doc: Doc, parent: string, frozen: boolean): Promise<void> {
  const f = freezer(cgroupsOf(detectHierarchies(), parent, doc), doc.name);
  const want = frozen ? 'frozen' : 'thawed';
  try {
    if (f.state() === want) return;
    writeFileSync(f.file, f.write(frozen));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StepError('ENOENT', `no cgroup ${f.file.replace(/\/[^/]+$/, '')} for "${doc.name}": is it running?`);
    throw stepError(err, `cannot write ${f.file}`);
  }
  // v1 goes through FREEZING while its tasks stop; a task that will not stop (in uninterruptible sleep) keeps it there.
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 1; f.state() !== want; delay = Math.min(delay * 2, 50)) {
    if (Date.now() > deadline) throw new StepError('EBUSY', `${f.file} is not ${want} after ${WAIT_MS / 1000} s`);
    if (frozen && f.state() === 'thawed') writeFileSync(f.file, f.write(true)); // v1 gives up on a busy task: ask again
    await new Promise((r) => setTimeout(r, delay));
  }
}

export const freeze: StreamVerb = {
  kind: 'forward',
  summary: "pause every process of each container: its cgroups frozen (v1 freezer, v2 cgroup.freeze), waiting until they are",
  reads: 'name spec.cgroupsPath',
  writes: '-',
  each: (doc, ctx) => setFrozen(doc, ctx.config.cgroupParent, true),
};

export const thaw: StreamVerb = {
  kind: 'inverse',
  summary: 'let the processes of each frozen container run again; one not frozen is left as it is',
  reads: 'name spec.cgroupsPath',
  writes: '-',
  async each(doc, ctx) {
    try {
      await setFrozen(doc, ctx.config.cgroupParent, false);
    } catch (err) {
      if ((err as StepError).code !== 'ENOENT') throw err; // a container without its cgroups is not frozen
    }
  },
};
