import { bytesProblem, digestProblem } from './blob-digest.js';
import { broken, refused, type LayoutFile, type LayoutFiles } from './layout-files.js';

export const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** One layer of an image layout: the file that holds its (possibly compressed) tar, and what it must match. */
export interface LayerBlob {
  /** Where it is in the layout, for messages. */
  path: string;
  file: LayoutFile;
  /** Its descriptor's digest and size (OCI, `dir:`): its bytes must match them. */
  digest?: string;
  size?: unknown;
  /** The digest of its uncompressed tar (docker save's config lists them): the stored layer must have it. */
  diffId?: string;
}

export interface Descriptor { digest?: unknown; size?: unknown; platform?: { os?: string; architecture?: string } }

/**
 * The layers of an image layout, bottom first: a `docker save` archive (manifest.json, a list), a
 * `dir:` directory (manifest.json, one image manifest; blobs named by their hex digest) or an OCI image
 * layout (index.json; blobs/ALG/HEX, every manifest read checked against its digest).
 */
export async function imageLayers(files: LayoutFiles): Promise<LayerBlob[]> {
  const layers = files.has('manifest.json') ? await manifestLayers(files) : files.has('index.json') ? await ociLayers(files) : broken(files.label, 'has neither manifest.json (docker save) nor index.json (OCI layout)');
  if (layers.length === 0) broken(files.label, 'lists no layers');
  return layers;
}

async function manifestLayers(files: LayoutFiles): Promise<LayerBlob[]> {
  const manifest = json(files, 'manifest.json', 'manifest.json');
  if (Array.isArray(manifest)) return dockerSaveLayers(files, manifest);
  if (isManifest(manifest)) return manifest.layers.map((l) => blob(files, l ?? {}, 'manifest.json', blobFile(files, l?.digest, 'manifest.json')));
  return broken(files.label, 'has a manifest.json that is neither a docker save list nor an image manifest');
}

function dockerSaveLayers(files: LayoutFiles, manifest: unknown[]): LayerBlob[] {
  if (manifest.length === 0) broken(files.label, 'has a manifest.json that lists no image');
  if (manifest.length > 1) broken(files.label, `holds ${manifest.length} images; import takes an archive of one (docker save IMAGE)`);
  const { Layers: layers, Config: config } = manifest[0] as { Layers?: unknown; Config?: unknown };
  if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) broken(files.label, 'has a manifest.json without a "Layers" list');
  // The config lists each layer's uncompressed digest: what sc stores it under, checked when it is stored.
  const diffIds = typeof config === 'string' ? (json(files, config, 'manifest.json') as { rootfs?: { diff_ids?: unknown } })?.rootfs?.diff_ids : undefined;
  const checked = Array.isArray(diffIds) && diffIds.length === layers.length && diffIds.every((d) => typeof d === 'string' && d.startsWith('sha256:'));
  return (layers as string[]).map((path, i) => ({ path, file: files.file(path, 'manifest.json'), diffId: checked ? (diffIds[i] as string).slice(7) : undefined }));
}

async function ociLayers(files: LayoutFiles): Promise<LayerBlob[]> {
  let from = 'index.json';
  let doc = json(files, 'index.json', from) as { manifests?: unknown; layers?: unknown };
  for (let depth = 0; depth < 4; depth++) {
    if (isManifest(doc)) return doc.layers.map((l) => blob(files, l ?? {}, from, blobFile(files, l?.digest, from)));
    if (!Array.isArray(doc.manifests) || doc.manifests.length === 0) broken(files.label, `has ${from} with neither manifests nor layers`);
    const chosen = pickManifest(doc.manifests as Descriptor[]);
    const path = blobFile(files, chosen.digest, from);
    const file = files.file(path, from);
    const problem = await bytesProblem(file.bytes(), chosen.digest as string, chosen.size);
    if (problem) refused(files.label, problem);
    from = `blob ${String(chosen.digest)}`;
    doc = parse(files, file, from) as typeof doc;
  }
  return broken(files.label, 'nests image indexes more than 4 deep');
}

function isManifest(doc: unknown): doc is { layers: Descriptor[] } {
  return typeof doc === 'object' && doc !== null && Array.isArray((doc as { layers?: unknown }).layers);
}

function blob(files: LayoutFiles, l: Descriptor, from: string, path: string): LayerBlob {
  return { path, file: files.file(path, from), digest: l.digest as string, size: l.size };
}

/**
 * Where a blob is: blobs/ALG/HEX in an OCI layout, HEX (or HEX.tar) at the top of a `dir:`. A digest
 * that is no digest (say "sha256:../../etc/passwd") is refused, one sc cannot check is an error.
 */
function blobFile(files: LayoutFiles, digest: unknown, from: string): string {
  const problem = digestProblem(digest);
  if (problem === 'not a digest') refused(files.label, `its ${from} names blob ${JSON.stringify(digest)}, which is not a digest (a path outside blobs/)`);
  if (problem === 'unverifiable') broken(files.label, `names blob ${JSON.stringify(digest)} in its ${from}, whose digest sc cannot verify (it checks sha256 and sha512)`);
  const [algorithm, hex] = (digest as string).split(':') as [string, string];
  if (from !== 'manifest.json') return `blobs/${algorithm}/${hex}`;
  return !files.has(hex) && files.has(`${hex}.tar`) ? `${hex}.tar` : hex;
}

/** From an image index: the manifest for this machine (linux, our architecture), else the first. */
export function pickManifest(manifests: Descriptor[]): Descriptor {
  const arch = GOARCH[process.arch] ?? process.arch;
  return manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? manifests.find((m) => !m.platform) ?? manifests[0]!;
}

function json(files: LayoutFiles, path: string, from: string): unknown {
  return parse(files, files.file(path, from), path === from ? from : JSON.stringify(path));
}

function parse(files: LayoutFiles, file: LayoutFile, what: string): unknown {
  if (file.size > 16 << 20) broken(files.label, `has a ${what} of ${file.size} bytes, too large for JSON`);
  try {
    return JSON.parse(file.bytes().toString('utf8'));
  } catch {
    return broken(files.label, `has a ${what} that is not valid JSON`);
  }
}
