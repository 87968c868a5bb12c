// Issue 6: nothing lost, nothing leaked — concurrency, a pipeline killed at every step, a host "reboot".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, importBusybox, leftovers, loopDevicesUnder, mountsUnder, docs, uniqueName, processesMentioning, processesInCgroup, containerInits, cgroupDirsOf, BIN } from './helpers.mjs';

const box = makeSandbox('reliability');
before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

function runAsync(args) {
  return new Promise((resolve) => {
    const child = spawn(join(BIN, 'sc'), args, { env: box.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function containerTraces(name) {
  const dir = join(box.data, 'containers', name);
  return [
    ...mountsUnder(dir).map((m) => `mount ${m.split(' ')[1]}`),
    ...loopDevicesUnder(dir).map((l) => `loop device ${l}`),
    ...processesMentioning(`${dir}/`).map((p) => `process ${p}`),
    ...processesInCgroup(`${box.cgroupParent}/${name}`).map((p) => `process ${p} (in the container's cgroup)`),
    ...cgroupDirsOf(join(box.cgroupParent, name)).map((d) => `cgroup ${d}`),
    ...(existsSync(dir) ? [`dir ${dir}`] : []),
    ...(existsSync(join(box.data, 'locks', name)) ? [`lock ${name}`] : []),
    ...(existsSync(`/run/netns/sc-${name}`) ? [`netns sc-${name}`] : []),
  ];
}

function statusOf(name) {
  return docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name)?.status;
}

test('20 concurrent runs of one name: exactly one container, 19 clean "name taken" errors', async () => {
  const name = uniqueName('same');
  const results = await Promise.all(Array.from({ length: 20 }, () => runAsync(['run', '--name', name, 'busybox'])));
  const ok = results.filter((r) => r.code === 0);
  const taken = results.filter((r) => r.code === 1);
  assert.equal(ok.length, 1, results.map((r) => r.stderr).join(''));
  assert.equal(taken.length, 19);
  for (const r of taken) assert.match(r.stderr.trim(), /^sc-ps: \S+: name "same-\w+" is taken by an existing container/);
  assert.equal(statusOf(name), 'running');
  assert.equal(box.sc('exec', name, 'hostname').stdout.trim(), name);
  assert.equal(box.sc('rm', '-f', name).code, 0);
  assert.deepEqual(containerTraces(name), []);
});

test('20 concurrent runs of different names all succeed', async () => {
  const names = Array.from({ length: 20 }, (_, i) => uniqueName(`many${i}`));
  const results = await Promise.all(names.map((n) => runAsync(['run', '--name', n, '--memory', '32M', 'busybox'])));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const running = docs(box.sc('ps', '--json').stdout).map((d) => d.name);
  for (const n of names) assert.ok(running.includes(n), n);
  const removed = await Promise.all(names.map((n) => runAsync(['rm', '-f', n])));
  for (const r of removed) assert.equal(r.code, 0, r.stderr);
  for (const n of names) assert.deepEqual(containerTraces(n), []);
});

// A copy of the installation in which one step kills the whole pipeline (sc included) with SIGKILL
// right after it has done its work: the worst moment, the step done and not yet recorded.
function crashingInstall(tool, verb) {
  const dir = join(box.root, `crash-${tool}-${verb}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  symlinkSync(join(BIN, '..', 'libexec'), join(dir, 'libexec'));
  symlinkSync(join(BIN, '..', 'lib'), join(dir, 'lib'));
  for (const entry of readdirSync(BIN)) {
    if (entry === 'sc') copyFileSync(join(BIN, 'sc'), join(dir, 'bin', 'sc'));
    else if (entry !== tool) symlinkSync(join(BIN, entry), join(dir, 'bin', entry));
  }
  writeFileSync(join(dir, 'bin', tool), [
    '#!/bin/sh',
    `"${join(BIN, tool)}" "$@" > "${dir}/out.$$"; rc=$?`,
    `[ "$1" = "${verb}" ] && kill -KILL 0`,
    `cat "${dir}/out.$$"; rm -f "${dir}/out.$$"; exit $rc`,
    '',
  ].join('\n'));
  chmodSync(join(dir, 'bin', tool), 0o755);
  return join(dir, 'bin', 'sc');
}

/** Run sc in its own process group through an installation that crashes at TOOL VERB. */
function crashAt(tool, verb, args) {
  const sc = crashingInstall(tool, verb);
  const r = spawnSync('setsid', ['--wait', sc, ...args], { env: box.env, encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(r.status, 0, `the pipeline was meant to die at ${tool} ${verb}`);
}

/** sc ps -a tells the truth: running exactly when a PID 1 of the container is alive. */
function assertTruth(name, why) {
  const alive = containerInits(box, name).length > 0;
  const status = statusOf(name);
  assert.equal(status === 'running', alive, `${why}: sc ps says ${status}, a PID 1 is ${alive ? '' : 'not '}alive`);
}

const RUN_STEPS = [['sc-ps', 'create'], ['sc-image', 'resolve'], ['sc-rootfs', 'mount'], ['sc-cgroup', 'create'], ['sc-spawn', 'start'], ['sc-net', 'attach'], ['sc-ps', 'save']];
const START_STEPS = RUN_STEPS.filter(([, verb]) => verb !== 'create' && verb !== 'resolve');
const STOP_STEPS = [['sc-spawn', 'stop'], ['sc-net', 'detach'], ['sc-cgroup', 'delete'], ['sc-rootfs', 'umount'], ['sc-ps', 'save']];

test('run killed after each step: ps tells the truth, rm -f removes every trace', () => {
  for (const [tool, verb] of RUN_STEPS) {
    const name = uniqueName('crun');
    crashAt(tool, verb, ['run', '--name', name, 'busybox']);
    assertTruth(name, `run killed after ${tool} ${verb}`);
    const rm = box.sc('rm', '-f', name);
    assert.equal(rm.code, 0, `rm -f after a run killed at ${tool} ${verb}: ${rm.stderr}`);
    assert.deepEqual(containerTraces(name), [], `after a run killed at ${tool} ${verb}`);
  }
});

test('start killed after each step: ps tells the truth, start recovers with the files kept', () => {
  for (const [tool, verb] of START_STEPS) {
    const name = uniqueName('cstart');
    assert.equal(box.sc('run', '--name', name, 'busybox').code, 0);
    assert.equal(box.sc('exec', name, 'sh', '-c', 'echo kept > /root/f').code, 0);
    assert.equal(box.sc('stop', name).code, 0);
    crashAt(tool, verb, ['start', name]);
    assertTruth(name, `start killed after ${tool} ${verb}`);
    const start = box.sc('start', name);
    assert.equal(start.code, 0, `start after a start killed at ${tool} ${verb}: ${start.stderr}`);
    assert.equal(statusOf(name), 'running');
    assert.equal(containerInits(box, name).length, 1, 'exactly one PID 1');
    assert.equal(box.sc('exec', name, 'cat', '/root/f').stdout.trim(), 'kept');
    assert.equal(box.sc('rm', '-f', name).code, 0);
    assert.deepEqual(containerTraces(name), [], `after a start killed at ${tool} ${verb}`);
  }
});

test('stop killed after each step: ps tells the truth, rm -f removes every trace', () => {
  for (const [tool, verb] of STOP_STEPS) {
    const name = uniqueName('cstop');
    assert.equal(box.sc('run', '--name', name, 'busybox').code, 0);
    crashAt(tool, verb, ['stop', name]);
    assertTruth(name, `stop killed after ${tool} ${verb}`);
    const rm = box.sc('rm', '-f', name);
    assert.equal(rm.code, 0, `rm -f after a stop killed at ${tool} ${verb}: ${rm.stderr}`);
    assert.deepEqual(containerTraces(name), [], `after a stop killed at ${tool} ${verb}`);
  }
});

test('run --disk and stop of a disk killed after each step: ps tells the truth, rm -f leaves no disk, mount or loop device', () => {
  for (const [tool, verb] of RUN_STEPS) {
    const name = uniqueName('cdrun');
    crashAt(tool, verb, ['run', '--name', name, '--disk', '64M', 'busybox']);
    assertTruth(name, `run --disk killed after ${tool} ${verb}`);
    const rm = box.sc('rm', '-f', name);
    assert.equal(rm.code, 0, `rm -f after a run --disk killed at ${tool} ${verb}: ${rm.stderr}`);
    assert.deepEqual(containerTraces(name), [], `after a run --disk killed at ${tool} ${verb}`);
  }
  for (const [tool, verb] of STOP_STEPS) {
    const name = uniqueName('cdstop');
    assert.equal(box.sc('run', '--name', name, '--disk', '64M', 'busybox').code, 0);
    crashAt(tool, verb, ['stop', name]);
    assertTruth(name, `stop of a disk killed after ${tool} ${verb}`);
    const rm = box.sc('rm', '-f', name);
    assert.equal(rm.code, 0, `rm -f after a stop of a disk killed at ${tool} ${verb}: ${rm.stderr}`);
    assert.deepEqual(containerTraces(name), [], `after a stop of a disk killed at ${tool} ${verb}`);
  }
});

test('a host "reboot" (every PID 1 killed, every overlay and disk unmounted behind sc\'s back): all stopped, all start again', async () => {
  const names = [uniqueName('boot1'), uniqueName('boot2'), uniqueName('boot3')];
  for (const n of names) {
    const disk = n === names[2] ? ['--disk', '64M'] : []; // a disk goes with a reboot too
    assert.equal(box.sc('run', '--name', n, '--memory', '32M', ...disk, 'busybox').code, 0);
    assert.equal(box.sc('exec', n, 'sh', '-c', `echo ${n} > /root/who`).code, 0);
  }
  for (const n of names) {
    const dir = join(box.data, 'containers', n);
    for (const pid of containerInits(box, n)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && containerInits(box, n).length; i++) await new Promise((r) => setTimeout(r, 20));
    spawnSync('umount', ['-l', join(dir, 'merged')]);
    if (existsSync(join(dir, 'disk.img'))) spawnSync('umount', ['-l', join(dir, 'disk')]);
    if (existsSync(`/run/netns/sc-${n}`)) spawnSync('ip', ['netns', 'delete', `sc-${n}`]);
  }
  for (const n of names) assert.equal(statusOf(n), 'stopped', n);
  for (const n of names) {
    const start = box.sc('start', n);
    assert.equal(start.code, 0, start.stderr);
    assert.equal(box.sc('exec', n, 'cat', '/root/who').stdout.trim(), n);
  }
  for (const n of names) {
    assert.equal(box.sc('rm', '-f', n).code, 0);
    assert.deepEqual(containerTraces(n), []);
  }
});
