import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags } from './args.js';
import { UsageError } from './errors.js';

const specs = {
  name: { type: 'string', description: '' },
  all: { type: 'boolean', short: 'a', description: '' },
  dns: { type: 'string', multiple: true, description: '' },
} as const;

test('values stay strings, booleans and repeatable flags work', () => {
  const { options, positionals } = parseFlags(['--name', '007', '-a', '--dns', '1.1.1.1', '--dns=8.8.8.8', 'x', '--', '-y'], specs);
  assert.deepEqual({ ...options }, { name: '007', all: true, dns: ['1.1.1.1', '8.8.8.8'] });
  assert.deepEqual(positionals, ['x', '-y']);
});

test('unknown flags, missing values and values on booleans are usage errors', () => {
  assert.throws(() => parseFlags(['--bogus'], specs), (e: unknown) => e instanceof UsageError && /unknown flag --bogus/.test((e as Error).message));
  assert.throws(() => parseFlags(['--name'], specs), /flag --name needs a value/);
  assert.throws(() => parseFlags(['--all=yes'], specs), /takes no value/);
});

test('the single-dash spelling of a long flag works; an unknown one is named whole, with the nearest', () => {
  const { options, positionals } = parseFlags(['-name', 'web1', '-all', '-dns=9.9.9.9', 'x'], specs);
  assert.deepEqual({ ...options }, { name: 'web1', all: true, dns: ['9.9.9.9'] });
  assert.deepEqual(positionals, ['x']);
  assert.deepEqual({ ...parseFlags(['-a'], specs).options }, { all: true }, 'a short flag is still one');
  assert.throws(() => parseFlags(['-nmae', 'x'], specs), /^Error: unknown flag -nmae; did you mean -name\?$|unknown flag -nmae; did you mean -name\?/);
  assert.throws(() => parseFlags(['--nmae=x'], specs), (e: unknown) => (e as Error).message === 'unknown flag --nmae; did you mean --name?');
  assert.throws(() => parseFlags(['--wholly-different'], specs), (e: unknown) => (e as Error).message === 'unknown flag --wholly-different');
  assert.deepEqual(parseFlags(['--', '-nmae'], specs).positionals, ['-nmae'], 'after --, nothing is a flag');
});
