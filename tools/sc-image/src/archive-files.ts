import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { StepError } from '@sc/core';
import { pathParts } from './layer-check.js';
import { broken, inside, refused, type LayoutFile, type LayoutFiles } from './layout-files.js';
import { tarMembers, TruncatedTar, type Member, type ReadAt } from './tar-members.js';

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** Reads of 1 MiB: fewer trips through the check, the hash and the pipe to GNU tar than the default 64 KiB. */
const CHUNK = 1 << 20;

/**
 * The members of an uncompressed tar file, indexed by reading their headers only (an archive of
 * hundreds of MB costs a few KB of reads). A member is read from its byte range of the file; links
 * are followed inside the archive only (docker save links repeated layers).
 */
export class ArchiveFiles implements LayoutFiles {
  readonly label: string;
  /** What stands at the top: name → entry type (a name only seen as a parent is a Directory). */
  readonly top = new Map<string, string>();
  private constructor(file: string, private readonly fd: number, private readonly members: Map<string, Member>, private readonly read: ReadAt) {
    this.label = `archive ${file}`;
    for (const [path, m] of members) {
      const [first, ...rest] = path.split('/');
      if (rest.length === 0) this.top.set(first!, m.type);
      else if (!this.top.has(first!)) this.top.set(first!, 'Directory');
    }
  }

  /**
   * Index FILE. An archive cut short is refused here, whatever it holds; undefined when it is not a tar
   * this can read (the layer check then says what is wrong with it).
   */
  static async open(file: string): Promise<ArchiveFiles | undefined> {
    const fd = openSync(file, 'r');
    const read: ReadAt = (offset, length) => {
      const buf = Buffer.alloc(length);
      return buf.subarray(0, readSync(fd, buf, 0, length, offset));
    };
    const members = new Map<string, Member>();
    try {
      for await (const m of tarMembers(read)) {
        const parts = pathParts(m.path);
        if (parts && parts.length > 0) members.set(parts.join('/'), m);
      }
    } catch (err) {
      closeSync(fd);
      if (err instanceof TruncatedTar) throw new StepError('EBADARCHIVE', `archive ${file} is cut short (${err.message})`);
      return undefined;
    }
    return new ArchiveFiles(file, fd, members, read);
  }

  has(name: string): boolean {
    return this.top.has(name);
  }

  file(path: string, from: string): LayoutFile {
    const m = this.member(path, from);
    return {
      size: m.size,
      bytes: () => this.read(m.offset, m.size),
      stream: () => (m.size === 0 ? empty() : createReadStream('', { fd: this.fd, autoClose: false, start: m.offset, end: m.offset + m.size - 1, highWaterMark: CHUNK })),
    };
  }

  close(): void {
    closeSync(this.fd);
  }

  private member(path: string, from: string): Member {
    let parts = pathParts(path);
    if (!parts) refused(this.label, `its ${from} names ${JSON.stringify(path)}, outside the archive`);
    for (let hops = 0; hops < 16; hops++) {
      const m = this.members.get(parts.join('/'));
      if (!m) return broken(this.label, `names ${JSON.stringify(path)} in its ${from}, but the archive has no such file`);
      if (FILE_TYPES.has(m.type)) return m;
      const link = m.linkpath ?? '';
      if (m.type === 'SymbolicLink') parts = link.startsWith('/') ? null : inside([...parts.slice(0, -1), ...link.split('/')]);
      else if (m.type === 'Link') parts = pathParts(link);
      else return broken(this.label, `names ${JSON.stringify(path)} in its ${from}, which is a ${m.type}, not a file`);
      if (!parts) refused(this.label, `its member ${JSON.stringify(m.path)} links to ${JSON.stringify(m.linkpath)}, outside the archive`);
    }
    return broken(this.label, `has a loop of links at ${JSON.stringify(path)}`);
  }
}

async function* empty(): AsyncGenerator<Buffer> {}
