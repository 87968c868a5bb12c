import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseDocument, type Doc } from './document.js';

/** Yield the documents on a stream, one per non-empty line; throws InputError on the first bad line. */
export async function* readDocuments(input: Readable): AsyncGenerator<Doc> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    yield parseDocument(line, lineNo);
  }
}

/** Write one document as one line; resolves once the stream has taken it. */
export function writeDocument(out: NodeJS.WritableStream, doc: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(JSON.stringify(doc) + '\n')) resolve();
    else out.once('drain', resolve);
  });
}
