import { closeSync, constants, createReadStream, fstatSync, lstatSync, openSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { StepError } from '@sc/core';
import { pathParts } from './layer-check.js';
import { broken, inside, refused, type LayoutFile, type LayoutFiles } from './layout-files.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
const CHUNK = 1 << 20;

/**
 * The files of a directory (an OCI layout, a `dir:` or an extracted docker save), looked up one
 * component at a time from descriptors: each step opens the next component under the one before with
 * O_NOFOLLOW (through /proc/self/fd, as openat would), so a symlink — planted beforehand or swapped in
 * meanwhile — is never followed by the kernel. sc follows it itself, inside the directory, or refuses it.
 */
export class DirectoryFiles implements LayoutFiles {
  private readonly open = new Set<number>();
  private constructor(readonly label: string, private readonly root: number) {}

  /** `noun` says what the directory is to the user: a "directory" given, an "archive" sc extracted, an "image" skopeo pulled. */
  static open(dir: string, noun: 'directory' | 'archive' | 'image', shown = dir): DirectoryFiles {
    let fd: number;
    try {
      fd = openSync(dir, O_RDONLY | O_DIRECTORY);
    } catch (err) {
      throw new StepError('ENOENT', `cannot read ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return new DirectoryFiles(`${noun} ${shown}`, fd);
  }

  has(name: string): boolean {
    return this.lstat(this.root, name) !== undefined;
  }

  file(path: string, from: string): LayoutFile {
    const fd = this.resolve(path, from);
    const size = fstatSync(fd).size;
    return {
      size,
      bytes: () => {
        const buf = Buffer.alloc(size);
        let got = 0;
        for (let n = 1; got < size && n > 0; got += n) n = readSync(fd, buf, got, size - got, got);
        return buf.subarray(0, got);
      },
      stream: () => createReadStream('', { fd, autoClose: false, start: 0, highWaterMark: CHUNK }),
    };
  }

  close(): void {
    for (const fd of this.open) closeSync(fd);
    this.open.clear();
    closeSync(this.root);
  }

  /** An open descriptor of the regular file at `path`, links followed inside the directory only. */
  private resolve(path: string, from: string): number {
    let parts = pathParts(path);
    if (!parts || parts.length === 0) refused(this.label, `its ${from} names ${JSON.stringify(path)}, outside the ${this.noun}`);
    for (let hop = 0; hop < 40; hop++) {
      const walked = this.walk(parts, path, from);
      if (typeof walked === 'number') return walked;
      parts = walked;
    }
    return broken(this.label, `has a loop of links at ${JSON.stringify(path)}`);
  }

  /** One walk down `parts`: the file's descriptor, or the path to walk again after a link. */
  private walk(parts: string[], path: string, from: string): number | string[] {
    const dirs: number[] = [];
    try {
      let dir = this.root;
      for (let i = 0; i < parts.length; i++) {
        const name = parts[i]!;
        const st = this.lstat(dir, name);
        if (!st) return broken(this.label, `names ${JSON.stringify(path)} in its ${from}, but the ${this.noun} has no such file`);
        if (st.isSymbolicLink()) {
          const link = readlinkSync(at(dir, name));
          const next = link.startsWith('/') ? null : inside([...parts.slice(0, i), ...link.split('/'), ...parts.slice(i + 1)]);
          if (!next || next.length === 0) refused(this.label, `its ${JSON.stringify(parts.slice(0, i + 1).join('/'))} links to ${JSON.stringify(link)}, outside the ${this.noun}`);
          return next;
        }
        const last = i === parts.length - 1;
        if (last ? !st.isFile() : !st.isDirectory()) {
          const what = `${JSON.stringify(parts.slice(0, i + 1).join('/'))} is not a ${last ? 'file' : 'directory'}`;
          return broken(this.label, path === from ? `has a ${path}, but ${what}` : `names ${JSON.stringify(path)} in its ${from}, but ${what}`);
        }
        let fd: number;
        try {
          // O_NONBLOCK: a FIFO swapped in meanwhile does not hang the import (fstat below refuses it).
          fd = openSync(at(dir, name), O_RDONLY | O_NOFOLLOW | (last ? O_NONBLOCK : O_DIRECTORY));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ELOOP') return parts; // swapped for a link meanwhile: walk again
          throw err;
        }
        if (!last) {
          dirs.push(fd);
          dir = fd;
          continue;
        }
        if (!fstatSync(fd).isFile()) {
          closeSync(fd);
          return broken(this.label, `names ${JSON.stringify(path)} in its ${from}, which is not a file`);
        }
        this.open.add(fd);
        return fd;
      }
      return broken(this.label, `names ${JSON.stringify(path)} in its ${from}, which is not a file`);
    } finally {
      for (const fd of dirs) closeSync(fd);
    }
  }

  private get noun(): string {
    return this.label.split(' ')[0]!;
  }

  private lstat(dir: number, name: string): Stats | undefined {
    try {
      return lstatSync(at(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/** NAME under the directory open as `dir`, resolved by the kernel from that descriptor (openat's meaning). */
function at(dir: number, name: string): string {
  return `/proc/self/fd/${dir}/${name}`;
}
