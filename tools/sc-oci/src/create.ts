import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, writeJsonAtomic, type Doc } from '@sc/core';
import { readConfig, type Bundle } from './config.js';
import { checkId, containerName, failure, findContainer, OciError, ociState, removeEmptyOciParents, type Context, type OciDoc } from './container.js';
import { runHooks } from './hooks.js';
import { writePidFile } from './pidfile.js';
import { command, pipeline } from './pipeline.js';
import type { Command } from './command.js';

export const create: Command = {
  summary: 'create a container from the bundle: everything set up, its process waiting before it execs until `start`',
  usage: '[FLAGS] ID',
  flags: {
    bundle: { type: 'string', short: 'b', value: 'DIR', description: 'the bundle (config.json and its rootfs); default: the current directory' },
    'pid-file': { type: 'string', value: 'FILE', description: "write the container process's pid to FILE" },
    'console-socket': { type: 'string', value: 'SOCKET', description: "an AF_UNIX socket that receives the master of the process's terminal (process.terminal)" },
    'no-pivot': { type: 'boolean', description: 'move the rootfs over / and chroot instead of pivot_root (a rootfs on a ramdisk)' },
    'no-new-keyring': { type: 'boolean', description: "keep the caller's session keyring instead of a new one" },
    'preserve-fds': { type: 'string', value: 'N', description: 'pass N more descriptors to the process: only 0 is supported' },
  },
  async run(ctx, { options, args }) {
    const id = checkId(args[0]);
    if (args.length > 1) throw new OciError(`create takes one ID, not ${JSON.stringify(args.slice(1).join(' '))}`);
    if (options['preserve-fds'] !== undefined && options['preserve-fds'] !== '0')
      throw new OciError('--preserve-fds is not supported: sc-oci passes a container its stdio only');
    const bundleDir = resolve(String(options.bundle ?? '.'));
    let text: string;
    try {
      text = readFileSync(join(bundleDir, 'config.json'), 'utf8');
    } catch (err) {
      throw new OciError(`cannot read the bundle's config.json in ${bundleDir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const bundle = readConfig(text, bundleDir, id);
    const rootfs = bundle.spec.root!.path;
    if (!statSafe(rootfs)?.isDirectory()) throw new OciError(`the bundle's root.path ${rootfs} is not a directory`);
    if (bundle.spec.process!.terminal && !options['console-socket'])
      throw new OciError('process.terminal is set: give --console-socket, where the terminal goes');
    if (await findContainer(ctx, id)) throw new OciError(`container with id "${id}" already exists`);
    const doc = await reserve(ctx, id, bundle);
    const start = ['sc-spawn', 'start', '--hold', '--stdio-of', String(process.pid)];
    if (options['console-socket']) start.push('--console-socket', resolve(String(options['console-socket'])));
    if (options['no-pivot']) start.push('--no-pivot');
    if (options['no-new-keyring']) start.push('--no-new-keyring');
    const made = await pipeline([['sc-cgroup', 'create'], start, ['sc-ps', 'save']], [doc], ctx.env);
    const created = made.docs[0] as OciDoc | undefined;
    const why = failure(made.docs, made.stderr) ?? (created ? undefined : 'the tools gave no document back');
    if (why || !created) {
      await rollback(ctx, created ?? doc);
      throw new OciError(`container "${id}": ${why}`);
    }
    try {
      const state = ociState(created, 'created');
      await runHooks('prestart', bundle.oci.hooks.prestart, state);
      await runHooks('createRuntime', bundle.oci.hooks.createRuntime, state);
      // A pid file that cannot be written fails create like the rest (as runc): the caller would never delete what it never learnt of.
      if (options['pid-file']) writePidFile(String(options['pid-file']), created.process!.pid);
    } catch (err) {
      await rollback(ctx, created);
      throw new OciError(`container "${id}": ${(err as Error).message}`);
    }
    return 0;
  },
};

function statSafe(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The record, made by sc-ps (the name's reservation), with the seccomp profile beside it. */
async function reserve(ctx: Context, id: string, bundle: Bundle): Promise<OciDoc> {
  const name = containerName(id);
  const spec = { ...bundle.spec, seccomp: bundle.seccomp !== undefined ? ctx.layout.seccompProfile(name) : 'unconfined' };
  // Without a cgroupsPath (a bundle made by hand; orchestrators give one), not <cgroupParent>/NAME, where sc's own
  // container of that name has its cgroups: under _oci, which no sc name can be (names start with a letter or digit).
  spec.cgroupsPath ??= `/${(await loadConfig(ctx.env)).cgroupParent}/_oci/${name}`;
  const args = ['create', name, '--spec', JSON.stringify(spec)];
  if (bundle.userns) args.push('--userns-map', `${bundle.userns.uid}:${bundle.userns.gid}:${bundle.userns.size}`);
  const made = await command('sc-ps', args, ctx.env);
  const doc = made.docs[0] as OciDoc | undefined;
  if (!doc || doc.error || !doc.id) {
    if (doc?.error?.code === 'EEXIST') throw new OciError(`container with id "${id}" already exists`);
    throw new OciError(`container "${id}": ${failure(made.docs, made.stderr) ?? 'sc-ps create gave no record'}`);
  }
  try {
    if (bundle.seccomp !== undefined) writeJsonAtomic(ctx.layout.seccompProfile(name), bundle.seccomp);
  } catch (err) {
    await rollback(ctx, doc);
    throw new OciError(`container "${id}": cannot write its seccomp profile: ${(err as Error).message}`);
  }
  return { ...doc, oci: bundle.oci };
}

/** A failed create leaves nothing: its process, cgroups and record go, as sc run's rollback does. */
async function rollback(ctx: Context, doc: Doc): Promise<void> {
  const { error: _, ...clean } = doc;
  const undone = await pipeline([['sc-spawn', 'stop', '--time', '0'], ['sc-cgroup', 'delete'], ['sc-ps', 'rm']], [clean], ctx.env);
  const why = failure(undone.docs, undone.stderr);
  if (!why) removeEmptyOciParents(doc);
  if (why) ctx.log.warn(`container "${(doc as OciDoc).oci?.id ?? doc.name}" was not wholly removed after the failure: ${why}`);
}
