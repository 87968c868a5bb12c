import type { Hash } from 'node:crypto';
import { StepError } from '@sc/core';
import type { Parser } from 'tar/parse';
import type { ReadEntry } from 'tar/read-entry';

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link', 'CharacterDevice', 'BlockDevice', 'FIFO']);
const REGULAR = new Set(['File', 'OldFile', 'ContiguousFile']);

/** An archive path as components: "./a//b/" → ["a","b"]; null when it leaves the root (absolute or '..'). */
export function pathParts(path: string): string[] | null {
  if (path.startsWith('/')) return null;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return parts.includes('..') ? null : parts;
}

/** An AUFS whiteout entry of a layer: `.wh.NAME` hides NAME, `.wh..wh..opq` makes its directory opaque. */
export interface Whiteout {
  /** The whiteout entry's own path, as components. */
  entry: string[];
  /** What it means for overlay: hide a name, make the directory opaque, or nothing (other AUFS metadata). */
  kind: 'hide' | 'opaque' | 'aufs';
}

/** What a `.wh.` entry means, or undefined for an ordinary name. */
export function whiteoutKind(name: string): Whiteout['kind'] | undefined {
  if (!name.startsWith('.wh.')) return undefined;
  if (name === '.wh..wh..opq') return 'opaque';
  return name.startsWith('.wh..wh.') ? 'aufs' : 'hide';
}

/**
 * Hashes an uncompressed layer tar (the digest) and reads every entry header as the bytes go by,
 * refusing what could write outside the layer. write() is synchronous: a chunk that completes a
 * hostile header throws before anyone downstream (GNU tar) sees that chunk.
 */
export class LayerCheck {
  size = 0;
  readonly whiteouts: Whiteout[] = [];
  /** What stands at the layer's top: name → entry type (a name only seen as a parent is a Directory). */
  readonly top = new Map<string, string>();
  private refusal?: string;
  private kinds = new Map<string, string>(); // path → entry type, for links and symlink traversal
  private entries = 0;
  private constructor(private readonly parser: Parser, private readonly label: string, readonly hash: Hash, private readonly allowEmpty: boolean) {
    parser.on('entry', (entry: ReadEntry) => {
      this.entries++;
      this.refusal ??= this.problem(entry);
      entry.resume();
    });
    parser.on('warn', (code: string, message: string) => {
      // An image's layer may be an empty archive (two zero blocks); a rootfs may not.
      if (this.allowEmpty && code === 'TAR_BAD_ARCHIVE' && this.entries === 0) return;
      this.refusal ??= `is not a valid tar archive (${message})`;
    });
    parser.on('ignoredEntry', (entry: ReadEntry) => {
      this.refusal ??= entry.meta ? `has an oversized header before "${entry.path}"` : `has entry ${JSON.stringify(entry.path)} of unsupported type ${entry.type}`;
    });
    parser.on('error', (err: Error) => { this.refusal ??= `is not a valid tar archive (${err.message})`; });
  }

  /** tar's Parser is loaded lazily: only import needs it. */
  static async create(label: string, options: { allowEmpty?: boolean } = {}): Promise<LayerCheck> {
    const { Parser } = await import('tar/parse');
    const { createHash } = await import('node:crypto');
    return new LayerCheck(new Parser({ zstd: false, brotli: false }), label, createHash('sha256'), options.allowEmpty ?? false);
  }

  write(chunk: Buffer): void {
    this.hash.update(chunk);
    this.parser.write(chunk);
    this.throwIfRefused();
  }

  /** The layer's digest and content size, once the whole archive was read and found safe. */
  end(): { digest: string; size: number } {
    this.parser.end();
    this.throwIfRefused();
    return { digest: this.hash.digest('hex'), size: this.size };
  }

  private throwIfRefused(): void {
    if (this.refusal) throw new StepError('EREFUSED', `archive ${this.label} refused: it ${this.refusal}`);
  }

  private problem(entry: ReadEntry): string | undefined {
    const parts = pathParts(entry.path);
    const shown = JSON.stringify(entry.path);
    if (!ALLOWED.has(entry.type)) return `has entry ${shown} of unsupported type ${entry.type}`;
    if (!parts) return `has entry ${shown} that points outside the image root (absolute path or '..')`;
    const via = this.symlinkOn(parts, parts.length);
    if (via) return `has entry ${shown} that would be written through the symlink "${via}" planted earlier in the archive`;
    if (entry.type === 'Link') {
      const target = pathParts(entry.linkpath ?? '');
      const shownTarget = JSON.stringify(entry.linkpath);
      if (!target || target.length === 0) return `has hard link ${shown} to ${shownTarget}, outside the image root`;
      const throughLink = this.symlinkOn(target, target.length - 1);
      if (throughLink) return `has hard link ${shown} to ${shownTarget} through the symlink "${throughLink}"`;
      const kind = this.kinds.get(target.join('/'));
      if (!kind || kind === 'Directory') return `has hard link ${shown} to ${shownTarget}, which is not a file earlier in the archive`;
    }
    const whiteout = parts.length > 0 ? whiteoutKind(parts[parts.length - 1]!) : undefined;
    if (whiteout === 'hide' && ['.wh.', '.wh..', '.wh...'].includes(parts[parts.length - 1]!)) return `has whiteout ${shown} that names no file`;
    if (whiteout) this.whiteouts.push({ entry: parts, kind: whiteout });
    if (REGULAR.has(entry.type)) this.size += entry.size ?? 0;
    if (parts.length > 0) this.kinds.set(parts.join('/'), entry.type);
    if (parts.length === 1) this.top.set(parts[0]!, entry.type);
    else if (parts.length > 1 && !this.top.has(parts[0]!)) this.top.set(parts[0]!, 'Directory');
    return undefined;
  }

  /** The first of the leading `count` components of a path that an earlier entry made a symlink. */
  private symlinkOn(parts: string[], count: number): string | undefined {
    for (let i = 1; i <= count; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.kinds.get(prefix) === 'SymbolicLink') return prefix;
    }
    return undefined;
  }
}
