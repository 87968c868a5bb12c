import type { Hash } from 'node:crypto';

/** The digest algorithms sc verifies, and the length of their hex. */
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };
/** The OCI digest grammar: algorithm ":" encoded. */
const GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * What is wrong with a digest as a blob's name: not a digest at all (a path, say "sha256:../../etc"),
 * or one whose algorithm sc cannot check; undefined for a sha256 or sha512 digest.
 */
export function digestProblem(digest: unknown): 'not a digest' | 'unverifiable' | undefined {
  if (typeof digest !== 'string' || !GRAMMAR.test(digest)) return 'not a digest';
  const [algorithm, hex] = digest.split(':') as [string, string];
  if (!HEX_LENGTH[algorithm]) return 'unverifiable';
  return hex.length === HEX_LENGTH[algorithm] && /^[0-9a-f]+$/.test(hex) ? undefined : 'not a digest';
}

/** Why bytes do not match a descriptor's digest (and size, when it gives one), or undefined when they do. */
export async function bytesProblem(bytes: Buffer, digest: string, size?: unknown): Promise<string | undefined> {
  const verifier = await BlobVerifier.create(digest, size);
  verifier.update(bytes);
  return verifier.end();
}

/**
 * Hashes a blob's bytes as they stream by; end() says whether they are the blob its descriptor names.
 * The digest was checked by digestProblem() first.
 */
export class BlobVerifier {
  private length = 0;
  private ended = false;
  private constructor(private readonly digest: string, private readonly size: unknown, private readonly hash: Hash) {}

  /** node:crypto is loaded here, not at start-up. */
  static async create(digest: string, size?: unknown): Promise<BlobVerifier> {
    const { createHash } = await import('node:crypto');
    return new BlobVerifier(digest, size, createHash(digest.split(':')[0]!));
  }

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.length += chunk.length;
  }

  /** A stream's bytes, hashed as they pass; done() is true once it was read to its end. */
  async *through(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      this.update(chunk);
      yield chunk;
    }
    this.ended = true;
  }

  get done(): boolean {
    return this.ended;
  }

  /** Why the bytes seen are not the blob, or undefined. */
  end(): string | undefined {
    const actual = `${this.digest.split(':')[0]}:${this.hash.digest('hex')}`;
    if (typeof this.size === 'number' && this.size !== this.length) return `its blob ${this.digest} has ${this.length} bytes, not the ${this.size} its descriptor says (the blob is corrupted or was altered)`;
    if (actual !== this.digest) return `its blob ${this.digest} does not match its digest: its content is ${actual} (the blob is corrupted or was altered)`;
    return undefined;
  }
}
