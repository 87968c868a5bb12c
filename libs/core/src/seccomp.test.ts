import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSeccomp, DEFAULT_CAP_NAMES, parseSeccompProfile } from './seccomp.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default.js';
import { UsageError } from './errors.js';

const X64 = { arch: 'x64', kernel: '6.18.44-fc' };
const lines = (text: string): string[] => text.split('\n');
/** The rule lines of compiled rules text that name `syscall`. */
const rulesFor = (text: string, syscall: string): string[] => lines(text).filter((l) => l.split(' ')[1] === syscall && !l.startsWith('arch '));
const CLONE_NS_MASK = 0x7e020000; // CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET

test('default profile, Docker\'s default caps on x64: EPERM by default, clone without namespaces, clone3 ENOSYS', () => {
  const text = compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: DEFAULT_CAP_NAMES, ...X64 });
  const l = lines(text);
  assert.equal(l[0], '# sc seccomp rules v1 (from: default)');
  assert.equal(l[1], 'default errno:1');
  assert.deepEqual(l.slice(2, 5), ['arch x86_64', 'arch x86', 'arch x32']);
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
  for (const allowed of ['read', 'write', 'execve', 'arch_prctl', 'chroot', 'ptrace', 'socketcall'])
    assert.deepEqual(rulesFor(text, allowed), [`allow ${allowed}`], allowed);
  for (const refused of ['keyctl', 'add_key', 'request_key', 'bpf', 'open_by_handle_at', 'mount', 'umount2', 'unshare',
    'setns', 'reboot', 'kexec_load', 'init_module', 'userfaultfd', 'io_uring_setup', 'syslog', 'perf_event_open', 'kcmp'])
    assert.deepEqual(rulesFor(text, refused), [], refused);
  assert.deepEqual(rulesFor(text, 'clone'), [`allow clone 0:masked_eq:${CLONE_NS_MASK}:0`]);
  assert.deepEqual(rulesFor(text, 'clone3'), ['errno:38 clone3']);
  assert.deepEqual(rulesFor(text, 'personality'),
    ['allow personality 0:eq:0', 'allow personality 0:eq:8', 'allow personality 0:eq:131072', 'allow personality 0:eq:131080', 'allow personality 0:eq:4294967295']);
  assert.deepEqual(rulesFor(text, 'socket'), ['allow socket 0:lt:38', 'allow socket 0:eq:39', 'allow socket 0:gt:40']);
  assert.ok(l.every((line) => line.startsWith('#') || line === '' || /^(default|arch|allow|errno:\d+) /.test(line)), 'only known directives');
  assert.equal(new Set(l).size, l.length, 'no line twice');
  assert.equal(compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: DEFAULT_CAP_NAMES, ...X64 }), text, 'deterministic');
});

test('default profile with CAP_SYS_ADMIN: mount, unshare, setns, bpf allowed; clone and clone3 unrestricted', () => {
  const text = compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: [...DEFAULT_CAP_NAMES, 'CAP_SYS_ADMIN'], ...X64 });
  for (const allowed of ['mount', 'umount2', 'unshare', 'setns', 'bpf', 'perf_event_open', 'sethostname', 'clone', 'clone3'])
    assert.deepEqual(rulesFor(text, allowed), [`allow ${allowed}`], allowed);
  for (const refused of ['keyctl', 'reboot', 'init_module', 'open_by_handle_at']) assert.deepEqual(rulesFor(text, refused), [], refused);
});

test('default profile: other capabilities, architectures and the 4.8 kernel gate', () => {
  const withCaps = (...caps: string[]) => compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: [...DEFAULT_CAP_NAMES, ...caps], ...X64 });
  assert.deepEqual(rulesFor(withCaps('CAP_SYS_BOOT'), 'reboot'), ['allow reboot']);
  assert.deepEqual(rulesFor(withCaps('CAP_SYS_MODULE'), 'init_module'), ['allow init_module']);
  assert.deepEqual(rulesFor(withCaps('CAP_BPF'), 'bpf'), ['allow bpf']);
  assert.deepEqual(rulesFor(withCaps('CAP_DAC_READ_SEARCH'), 'open_by_handle_at'), ['allow open_by_handle_at']);
  assert.deepEqual(rulesFor(withCaps('CAP_SYS_PTRACE'), 'ptrace'), ['allow ptrace'], 'an identical rule once');
  assert.deepEqual(rulesFor(compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: DEFAULT_CAP_NAMES.filter((c) => c !== 'CAP_SYS_CHROOT'), ...X64 }), 'chroot'), []);

  const old = compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: DEFAULT_CAP_NAMES, arch: 'x64', kernel: '4.4.0-210-generic' });
  assert.deepEqual(rulesFor(old, 'ptrace'), [], 'ptrace could escape seccomp before 4.8');
  assert.deepEqual(rulesFor(compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: DEFAULT_CAP_NAMES, arch: 'x64', kernel: '4.8' }), 'ptrace'), ['allow ptrace']);

  const arm = compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: DEFAULT_CAP_NAMES, arch: 'arm64', kernel: '6.1.0' });
  assert.deepEqual(lines(arm).filter((l) => l.startsWith('arch ')), ['arch aarch64', 'arch arm']);
  assert.deepEqual(rulesFor(arm, 'arch_prctl'), []);
  assert.deepEqual(rulesFor(arm, 'cacheflush'), ['allow cacheflush']);
  const s390 = compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: DEFAULT_CAP_NAMES, arch: 's390x', kernel: '6.1.0' });
  assert.deepEqual(rulesFor(s390, 'clone'), [`allow clone 1:masked_eq:${CLONE_NS_MASK}:0`], 's390 passes flags second');
  assert.throws(() => compileSeccomp(DEFAULT_SECCOMP_PROFILE, { caps: [], arch: 'sparc', kernel: '6.1' }), /sparc/);
});

test('the default profile is a profile its own parser accepts, unchanged', () => {
  const parsed = parseSeccompProfile(JSON.stringify(DEFAULT_SECCOMP_PROFILE), 'default.json');
  const opts = { caps: DEFAULT_CAP_NAMES, ...X64 };
  assert.equal(compileSeccomp(parsed, opts), compileSeccomp(DEFAULT_SECCOMP_PROFILE, opts));
});

test('args: a repeated index splits into ORed lines (runc), distinct indexes stay ANDed on one line', () => {
  const profile = parseSeccompProfile(JSON.stringify({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }, { index: 1, value: 19, op: 'SCMP_CMP_EQ' }] },
      { names: ['socket'], action: 'SCMP_ACT_KILL_PROCESS', args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_NE' }] },
      { names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0xffff, valueTwo: 0x5401, op: 'SCMP_CMP_MASKED_EQ' }, { index: 1, value: 3, op: 'SCMP_CMP_GT' }, { index: 0, value: 2, op: 'SCMP_CMP_LE' }] },
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
      { name: 'uname', action: 'SCMP_ACT_LOG', includes: { caps: ['CAP_A', 'CAP_B'] } },
      { names: ['umask'], action: 'SCMP_ACT_TRAP', excludes: { caps: ['CAP_A', 'CAP_C'] } },
    ],
  }), 'small.json');
  const text = compileSeccomp(profile, { caps: ['CAP_A'], arch: 'x64', kernel: '6.1', source: 'small.json' });
  assert.deepEqual(lines(text), [
    '# sc seccomp rules v1 (from: small.json)',
    'default allow',
    'arch x86_64',
    'errno:13 kill 1:eq:9',
    'errno:13 kill 1:eq:19',
    'kill_process socket 0:eq:16 2:ne:9',
    'errno:1 ioctl 1:masked_eq:65535:21505',
    'errno:1 ioctl 1:gt:3',
    'errno:1 ioctl 0:le:2',
    '',
  ]);
  const both = compileSeccomp(profile, { caps: ['CAP_B', 'CAP_A'], arch: 'x64', kernel: '6.1' });
  assert.deepEqual(rulesFor(both, 'uname'), ['log uname'], 'includes.caps needs every cap');
  assert.deepEqual(rulesFor(compileSeccomp(profile, { caps: [], arch: 'x64', kernel: '6.1' }), 'umask'), ['trap umask']);
});

test('Podman\'s errno names and architectures lists are honoured', () => {
  const profile = parseSeccompProfile(JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO', defaultErrno: 'ENOSYS', architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [], comment: '', includes: {}, excludes: {} },
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, errno: 'EINVAL' }],
  }), 'podman.json');
  assert.deepEqual(lines(compileSeccomp(profile, { caps: [], arch: 'x64', kernel: '6.1' })).slice(1),
    ['default errno:38', 'arch x86_64', 'arch x86', 'allow read', 'errno:22 socket', '']);
});

test('parse errors: one UsageError line that names the file and the field', () => {
  const refused: Array<[string, RegExp]> = [
    ['{"defaultAction": ', /^seccomp profile \/p\.json: is not JSON/],
    ['[]', /the profile must be a JSON object/],
    ['{"syscalls": []}', /\/p\.json: defaultAction is missing/],
    ['{"defaultAction": "SCMP_ACT_FOO"}', /defaultAction "SCMP_ACT_FOO" is not an action sc supports \(SCMP_ACT_ALLOW, SCMP_ACT_ERRNO/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"names": ["x"], "action": "SCMP_ACT_FOO"}]}',
      /\/p\.json: syscalls\[1\]\.action "SCMP_ACT_FOO" is not an action sc supports/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}', /syscalls\[0\]\.names must be an array/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", 7], "action": "SCMP_ACT_ALLOW"}]}', /syscalls\[0\]\.names\[1\] 7 is not a valid name/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["rea d"], "action": "SCMP_ACT_ALLOW"}]}', /syscalls\[0\]\.names\[0\] "rea d"/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}]}',
      /syscalls\[0\]\.args\[0\]\.op "SCMP_CMP_XX" is not an operator sc supports/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}',
      /syscalls\[0\]\.args\[0\]\.index 6 is not a whole number from 0 to 5/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]}]}',
      /syscalls\[0\]\.args\[0\]\.value .* is not a whole number/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOTIFY"}]}', /syscalls\[0\]\.action SCMP_ACT_NOTIFY needs a seccomp agent/],
    ['{"defaultAction": "SCMP_ACT_TRACE"}', /defaultAction SCMP_ACT_TRACE needs a ptrace tracer/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/agent.sock"}', /listenerPath cannot be honoured/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG"]}', /flags \["SECCOMP_FILTER_FLAG_LOG"\] cannot be honoured/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}', /defaultErrnoRet 70000 is not a whole number from 0 to 4095/],
    ['{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}', /defaultErrnoRet is only for SCMP_ACT_ERRNO/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "EWHAT"}', /defaultErrno "EWHAT" is not an errno name/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscall": []}', /\/p\.json: syscall is not a field sc knows/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_VAX"]}', /architectures\[0\] "SCMP_ARCH_VAX" is not an architecture/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"], "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []}]}',
      /architectures and archMap are both given/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4"}}]}',
      /syscalls\[0\]\.includes\.minKernel "4" is not a kernel version/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "valueTwo": 2, "op": "SCMP_CMP_EQ"}]}]}',
      /syscalls\[0\]\.args\[0\]\.valueTwo is only used by SCMP_CMP_MASKED_EQ/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]}', /syscalls\[0\] has both name and names/],
    ['{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_X"], "kernel": "5"}}]}',
      /syscalls\[0\]\.includes\.kernel is not a field sc knows/],
  ];
  for (const [text, message] of refused) {
    assert.throws(() => parseSeccompProfile(text, '/p.json'), (err: unknown) => {
      assert.ok(err instanceof UsageError, text);
      assert.match(err.message, message, text);
      assert.match(err.message, /^seccomp profile \/p\.json: /, text);
      assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
      return true;
    });
  }
});
