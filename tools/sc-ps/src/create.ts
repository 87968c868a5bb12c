import { mkdirSync, rmdirSync } from 'node:fs';
import {
  DOC_VERSION, SPEC_OPTIONS, UsageError, failDocument, nameProblem, specFromOptions, writeJsonAtomic,
  type CommandVerb, type Doc, type Spec,
} from '@sc/core';
import { allocateIds } from './userns.js';

export const create: CommandVerb = {
  kind: 'command',
  summary: 'reserve a container name and write its first record (status "created")',
  usage: 'NAME',
  reads: '-',
  writes: 'name id created status spec userns',
  options: {
    image: { type: 'string', value: 'IMAGE', description: 'image to run (required, unless --spec gives a root)' },
    ...SPEC_OPTIONS,
    spec: { type: 'string', value: 'JSON', description: 'the spec as a JSON object, for a front end whose wishes are no flags of sc run (sc-oci); flags given too override its fields' },
    'userns-map': { type: 'string', value: 'UID:GID:SIZE', description: "host ids the container's ids 0..SIZE-1 map to, given (sc-oci: an OCI config's mappings) rather than taken from the config's range" },
  },
  check(ctx) {
    if (ctx.args.length !== 1) throw new UsageError('create takes exactly one NAME');
    const problem = nameProblem(ctx.args[0]);
    if (problem) throw new UsageError(problem);
    const given = specOption(ctx.options.spec);
    if (typeof ctx.options.image !== 'string' && !given.root) throw new UsageError('create needs --image IMAGE');
    if (typeof ctx.options.image === 'string') {
      const imageProblem = nameProblem(ctx.options.image);
      if (imageProblem) throw new UsageError(`--image: ${imageProblem}`);
    }
    specFromOptions(ctx.options);
    idsOption(ctx.options['userns-map']);
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    const image = typeof ctx.options.image === 'string' ? { image: ctx.options.image } : {};
    const spec: Spec = { ...specOption(ctx.options.spec), ...image, ...specFromOptions(ctx.options) };
    // The record says what the container has: the config's default disk, when no --disk was given (and it has a disk to be on).
    if (spec.disk === undefined && ctx.config.disk !== undefined && !spec.root) spec.disk = ctx.config.disk;
    const doc: Doc = { v: DOC_VERSION, name, spec };
    mkdirSync(ctx.layout.containers, { recursive: true });
    try {
      // mkdir is the atomic reservation: of two creates of one name, exactly one succeeds.
      mkdirSync(ctx.layout.container(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      failDocument(ctx.tool, doc, Object.assign(new Error(`name "${name}" is taken by an existing container (sc rm ${name} frees it)`), { code: 'EEXIST' }));
      await ctx.emit(doc);
      return 1;
    }
    const reserved: Doc = {
      v: DOC_VERSION,
      name,
      id: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex'),
      created: new Date().toISOString(),
      status: 'created',
      spec,
    };
    const ids = idsOption(ctx.options['userns-map']);
    if (ids) reserved.userns = ids;
    else if (spec.userns) {
      try {
        reserved.userns = allocateIds(ctx.layout, ctx.config, name);
      } catch (err) {
        rmdirSync(ctx.layout.container(name)); // the name goes back with the failure
        failDocument(ctx.tool, doc, err);
        await ctx.emit(doc);
        return 1;
      }
    }
    writeJsonAtomic(ctx.layout.state(name), reserved);
    await ctx.emit(reserved);
    return 0;
  },
};

/** --spec: a JSON object (each tool checks the part it reads). */
function specOption(value: unknown): Spec {
  if (value === undefined) return {};
  let spec: unknown;
  try {
    spec = JSON.parse(String(value));
  } catch (err) {
    throw new UsageError(`--spec is not JSON: ${(err as Error).message}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new UsageError('--spec must be a JSON object');
  return spec as Spec;
}

/** --userns-map UID:GID:SIZE: host ids above 0, within 32 bits. */
function idsOption(value: unknown): Doc['userns'] | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+):(\d+):(\d+)$/.exec(String(value));
  const [uid, gid, size] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || uid < 1 || gid < 1 || size < 1 || uid + size > 2 ** 32 || gid + size > 2 ** 32)
    throw new UsageError(`--userns-map ${JSON.stringify(value)} must be HOSTUID:HOSTGID:SIZE, host ids above 0`);
  return { uid, gid, size };
}
