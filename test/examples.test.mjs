// Issue 8: the tools outside `sc` — examples/Makefile builds and tears down a container step by step;
// man pages made from --help; bash completion for sc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeSandbox, importBusybox, uniqueName, leftovers, docs, mountsUnder, cgroupDirsOf, REPO, BIN } from './helpers.mjs';

const box = makeSandbox('examples');
const build = join(box.root, 'build');
before(() => importBusybox(box));
after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

const make = (name, ...args) => box.run('make', ['-C', join(REPO, 'examples'), `BUILD=${build}`, `NAME=${name}`, `TOOLS=${BIN}`, ...args]);
const STEPS = ['01-created', '02-image', '03-rootfs', '04-cgroup', '05-spawn', '06-net', '07-saved'];
/** The steps make ran, from the pipelines it echoes. */
const ran = (stdout) => [...stdout.matchAll(/^(sc-\S+ \S+|\{ cat .*sc-spawn start)/gm)].map((m) => m[1].startsWith('{') ? 'sc-spawn start' : m[1]);
const record = (name) => docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name);
const memoryLimit = (doc) => Number(readFileSync(join(doc.cgroup.paths.find((p) => p.includes('/memory/')), 'memory.limit_in_bytes'), 'utf8'));

test('examples/Makefile: one file per step, only what changed is redone, back after sc stop, clean leaves nothing', () => {
  const name = uniqueName('lab');
  const dir = join(build, name);
  const first = make(name);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(ran(first.stdout), ['sc-ps create', 'sc-image resolve', 'sc-rootfs mount', 'sc-cgroup create', 'sc-spawn start', 'sc-net attach', 'sc-ps save']);
  for (const step of STEPS) assert.equal(docs(readFileSync(join(dir, `${step}.json`), 'utf8')).length, 1, step);
  const saved = record(name);
  assert.equal(saved.status, 'running');
  assert.equal(box.sc('exec', name, 'hostname').stdout.trim(), name);
  assert.equal(memoryLimit(saved), 64 * 2 ** 20);

  // Nothing changed: nothing runs, no file is touched.
  const mtimes = STEPS.map((s) => statSync(join(dir, `${s}.json`)).mtimeMs);
  const again = make(name);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(ran(again.stdout), []);
  assert.deepEqual(STEPS.map((s) => statSync(join(dir, `${s}.json`)).mtimeMs), mtimes);

  // A new limit: the steps from the cgroup on, on the running container, which keeps its PID 1.
  const bigger = make(name, 'MEMORY=128M');
  assert.equal(bigger.code, 0, bigger.stderr);
  assert.deepEqual(ran(bigger.stdout), ['sc-cgroup create', 'sc-spawn start', 'sc-net attach', 'sc-ps save']);
  assert.equal(record(name).process.pid, saved.process.pid);
  assert.equal(memoryLimit(record(name)), 128 * 2 ** 20);

  // sc stop behind make's back: make starts it again from the rootfs step; its files are still there.
  assert.equal(box.sc('exec', name, 'sh', '-c', 'echo kept > /root/note').code, 0);
  assert.equal(box.sc('stop', name).code, 0);
  assert.equal(record(name).status, 'stopped');
  const back = make(name);
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(ran(back.stdout), ['sc-rootfs mount', 'sc-cgroup create', 'sc-spawn start', 'sc-net attach', 'sc-ps save']);
  assert.equal(record(name).status, 'running');
  assert.notEqual(record(name).process.pid, saved.process.pid);
  const exec = make(name, 'exec', 'CMD=cat /root/note');
  assert.equal(exec.code, 0, exec.stderr);
  assert.match(exec.stdout, /^kept$/m);

  const clean = make(name, 'clean');
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(record(name), undefined);
  assert.equal(existsSync(dir), false);
  assert.deepEqual(readdirSync(join(box.data, 'containers')), []);
  assert.equal(existsSync(join(box.data, 'locks', name)), false);
  assert.deepEqual(mountsUnder(box.data), []);
  assert.deepEqual(cgroupDirsOf(join(box.cgroupParent, name)), []);
  assert.equal(make(name, 'clean').code, 0, 'clean twice');
});

test('examples/Makefile: a failing step leaves no file of its own, and clean still undoes the steps before', () => {
  const name = uniqueName('bad');
  const r = make(name, 'IMAGE=nosuch');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /sc-image: .*no image named "nosuch"/);
  assert.deepEqual(readdirSync(join(build, name)).sort(), ['01-created.json']);
  assert.equal(make(name, 'clean').code, 0);
  assert.equal(record(name), undefined);
  assert.equal(existsSync(join(build, name)), false);
});

test('scripts/make-man.sh: a page for sc and each tool, naming every verb, rendering without warnings', () => {
  const out = mkdtempSync(join(tmpdir(), 'sc-man-'));
  try {
    const r = box.run('bash', [join(REPO, 'scripts', 'make-man.sh'), out, BIN]);
    assert.equal(r.code, 0, r.stderr);
    const tools = readdirSync(BIN).filter((t) => t.startsWith('sc-'));
    assert.equal(tools.length, 7, 'the six tools and sc-oci');
    assert.deepEqual(readdirSync(join(out, 'man1')).sort(), ['sc', ...tools].map((t) => `${t}.1`).sort());
    const verbsOf = (tool) => box.run(join(BIN, tool), ['--help']).stdout.split('\n\n').find((p) => p.startsWith('Verbs'))
      .split('\n').flatMap((l) => /^ {2}([a-z][a-z-]*) /.exec(l)?.[1] ?? []);
    const pages = [['sc', ['run', 'start', 'stop', 'rm', 'update', 'autostart', 'exec', 'logs', 'console', 'ps', 'stats', 'image']], ...tools.map((t) => [t, verbsOf(t)])];
    for (const [page, verbs] of pages) {
      const file = join(out, 'man1', `${page}.1`);
      const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', file], { encoding: 'utf8' });
      assert.equal(groff.stderr, '', `${page}.1: groff warns`);
      const man = spawnSync('man', ['--warnings', '-l', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: '' } });
      assert.equal(man.status, 0, man.stderr);
      assert.equal(man.stderr, '', `${page}.1: man warns`);
      assert.ok(verbs.length >= 2, `${page}: verbs ${verbs}`);
      for (const verb of verbs) {
        const named = page === 'sc' ? new RegExp(`^ +sc ${verb}\\b`, 'm') : new RegExp(`^ +${page} ${verb}$`, 'm');
        assert.match(man.stdout, named, `${page}.1 names ${verb}`);
      }
      assert.match(man.stdout, new RegExp(`^SEE ALSO`, 'm'));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('tools/sc/completion.bash: commands, names by state, images, flags; builtins only; shellcheck-clean', () => {
  const root = join(box.root, 'completion');
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const startTime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const state = (pid, start) => `{\n  "v": 1,\n  "process": {\n    "pid": ${pid},\n    "startTime": ${start}\n  }\n}\n`;
  for (const [name, text] of [['up1', state(process.pid, startTime)], ['down1', state(process.pid, startTime + 1)], ['new1', '{"v":1}']]) {
    mkdirSync(join(root, 'containers', name), { recursive: true });
    writeFileSync(join(root, 'containers', name, 'state.json'), text);
  }
  for (const image of ['busybox', 'tiny']) mkdirSync(join(root, 'images', image), { recursive: true });
  const config = join(box.root, 'completion.json5');
  writeFileSync(config, `{\n  // where sc keeps its data\n  root: "${root}",\n}\n`);

  // PATH is empty: a completion that ran any program but bash's builtins would find nothing.
  const complete = (words, env = { SC_ROOT: root }) => {
    const script = `source ${join(REPO, 'tools/sc/completion.bash')}; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sc; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('/bin/bash', ['--norc', '-c', script, 'bash', ...words], { encoding: 'utf8', env: { PATH: '', ...env } });
    assert.equal(r.stderr, '', words.join(' '));
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  assert.deepEqual(complete(['sc', '']), ['--help', '--version', 'autostart', 'console', 'exec', 'help', 'image', 'logs', 'ps', 'rm', 'run', 'start', 'stats', 'stop', 'update']);
  assert.deepEqual(complete(['sc', 's']), ['start', 'stats', 'stop']);
  assert.deepEqual(complete(['sc', 'exec', '']), ['up1']);
  assert.deepEqual(complete(['sc', 'stop', '']), ['up1']);
  assert.deepEqual(complete(['sc', 'start', '']), ['down1', 'new1']);
  assert.deepEqual(complete(['sc', 'rm', '']), ['down1', 'new1', 'up1']);
  assert.deepEqual(complete(['sc', 'rm', '-f', 'd']), ['down1']);
  assert.deepEqual(complete(['sc', 'update', '--']), ['--autostart', '--no-autostart']);
  assert.deepEqual(complete(['sc', 'update', '--no-autostart', 'u']), ['up1']);
  assert.deepEqual(complete(['sc', 'autostart', '']), []);
  assert.deepEqual(complete(['sc', 'run', '']), ['busybox', 'tiny']);
  assert.deepEqual(complete(['sc', 'run', '--name', 'x', '--memory', '64M', 't']), ['tiny']);
  assert.deepEqual(complete(['sc', 'run', '--net', '']), ['dhcp', 'none', 'static']);
  const flags = complete(['sc', 'run', '--']);
  for (const f of ['--name', '--hostname', '--memory', '--cpus', '--pids', '--net', '--parent', '--ip', '--boot']) assert.ok(flags.includes(f), f);
  assert.ok(flags.every((f) => f.startsWith('--')), flags.join(' '));
  assert.deepEqual(complete(['sc', 'image', '']), ['commit', 'export', 'import', 'ls', 'pull', 'push', 'rm', 'save']);
  assert.deepEqual(complete(['sc', 'image', 'pull', '--']), ['--name', '--tls-verify=false']);
  assert.deepEqual(complete(['sc', 'image', 'push', 't']), ['tiny']);
  assert.deepEqual(complete(['sc', 'image', 'rm', '']), ['busybox', 'tiny']);
  assert.deepEqual(complete(['sc', 'image', 'save', 't']), ['tiny']);
  assert.deepEqual(complete(['sc', 'image', 'save', '--']), ['--format']);
  assert.deepEqual(complete(['sc', 'image', 'save', 'tiny', '--format', '']), ['docker-archive', 'oci-archive']);
  assert.deepEqual(complete(['sc', 'image', 'export', '--']), []);
  assert.deepEqual(complete(['sc', 'image', 'commit', 'u']), ['up1']);
  assert.deepEqual(complete(['sc', 'ps', '-']), ['--all', '--json', '-a']);
  // No SC_ROOT: the root: line of SC_CONFIG.
  assert.deepEqual(complete(['sc', 'rm', ''], { SC_CONFIG: config }), ['down1', 'new1', 'up1']);

  const lint = box.run('shellcheck', [join(REPO, 'tools/sc/completion.bash'), join(REPO, 'scripts/make-man.sh')]);
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
});
