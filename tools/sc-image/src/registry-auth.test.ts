import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authFileProblem, authFiles, credentialsFile } from './registry-auth.js';

test("the files skopeo reads credentials from, in its order", () => {
  assert.deepEqual(authFiles({ HOME: '/h', XDG_RUNTIME_DIR: '/run/user/7' }), ['/run/user/7/containers/auth.json', '/h/.config/containers/auth.json', '/h/.docker/config.json']);
  assert.deepEqual(authFiles({ HOME: '/h', REGISTRY_AUTH_FILE: '/a.json', XDG_CONFIG_HOME: '/c', DOCKER_CONFIG: '/d' }), ['/a.json', '/c/containers/auth.json', '/d/config.json']);
});

test('which file holds credentials for a registry; a REGISTRY_AUTH_FILE that is not there is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-auth-'));
  try {
    const [a, b, c] = ['a.json', 'b.json', 'c.json'].map((f) => join(dir, f)) as [string, string, string];
    writeFileSync(a, '{"auths":{"other:5000":{"auth":"eDp5"}}}');
    writeFileSync(b, '{');
    writeFileSync(c, '{"auths":{"https://index.docker.io/v1/":{},"h:5000/team":{"auth":"eDp5"}}}');
    assert.equal(credentialsFile('h:5000', [a, b, c]), c);
    assert.equal(credentialsFile('docker.io', [a, b, c]), c);
    assert.equal(credentialsFile('nowhere', [a, b, c, join(dir, 'none.json')]), undefined);
    assert.equal(authFileProblem({ REGISTRY_AUTH_FILE: a }), undefined);
    assert.equal(authFileProblem({ REGISTRY_AUTH_FILE: join(dir, 'none.json') }), `REGISTRY_AUTH_FILE names ${join(dir, 'none.json')}, which does not exist`);
    assert.match(authFileProblem({ REGISTRY_AUTH_FILE: dir }) ?? '', /which is not a file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
