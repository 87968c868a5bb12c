// A container of sc-oci: its ID (the orchestrator's name for it), its record (sc-ps's, under --root) and
// the OCI state computed from it, never trusted from disk.
import { createHash } from 'node:crypto';
import { existsSync, rmdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isSameProcess, isValidName, Layout, readJson, startedAt, UsageError, type Doc } from '@sc/core';
import { pipeline } from './pipeline.js';
import type { Log } from './log.js';
import type { OciSection } from './config.js';

export interface Context {
  root: string;
  layout: Layout;
  log: Log;
  /** The tools' environment: sc-oci's root is their data root. */
  env: NodeJS.ProcessEnv;
}

export { OciError } from './errors.js';
import { OciError } from './errors.js';

/** runc's rule for IDs: letters, digits, and _ + - . */
export function checkId(id: string | undefined): string {
  if (id === undefined || id === '') throw new UsageError('a container ID is required');
  if (!/^[\w+.-]+$/.test(id) || id === '.' || id === '..' || id.length > 1024) throw new UsageError(`container ID ${JSON.stringify(id.slice(0, 80))} is not valid: use letters, digits, '_', '+', '-', '.'`);
  return id;
}

/** The sc name a container's record is kept under: its ID when that is a valid name, else one made from it. */
export function containerName(id: string): string {
  return isValidName(id) ? id : `oci-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

export type OciDoc = Doc & { oci?: OciSection };

/**
 * The record of ID, undefined when there is none. Read here, not through `sc-ps get` (as `sc exec` reads init.pid):
 * every command of runc's starts with it, and the orchestrator waits on each; the status is computed by statusOf.
 */
export async function findContainer(ctx: Context, id: string): Promise<OciDoc | undefined> {
  const file = ctx.layout.state(containerName(id));
  let doc: OciDoc | undefined;
  try {
    doc = readJson<OciDoc>(file);
  } catch (err) {
    throw new OciError(`container "${id}": its record ${file} is unreadable (${(err as Error).message})`);
  }
  if (doc?.oci && doc.oci.id !== id) throw new OciError(`container "${id}": its record belongs to container "${doc.oci.id}"`);
  return doc;
}

export async function getContainer(ctx: Context, id: string): Promise<OciDoc> {
  const doc = await findContainer(ctx, id);
  if (!doc) throw new OciError(`container "${id}" does not exist`);
  return doc;
}

export type Status = 'created' | 'running' | 'paused' | 'stopped';

/** created: held before its program; running; paused: frozen; stopped: its process is gone. */
export async function statusOf(ctx: Context, doc: OciDoc): Promise<Status> {
  if (!isSameProcess(doc.process)) return 'stopped';
  if (existsSync(ctx.layout.holdFifo(doc.name))) return 'created';
  return (await isFrozen(ctx, doc)) ? 'paused' : 'running';
}

async function isFrozen(ctx: Context, doc: OciDoc): Promise<boolean> {
  const { docs } = await pipeline([['sc-cgroup', 'stats']], [doc], ctx.env);
  return (docs[0]?.cgroup as { stats?: { frozen?: boolean } } | undefined)?.stats?.frozen === true;
}

/** The state runtime-spec defines, with what runc adds (rootfs, created, owner). */
export function ociState(doc: OciDoc, status: Status): Record<string, unknown> {
  const created = doc.created ?? (doc.process ? startedAt(doc.process.startTime).toISOString() : new Date(0).toISOString());
  return {
    ociVersion: doc.oci?.ociVersion ?? '1.0.2',
    id: doc.oci?.id ?? doc.name,
    pid: status === 'stopped' ? 0 : doc.process?.pid ?? 0,
    status,
    bundle: doc.oci?.bundle ?? '',
    rootfs: doc.spec.root?.path ?? '',
    created,
    owner: '',
    ...(doc.oci?.annotations && Object.keys(doc.oci.annotations).length ? { annotations: doc.oci.annotations } : {}),
  };
}

/** The first failure a pipeline reports: its document's error, else what it said. */
export function failure(docs: readonly Doc[], stderr: string): string | undefined {
  const e = docs.find((d) => d.error)?.error;
  if (e) return e.message;
  return stderr ? stderr.split('\n').pop()!.replace(/^sc-[a-z]+: (\S+: )?/, '') : undefined;
}

/**
 * The _oci directory sc-oci put a container's cgroups in when its config gave no cgroupsPath, once empty (as
 * `sc-cgroup delete` removes our parent): what an orchestrator's cgroupsPath made above the container is its own.
 */
export function removeEmptyOciParents(doc: Doc): void {
  for (const path of doc.cgroup?.paths ?? []) {
    const parent = dirname(path);
    if (basename(parent) !== '_oci') continue;
    try {
      rmdirSync(parent);
    } catch {
      // Another container's cgroups are still there (ENOTEMPTY, EBUSY), or it is gone already.
    }
  }
}

/**
 * One step of a command on a container: STAGES (tools and their arguments) run on DOC; a failure is one line,
 * `cannot ACTION container "ID": why`.
 */
export async function step(ctx: Context, doc: Doc, action: string, stages: readonly (readonly string[])[]): Promise<void> {
  const done = await pipeline(stages, [doc], ctx.env);
  const why = failure(done.docs, done.stderr);
  if (why) throw new OciError(`cannot ${action} container "${(doc as OciDoc).oci?.id ?? doc.name}": ${why}`);
}
