import { parseDocument, type Doc } from './document.js';
import { readLines, writeOut } from './io.js';

/** Yield the documents on stdin, one per non-empty line; throws InputError on the first bad line. */
export async function* readDocuments(fd = 0): AsyncGenerator<Doc> {
  let lineNo = 0;
  for (const line of readLines(fd)) {
    lineNo++;
    if (line.trim() === '') continue;
    yield parseDocument(line.replace(/\r$/, ''), lineNo);
  }
}

/** Write one document as one line on stdout. */
export function writeDocument(doc: unknown): void {
  writeOut(JSON.stringify(doc) + '\n');
}
