// The bash parts (sc itself, init.sh, CI, scripts, benchmarks) pass shellcheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './helpers.mjs';

const scripts = [
  'tools/sc/sc', 'init.sh', '.ci/run',
  ...['scripts', 'bench', 'tools/sc-net/libexec', 'examples']
    .filter((d) => existsSync(join(REPO, d)))
    .flatMap((d) => readdirSync(join(REPO, d)).filter((f) => /\.(sh|bash|script)$/.test(f)).map((f) => `${d}/${f}`)),
  ...(existsSync(join(REPO, 'tools/sc/completion.bash')) ? ['tools/sc/completion.bash'] : []),
];

test('shellcheck finds nothing in the shell scripts', () => {
  assert.ok(scripts.length >= 6, scripts.join(' '));
  const r = spawnSync('shellcheck', ['--severity=style', ...scripts], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'shellcheck is installed by init.sh');
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
