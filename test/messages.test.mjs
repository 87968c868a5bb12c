// Issue 15: the front door. Every command takes the seed's single-dash spelling of its long flags; an
// unknown flag is named whole, with the nearest known one; a failure is one or two short lines that
// name the thing and the cause (a full data root says "No space left on device"), the details kept in
// the document's error for --json readers. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, importBusybox, busyboxImage, leftovers, uniqueName, docs } from './helpers.mjs';
import { sh as hostSh } from './image-tree.mjs';

const box = makeSandbox('messages');
before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

const oneLine = (r) => assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);

test('unknown flags are named whole, with the nearest one; exit 2, nothing made', () => {
  for (const [args, said] of [
    [['run', '-nmae', 'x', 'busybox'], /^sc: unknown flag -nmae; did you mean -name\?/],
    [['run', '--memroy', '64M', 'busybox'], /^sc: unknown flag --memroy; did you mean --memory\?/],
    [['image', 'import', '-nmae', 'x', busyboxImage()], /^sc-image: unknown flag -nmae; did you mean -name\?$/],
    [['image', 'import', '--nmae=x', busyboxImage()], /^sc-image: unknown flag --nmae; did you mean --name\?$/],
  ]) {
    const r = box.sc(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr.trim(), said);
    oneLine(r);
  }
  const tool = box.tool('sc-cgroup', ['create', '-memroy', '64M'], '');
  assert.equal(tool.code, 2);
  assert.equal(tool.stderr.trim(), 'sc-cgroup: unknown flag -memroy; did you mean -memory?');
  assert.deepEqual(docs(box.sc('ps', '-a', '--json').stdout), []);
});

test('the single-dash spelling of every long flag works, on every command', () => {
  const name = uniqueName('dash');
  assert.equal(box.sc('image', 'import', '-name', 'bb2', busyboxImage()).code, 0);
  const run = box.sc('run', '-name', name, '-memory', '64M', '-cpus', '1', '-hostname', 'h1', '-stop-signal', 'TERM', 'bb2');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(box.sc('exec', '-env', 'X=1', '-workdir', '/etc', name, 'sh', '-c', 'echo $X $(pwd)').stdout.trim(), '1 /etc');
  assert.equal(docs(box.sc('ps', '-all', '-json').stdout).find((d) => d.name === name).spec.memory, 64 * 2 ** 20);
  assert.equal(box.sc('update', '-autostart', name).code, 0);
  assert.equal(box.sc('stop', '-time', '1', name).code, 0);
  assert.match(box.sc('logs', '-lines', '1', name).stdout, /sc-init: stopped/);
  assert.ok(docs(box.sc('image', 'ls', '-json').stdout).some((i) => i.name === 'bb2'));
  assert.equal(box.sc('rm', '-force', name).code, 0);
  assert.equal(box.sc('image', 'rm', '-force', 'bb2').code, 0);
});

test('a full data root says so in one line (No space left on device), the details in the document; nothing is left', () => {
  // A data root of its own on a small tmpfs, and an archive bigger than it.
  const root = join(box.root, 'small');
  mkdirSync(root);
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', root]).status, 0);
  try {
    const config = join(box.root, 'small.json5');
    writeFileSync(config, `{ root: "${root}/data", cgroupParent: "${box.cgroupParent}" }\n`);
    const env = { ...box.env, SC_ROOT: join(root, 'data'), SC_CONFIG: config };
    const tree = join(box.root, 'big');
    mkdirSync(tree);
    hostSh(`tar -xzf '${busyboxImage()}' -C '${tree}' && head -c 12M /dev/urandom > '${tree}/blob' && tar --numeric-owner -cf '${tree}.tar' -C '${tree}' .`);
    const r = box.run(join(box.env.PATH.split(':')[0], 'sc'), ['image', 'import', `${tree}.tar`, '--name', 'big'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No space left on device/i);
    assert.ok(r.stderr.trim().split('\n').length <= 2, `one or two lines: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /--xattrs|Exiting with failure status/, 'no command line, no summary line');
    const json = box.run(join(box.env.PATH.split(':')[0], 'sc-image'), ['import', `${tree}.tar`, '--name', 'big'], { env });
    assert.equal(json.code, 1);
    assert.deepEqual(hostSh(`ls -A '${root}/data/layers' '${root}/data/images' 2>/dev/null || true`).trim().split('\n').filter((l) => l && !l.endsWith(':')), [],
      'no half-made layer or image left');
  } finally {
    spawnSync('umount', ['-l', root]);
    rmSync(root, { recursive: true, force: true });
  }
});

test('a failing program is one line naming it and its cause; its command line rides in the document\'s error', () => {
  const name = uniqueName('det');
  const missing = join(box.data, 'layers', 'f'.repeat(64));
  const doc = JSON.stringify({ v: 1, name, spec: {}, image: { name: 'gone', layers: [missing] } });
  const r = box.tool('sc-rootfs', ['mount'], `${doc}\n`);
  assert.equal(r.code, 1);
  oneLine(r);
  assert.match(r.stderr, new RegExp(`^sc-rootfs: ${name}: sc-overlay: `));
  assert.doesNotMatch(r.stderr, /--lower|--upper/, 'no command line on the terminal');
  const [failed] = docs(r.stdout);
  assert.match(failed.error.detail, /sc-overlay .*--lower .*ffff/, 'the command line is in the document');
  box.tool('sc-rootfs', ['destroy'], `${doc}\n`);
  rmSync(join(box.data, 'containers', name), { recursive: true, force: true });
});

test('one reader of the config: a one-line config puts everything, locks included, under its root, and sc exec finds the container', () => {
  const root = join(box.root, 'oneline');
  const config = join(box.root, 'oneline.json5');
  writeFileSync(config, `{ root: "${root}", cgroupParent: "${box.cgroupParent}" }`);
  const env = { ...box.env, SC_CONFIG: config };
  delete env.SC_ROOT;
  const sc = (...args) => box.run(join(box.env.PATH.split(':')[0], 'sc'), args, { env });
  assert.equal(sc('image', 'import', busyboxImage()).code, 0);
  const name = uniqueName('one');
  assert.equal(sc('run', '-name', name, 'busybox').code, 0);
  assert.equal(sc('exec', name, 'hostname').stdout.trim(), name);
  assert.equal(spawnSync('test', ['-d', join(root, 'locks')]).status, 0, 'its locks live under the configured root');
  assert.notEqual(spawnSync('test', ['-e', join('/var/lib/sc/locks', name)]).status, 0, 'not under the default one');
  assert.equal(sc('rm', '-f', name).code, 0);
  // The config changes: sc follows at once (its cache of the answer is per file, as new as the file).
  writeFileSync(config, `{ root: "${root}2", cgroupParent: "${box.cgroupParent}" }`);
  assert.equal(sc('image', 'import', busyboxImage()).code, 0);
  assert.ok(spawnSync('test', ['-d', join(`${root}2`, 'images', 'busybox')]).status === 0);
});
