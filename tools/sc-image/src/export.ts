import { createWriteStream, mkdtempSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { run, StepError, UsageError, nameProblem, type CommandVerb } from '@sc/core';
import { EXACT_TAR } from './gnu-tar.js';
import { programOutput } from './program-output.js';
import { Progress } from './progress.js';
import { readImage } from './store.js';

export const exportImage: CommandVerb = {
  kind: 'command',
  summary: 'write an image\'s flattened rootfs as a tar.gz (into DIR/NAME.tgz, a FILE, or - for stdout)',
  reads: "the image's layers",
  writes: 'a tar.gz, and {name, file} unless it went to stdout',
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
    const file = dest === '-' ? undefined : isDirectory(dest) ? join(dest, `${name}.tgz`) : dest;
    const progress = await Progress.start(`exporting ${name}`, image.size);
    try {
      if (!file) return await withRootfs(ctx.layout.tmp, layers, (dir) => tarGzip(dir, createWriteStream('', { fd: 1, autoClose: false }), progress));
      // Written beside the destination and renamed, so a failed export never leaves half an archive. The
      // name is random and created exclusively (O_EXCL never follows a link): in a shared directory like
      // /tmp, another user cannot plant a symlink that root would write through.
      const partial = join(dirname(file), `.${basename(file)}.${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex')}.partial`);
      try {
        await withRootfs(ctx.layout.tmp, layers, (dir) => tarGzip(dir, createWriteStream(partial, { flags: 'wx', mode: 0o644 }), progress));
        renameSync(partial, file);
      } finally {
        rmSync(partial, { force: true });
      }
    } finally {
      progress.done();
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

/** GNU tar writes the tree, Node counts it for the progress bar and gzips it (zlib, like gzip -6). */
async function tarGzip(dir: string, out: NodeJS.WritableStream, progress: Progress): Promise<void> {
  const [{ createGzip }, { pipeline }] = await Promise.all([import('node:zlib'), import('node:stream/promises')]);
  const tar = programOutput('tar', [...EXACT_TAR, '--sort=name', '-cf', '-', '-C', dir, '.'], { failure: `cannot read the image's files in ${dir}` });
  await pipeline(progress.count(tar), createGzip(), out);
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
