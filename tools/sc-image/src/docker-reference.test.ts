import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atDigest, parseReference, repositoryName, type DockerReference } from './docker-reference.js';

const D = `sha256:${'ab'.repeat(32)}`;
const parsed = (text: string) => parseReference(text) as DockerReference;

test('a registry reference: host, repository, tag or digest; docker:// may be left out', () => {
  assert.deepEqual(parseReference('docker://127.0.0.1:5000/team/web:2'), { text: 'docker://127.0.0.1:5000/team/web:2', host: '127.0.0.1:5000', repository: 'team/web', tag: '2' });
  assert.deepEqual(parseReference(`registry.example.com/web@${D}`), { text: `docker://registry.example.com/web@${D}`, host: 'registry.example.com', repository: 'web', digest: D });
  assert.deepEqual(parseReference('busybox'), { text: 'docker://busybox', host: 'docker.io', repository: 'library/busybox' });
  assert.deepEqual(parseReference('localhost/a/b:v1.2_x'), { text: 'docker://localhost/a/b:v1.2_x', host: 'localhost', repository: 'a/b', tag: 'v1.2_x' });
  assert.equal(parsed('team/web').host, 'docker.io', 'a first part without a dot or a port is a namespace');
  assert.equal(parsed(`h:5000/w:t@${D}`).tag, 't');
});

test('what is no registry reference is named', () => {
  assert.match(parseReference('oci:/srv/web') as string, /names no registry \(oci: is skopeo's name for files/);
  assert.match(parseReference('docker-archive:/x.tar') as string, /sc image import/);
  assert.match(parseReference('docker://h/Web:1') as string, /"Web" cannot be part of a repository name/);
  assert.match(parseReference('docker://h/web:-x') as string, /"-x" is not a tag/);
  assert.match(parseReference('docker://h/web@sha256:12') as string, /"sha256:12" is not a digest/);
  assert.match(parseReference('docker://bad_host:5000/web') as string, /"bad_host:5000" is not a registry host/);
  assert.match(parseReference('docker://h//web') as string, /"" cannot be part/);
});

test("the default name is the repository's last part; a digest pins the same repository", () => {
  assert.equal(repositoryName(parsed('docker://127.0.0.1:5000/team/web:2')), 'web');
  assert.equal(repositoryName(parsed('busybox:1.36')), 'busybox');
  assert.equal(atDigest(parsed('127.0.0.1:5000/team/web:2'), D), `docker://127.0.0.1:5000/team/web@${D}`);
  assert.equal(atDigest(parsed('busybox'), D), `docker://docker.io/library/busybox@${D}`);
});
