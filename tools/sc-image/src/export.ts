import { mkdtempSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, StepError, UsageError, nameProblem, type CommandVerb } from '@sc/core';
import { EXACT_TAR } from './gnu-tar.js';
import { destination, writeArchive } from './output-file.js';
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
    const file = destination(dest, name, 'tgz');
    const progress = await Progress.start(`exporting ${name}`, image.size);
    try {
      await writeArchive(file, (out) => withRootfs(ctx.layout.tmp, layers, (dir) => tarGzip(dir, out, progress)));
    } finally {
      progress.done();
    }
    if (file) await ctx.emit({ name, file }); // on stdout, the archive is all there is
  },
};

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
