import type { Doc, Layout } from '@sc/core';

/**
 * The rootfs paths always come from the layout and the name, never from the document's rootfs section:
 * a document cannot aim a mount or an rm elsewhere. Upper and work are on the container's disk when it has one.
 */
export function rootfsPaths(layout: Layout, doc: Doc) {
  return { upper: layout.upperOf(doc), work: layout.workOf(doc), merged: layout.merged(doc.name) };
}

/** Where a disk image is formatted before it is renamed into place: a failed format leaves no half-made disk.img. */
export function partialDiskImage(layout: Layout, name: string): string {
  return `${layout.diskImage(name)}.partial`;
}

/** Everything sc-rootfs makes for container NAME, with a disk or without (what destroy removes, whatever the document says). */
export function everythingOf(layout: Layout, name: string): string[] {
  const plain = { name, spec: {} };
  return [layout.merged(name), layout.workOf(plain), layout.upperOf(plain), layout.disk(name), layout.diskImage(name), partialDiskImage(layout, name)];
}
