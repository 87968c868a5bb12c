import { rmSync } from 'node:fs';
import { checkId, containerName, findContainer, OciError, ociState, removeEmptyOciParents, statusOf, step } from './container.js';
import { runHooks } from './hooks.js';
import type { Command } from './command.js';

export const deleteCommand: Command = {
  summary: 'delete a container: its process (when created, or with --force running or paused), its cgroups, its record; then poststop hooks',
  usage: '[--force] ID',
  flags: { force: { type: 'boolean', short: 'f', description: 'kill a running or paused container first (SIGKILL)' } },
  async run(ctx, { options, args }) {
    const id = checkId(args[0]);
    const doc = await findContainer(ctx, id);
    if (!doc) {
      // As runc: a directory left by a create that died before its record is cleared; --force makes it no error.
      rmSync(ctx.layout.container(containerName(id)), { recursive: true, force: true });
      if (options.force) return 0;
      throw new OciError(`container "${id}" does not exist`);
    }
    const status = await statusOf(ctx, doc);
    if ((status === 'running' || status === 'paused') && !options.force)
      throw new OciError(`cannot delete container "${id}" that is not stopped: ${status}`);
    const stages: string[][] = [];
    if (status === 'paused') stages.push(['sc-cgroup', 'thaw']);
    // Without a pid namespace of its own, the process's end is not the end of the others: all go.
    const ownPids = doc.spec.namespaces?.some((n) => n.type === 'pid' && !n.path) ?? true;
    if (status !== 'stopped' && !ownPids) stages.push(['sc-spawn', 'kill', '--all', '--signal', 'KILL']);
    stages.push(['sc-spawn', 'stop', '--time', '0'], ['sc-cgroup', 'delete'], ['sc-ps', 'rm']);
    await step(ctx, doc, 'delete', stages);
    removeEmptyOciParents(doc);
    try {
      await runHooks('poststop', doc.oci?.hooks.poststop, ociState(doc, 'stopped'));
    } catch (err) {
      ctx.log.warn((err as Error).message); // runtime-spec: a poststop hook that fails is a warning
    }
    return 0;
  },
};
