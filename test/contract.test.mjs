// Every tool keeps the contract at its edges: garbage on stdin → 3, bad flags → 2, --help, --version.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox } from './helpers.mjs';

const box = makeSandbox('contract');
after(() => box.cleanup());

const STREAM_VERBS = {
  'sc-ps': ['save', 'rm'],
  'sc-image': ['resolve'],
  'sc-rootfs': ['mount', 'umount', 'destroy'],
  'sc-cgroup': ['create', 'delete', 'stats'],
  'sc-spawn': ['start', 'stop'],
  'sc-net': ['attach', 'detach'],
};

for (const [tool, verbs] of Object.entries(STREAM_VERBS)) {
  test(`${tool}: garbage, wrong version, bad names on stdin → exit 3 with a line; nothing written`, () => {
    for (const verb of verbs) {
      for (const input of ['garbage\n', '{"v":2,"name":"x","spec":{}}\n', '{"v":1,"name":"../x","spec":{}}\n', '[1,2]\n']) {
        const r = box.tool(tool, [verb], input);
        assert.equal(r.code, 3, `${tool} ${verb} <<< ${input}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^${tool}: .+`), r.stderr);
        assert.equal(r.stdout, '');
      }
    }
    assert.equal(existsSync(box.data) ? readdirSync(box.data).length : 0, 0);
  });

  test(`${tool}: bad flags and unknown verbs → exit 2; --help and --version work`, () => {
    assert.equal(box.tool(tool, [verbs[0], '--no-such-flag']).code, 2);
    assert.equal(box.tool(tool, ['no-such-verb']).code, 2);
    const help = box.tool(tool, ['--help']);
    assert.equal(help.code, 0);
    for (const verb of verbs) assert.match(help.stdout, new RegExp(`^  ${verb}\\b`, 'm'));
    assert.match(help.stdout, /Exit codes/);
    assert.match(box.tool(tool, ['--version']).stdout, new RegExp(`^${tool} \\d+\\.\\d+\\.\\d+`));
  });
}

test('a document carrying an error passes a forward verb untouched and makes the tool exit 1', () => {
  const doc = { v: 1, name: 'x1', spec: {}, error: { tool: 'sc-image', code: 'ENOENT', message: 'no image' } };
  const r = box.tool('sc-rootfs', ['mount'], JSON.stringify(doc) + '\n');
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout), doc);
  assert.equal(r.stderr, '', 'only the tool that failed speaks');
});

test('a forward verb given a document without what it needs → exit 3 naming the field', () => {
  const r = box.tool('sc-rootfs', ['mount'], '{"v":1,"name":"x2","spec":{}}\n');
  assert.equal(r.code, 3);
  assert.match(r.stderr, /image\.layers/);
});

test('every forward verb names the field it misses: exit 3, nothing written', () => {
  const bare = '{"v":1,"name":"x3","spec":{}}\n';
  const cases = [
    ['sc-image', 'resolve', /spec\.image/],
    ['sc-rootfs', 'mount', /image\.layers/],
    ['sc-spawn', 'start', /rootfs\.merged/],
    ['sc-net', 'attach', /process\.pid/],
  ];
  for (const [tool, verb, field] of cases) {
    const r = box.tool(tool, [verb], bare);
    assert.equal(r.code, 3, `${tool} ${verb}: ${r.stderr}`);
    assert.match(r.stderr, field, `${tool} ${verb}`);
    assert.equal(r.stdout, '');
  }
  assert.equal(existsSync(box.data) ? readdirSync(box.data).filter((d) => d !== 'locks').length : 0, 0);
});

test('names with /, .., spaces or over 63 characters are refused by the tools that take names', () => {
  for (const bad of ['a/b', '..', 'a b', 'x'.repeat(64)]) {
    for (const args of [['sc-ps', ['create', bad, '--image', 'busybox']], ['sc-ps', ['get', bad]], ['sc-image', ['rm', bad]], ['sc-image', ['import', '-', '--name', bad]]]) {
      const r = box.tool(args[0], args[1], '');
      assert.equal(r.code, 2, `${args[0]} ${args[1].join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  }
  assert.equal(existsSync(join(box.data, 'containers')) ? readdirSync(join(box.data, 'containers')).length : 0, 0);
});
