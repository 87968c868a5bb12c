// Issue 2: one real container through the whole pipeline, as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeSandbox, importBusybox, leftovers, mountsUnder, docs, uniqueName, processesMentioning, processesInCgroup } from './helpers.mjs';

const box = makeSandbox('container');
before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

function runContainer(name, ...flags) {
  const r = box.sc('run', '--name', name, ...flags, 'busybox');
  assert.equal(r.code, 0, `sc run ${name} failed: ${r.stderr}`);
  assert.equal(r.stdout.trim(), name);
  return r;
}

function statusOf(name) {
  const r = box.sc('ps', '-a', '--json');
  assert.equal(r.code, 0, r.stderr);
  return docs(r.stdout).find((d) => d.name === name)?.status;
}

test('run → running, own hostname, our PID 1, own process tree, exit status passed through', () => {
  const mountsBefore = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  const hostBefore = hostname();
  const name = uniqueName('t1');
  runContainer(name);

  const ps = box.sc('ps');
  const pid1 = docs(box.sc('ps', '--json').stdout).find((d) => d.name === name).process.pid;
  assert.match(ps.stdout, /^NAME +STATUS +IMAGE +CREATED +UP +PID +ADDRESS +LAST ERROR$/m);
  // Just made and just started: seconds ago, seconds up, its PID 1.
  assert.match(ps.stdout, new RegExp(`^${name}\\s+running\\s+busybox\\s+\\d+s ago\\s+\\d+s\\s+${pid1}$`, 'm'));
  assert.equal(box.sc('exec', name, 'hostname').stdout.trim(), name);
  assert.match(box.sc('exec', name, 'cat', '/proc/1/cmdline').stdout, /sc-init/);

  const inside = box.sc('exec', name, 'ps', '-o', 'pid,args');
  const pids = inside.stdout.trim().split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0]));
  assert.ok(pids.includes(1), inside.stdout);
  assert.ok(pids.length <= 3, `the container sees only its own processes:\n${inside.stdout}`);

  assert.equal(box.sc('exec', name, 'sh', '-c', 'exit 7').code, 7);

  // The host gained only the container's rootfs and its netns handle; its hostname is untouched.
  // (ip makes /run/netns itself a mount point the first time any netns is attached: not ours to count.)
  const added = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => !mountsBefore.includes(l) && l.split(' ')[1] !== '/run/netns');
  assert.deepEqual(added.map((l) => l.split(' ')[1]).sort(), [join(box.data, 'containers', name, 'merged'), `/run/netns/sc-${name}`].sort());
  assert.equal(hostname(), hostBefore);
});

test('files survive stop/start; rm refuses while running, rm -f stops first and leaves nothing', () => {
  const name = uniqueName('t2');
  runContainer(name);
  assert.equal(box.sc('exec', name, 'sh', '-c', 'echo kept > /root/note').code, 0);
  const stop = box.sc('stop', name);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(statusOf(name), 'stopped');
  assert.deepEqual(mountsUnder(join(box.data, 'containers', name)), []);
  const start = box.sc('start', name);
  assert.equal(start.code, 0, start.stderr);
  assert.equal(box.sc('exec', name, 'cat', '/root/note').stdout.trim(), 'kept');

  const refused = box.sc('rm', name);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /is running/);
  assert.equal(statusOf(name), 'running');

  const rm = box.sc('rm', '-f', name);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(statusOf(name), undefined);
  assert.equal(existsSync(join(box.data, 'containers', name)), false);
  assert.equal(existsSync(join(box.data, 'locks', name)), false);
  assert.deepEqual(mountsUnder(join(box.data, 'containers', name)), []);
  assert.deepEqual(processesMentioning(join(box.data, 'containers', name)), []);
  assert.deepEqual(processesInCgroup(`${box.cgroupParent}/${name}`), []);
});

test('run of an unknown image fails with one line, exit 1, and leaves nothing', () => {
  const name = uniqueName('t3');
  const r = box.sc('run', '--name', name, 'no-such-image');
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^sc-image: .*no image named "no-such-image"/);
  assert.equal(existsSync(join(box.data, 'containers', name)), false);
  assert.equal(existsSync(join(box.data, 'locks', name)), false);
  assert.deepEqual(mountsUnder(join(box.data, 'containers', name)), []);
});

test('run of a taken name fails with one line and never touches the container holding it', () => {
  const name = uniqueName('t4');
  runContainer(name);
  const pidBefore = docs(box.sc('ps', '--json').stdout).find((d) => d.name === name).process.pid;
  const r = box.sc('run', '--name', name, 'busybox');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /name "t4-\w+" is taken/);
  const after = docs(box.sc('ps', '--json').stdout).find((d) => d.name === name);
  assert.equal(after?.status, 'running');
  assert.equal(after.process.pid, pidBefore);
  assert.equal(box.sc('exec', name, 'true').code, 0);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('kill -9 of PID 1 → reported stopped, never a stale running; start works again', async () => {
  const name = uniqueName('t5');
  runContainer(name);
  const { pid } = docs(box.sc('ps', '--json').stdout).find((d) => d.name === name).process;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && statusOf(name) === 'running'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(statusOf(name), 'stopped');
  assert.doesNotMatch(box.sc('ps').stdout, new RegExp(name));
  const start = box.sc('start', name);
  assert.equal(start.code, 0, start.stderr);
  assert.equal(statusOf(name), 'running');
  assert.equal(box.sc('exec', name, 'hostname').stdout.trim(), name);
});

test('the seed\'s flags: -name, -m (MiB), -cpu', () => {
  const name = uniqueName('t6');
  const r = box.sc('run', '-name', name, '-m', '64', '-cpu', '1', 'busybox');
  assert.equal(r.code, 0, r.stderr);
  const doc = docs(box.sc('ps', '--json').stdout).find((d) => d.name === name);
  assert.equal(doc.spec.memory, 64 * 2 ** 20);
  assert.equal(doc.spec.cpus, 1);
});

test('bad run flags → exit 2 and nothing created', () => {
  for (const args of [['run', '--memory', 'abc', 'busybox'], ['run', '--name', 'bad/name', 'busybox'], ['run', '-x', 'busybox'], ['run']]) {
    const r = box.sc(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const all = docs(box.sc('ps', '-a', '--json').stdout).map((d) => d.name);
  assert.ok(all.every((n) => !n.startsWith('busybox-')), all.join(' '));
});

test('exec of a stopped or unknown container says so', () => {
  const name = uniqueName('t7');
  runContainer(name);
  assert.equal(box.sc('stop', name).code, 0);
  const r = box.sc('exec', name, 'true');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not running/);
  const u = box.sc('exec', 'nope-nope', 'true');
  assert.equal(u.code, 1);
  assert.match(u.stderr, /no container named "nope-nope"/);
});

test('a failed start is recorded as the last error; the next start and rm -f work', () => {
  const name = uniqueName('t8');
  runContainer(name);
  assert.equal(box.sc('stop', name).code, 0);
  const layer = docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name).image.layers[0];
  renameSync(layer, `${layer}.away`);
  try {
    const failed = box.sc('start', name);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^sc-rootfs: /);
  } finally {
    renameSync(`${layer}.away`, layer);
  }
  const record = docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name);
  assert.equal(record.status, 'stopped');
  assert.equal(record.lastError.tool, 'sc-rootfs');
  // A stopped container: when it was made, no uptime and no PID, and why it last failed.
  assert.match(box.sc('ps', '-a').stdout, new RegExp(`^${name}\\s+stopped\\s+busybox\\s+\\d+s ago\\s+sc-rootfs: `, 'm'));
  const start = box.sc('start', name);
  assert.equal(start.code, 0, start.stderr);
  assert.equal(docs(box.sc('ps', '--json').stdout).find((d) => d.name === name).lastError, undefined);
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('rm that cannot empty the container\'s directory keeps its record, so the name can still be removed later', () => {
  const name = uniqueName('keep');
  runContainer(name);
  assert.equal(box.sc('stop', name).code, 0);
  const stray = join(box.data, 'containers', name, 'stray');
  writeFileSync(stray, 'left by someone\n');
  const rm = box.sc('rm', name);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /still holds stray/);
  assert.equal(statusOf(name), 'stopped', 'the record is still there');
  rmSync(stray);
  assert.equal(box.sc('rm', name).code, 0);
  assert.equal(statusOf(name), undefined);
});

test('start, stop and rm of many names: one pipeline for all; a name that fails does not stop the others', () => {
  const names = [uniqueName('m1'), uniqueName('m2'), uniqueName('m3')];
  for (const n of names) runContainer(n);
  const missing = uniqueName('nope');
  const stop = box.sc('stop', '-t', '2', names[2], missing, names[0], names[1]);
  assert.equal(stop.code, 1, 'one name was not there');
  assert.deepEqual(stop.stdout.trim().split('\n'), [names[2], names[0], names[1]], 'the names done, in the order given');
  assert.match(stop.stderr, new RegExp(`no container named "${missing}"`));
  for (const n of names) assert.equal(statusOf(n), 'stopped');
  const start = box.sc('start', ...names);
  assert.equal(start.code, 0, start.stderr);
  for (const n of names) assert.equal(statusOf(n), 'running');
  // rm without -f refuses the running ones, one line each, and removes the stopped one.
  assert.equal(box.sc('stop', names[1]).code, 0);
  const rm = box.sc('rm', ...names);
  assert.equal(rm.code, 1);
  assert.deepEqual(rm.stdout.trim().split('\n'), [names[1]]);
  assert.equal(rm.stderr.trim().split('\n').length, 2, rm.stderr);
  const rmf = box.sc('rm', '-f', names[0], names[2]);
  assert.equal(rmf.code, 0, rmf.stderr);
  for (const n of names) assert.equal(statusOf(n), undefined);
  assert.deepEqual(readdirSync(join(box.data, 'locks')).filter((l) => names.includes(l)), [], 'no lock file left');
});
