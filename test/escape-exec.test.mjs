// CVE-2019-5736 (runc's host-binary overwrite) tried against sc from inside a default container.
// The attacker (test/fixtures/overwrite-exe.c, built static here and piped into the container) replaces
// /bin/sh by "#!/proc/self/exe" and waits for a process whose exe is a host file; the next
// `sc exec NAME sh` makes the kernel run the host's libexec/sc-enter inside the container, where the
// attacker holds it with O_PATH and reopens it for writing through /proc/self/fd once nothing executes it
// any more. Had it worked, the `sc exec` after that would run the attacker's payload as host root.
// It also tries PID 1's exe (the host's sc-init) directly and through O_PATH.
//
// Never against the real build: the test assembles its own installation copy (scripts/assemble.sh
// --copy) and drives only that copy, so a successful attack corrupts only the copy. The payload only
// touches a marker file in the sandbox. Run as root after `npm run build`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeSandbox, importBusybox, leftovers, uniqueName, BIN, REPO } from './helpers.mjs';

const box = makeSandbox('escape');
const inst = mkdtempSync(join(tmpdir(), 'sc-e2e-escape-inst-'));
const SC = join(inst, 'bin', 'sc');
const libexec = join(inst, 'libexec');
// Every tool of the copy, and the helpers they start, come from the copy; never from out/.
box.env.PATH = `${join(inst, 'bin')}:${process.env.PATH}`;
box.env.SC_LIBEXEC = libexec;
box.sc = (...args) => box.run(SC, args);

const name = uniqueName('esc');
const attacker = join(box.root, 'overwrite-exe');
const marker = join(box.root, 'PWNED');
// What the attacker writes over any host binary it reaches: run by the host, it only leaves a marker.
const payload = `#!/bin/sh\ntouch ${marker}\n`;
const ATTEMPTS = 40;
const BUDGET_MS = 20_000;

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const helpers = ['sc-enter', 'sc-init'];
const before_ = {};
let watcher; // the `sc exec NAME /attack watch` started in the background
const findings = []; // the watcher's lines, as they arrive

// dev:ino of every file of the copy and of the real build: an attacker's write must reach none of them.
function installationFiles() {
  const ids = new Map();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const st = statSync(p);
        ids.set(`${st.dev}:${st.ino}`, p);
      }
    }
  };
  for (const part of ['bin', 'libexec']) {
    walk(join(inst, part));
    walk(join(BIN, '..', part));
  }
  return ids;
}
// The files an attacker's line says it opened for writing or overwrote, by dev:ino.
const writtenIds = (lines) => lines.filter((l) => /OVERWROTE|SUCCEEDED/.test(l))
  .map((l) => /dev=(\d+) ino=(\d+)/.exec(l)).filter(Boolean).map((m) => `${m[1]}:${m[2]}`);

before(() => {
  assert.notEqual(realpathSync(inst), realpathSync(join(BIN, '..')), 'the test drives a copy, never out/');
  const asm = spawnSync('bash', [join(REPO, 'scripts', 'assemble.sh'), inst, '--copy'], { encoding: 'utf8' });
  assert.equal(asm.status, 0, `assemble.sh (needs npm run build): ${asm.stderr}`);
  for (const h of helpers) before_[h] = sha256(join(libexec, h));
  const cc = spawnSync('cc', ['-static', '-O2', '-Wall', '-o', attacker, join(REPO, 'test', 'fixtures', 'overwrite-exe.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `cc -static overwrite-exe.c: ${cc.stderr}`);

  importBusybox(box);
  const run = box.sc('run', '--name', name, 'busybox');
  assert.equal(run.code, 0, `sc run: ${run.stderr}`);
  // The image has no compiler: the static attacker comes in on sc exec's stdin.
  const put = box.run(SC, ['exec', name, 'sh', '-c', 'cat > /attack && chmod 755 /attack'], { input: readFileSync(attacker), encoding: 'utf8' });
  assert.equal(put.code, 0, `copying the attacker in: ${put.stderr}`);
  assert.equal(box.sc('exec', name, 'sh', '-c', 'wc -c < /attack').stdout.trim(), String(statSync(attacker).size));
});

after(async () => {
  if (watcher) {
    if (watcher.exitCode === null && watcher.signalCode === null) try { process.kill(watcher.pid, 'SIGKILL'); } catch { /* gone */ }
    watcher.stdout.destroy();
    watcher.stderr.destroy();
  }
  await box.cleanup(); // sc rm -f through the copy; kills whatever is left, the attacker included
  rmSync(inst, { recursive: true, force: true });
  assert.deepEqual(leftovers(box), []);
});

test("PID 1's exe (the host's sc-init) cannot be opened for writing from inside", (t) => {
  const r = box.sc('exec', name, '/attack', 'pid1', payload);
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean);
  for (const l of lines) t.diagnostic(`attacker: ${l}`);
  assert.ok(lines.some((l) => l.startsWith('pid1: ')), `the attacker ran (exit ${r.code}): ${r.stderr}`);

  const files = installationFiles();
  for (const id of writtenIds(lines)) assert.ok(!files.has(id), `the attacker wrote to the host's ${files.get(id)}`);
  for (const h of helpers) assert.equal(sha256(join(libexec, h)), before_[h], `the host's libexec/${h} was changed from inside`);
  assert.ok(!existsSync(marker), 'the payload ran on the host');
});

test('CVE-2019-5736: `sc exec NAME sh` with /bin/sh = "#!/proc/self/exe" does not let the container overwrite the host\'s sc-enter', { timeout: 90_000 }, async (t) => {
  let seen = 0;
  const fresh = () => findings.slice(seen, (seen = findings.length));
  watcher = spawn(SC, ['exec', name, '/attack', 'watch', payload, '60'], { env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let partial = '';
  const take = (chunk) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop();
    findings.push(...parts.filter(Boolean));
  };
  watcher.stdout.setEncoding('utf8').on('data', take);
  watcher.stderr.setEncoding('utf8').on('data', take);
  for (let i = 0; i < 200 && !findings.includes('ready'); i++) await sleep(50);
  for (const l of fresh()) t.diagnostic(`attacker: ${l}`);
  assert.ok(findings.includes('ready'), `the attacker did not start: ${findings.join(' | ')}`);
  assert.ok(findings.some((l) => l.startsWith('replaced /bin/sh')), 'the attacker replaced /bin/sh');

  const terminal = (l) => /^OVERWROTE|write open failed|write failed|gave up/.test(l);
  const pending = () => findings.filter((l) => l.startsWith('opened exe')).length - findings.filter(terminal).length;
  const started = Date.now();
  let attempts = 0;
  while (attempts < ATTEMPTS && Date.now() - started < BUDGET_MS) {
    attempts++;
    const r = box.run(SC, ['exec', name, 'sh'], { input: '', timeout: 15_000 });
    // Let the attacker finish with what it caught: every exe it opened written or given up on.
    const done = Date.now();
    while (Date.now() - done < 60 || (pending() > 0 && Date.now() - done < 12_000)) await sleep(10);
    const got = fresh();
    t.diagnostic(`attempt ${attempts}: sc exec ${name} sh -> exit ${r.code ?? r.signal}${r.stderr ? `, stderr: ${r.stderr.split('\n')[0]}` : ''}` +
      (got.length ? `; attacker: ${got.join(' | ')}` : ''));
    if (sha256(join(libexec, 'sc-enter')) !== before_['sc-enter'] || got.some((l) => l.startsWith('OVERWROTE'))) break;
  }

  const after_ = Object.fromEntries(helpers.map((h) => [h, sha256(join(libexec, h))]));
  // The next `sc exec` on the host: with sc-enter overwritten it runs the attacker's payload as host root.
  const probe = box.sc('exec', name, 'hostname');
  const pwned = existsSync(marker);
  const overwrote = findings.filter((l) => l.startsWith('OVERWROTE'));
  t.diagnostic(`${attempts} attempts in ${Date.now() - started} ms; attacker opened the exe of ${findings.filter((l) => l.startsWith('opened exe')).length} process(es) running a file from outside the container, ` +
    `overwrote ${overwrote.length}; sc-enter sha256 ${before_['sc-enter'].slice(0, 16)} -> ${after_['sc-enter'].slice(0, 16)}; ` +
    `next sc exec ${name} hostname -> exit ${probe.code}, stdout ${JSON.stringify(probe.stdout)}; marker ${pwned ? 'CREATED on the host' : 'absent'}`);

  assert.equal(after_['sc-enter'], before_['sc-enter'], `the host's libexec/sc-enter was overwritten from inside the container: ${overwrote.join(' | ')}`);
  assert.equal(after_['sc-init'], before_['sc-init'], "the host's libexec/sc-init was overwritten from inside the container");
  assert.ok(!pwned, `the attacker's payload ran as root on the host (${marker} exists)`);
  const files = installationFiles();
  for (const id of writtenIds(findings)) assert.ok(!files.has(id), `the attacker wrote to the host's ${files.get(id)}`);
  assert.equal(probe.code, 0, `sc exec ${name} hostname after the attempts: ${probe.stderr}`);
  assert.equal(probe.stdout.trim(), name);
  const ok = box.sc('exec', name, 'true');
  assert.equal(ok.code, 0, `sc exec ${name} true: ${ok.stderr}`);
});
