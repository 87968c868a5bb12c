// Issue 3 end to end: limits on a real container — the OOM kill stays inside, stats show it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, importBusybox, leftovers, docs, uniqueName } from './helpers.mjs';

const box = makeSandbox('limits');
before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

test('a process over the memory limit is OOM-killed inside; PID 1 and sc carry on; stats show it', () => {
  const name = uniqueName('oom');
  assert.equal(box.sc('run', '--name', name, '-m', '32', '--pids', '64', 'busybox').code, 0);
  const limit = readFileSync(join('/sys/fs/cgroup/memory', box.cgroupParent, name, 'memory.limit_in_bytes'), 'utf8').trim();
  assert.equal(limit, String(32 * 2 ** 20));
  // A string doubling until it no longer fits.
  const hog = box.sc('exec', name, 'sh', '-c', 'x=xxxxxxxxxxxxxxxx; while :; do x="$x$x"; done');
  assert.equal(hog.code, 137, `the hog is SIGKILLed: ${hog.stderr}`);
  assert.equal(box.sc('exec', name, 'true').code, 0, 'the container lives on');
  const stats = docs(box.sc('stats', name, '--json').stdout)[0];
  assert.ok(stats.cgroup.stats.memory.oomKills >= 1, JSON.stringify(stats.cgroup.stats));
  assert.equal(stats.cgroup.stats.memory.limit, 32 * 2 ** 20);
  assert.match(box.sc('stats', name).stdout, new RegExp(`^${name}\\s+`, 'm'));
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('--pids stops a fork loop inside the container', () => {
  const name = uniqueName('pids');
  assert.equal(box.sc('run', '--name', name, '--pids', '10', 'busybox').code, 0);
  const r = box.sc('exec', name, 'sh', '-c', 'n=0; while [ $n -lt 30 ]; do sleep 5 & n=$((n+1)); done 2>/dev/null; echo $(jobs -p | wc -l)');
  const started = Number(r.stdout.trim());
  assert.ok(started < 10, `only a few of 30 background processes started (got ${started}): ${r.stderr}`);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('bad limits are refused with exit 2 before anything is created', () => {
  for (const args of [['-m', 'abc'], ['--cpus', '0'], ['--cpus', '999'], ['--pids', '-1']]) {
    const name = uniqueName('bad');
    const r = box.sc('run', '--name', name, ...args, 'busybox');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(docs(box.sc('ps', '-a', '--json').stdout).some((d) => d.name === name), false);
  }
});
