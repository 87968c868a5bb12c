import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fatalMessage, skopeoCause } from './skopeo.js';

const fatal = (msg: string) => `time="2026-12-03T10:22:56Z" level=fatal msg=${JSON.stringify(msg)}\n`;
const about = { reference: 'docker://127.0.0.1:5000/web:1', host: '127.0.0.1:5000' };
const cause = (msg: string, credentials?: string, digest?: string) => skopeoCause(fatal(msg), { ...about, ...(digest ? { digest } : {}) }, () => credentials);

test("skopeo's fatal line, unquoted; else the line of its stderr that says why", () => {
  assert.equal(fatalMessage(fatal('a "b"\n\t* c')), 'a "b"\n\t* c');
  assert.equal(fatalMessage('mount: /var/lib: permission denied.\n'), 'mount: /var/lib: permission denied.');
});

test('the failures a user can act on, each by name', () => {
  assert.deepEqual(cause('initializing source docker://127.0.0.1:5000/web:1: reading manifest 1 in 127.0.0.1:5000/web: manifest unknown: manifest unknown'),
    { code: 'ENOENT', cause: 'the registry has no such tag or repository (manifest unknown)' });
  assert.match(cause('reading manifest sha256:00 in h/web: manifest unknown', undefined, 'sha256:00').cause, /no such digest/);
  assert.deepEqual(cause('pinging container registry 127.0.0.1:5000: Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused'),
    { code: 'ECONNREFUSED', cause: 'cannot reach the registry 127.0.0.1:5000: connection refused' });
  assert.equal(cause('Get "https://nosuch.invalid/v2/": dial tcp: lookup nosuch.invalid: no such host').code, 'ENOTFOUND');
  assert.match(cause('Get "https://127.0.0.1:5000/v2/": http: server gave HTTP response to HTTPS client').cause, /plain HTTP, not HTTPS: .*--tls-verify=false/);
  assert.match(cause('Get "https://h/v2/": x509: certificate signed by unknown authority').cause, /TLS certificate cannot be verified \(x509: certificate signed by unknown authority\)/);
  assert.deepEqual(cause('writing blob: happened during read: Digest did not match, expected sha256:aa, got sha256:bb'),
    { code: 'EREFUSED', cause: 'blob sha256:aa is corrupted or was altered: what the registry sent is sha256:bb' });
  assert.match(cause('reading blob sha256:aa: Error fetching blob: invalid status code from registry 404 (Not Found)').cause, /lost blob sha256:aa/);
});

test('a refusal names whose credentials were refused, or that there were none', () => {
  const msg = 'reading manifest 1 in 127.0.0.1:5000/web: unauthorized: authentication required';
  assert.deepEqual(cause(msg, '/run/containers/0/auth.json'),
    { code: 'EACCES', cause: 'the registry refused the credentials for 127.0.0.1:5000 in /run/containers/0/auth.json (unauthorized: authentication required)' });
  assert.match(cause(msg).cause, /asks for credentials and none for 127\.0\.0\.1:5000 were found .*skopeo login 127\.0\.0\.1:5000/);
  assert.equal(cause('trying to reuse blob: requested access to the resource is denied').code, 'EACCES');
});

test("anything else is skopeo's words, without the reference it repeats, on one line", () => {
  assert.deepEqual(cause('initializing source docker://127.0.0.1:5000/web:1: getting username and password: 1 error occurred:\n\t* reading JSON file "a.json": unexpected end of JSON input\n\n'),
    { code: 'EEXEC', cause: 'getting username and password: 1 error occurred: reading JSON file "a.json": unexpected end of JSON input' });
});
