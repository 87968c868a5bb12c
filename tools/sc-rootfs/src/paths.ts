import type { Doc, Layout } from '@sc/core';

/** The rootfs paths always come from the layout, never from the document: a document cannot aim a mount or an rm elsewhere. */
export function rootfsPaths(layout: Layout, doc: Doc) {
  return { upper: layout.upper(doc.name), work: layout.work(doc.name), merged: layout.merged(doc.name) };
}
