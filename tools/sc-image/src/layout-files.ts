import { StepError } from '@sc/core';

/** A regular file of an image layout: its size, its bytes (a small JSON document), or a stream of them (a layer). */
export interface LayoutFile {
  size: number;
  bytes(): Buffer;
  stream(): AsyncIterable<Buffer>;
}

/**
 * The files of an image layout — a tar archive's members or a directory's — looked up by paths
 * relative to its top. No path and no link inside it leads out of it: such a lookup is refused.
 */
export interface LayoutFiles {
  /** "archive FILE" or "directory DIR", as messages name it. */
  readonly label: string;
  /** Is there an entry of this name at the top? */
  has(name: string): boolean;
  /** The regular file at `path`, through links inside; `from` names who named it (e.g. "manifest.json"), for messages. */
  file(path: string, from: string): LayoutFile;
  close(): void;
}

/** Path components with "." and ".." resolved; null when ".." climbs above the top. */
export function inside(parts: string[]): string[] | null {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(p);
  }
  return out;
}

/** A layout that is broken (a file missing, bad JSON): EBADARCHIVE. */
export function broken(label: string, why: string): never {
  throw new StepError('EBADARCHIVE', `${label} ${why}`);
}

/** A layout that tries to lead sc out of it (a path or link outside, a digest that is a path) or was altered: EREFUSED. */
export function refused(label: string, why: string): never {
  throw new StepError('EREFUSED', `${label} refused: ${why}`);
}
