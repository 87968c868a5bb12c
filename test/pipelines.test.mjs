// Issue 8: the batch pipelines of examples/pipelines.md, run exactly as written there (each ```sh block,
// named by its first comment line, in the document's order), and a batch that keeps going past a failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { makeSandbox, importBusybox, busyboxImage, leftovers, docs, mountsUnder, REPO } from './helpers.mjs';
import { createLan } from './lan.mjs';

const blocks = new Map(
  [...readFileSync(join(REPO, 'examples', 'pipelines.md'), 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
    .map(([, text]) => [/^# (.+)\n/.exec(text)[1], text]),
);
const ran = new Set();

const box = makeSandbox('pipelines');
let lan;
before(async () => {
  importBusybox(box);
  const other = box.sc('image', 'import', busyboxImage(), '--name', 'tiny');
  assert.equal(other.code, 0, other.stderr);
  lan = await createLan({ dhcp: false });
});
after(async () => {
  await box.cleanup();
  lan?.close();
  assert.deepEqual(leftovers(box), []);
});

/** One block of pipelines.md, as written, under bash -e -o pipefail in the sandbox's directory. */
function block(title) {
  const text = blocks.get(title);
  assert.ok(text, `pipelines.md has no block "# ${title}"`);
  ran.add(title);
  return box.run('bash', ['--norc', '-e', '-o', 'pipefail', '-c', text], { cwd: box.root });
}
const all = () => Object.fromEntries(docs(box.sc('ps', '-a', '--json').stdout).map((d) => [d.name, d]));
const isMounted = (name) => mountsUnder(join(box.data, 'containers', name, 'merged')).length > 0;

test('a batch with one unknown image: all three documents come out, the bad one carries the error, exit 1', () => {
  const r = block('three containers in one batch, one with an image that is not there');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^sc-image: web2: .*no image named "nosuch"/m);
  const out = docs(r.stdout);
  assert.deepEqual(out.map((d) => d.name), ['web1', 'web2', 'web3']);
  assert.equal(out[1].error.tool, 'sc-image');
  assert.equal(out[1].rootfs, undefined, 'later forward steps passed it through untouched');
  for (const d of [out[0], out[2]]) {
    assert.equal(d.error, undefined);
    assert.equal(d.status, 'running');
    assert.equal(box.sc('exec', d.name, 'hostname').stdout.trim(), d.name);
  }
  assert.equal(all().web2.lastError.tool, 'sc-image', 'the record keeps the failure');

  const rm = block('remove every container whose last step failed');
  assert.equal(rm.code, 0, rm.stderr);
  assert.deepEqual(Object.keys(all()).sort(), ['web1', 'web3']);
});

test('an inverse batch keeps going past a rootfs that cannot be unmounted', async () => {
  for (const name of ['b1', 'b2', 'b3']) assert.equal(box.sc('run', '--name', name, 'tiny').code, 0);
  // A host process whose working directory is inside b2's rootfs keeps it busy.
  const holder = spawn('sleep', ['30'], { cwd: join(box.data, 'containers', 'b2', 'merged'), stdio: 'ignore' });
  try {
    const r = box.run('bash', ['--norc', '-o', 'pipefail', '-c',
      'sc-ps get b1 b2 b3 | sc-spawn stop | sc-net detach | sc-cgroup delete | sc-rootfs umount | sc-ps save'], { cwd: box.root });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^sc-rootfs: b2: cannot unmount/m);
    const out = docs(r.stdout);
    assert.deepEqual(out.map((d) => d.name), ['b1', 'b2', 'b3']);
    assert.equal(out[1].error.tool, 'sc-rootfs');
    for (const d of out) assert.equal(d.status, 'stopped', `${d.name} was stopped all the same`);
    assert.equal(isMounted('b1'), false);
    assert.equal(isMounted('b2'), true);
    assert.equal(isMounted('b3'), false);
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => (holder.exitCode !== null || holder.signalCode !== null ? resolve() : holder.on('exit', resolve)));
  }
  // The holder gone, b2's failed step is re-run by hand from its record; the rest of its teardown had been done.
  const retry = box.run('bash', ['--norc', '-o', 'pipefail', '-c', "sc-ps get b2 | sc-rootfs umount | sc-ps save"]);
  assert.equal(retry.code, 0, retry.stderr);
  assert.equal(isMounted('b2'), false);
  assert.equal(all().b2.lastError, undefined);
  assert.equal(box.sc('rm', 'b1', 'b2', 'b3').code, 0);
});

test('addresses of all containers, and a command in every running one', () => {
  const run = box.sc('run', '--name', 'tiny1', '--net', 'static', '--parent', lan.parent, '--ip', `${lan.subnet}.10/24`, '--gateway', lan.gateway, 'tiny');
  assert.equal(run.code, 0, run.stderr);
  const addresses = block('the address of every running container');
  assert.equal(addresses.code, 0, addresses.stderr);
  assert.deepEqual(addresses.stdout.trim().split('\n').sort(), ['tiny1\t' + `${lan.subnet}.10/24`, 'web1\t-', 'web3\t-']);
  const hostnames = block('a command in every running container');
  assert.equal(hostnames.code, 0, hostnames.stderr);
  assert.deepEqual(hostnames.stdout.trim().split('\n').sort(), ['tiny1', 'web1', 'web3']);
});

test('stop every container of one image, then start every stopped one again, files kept', () => {
  assert.equal(box.sc('exec', 'web1', 'sh', '-c', 'echo kept > /root/note').code, 0);
  const stop = block('stop every running container of one image');
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(docs(stop.stdout).map((d) => d.name).sort(), ['web1', 'web3']);
  let now = all();
  assert.equal(now.web1.status, 'stopped');
  assert.equal(now.web3.status, 'stopped');
  assert.equal(now.tiny1.status, 'running', 'another image is left alone');
  assert.equal(isMounted('web1'), false);

  const start = block('start again every stopped container');
  assert.equal(start.code, 0, start.stderr);
  assert.deepEqual(docs(start.stdout).map((d) => d.name).sort(), ['web1', 'web3']);
  now = all();
  for (const name of ['web1', 'web3', 'tiny1']) assert.equal(now[name].status, 'running', name);
  assert.equal(box.sc('exec', 'web1', 'cat', '/root/note').stdout.trim(), 'kept');
});

test('a pipeline that failed half-way is re-run by hand from its saved document', () => {
  assert.equal(box.sc('stop', 'web1').code, 0);
  const failed = block('a start in two halves, the rootfs unmounted in between');
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /^sc-spawn: web1: rootfs .* is not mounted/m);
  assert.equal(all().web1.lastError.tool, 'sc-spawn');
  assert.equal(all().web1.status, 'stopped');

  const rerun = block('see why it failed, then re-run from the step before it');
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout.split('\n')[0], /"tool":"sc-spawn","code":"ENOTMOUNTED"/);
  const web1 = all().web1;
  assert.equal(web1.lastError, undefined, 'a pipeline that succeeds clears the last error');
  assert.equal(web1.status, 'running');
  assert.equal(box.sc('exec', 'web1', 'cat', '/root/note').stdout.trim(), 'kept');
});

test('every ```sh block of pipelines.md was run', () => {
  assert.ok(blocks.size >= 7);
  assert.deepEqual([...blocks.keys()].filter((t) => !ran.has(t)), []);
});
