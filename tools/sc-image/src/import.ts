import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StepError, UsageError, nameProblem, writeJsonAtomic, type CommandVerb, type Context, type Layout } from '@sc/core';
import { decompress, detectCompression, peek } from './compression.js';
import { archiveKind, ImageArchive } from './image-archive.js';
import type { Member } from './tar-members.js';
import { defaultImageName } from './image-name.js';
import { inspectLayer, removeLayer, storeLayer, type LayerOptions } from './layer-store.js';
import { Progress } from './progress.js';
import { containerLayers, containerRecords, imagePath, listImages, readImage, type ImageRecord } from './store.js';

/** Reads of 1 MiB: fewer trips through the check, the hash and the pipe to GNU tar than the default 64 KiB. */
const CHUNK = 1 << 20;

/** One layer to read: where it comes from (for messages) and its uncompressed tar. */
/** A layer's tar as a stream; `file` when it is also a plain tar file GNU tar can read by itself. */
interface LayerSource { label: string; tar(): Promise<AsyncIterable<Buffer>>; file?: string }

function imageName(ctx: Context): string {
  const file = ctx.args[0]!;
  if (typeof ctx.options.name === 'string') return ctx.options.name;
  if (file === '-') throw new UsageError('import from stdin needs --name NAME');
  return defaultImageName(file);
}

export const importImage: CommandVerb = {
  kind: 'command',
  summary: 'import an image: a `docker export` tarball, a `docker save` archive or an OCI image layout in a tar (plain, gzip, xz or zstd); prints its record',
  reads: 'an archive (FILE, or stdin with -)',
  writes: 'an image record',
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
    const progress = await Progress.start(`importing ${name}`, file === '-' ? undefined : fileSize(file));
    const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: CHUNK });
    let spool: string | undefined;
    let image: ImageRecord;
    let existing: ImageRecord | undefined;
    try {
      const { head, all } = await peek(progress.count(input), 6);
      const compression = detectCompression(head);
      const { head: first, all: tar } = await peek(decompress(compression, all), 64 * 1024).catch((err) => {
        throw err instanceof StepError ? err : new StepError('EBADARCHIVE', `archive ${label} could not be read: ${(err as Error).message}`);
      });
      const layered = (await archiveKind(first)) === 'image';
      existing = reserve(ctx, name);
      try {
        let layers: LayerSource[] = [{ label, tar: async () => tar, file: file !== '-' && compression === 'none' ? file : undefined }];
        if (layered) {
          let archive = file;
          if (file === '-' || compression !== 'none') {
            // Not seekable: the uncompressed archive is written out once, then read layer by layer.
            spool = tmpDir(ctx.layout, 'import-');
            archive = join(spool, 'archive.tar');
            await writeFile(tar, archive, label);
          } else if ('destroy' in input) input.destroy();
          const members = (await ImageArchive.open(archive, label)).layers();
          layers = members.map((m) => ({ label: `${label} (layer ${m.path})`, tar: () => layerTar(archive, m, spool ? undefined : progress) }));
        }
        const options: LayerOptions = { allowEmpty: layered };
        image = existing ? await same(existing, layers, options) : await create(ctx, name, layers, options);
      } catch (err) {
        if (!existing) rmSync(ctx.layout.image(name), { recursive: true, force: true });
        throw err;
      }
    } finally {
      progress.done();
      if ('destroy' in input) input.destroy();
      if (spool) rmSync(spool, { recursive: true, force: true });
    }
    if (existing) ctx.say(`image ${name} is already imported from this archive`);
    await ctx.emit(image);
  },
};

/** Store every layer and write the image's record; on any failure, take back what this import added. */
async function create(ctx: Context, name: string, layers: LayerSource[], options: LayerOptions): Promise<ImageRecord> {
  const stored: { digest: string; size: number; created: boolean }[] = [];
  try {
    for (const layer of layers) stored.push(await storeLayer(ctx.layout, await layer.tar(), layer.label, { ...options, file: layer.file }));
    const digests = lastOfEach(stored.map((s) => s.digest));
    const size = digests.reduce((sum, d) => sum + stored.find((s) => s.digest === d)!.size, 0);
    const image: ImageRecord = { name, layers: digests, size, created: new Date().toISOString() };
    writeJsonAtomic(imagePath(ctx.layout, name), image);
    return image;
  } catch (err) {
    const kept = new Set([...listImages(ctx.layout).flatMap((i) => i.layers), ...containerRecords(ctx.layout).flatMap(containerLayers)]);
    for (const s of stored) if (s.created && !kept.has(s.digest)) removeLayer(ctx.layout, s.digest);
    throw err;
  }
}

/** Same name again: only the same layers are fine (import is idempotent); nothing is extracted. */
async function same(existing: ImageRecord, layers: LayerSource[], options: LayerOptions): Promise<ImageRecord> {
  const digests: string[] = [];
  for (const layer of layers) digests.push((await inspectLayer(await layer.tar(), layer.label, options)).digest);
  if (lastOfEach(digests).join() !== existing.layers.join())
    throw new StepError('EEXIST', `image ${existing.name} exists; sc image rm ${existing.name} first`);
  return existing;
}

/**
 * A layer that comes again (empty layers do) is kept only where it last appears: overlay refuses a
 * lowerdir twice, and the upper copy already shows everything the lower one did.
 */
export function lastOfEach(digests: string[]): string[] {
  return digests.filter((d, i) => digests.lastIndexOf(d) === i);
}

function fileSize(file: string): number {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new StepError('EISDIR', `${file} is not a file (expected an image archive or a docker export tarball)`);
    size = st.size;
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError('ENOENT', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return size;
}

function tmpDir(layout: Layout, prefix: string): string {
  mkdirSync(layout.tmp, { recursive: true });
  return mkdtempSync(join(layout.tmp, prefix));
}

async function writeFile(data: AsyncIterable<Buffer>, path: string, label: string): Promise<void> {
  const { pipeline } = await import('node:stream/promises');
  try {
    await pipeline(data, createWriteStream(path));
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError('EBADARCHIVE', `archive ${label} could not be read: ${(err as Error).message}`);
  }
}

/** A layer's uncompressed tar, from its byte range of the archive. */
async function layerTar(archive: string, m: Member, progress?: Progress): Promise<AsyncIterable<Buffer>> {
  const range = m.size === 0 ? emptyStream() : createReadStream(archive, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: CHUNK });
  const { head, all } = await peek(progress ? progress.count(range) : range, 6);
  return decompress(detectCompression(head), all);
}

async function* emptyStream(): AsyncGenerator<Buffer> {}

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
