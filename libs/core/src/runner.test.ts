import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A tiny tool built on the runner, run as its own process so stdin, stdout and exit codes are real.
const core = new URL('./index.js', import.meta.url).href;
const TOOL = `
import { runTool, StepError, InputError } from '${core}';
await runTool({
  name: 'sc-demo', summary: 'demo', example: 'x',
  verbs: {
    mark: { kind: 'forward', summary: 'mark', each(doc) {
      if (doc.name === 'bad') throw new StepError('EDEMO', 'cannot mark bad');
      doc.marked = true;
    } },
    clean: { kind: 'inverse', summary: 'clean', each(doc) { doc.cleaned = true; } },
    wait: { kind: 'inverse', summary: 'wait', concurrent: true,
      needs(doc) { if (doc.name === 'invalid') throw new InputError('invalid has no field'); },
      async each(doc) {
        const t0 = Date.now();
        await new Promise((r) => setTimeout(r, 300));
        if (doc.name === 'bad') throw new StepError('EDEMO', 'cannot wait for bad');
        doc.waited = t0;
      } },
  },
}, process.argv.slice(1));`;

function demo(args: string[], input: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', TOOL, '--', ...args], { input, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)), err: r.stderr };
}

const doc = (name: string, extra = {}) => JSON.stringify({ v: 1, name, spec: {}, ...extra }) + '\n';

test('each document is processed in order; one failure rides in its document and the batch goes on', () => {
  const r = demo(['mark'], doc('a') + doc('bad') + doc('c'));
  assert.equal(r.code, 1);
  assert.deepEqual(r.out.map((d) => [d.name, d.marked ?? false]), [['a', true], ['bad', false], ['c', true]]);
  assert.deepEqual(r.out[1].error, { tool: 'sc-demo', code: 'EDEMO', message: 'cannot mark bad' });
  assert.equal(r.err, 'sc-demo: bad: cannot mark bad\n');
});

test('forward verbs pass a failed document through untouched; inverse verbs still run', () => {
  const failed = doc('a', { error: { tool: 'x', code: 'E', message: 'm' } });
  const fwd = demo(['mark'], failed);
  assert.equal(fwd.code, 1);
  assert.equal(fwd.out[0].marked, undefined);
  const inv = demo(['clean'], failed);
  assert.equal(inv.code, 1);
  assert.equal(inv.out[0].cleaned, true);
});

test('exit codes: 0 ok, 2 usage, 3 bad stdin', () => {
  assert.equal(demo(['mark'], doc('a')).code, 0);
  assert.equal(demo(['mark', '--nope'], '').code, 2);
  assert.equal(demo(['nope'], '').code, 2);
  assert.equal(demo([], '').code, 2);
  const bad = demo(['mark'], '{oops\n');
  assert.equal(bad.code, 3);
  assert.match(bad.err, /^sc-demo: stdin line 1 is not JSON/);
});

test('a bad config is read with the first document: a stream verb given none says nothing, so a pipeline says it once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-runner-'));
  try {
    const config = join(dir, 'sc.json5');
    writeFileSync(config, '{ disk: "1k" }\n');
    const env = { ...process.env, SC_CONFIG: config, SC_ROOT: join(dir, 'data') };
    const idle = demo(['mark'], '', env);
    assert.deepEqual([idle.code, idle.err], [0, '']);
    const r = demo(['mark'], doc('a'), env);
    assert.equal(r.code, 2);
    assert.equal(r.err, `sc-demo: config ${config}: "disk": 1k is too small: a disk needs at least 32M\n`);
    assert.deepEqual(r.out, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a concurrent verb works on its documents side by side, writes them in order, and checks them all before it starts', () => {
  const started = Date.now();
  const r = demo(['wait'], doc('a') + doc('bad') + doc('c') + doc('d'));
  const took = Date.now() - started;
  assert.equal(r.code, 1);
  assert.deepEqual(r.out.map((d) => d.name), ['a', 'bad', 'c', 'd']);
  assert.ok(took < 1100, `four 300 ms waits side by side, not one after another: ${took} ms`);
  const starts = r.out.filter((d) => d.waited).map((d) => d.waited);
  assert.ok(Math.max(...starts) - Math.min(...starts) < 200, 'all began together');
  assert.equal(r.out[1].error.message, 'cannot wait for bad');
  const invalid = demo(['wait'], doc('a') + doc('invalid'));
  assert.equal(invalid.code, 3);
  assert.deepEqual(invalid.out, [], 'nothing done, nothing written: the bad input was found first');
});
