import { createReadStream, mkdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { StepError, UsageError, nameProblem, writeJsonAtomic, type CommandVerb, type Context, type Layout } from '@sc/core';
import { ArchiveFiles } from './archive-files.js';
import { layoutKind, rootfsProblem } from './archive-shape.js';
import { BlobVerifier } from './blob-digest.js';
import { decompress, detectCompression, peek } from './compression.js';
import { DirectoryFiles } from './directory-files.js';
import { defaultImageName } from './image-name.js';
import { imageLayers } from './image-layout.js';
import { extractLayer, inspectLayer, removeLayer, storeLayer, type ExtractedLayer, type LayerInfo, type LayerOptions, type StoredLayer } from './layer-store.js';
import type { LayoutFiles } from './layout-files.js';
import { Progress } from './progress.js';
import { containerLayers, containerRecords, imagePath, listImages, readImage, type ImageRecord } from './store.js';

/** Reads of 1 MiB: fewer trips through the check, the hash and the pipe to GNU tar than the default 64 KiB. */
const CHUNK = 1 << 20;

/** One layer to import: stored (extracted, checked, kept), or only inspected (its digest) when the image exists. */
interface LayerSource {
  store(layout: Layout): Promise<StoredLayer>;
  inspect(): Promise<LayerInfo>;
}

/** What an import reads, and what it must close or remove once done. */
export interface Sources { what: string; layers: LayerSource[]; cleanup: (() => void)[] }

function imageName(ctx: Context): string {
  const file = ctx.args[0]!;
  if (typeof ctx.options.name === 'string') return ctx.options.name;
  if (file === '-') throw new UsageError('import from stdin needs --name NAME');
  return defaultImageName(file);
}

export const importImage: CommandVerb = {
  kind: 'command',
  summary:
    'import an image: a `docker export` tarball, a `docker save` archive or an OCI image layout in a tar (plain, gzip, xz or zstd), ' +
    'or an OCI layout or docker save / `dir:` directory; told apart by what they hold. OCI blobs are checked against their digests. Prints its record',
  reads: 'an archive (FILE, or stdin with -) or a directory (DIR)',
  writes: 'an image record',
  usage: 'FILE|DIR|-',
  options: {
    name: { type: 'string', value: 'NAME', description: 'image name (default: the file name up to its first dot; required with -)' },
  },
  check(ctx) {
    if (ctx.args.length !== 1) throw new UsageError('import takes exactly one FILE or DIR (or - for stdin)');
    const name = imageName(ctx);
    const problem = nameProblem(name);
    if (problem) throw new UsageError(`${typeof ctx.options.name === 'string' ? '--name: ' : `image name from ${ctx.args[0]}: `}${problem}${ctx.options.name ? '' : ' (use --name NAME)'}`);
    if (ctx.args[0] === '-' && process.stdin.isTTY) throw new UsageError('import - reads the archive on stdin, e.g. sc-image import --name busybox - < busybox.tar.gz');
  },
  async run(ctx) {
    const file = ctx.args[0]!;
    const name = imageName(ctx);
    const st = file === '-' ? undefined : inputStat(file);
    const progress = await Progress.start(`importing ${name}`, st?.isFile() ? st.size : undefined);
    const cleanup: (() => void)[] = [];
    let image: ImageRecord;
    const existing = reserve(ctx, name);
    try {
      const sources = st?.isDirectory() ? await directorySources(file, progress) : await archiveSources(ctx.layout, file, progress, cleanup);
      cleanup.push(...sources.cleanup);
      image = existing ? await same(existing, sources.layers) : await create(ctx, name, sources);
    } catch (err) {
      if (!existing) rmSync(ctx.layout.image(name), { recursive: true, force: true });
      throw err;
    } finally {
      progress.done();
      for (const step of cleanup.reverse()) step();
    }
    if (existing) ctx.say(`image ${name} is already imported from this archive`);
    await ctx.emit(image);
  },
};

/**
 * An archive: a plain tar file is indexed (headers only) and told by what it holds; a compressed one or
 * stdin is extracted as it streams by (once, as a rootfs would be), and what it held decides after: a
 * rootfs is kept as it is, an image layout is read from the extracted files.
 */
async function archiveSources(layout: Layout, file: string, progress: Progress, cleanup: (() => void)[]): Promise<Sources> {
  const label = file === '-' ? 'on stdin' : file;
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: CHUNK });
  cleanup.push(() => { if ('destroy' in input) input.destroy(); });
  const { head, all } = await peek(progress.count(input), 6);
  const compression = detectCompression(head);
  if (file !== '-' && compression === 'none') {
    const archive = await ArchiveFiles.open(file);
    if (archive) cleanup.push(() => archive.close());
    if (archive && layoutKind((n) => archive.has(n))) {
      input.destroy();
      return { what: archive.label, layers: await blobSources(archive, progress), cleanup: [] };
    }
    return { what: `archive ${label}`, layers: [tarSource(label, async () => all, { file })], cleanup: [] };
  }
  const extracted = await extractLayer(layout, decompress(compression, all), label);
  cleanup.push(() => extracted.discard());
  if (!layoutKind((n) => extracted.top.has(n))) return { what: `archive ${label}`, layers: [extractedSource(extracted)], cleanup: [] };
  // An image archive, extracted: its files are read where they now are (the progress bar has counted them once).
  const files = DirectoryFiles.open(extracted.dir, 'archive', label);
  return { what: files.label, layers: await blobSources(files), cleanup: [() => files.close()] };
}

/**
 * A directory: an OCI image layout, a `dir:` directory or an extracted docker save, nothing else;
 * `pulled` names the reference skopeo wrote it from.
 */
export async function directorySources(dir: string, progress: Progress, pulled?: string): Promise<Sources> {
  const files = pulled ? DirectoryFiles.open(dir, 'image', pulled) : DirectoryFiles.open(dir, 'directory');
  try {
    if (!layoutKind((n) => files.has(n)))
      throw new StepError('EBADARCHIVE', `directory ${dir} is not an image layout: it has neither manifest.json (docker save, skopeo's dir:) nor index.json and oci-layout (OCI); a root filesystem in a directory imports as a tar: tar -C ${dir} -c . | sc image import --name NAME -`);
    return { what: files.label, layers: await blobSources(files, progress), cleanup: [() => files.close()] };
  } catch (err) {
    files.close();
    throw err;
  }
}

/** An image layout's layers, each checked against its blob digest (OCI, dir:) or its diff id (docker save) before it is kept. */
async function blobSources(files: LayoutFiles, progress?: Progress): Promise<LayerSource[]> {
  return (await imageLayers(files)).map((blob) => {
    const label = `${files.label.replace(/^(archive|directory|image) /, '')} (layer ${blob.path})`;
    let verifier: BlobVerifier | undefined;
    const open = async () => {
      const raw = progress ? progress.count(blob.file.stream()) : blob.file.stream();
      verifier = blob.digest ? await BlobVerifier.create(blob.digest, blob.size) : undefined;
      const { head, all } = await peek(verifier ? verifier.through(raw) : raw, 6);
      return decompress(detectCompression(head), all);
    };
    const verify = (info: LayerInfo) => {
      if (verifier) {
        const problem = verifier.done ? verifier.end() : `its blob ${blob.digest} was not read to its end`;
        if (problem) throw new StepError('EREFUSED', `${files.label} refused: ${problem}`);
      }
      if (blob.diffId && blob.diffId !== info.digest)
        throw new StepError('EREFUSED', `${files.label} refused: its layer ${blob.path} is not the one its config lists (sha256:${blob.diffId}, but its content is sha256:${info.digest}): the archive is corrupted or was altered`);
    };
    return tarSource(label, open, { allowEmpty: true, verify });
  });
}

function tarSource(label: string, open: () => Promise<AsyncIterable<Buffer>>, options: LayerOptions): LayerSource {
  return {
    store: async (layout) => storeLayer(layout, await open(), label, options),
    inspect: async () => inspectLayer(await open(), label, options),
  };
}

function extractedSource(extracted: ExtractedLayer): LayerSource {
  return { store: (layout) => extracted.keep(layout), inspect: async () => extracted.info };
}

/**
 * Store every layer and write the image's record (with `source`, where a pull got it); on any failure,
 * take back what this import added. What the layers make must be able to be a root filesystem.
 */
export async function create(ctx: Context, name: string, sources: Sources, source?: ImageRecord['source']): Promise<ImageRecord> {
  const stored: StoredLayer[] = [];
  try {
    for (const layer of sources.layers) stored.push(await layer.store(ctx.layout));
    const problem = rootfsProblem(stored.map((s) => s.top));
    if (problem) throw new StepError('EBADARCHIVE', `${sources.what} ${problem}`);
    const digests = lastOfEach(stored.map((s) => s.digest));
    const size = digests.reduce((sum, d) => sum + stored.find((s) => s.digest === d)!.size, 0);
    const image: ImageRecord = { name, layers: digests, size, created: new Date().toISOString(), ...(source ? { source } : {}) };
    writeJsonAtomic(imagePath(ctx.layout, name), image);
    return image;
  } catch (err) {
    const kept = new Set([...listImages(ctx.layout).flatMap((i) => i.layers), ...containerRecords(ctx.layout).flatMap(containerLayers)]);
    for (const s of stored) if (s.created && !kept.has(s.digest)) removeLayer(ctx.layout, s.digest);
    throw err;
  }
}

/** Same name again: only the same layers are fine (import is idempotent); nothing is kept. */
async function same(existing: ImageRecord, layers: LayerSource[]): Promise<ImageRecord> {
  const digests: string[] = [];
  for (const layer of layers) digests.push((await layer.inspect()).digest);
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

function inputStat(file: string): Stats {
  try {
    const st = statSync(file);
    if (!st.isFile() && !st.isDirectory()) throw new StepError('EINVAL', `${file} is neither a file nor a directory (expected an image archive, a docker export tarball or an image layout directory)`);
    return st;
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError('ENOENT', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Claim images/NAME (mkdir is atomic), or return the image that already holds the name. */
export function reserve(ctx: Context, name: string): ImageRecord | undefined {
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
