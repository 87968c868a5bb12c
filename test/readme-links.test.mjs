// Every relative link in README.md and docs/*.md (and the other pages of the repository) reaches a
// file or directory of the repository, and an anchor (#…) a heading of its target. No root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO } from './helpers.mjs';

const SKIPPED_DIRS = new Set(['.git', '.nx', 'node_modules', 'dist', 'out', 'build']);

/** The repository's Markdown pages, as paths relative to it. */
function pages(dir = REPO) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : pages(join(dir, e.name));
    return e.name.endsWith('.md') ? [relative(REPO, join(dir, e.name))] : [];
  });
}

/** The page without its fenced code blocks; inline code dropped, or (for headings) kept as its text. */
function prose(text, { keepCode = false } = {}) {
  let fence;
  const lines = text.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence ? undefined : marker;
      return '';
    }
    return fence ? '' : line;
  });
  return lines.join('\n').replace(/(`+)([\s\S]*?)\1/g, keepCode ? '$2' : '');
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces as hyphens; repeats get -1, -2, … */
function anchors(text) {
  const seen = new Map();
  const found = new Set();
  for (const line of prose(text, { keepCode: true }).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const plain = m[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_]{1,2}(\S[^*_]*)[*_]{1,2}/g, '$1');
    const slug = plain.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    found.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return found;
}

/** The relative links of a page: inline [text](target "title") and images, and reference definitions. */
function links(text) {
  const body = prose(text); // brackets in code are no links
  const inline = [...body.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const defined = [...body.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]);
  return [...inline, ...defined].filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

const all = pages();

test('README.md and docs/design.md exist and are among the pages checked', () => {
  assert.ok(all.includes('README.md'), all.join(' '));
  assert.ok(all.includes(join('docs', 'design.md')), all.join(' '));
});

for (const page of all) {
  test(`${page}: every relative link reaches a file of the repository, and every anchor a heading`, () => {
    const text = readFileSync(join(REPO, page), 'utf8');
    const targets = links(text);
    if (page === 'README.md') assert.ok(targets.some((t) => t.startsWith('docs/design.md')), 'README.md links to docs/design.md');
    const problems = [];
    for (const target of targets) {
      const [pathPart, anchor] = target.split('#', 2);
      const file = pathPart === '' ? join(REPO, page) : resolve(REPO, dirname(page), decodeURIComponent(pathPart));
      const inside = relative(REPO, file);
      if (inside.startsWith('..') || resolve(REPO, inside) !== file) {
        problems.push(`${target}: outside the repository`);
        continue;
      }
      if (!existsSync(file)) {
        problems.push(`${target}: no such file or directory`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!statSync(file).isFile() || !file.endsWith('.md')) {
        problems.push(`${target}: an anchor into ${inside}, which is not a Markdown page`);
        continue;
      }
      if (!anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor)))
        problems.push(`${target}: ${inside} has no heading with anchor #${anchor}`);
    }
    assert.deepEqual(problems, [], `${page}:\n  ${problems.join('\n  ')}`);
  });
}

test('the checks themselves: anchors as GitHub makes them, links outside code', () => {
  const page = '# sc — design\n## Runtime choices, and the measurements behind them\n## `sc` front end\n## A: b\n## A: b\n' +
    '```sh\n# not a heading [x](nowhere.md)\n```\nSee [here](a.md#x "t"), `[code](no.md)`, ![img](i.png) and [web](https://x.org).\n[ref]: ./b.md\n';
  assert.deepEqual([...anchors(page)], ['sc--design', 'runtime-choices-and-the-measurements-behind-them', 'sc-front-end', 'a-b', 'a-b-1']);
  assert.deepEqual(links(page), ['a.md#x', 'i.png', './b.md']);
});
