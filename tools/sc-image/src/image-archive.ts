import { closeSync, openSync, readSync } from 'node:fs';
import { StepError } from '@sc/core';
import { pathParts } from './layer-check.js';
import { bufferReader, tarMembers, TruncatedTar, type Member, type ReadAt } from './tar-members.js';

const IMAGE_ARCHIVE_TOP = /^(manifest\.json|index\.json|oci-layout|repositories|blobs|[0-9a-f]{64}(\.json)?)$/;
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/**
 * What an uncompressed tar holds, from its first entry: a `docker save` archive or an OCI image layout
 * (manifest.json, index.json, oci-layout, blobs/, <id>/layer.tar) is an image; anything else a rootfs.
 */
export async function archiveKind(head: Buffer): Promise<'image' | 'rootfs'> {
  try {
    for await (const member of tarMembers(bufferReader(head))) {
      const top = pathParts(member.path)?.[0];
      if (top === undefined) continue; // "./": the root of a rootfs, or of an image layout
      return IMAGE_ARCHIVE_TOP.test(top) ? 'image' : 'rootfs';
    }
  } catch {
    // Not a tar we can read here: the layer check says what is wrong with it.
  }
  return 'rootfs';
}

/**
 * A `docker save` archive or an OCI image layout, as an uncompressed tar file: finds the image's
 * layers, bottom first, as byte ranges of the file. Every path it follows stays inside the archive.
 */
export class ImageArchive {
  private constructor(private readonly label: string, private readonly members: Map<string, Member>, private readonly read: ReadAt) {}

  static async open(file: string, label: string): Promise<ImageArchive> {
    const fd = openSync(file, 'r');
    const read: ReadAt = (offset, length) => {
      const buf = Buffer.alloc(length);
      return buf.subarray(0, readSync(fd, buf, 0, length, offset));
    };
    const members = new Map<string, Member>();
    try {
      for await (const m of tarMembers(read)) {
        const parts = pathParts(m.path);
        if (parts) members.set(parts.join('/'), m);
      }
    } catch (err) {
      closeSync(fd);
      const why = err instanceof TruncatedTar ? `is cut short (${err.message})` : (err as Error).message;
      throw new StepError('EBADARCHIVE', `archive ${label} ${why}`);
    }
    // The fd lives as long as the import: closed when the process ends.
    return new ImageArchive(label, members, read);
  }

  /** The layers' members, bottom first; docker save's manifest.json wins over OCI's index.json. */
  layers(): Member[] {
    const paths = this.members.has('manifest.json') ? this.dockerLayers() : this.members.has('index.json') ? this.ociLayers() : this.bad('has neither manifest.json (docker save) nor index.json (OCI layout)');
    if (paths.length === 0) this.bad('lists no layers');
    return paths.map(([path, from]) => this.file(path, from));
  }

  private dockerLayers(): [string, string][] {
    const manifest = this.json('manifest.json', 'manifest.json');
    if (!Array.isArray(manifest) || manifest.length === 0) this.bad('has a manifest.json that lists no image');
    if (manifest.length > 1) this.bad(`holds ${manifest.length} images; import takes an archive of one (docker save IMAGE)`);
    const layers = (manifest[0] as { Layers?: unknown }).Layers;
    if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) this.bad('has a manifest.json without a "Layers" list');
    return (layers as string[]).map((l) => [l, 'manifest.json']);
  }

  private ociLayers(): [string, string][] {
    let from = 'index.json';
    let doc = this.json('index.json', from) as { manifests?: unknown; layers?: unknown };
    for (let depth = 0; depth < 4; depth++) {
      if (Array.isArray(doc.layers)) return doc.layers.map((l: { digest?: unknown }) => [this.blobPath(l?.digest, from), from]);
      if (!Array.isArray(doc.manifests) || doc.manifests.length === 0) this.bad(`has ${from} with neither manifests nor layers`);
      const chosen = pickManifest(doc.manifests as Descriptor[]);
      const path = this.blobPath(chosen.digest, from);
      from = `blob ${String(chosen.digest)}`;
      doc = this.json(path, from) as typeof doc;
    }
    return this.bad('nests image indexes more than 4 deep');
  }

  /** blobs/ALG/HEX for a digest; a digest that is no digest (say "sha256:../../etc/passwd") is refused. */
  private blobPath(digest: unknown, from: string): string {
    if (typeof digest !== 'string' || !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest))
      this.refuse(`its ${from} names blob ${JSON.stringify(digest)}, which is not a digest (a path outside blobs/)`);
    return `blobs/${digest.replace(':', '/')}`;
  }

  /** The regular file a path names, following links inside the archive (docker save links repeated layers). */
  private file(path: string, from: string): Member {
    let parts = pathParts(path);
    if (!parts) this.refuse(`its ${from} names ${JSON.stringify(path)}, outside the archive`);
    for (let hops = 0; hops < 16; hops++) {
      const m = this.members.get(parts.join('/'));
      if (!m) return this.bad(`names ${JSON.stringify(path)} in its ${from}, but the archive has no such file`);
      if (FILE_TYPES.has(m.type)) return m;
      const link = m.linkpath ?? '';
      if (m.type === 'SymbolicLink') parts = link.startsWith('/') ? null : inside([...parts.slice(0, -1), ...link.split('/')]);
      else if (m.type === 'Link') parts = pathParts(link);
      else return this.bad(`names ${JSON.stringify(path)} in its ${from}, which is a ${m.type}, not a file`);
      if (!parts) this.refuse(`its member ${JSON.stringify(m.path)} links to ${JSON.stringify(m.linkpath)}, outside the archive`);
    }
    return this.bad(`has a loop of links at ${JSON.stringify(path)}`);
  }

  private json(path: string, from: string): unknown {
    const m = this.file(path, from);
    if (m.size > 16 << 20) this.bad(`has a ${from} of ${m.size} bytes, too large for JSON`);
    try {
      return JSON.parse(this.read(m.offset, m.size).toString('utf8'));
    } catch {
      return this.bad(`has a ${from} that is not valid JSON`);
    }
  }

  private refuse(why: string): never {
    throw new StepError('EREFUSED', `archive ${this.label} refused: ${why}`);
  }

  private bad(why: string): never {
    throw new StepError('EBADARCHIVE', `archive ${this.label} ${why}`);
  }
}

interface Descriptor { digest?: unknown; platform?: { os?: string; architecture?: string } }

/** From an image index: the manifest for this machine (linux, our architecture), else the first. */
function pickManifest(manifests: Descriptor[]): Descriptor {
  const arch = GOARCH[process.arch] ?? process.arch;
  return manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? manifests.find((m) => !m.platform) ?? manifests[0]!;
}

/** Path components with "." and ".." resolved; null when ".." climbs above the root. */
function inside(parts: string[]): string[] | null {
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
