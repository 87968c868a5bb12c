import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJson, StepError, type Doc, type Layout } from '@sc/core';

/** One image: its layers bottom first (digests of their uncompressed tars). */
export interface ImageRecord {
  name: string;
  layers: string[];
  size: number;
  created: string;
  /** Where a pull got it: the reference as given, and the digest of the manifest (or index) it named then. */
  source?: { reference: string; digest?: string };
}

export function imagePath(layout: Layout, name: string): string {
  return join(layout.image(name), 'image.json');
}

/** The image's record, or undefined when there is no such image (or only a half-made one). */
export function readImage(layout: Layout, name: string): ImageRecord | undefined {
  try {
    return readJson<ImageRecord>(imagePath(layout, name));
  } catch (err) {
    throw new StepError('EBADSTATE', `image record ${imagePath(layout, name)} is unreadable (${(err as Error).message}); sc image rm ${name} clears it`);
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Every complete image record, by name. */
export function listImages(layout: Layout): ImageRecord[] {
  return entries(layout.images).flatMap((name) => {
    const image = readImage(layout, name);
    return image ? [image] : [];
  });
}

/** Every saved container document; unreadable records are skipped (sc-ps reports them). */
export function containerRecords(layout: Layout): Doc[] {
  return entries(layout.containers).flatMap((name) => {
    try {
      const doc = readJson<Doc>(join(layout.containers, name, 'state.json'));
      return doc ? [doc] : [];
    } catch {
      return [];
    }
  });
}

/** The layer digests a container's mounted or resolved rootfs refers to. */
export function containerLayers(doc: Doc): string[] {
  return Array.isArray(doc.image?.layers) ? doc.image.layers.map((p) => basename(String(p))) : [];
}
