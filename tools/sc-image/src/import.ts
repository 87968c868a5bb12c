import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { StepError, UsageError, nameProblem, writeJsonAtomic, type CommandVerb, type Context } from '@sc/core';
import { decompress, detectCompression, peek } from './compression.js';
import { defaultImageName } from './image-name.js';
import { inspectLayer, storeLayer } from './layer-store.js';
import { imagePath, readImage, type ImageRecord } from './store.js';

function imageName(ctx: Context): string {
  const file = ctx.args[0]!;
  if (typeof ctx.options.name === 'string') return ctx.options.name;
  if (file === '-') throw new UsageError('import from stdin needs --name NAME');
  return defaultImageName(file);
}

export const importImage: CommandVerb = {
  kind: 'command',
  summary: 'import a `docker export` tarball (plain, gzip, xz or zstd) as an image; prints its record',
  usage: 'FILE|-',
  options: {
    name: { type: 'string', value: 'NAME', description: 'image name (default: the file name up to its first dot; required with -)' },
  },
  check(ctx) {
    if (ctx.args.length !== 1) throw new UsageError('import takes exactly one FILE (or - for stdin)');
    const name = imageName(ctx);
    const problem = nameProblem(name);
    if (problem) throw new UsageError(`${typeof ctx.options.name === 'string' ? '--name: ' : `image name from ${ctx.args[0]}: `}${problem}${ctx.options.name ? '' : ' (use --name NAME)'}`);
    if (ctx.args[0] === '-' && process.stdin.isTTY) throw new UsageError('import - reads the archive on stdin, e.g. sc-image import --name busybox - < busybox.tar.gz');
  },
  async run(ctx) {
    const file = ctx.args[0]!;
    const name = imageName(ctx);
    const label = file === '-' ? 'on stdin' : file;
    if (file !== '-') {
      try {
        if (!statSync(file).isFile()) throw new StepError('EISDIR', `${file} is not a file (expected a docker export tarball)`);
      } catch (err) {
        if (err instanceof StepError) throw err;
        throw new StepError('ENOENT', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    const { head, all } = await peek(file === '-' ? process.stdin : createReadStream(file), 6);
    const tar = decompress(detectCompression(head), all);

    const existing = reserve(ctx, name);
    if (existing) {
      // Same name again: only an identical archive is fine (import is idempotent); nothing is extracted.
      const { digest } = await inspectLayer(tar, label);
      if (existing.layers.length !== 1 || existing.layers[0] !== digest)
        throw new StepError('EEXIST', `image ${name} exists; sc image rm ${name} first`);
      ctx.say(`image ${name} is already imported from this archive`);
      await ctx.emit(existing);
      return;
    }
    try {
      const { digest, size } = await storeLayer(ctx.layout, tar, label);
      const image: ImageRecord = { name, layers: [digest], size, created: new Date().toISOString() };
      writeJsonAtomic(imagePath(ctx.layout, name), image);
      await ctx.emit(image);
    } catch (err) {
      rmSync(ctx.layout.image(name), { recursive: true, force: true });
      throw err;
    }
  },
};

/** Claim images/NAME (mkdir is atomic), or return the image that already holds the name. */
function reserve(ctx: Context, name: string): ImageRecord | undefined {
  mkdirSync(ctx.layout.images, { recursive: true });
  try {
    mkdirSync(ctx.layout.image(name));
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const existing = readImage(ctx.layout, name);
  if (!existing) throw new StepError('EBUSY', `image ${name} is being imported right now (or an import crashed: sc image rm -f ${name} clears it)`);
  return existing;
}
