import { mkdtempSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { run, StepError, UsageError, nameProblem, type CommandVerb } from '@sc/core';
import { EXACT_TAR } from './layer-store.js';
import { readImage } from './store.js';

export const exportImage: CommandVerb = {
  kind: 'command',
  summary: 'write an image\'s flattened rootfs as a tar.gz (into DIR/NAME.tgz, a FILE, or - for stdout)',
  usage: 'NAME DIR|FILE|-',
  check(ctx) {
    if (ctx.args.length !== 2) throw new UsageError('export takes an image NAME and a destination (a directory, a file, or -)');
    const problem = nameProblem(ctx.args[0]);
    if (problem) throw new UsageError(problem);
    if (ctx.args[1] === '-' && process.stdout.isTTY) throw new UsageError('export NAME - writes the archive on stdout: redirect it to a file');
  },
  async run(ctx) {
    const [name, dest] = ctx.args as [string, string];
    const image = readImage(ctx.layout, name);
    if (!image) throw new StepError('ENOENT', `no image named "${name}" (sc image ls lists them)`);
    const layers = image.layers.map((d) => ctx.layout.layer(d));
    if (dest === '-') return withRootfs(ctx.layout.tmp, layers, (dir) => tarTo(dir, '-'));
    const file = isDirectory(dest) ? join(dest, `${name}.tgz`) : dest;
    // Written beside the destination and renamed, so a failed export never leaves half an archive.
    const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
    try {
      await withRootfs(ctx.layout.tmp, layers, (dir) => tarTo(dir, partial));
      renameSync(partial, file);
    } finally {
      rmSync(partial, { force: true });
    }
    await ctx.emit({ name, file });
  },
};

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function tarTo(dir: string, out: string): Promise<string> {
  return run('tar', [...EXACT_TAR, '--sort=name', '-czf', out, '-C', dir, '.'], out === '-' ? { stdout: 'inherit' } : {});
}

/** One layer is the rootfs itself; several are flattened by a read-only overlay mount for the duration. */
async function withRootfs(tmp: string, layers: string[], use: (dir: string) => Promise<unknown>): Promise<void> {
  if (layers.length === 1) {
    await use(layers[0]!);
    return;
  }
  const mnt = mkdtempSync(join(tmp, 'export-'));
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...layers].reverse().join(':')}`, mnt]);
    try {
      await use(mnt);
    } finally {
      await run('umount', [mnt]);
    }
  } finally {
    rmdirSync(mnt);
  }
}
