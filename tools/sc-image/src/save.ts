import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepError, UsageError, nameProblem, type CommandVerb, type Layout } from '@sc/core';
import { overlayToAufs } from './aufs-whiteouts.js';
import { DETERMINISTIC_TAR } from './gnu-tar.js';
import { GOARCH } from './image-layout.js';
import { destination, writeArchive } from './output-file.js';
import { programOutput } from './program-output.js';
import { Progress } from './progress.js';
import { readImage, type ImageRecord } from './store.js';

const FORMATS = ['oci-archive', 'docker-archive'] as const;
export type Format = (typeof FORMATS)[number];
const MEDIA = {
  layer: 'application/vnd.oci.image.layer.v1.tar',
  config: 'application/vnd.oci.image.config.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
};

/** One layer as written: the sha256 (hex) and size of its uncompressed tar, which is also its blob. */
export interface SavedLayer { digest: string; size: number }

export const save: CommandVerb = {
  kind: 'command',
  summary:
    'write an image as an archive Podman (podman load), skopeo (oci-archive:, docker-archive:) and containerd (ctr image import) read: ' +
    'an OCI image layout in a tar (default) or a docker save archive; its layers as they are in the store, not flattened, whiteouts as AUFS ones',
  reads: "the image's layers",
  writes: 'the archive (into DIR/NAME.tar, a FILE, or - for stdout), and {name, file, format, reference, layers} unless it went to stdout',
  usage: 'NAME DIR|FILE|-',
  options: {
    format: { type: 'string', value: 'FORMAT', description: 'oci-archive (default) or docker-archive' },
  },
  check(ctx) {
    if (ctx.args.length !== 2) throw new UsageError('save takes an image NAME and a destination (a directory, a file, or -)');
    const problem = nameProblem(ctx.args[0]);
    if (problem) throw new UsageError(problem);
    const format = ctx.options.format;
    if (format !== undefined && !FORMATS.includes(format as Format)) throw new UsageError(`--format ${JSON.stringify(format)}: use ${FORMATS.join(' or ')}`);
    if (ctx.args[1] === '-' && process.stdout.isTTY) throw new UsageError('save NAME - writes the archive on stdout: redirect it to a file, or pipe it to podman load');
  },
  async run(ctx) {
    const [name, dest] = ctx.args as [string, string];
    const format = (ctx.options.format ?? 'oci-archive') as Format;
    const image = wholeImage(ctx.layout, name);
    const file = destination(dest, name, 'tar');
    const reference = imageReference(name);
    const progress = await Progress.start(`saving ${name}`, image.size);
    mkdirSync(ctx.layout.tmp, { recursive: true });
    const stage = mkdtempSync(join(ctx.layout.tmp, 'save-'));
    const { pipeline } = await import('node:stream/promises');
    let layers: SavedLayer[];
    try {
      const staged = await stageImage(ctx.layout, image, stage, format, reference, progress);
      layers = staged.layers;
      // The archive of the staged files: root's, readable by all, sorted, dated 1970 (the same image gives the same bytes).
      const tar = programOutput('tar', ['--format=ustar', '--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mode=u=rwX,go=rX', '--mtime=@0', '-C', stage, '-cf', '-', '--', ...staged.names], {
        failure: `cannot write the archive of image ${name}`,
      });
      await writeArchive(file, (out) => pipeline(tar, out));
    } finally {
      progress.done();
      rmSync(stage, { recursive: true, force: true });
    }
    if (file) await ctx.emit({ name, file, format, reference, layers: layers.map((l) => `sha256:${l.digest}`) });
  },
};

/** The image NAME, every layer of it in the store. */
export function wholeImage(layout: Layout, name: string): ImageRecord {
  const image = readImage(layout, name);
  if (!image) throw new StepError('ENOENT', `no image named "${name}" (sc image ls lists them)`);
  const missing = image.layers.find((d) => !existsSync(layout.layer(d)));
  if (missing) throw new StepError('ENOENT', `image "${name}" is missing its layer ${layout.layer(missing)}; sc image rm ${name} and import it again`);
  return image;
}

/**
 * The image's files in STAGE, as an OCI image layout or a docker save archive holds them (what save
 * archives, and what push hands skopeo): its layers as tars, its config, its manifest. Returns the
 * names at STAGE's top and the layers as written.
 */
export async function stageImage(layout: Layout, image: ImageRecord, stage: string, format: Format, reference: string | undefined, progress: Progress): Promise<{ names: string[]; layers: SavedLayer[] }> {
  const { createHash } = await import('node:crypto');
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const layers: SavedLayer[] = [];
  for (const digest of image.layers) layers.push(await writeLayer(layout, digest, stage, format, progress));
  const config = imageConfig(image, layers);
  const names = format === 'oci-archive' ? writeOciLayout(stage, config, layers, reference, sha256) : writeDockerSave(stage, config, layers, reference, sha256);
  return { names, layers };
}

/**
 * The name loaders give the image: localhost/NAME:latest, as Podman names what it builds locally; sc's
 * names allow capitals, references do not. Undefined when NAME cannot be a reference (then it loads unnamed).
 */
export function imageReference(name: string): string | undefined {
  const repo = name.toLowerCase();
  return /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(repo) ? `localhost/${repo}:latest` : undefined;
}

/** A stored layer as a tar (overlay's whiteouts made AUFS ones), staged under its digest; hashed as it is written. */
async function writeLayer(layout: Layout, digest: string, stage: string, format: Format, progress: Progress): Promise<SavedLayer> {
  const dir = layout.layer(digest);
  // Top-level names, not ".": a layer's tar has no entry for the root it is unpacked onto.
  const names = readdirSync(dir).sort();
  const tar = names.length === 0 ? emptyTar() : overlayToAufs(programOutput('tar', [...DETERMINISTIC_TAR, '-C', dir, '-cf', '-', '--', ...names], { failure: `cannot read layer ${digest}` }));
  const [{ createHash }, { pipeline }] = await Promise.all([import('node:crypto'), import('node:stream/promises')]);
  const hash = createHash('sha256');
  let size = 0;
  async function* hashed(input: AsyncIterable<Buffer>) {
    for await (const chunk of input) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  const partial = join(stage, 'layer.partial');
  try {
    await pipeline(hashed(progress.count(tar)), createWriteStream(partial, { flags: 'wx', mode: 0o644 }));
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError('EBADARCHIVE', `cannot write layer ${digest} of the archive: ${(err as Error).message}`);
  }
  const layer = { digest: hash.digest('hex'), size };
  const blob = format === 'oci-archive' ? join(stage, 'blobs', 'sha256', layer.digest) : join(stage, `${layer.digest}.tar`);
  mkdirSync(join(blob, '..'), { recursive: true });
  renameSync(partial, blob);
  return layer;
}

/** The image config loaders need: the platform, the layers' diff ids, a shell to run by default. */
function imageConfig(image: ImageRecord, layers: SavedLayer[]): Buffer {
  return Buffer.from(JSON.stringify({
    created: image.created,
    architecture: GOARCH[process.arch] ?? process.arch,
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${l.digest}`) },
    history: layers.map(() => ({ created: image.created, created_by: 'sc', comment: `sc image ${image.name}` })),
  }));
}

/** oci-layout, index.json and blobs/sha256/: the layers (uncompressed tars), the config, the manifest. */
function writeOciLayout(stage: string, config: Buffer, layers: SavedLayer[], reference: string | undefined, sha256: (data: Buffer) => string): string[] {
  const blob = (data: Buffer, mediaType: string) => {
    const digest = sha256(data);
    writeFileSync(join(stage, 'blobs', 'sha256', digest), data, { mode: 0o644 });
    return { mediaType, digest: `sha256:${digest}`, size: data.length };
  };
  mkdirSync(join(stage, 'blobs', 'sha256'), { recursive: true });
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: blob(config, MEDIA.config),
    layers: layers.map((l) => ({ mediaType: MEDIA.layer, digest: `sha256:${l.digest}`, size: l.size })),
  }));
  // Podman and skopeo name the image by ref.name, containerd by its own annotation.
  const annotations = reference ? { 'org.opencontainers.image.ref.name': reference, 'io.containerd.image.name': reference } : undefined;
  const index = { schemaVersion: 2, mediaType: MEDIA.index, manifests: [{ ...blob(manifest, MEDIA.manifest), ...(annotations ? { annotations } : {}) }] };
  writeFileSync(join(stage, 'index.json'), JSON.stringify(index), { mode: 0o644 });
  writeFileSync(join(stage, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }), { mode: 0o644 });
  return ['blobs', 'index.json', 'oci-layout'];
}

/** manifest.json, the config as HEX.json and the layers as HEX.tar, as `podman save --format docker-archive` writes them. */
function writeDockerSave(stage: string, config: Buffer, layers: SavedLayer[], reference: string | undefined, sha256: (data: Buffer) => string): string[] {
  const configName = `${sha256(config)}.json`;
  writeFileSync(join(stage, configName), config, { mode: 0o644 });
  const manifest = [{ Config: configName, RepoTags: reference ? [reference] : [], Layers: layers.map((l) => `${l.digest}.tar`) }];
  writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest), { mode: 0o644 });
  return [configName, ...layers.map((l) => `${l.digest}.tar`), 'manifest.json'];
}

async function* emptyTar(): AsyncGenerator<Buffer> {
  yield Buffer.alloc(1024);
}
