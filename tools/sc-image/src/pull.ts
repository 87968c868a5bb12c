import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { nameProblem, StepError, UsageError, type CommandVerb, type Context } from '@sc/core';
import { atDigest, parseReference, repositoryName, type DockerReference } from './docker-reference.js';
import { pickManifest, type Descriptor } from './image-layout.js';
import { create, directorySources, reserve, type Sources } from './import.js';
import { Interrupt } from './interrupt.js';
import { Progress } from './progress.js';
import { AUTH_HELP, authFileProblem } from './registry-auth.js';
import { reportFailure } from './registry-failure.js';
import { skopeo, type About } from './skopeo.js';
import type { ImageRecord } from './store.js';

export const TLS_VERIFY = {
  type: 'string',
  value: 'BOOL',
  description: 'false: talk plain HTTP, or HTTPS without checking the certificate (a registry of your own); default true',
} as const;

export const pull: CommandVerb = {
  kind: 'command',
  summary:
    'pull an image from a registry (docker://[HOST[:PORT]/]REPOSITORY[:TAG|@DIGEST]; docker:// may be left out) with skopeo, ' +
    'into the store as import stores a layout: every blob checked against its digest, each layer kept once; pulling again what an image was ' +
    `pulled from does nothing while the reference names the same image. skopeo applies the host's trust policy (/etc/containers/policy.json). ${AUTH_HELP}`,
  reads: 'the registry, through skopeo (its words go in error.detail)',
  writes: 'the image record, with its source (reference, digest); on a failure {name, reference, error}',
  usage: 'REF',
  options: {
    name: { type: 'string', value: 'NAME', description: "image name (default: the repository's last part, e.g. web for docker://host/team/web:2)" },
    'tls-verify': TLS_VERIFY,
  },
  check(ctx) {
    if (ctx.args.length !== 1) throw new UsageError('pull takes one REF, e.g. docker://registry.example.com/team/web:2');
    const ref = parseReference(ctx.args[0]!);
    if (typeof ref === 'string') throw new UsageError(ref);
    const problem = nameProblem(imageName(ctx, ref));
    if (problem) throw new UsageError(typeof ctx.options.name === 'string' ? `--name: ${problem}` : `image name from ${ref.text}: ${problem} (use --name NAME)`);
    tlsVerify(ctx);
    const auth = authFileProblem();
    if (auth) throw new UsageError(auth);
  },
  async run(ctx) {
    const ref = parseReference(ctx.args[0]!) as DockerReference;
    const name = imageName(ctx, ref);
    const interrupt = new Interrupt();
    let existing: ImageRecord | undefined;
    let reserved = false;
    let stage: string | undefined;
    const progress: Progress[] = [];
    let sources: Sources | undefined;
    try {
      existing = reserve(ctx, name);
      reserved = !existing;
      if (existing && !existing.source) throw new StepError('EEXIST', `image ${name} exists (imported, not pulled); sc image rm ${name} first, or pull with --name`);
      mkdirSync(ctx.layout.tmp, { recursive: true });
      stage = mkdtempSync(join(ctx.layout.tmp, 'pull-'));
      const about: About = { reference: ref.text, host: ref.host, digest: ref.digest };
      const verify = tlsVerify(ctx);
      const run = (args: string[]) => skopeo(['--tmpdir', stage!, ...args], stage!, about, interrupt);
      const target = await inspect(ref, verify ? [] : ['--tls-verify=false'], run);
      if (existing) {
        if (existing.source?.digest && existing.source.digest === target.digest) {
          ctx.say(`image ${name} is already pulled from ${ref.text} (${target.digest})`);
          await ctx.emit(existing);
          return 0;
        }
        throw new StepError('EEXIST', `image ${name} exists (pulled from ${existing.source!.reference}); ${ref.text} now names another image: sc image rm ${name} first, or pull with --name`);
      }
      const layout = join(stage, 'image');
      const download = await Progress.start(`pulling ${name}`, target.size);
      progress.push(download);
      const poll = setInterval(() => download.set(bytesUnder(layout)), 100);
      try {
        await run(['copy', '--quiet', ...(verify ? [] : ['--src-tls-verify=false']), target.digest ? atDigest(ref, target.digest) : ref.text, `oci:${layout}`]);
      } finally {
        clearInterval(poll);
        download.done();
      }
      const unpack = await Progress.start(`unpacking ${name}`, target.layers);
      progress.push(unpack);
      sources = await directorySources(layout, unpack, ref.text);
      const image = await create(ctx, name, sources, { reference: ref.text, ...(target.digest ? { digest: target.digest } : {}) });
      unpack.done();
      await ctx.emit(image);
      return 0;
    } catch (err) {
      if (reserved) rmSync(ctx.layout.image(name), { recursive: true, force: true });
      for (const p of progress) p.done();
      return reportFailure(ctx, { name, reference: ref.text }, err, interrupt, 'nothing was kept');
    } finally {
      for (const step of sources?.cleanup ?? []) step();
      if (stage) rmSync(stage, { recursive: true, force: true });
      interrupt.dispose();
    }
  },
};

function imageName(ctx: Context, ref: DockerReference): string {
  return typeof ctx.options.name === 'string' ? ctx.options.name : repositoryName(ref);
}

/** --tls-verify: true (the default) or false. */
export function tlsVerify(ctx: Context): boolean {
  const value = ctx.options['tls-verify'];
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`--tls-verify ${JSON.stringify(value)}: use --tls-verify=false or --tls-verify=true`);
}

/** What the reference names now: the digest of its manifest (or index), and the sizes of the image for this machine. */
interface Target { digest?: string; size?: number; layers?: number }

/**
 * Read the manifest the reference names (from an index, the one for this machine): the pull then
 * copies that digest, so what is recorded is what was copied even if the tag moves meanwhile.
 */
async function inspect(ref: DockerReference, tls: string[], run: (args: string[]) => Promise<Buffer>): Promise<Target> {
  const { createHash } = await import('node:crypto');
  const raw = await run(['inspect', '--raw', ...tls, ref.text]);
  let doc = parseJson(raw);
  // Schema 1 manifests are signed inside: their digest is not the bytes'. Copied by the reference as given.
  if (doc?.schemaVersion === 1) return {};
  const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  if (Array.isArray(doc?.manifests)) {
    const chosen = pickManifest(doc.manifests as Descriptor[]);
    doc = typeof chosen.digest === 'string' ? parseJson(await run(['inspect', '--raw', ...tls, atDigest(ref, chosen.digest)])) : undefined;
  }
  const layers = Array.isArray(doc?.layers) ? (doc.layers as Descriptor[]).reduce((sum, l) => sum + (typeof l.size === 'number' ? l.size : 0), 0) : undefined;
  const config = typeof doc?.config?.size === 'number' ? doc.config.size : 0;
  return { digest, ...(layers !== undefined ? { size: layers + config, layers } : {}) };
}

function parseJson(raw: Buffer): { schemaVersion?: unknown; manifests?: unknown; layers?: unknown; config?: { size?: unknown } } | undefined {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The bytes of the files under DIR, as skopeo writes them (0 before it made DIR). */
function bytesUnder(dir: string): number {
  let sum = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      sum += st.isDirectory() ? bytesUnder(path) : st.size;
    } catch {
      // renamed meanwhile (a blob moved into place): counted at its new name next time
    }
  }
  return sum;
}
