// Shared by the image tests: shell steps, and a listing of a directory tree that two trees can be
// compared with, entry by entry (mode, owner, size, device, links, mtime to the ns, symlink, xattrs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function sh(script, env = process.env) {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', env, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `${script}\n${r.stderr}`);
  return r.stdout;
}

/** One line per entry under dir (dir itself is "."), sorted by path. */
export function describeTree(dir) {
  return sh(`python3 - '${dir}' <<'EOF'
import os, sys
root = sys.argv[1]
def line(p):
    s = os.lstat(p)
    link = os.readlink(p) if os.path.islink(p) else ''
    xattrs = sorted((k, os.getxattr(p, k, follow_symlinks=False).hex()) for k in os.listxattr(p, follow_symlinks=False))
    size = s.st_size if not os.path.isdir(p) else '-'
    return ' '.join(map(str, [os.path.relpath(p, root), oct(s.st_mode), s.st_uid, s.st_gid, size, s.st_rdev, s.st_nlink, s.st_mtime_ns, link, xattrs]))
out = [line(root)]
for d, dirs, names in os.walk(root):
    out += [line(os.path.join(d, n)) for n in dirs + names]
print('\\n'.join(sorted(out)))
EOF`);
}

/** The lines of two listings that differ, for a readable assertion message. */
export function treeDiff(a, b) {
  const as = new Set(a.split('\n'));
  const bs = new Set(b.split('\n'));
  return [...a.split('\n').filter((l) => !bs.has(l)).map((l) => `- ${l}`), ...b.split('\n').filter((l) => !as.has(l)).map((l) => `+ ${l}`)].slice(0, 20).join('\n');
}
