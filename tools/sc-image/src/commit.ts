import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import {
  isMountPoint, isValidName, mountDisk, readJson, StepError, umountDisk, UsageError, nameProblem, writeJsonAtomic,
  type CommandVerb, type Context, type Doc, type Layout,
} from '@sc/core';
import { DETERMINISTIC_TAR } from './gnu-tar.js';
import { removeLayer, storeLayer } from './layer-store.js';
import { programOutput } from './program-output.js';
import { containerLayers, containerRecords, imagePath, listImages, readImage, type ImageRecord } from './store.js';

export const commit: CommandVerb = {
  kind: 'command',
  summary:
    "save a container's changes as a new image: its image's layers plus its upper layer as one more (costs what changed, " +
    'not the image). On a running container a file being written meanwhile may be saved torn: stop it first to be sure',
  reads: "the container's record and upper layer",
  writes: 'an image record',
  usage: 'CONTAINER NEW',
  check(ctx) {
    if (ctx.args.length !== 2) throw new UsageError('commit takes a CONTAINER and the NEW image name');
    for (const name of ctx.args) {
      const problem = nameProblem(name);
      if (problem) throw new UsageError(problem);
    }
  },
  async run(ctx) {
    const [container, name] = ctx.args as [string, string];
    const doc = readJson<Doc>(ctx.layout.state(container));
    if (!doc) throw new StepError('ENOENT', `no container named "${container}" (sc ps -a lists them)`);
    const base = baseLayers(ctx.layout, doc);
    const missing = base.find((d) => !existsSync(ctx.layout.layer(d)));
    if (missing) throw new StepError('ENOENT', `container ${container}'s image layer ${missing} is gone; its changes cannot be committed on top of it`);
    const upper = ctx.layout.upperOf({ name: container, spec: doc.spec ?? {} });
    const neverStarted = new StepError('ENOENT', `container ${container} has no upper layer yet (it never started): there is nothing to commit`);
    // A stopped container's disk is mounted read-only for the commit (sc holds the container's lock meanwhile).
    const diskToMount = Boolean(doc.spec?.disk) && !isMountPoint(ctx.layout.disk(container));
    if (diskToMount) {
      if (!existsSync(ctx.layout.diskImage(container))) throw neverStarted;
      try {
        await mountDisk(ctx.layout, container, 'ro');
      } catch (err) {
        // A disk the host crashed under needs its journal replayed, which a read-only mount cannot do.
        if (!/read-only/.test((err as Error).message)) throw err;
        throw new StepError('EROFS', `${(err as Error).message}: its journal needs recovery; sc start ${container} recovers it, then commit`);
      }
    }
    try {
      if (!existsSync(upper)) throw neverStarted;
      await commitUpper(ctx, doc, base, upper, name);
    } finally {
      if (diskToMount) await umountDisk(ctx.layout, container);
    }
  },
};

/** The upper layer as one more layer on the container's base layers, recorded as image NAME. */
async function commitUpper(ctx: Context, doc: Doc, base: string[], upper: string, name: string): Promise<void> {
  const container = doc.name;
  mkdirSync(ctx.layout.images, { recursive: true });
  try {
    mkdirSync(ctx.layout.image(name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new StepError('EEXIST', `image ${name} exists; pick another name or sc image rm ${name} first`);
    throw err;
  }
  let layer: { digest: string; size: number; created: boolean } | undefined;
  try {
    // Top-level names, not ".": the upper's root belongs to the container, the new layer's root is 0755.
    const names = readdirSync(upper).sort();
    const tar = names.length === 0 ? emptyTar() : programOutput('tar', [...DETERMINISTIC_TAR, '-C', upper, '-cf', '-', '--', ...names], {
      okCodes: [1], // a file changed while it was read (a running container): saved as read
      onWarning: (text) => ctx.say(`${container}: files changed during the commit, saved as read: ${text.split('\n')[0]}`),
      failure: `cannot read container ${container}'s changes`,
    });
    layer = await storeLayer(ctx.layout, tar, `container ${container}'s changes`, { allowEmpty: true });
    const layers = [...base.filter((d) => d !== layer!.digest), layer.digest];
    const size = baseSize(ctx.layout, doc, base) + layer.size;
    const image: ImageRecord = { name, layers, size, created: new Date().toISOString() };
    writeJsonAtomic(imagePath(ctx.layout, name), image);
    await ctx.emit(image);
  } catch (err) {
    rmSync(ctx.layout.image(name), { recursive: true, force: true });
    const kept = new Set([...listImages(ctx.layout).flatMap((i) => i.layers), ...containerRecords(ctx.layout).flatMap(containerLayers)]);
    if (layer?.created && !kept.has(layer.digest)) removeLayer(ctx.layout, layer.digest);
    throw err;
  }
}

/** The layers the container runs on, bottom first: from its record, else from its image. */
function baseLayers(layout: Layout, doc: Doc): string[] {
  const resolved = containerLayers(doc).reverse();
  if (resolved.length > 0) return resolved;
  const image = doc.spec?.image ? readImage(layout, doc.spec.image) : undefined;
  if (!image) throw new StepError('ENOENT', `container ${doc.name} names no image whose layers are known (its image ${JSON.stringify(doc.spec?.image)} is gone)`);
  return image.layers;
}

/** The base image's size when its record still matches, else unknown (0). */
function baseSize(layout: Layout, doc: Doc, base: string[]): number {
  const name = doc.image?.name ?? doc.spec?.image;
  const image = isValidName(name) ? readImage(layout, name) : undefined;
  return image && image.layers.join() === base.join() ? image.size : 0;
}

async function* emptyTar(): AsyncGenerator<Buffer> {
  yield Buffer.alloc(1024);
}
