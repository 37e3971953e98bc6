import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '@myco-gates/testkit/temp-repo';
import { LINE_HIT, LINE_MISSED, LINE_NONE, type FileCoverage } from '../model.js';
import { changedLinesFromGit, computePatchCoverage, parseUnifiedDiff, type ChangedLines } from './patch.js';

describe('parseUnifiedDiff', () => {
  it.each([
    ['added lines', '+++ b/a.ts\n@@ -1,0 +2,3 @@\n+x\n+y\n+z\n', { 'a.ts': [2, 3, 4] }],
    ['single-line hunk without count', '+++ b/a.ts\n@@ -5 +5 @@\n-x\n+y\n', { 'a.ts': [5] }],
    ['pure deletion adds nothing', '+++ b/a.ts\n@@ -3,2 +2,0 @@\n-x\n-y\n', { 'a.ts': [] }],
    ['deleted file is skipped', '--- a/gone.ts\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n', {}],
    [
      'two files, several hunks',
      'diff --git a/a b/a\n+++ b/a\n@@ -1 +1,2 @@ fn\n+1\n+2\n@@ -9,0 +10 @@\n+3\ndiff --git a/b b/b\n+++ b/b\n@@ -0,0 +1 @@\n+x\n',
      { a: [1, 2, 10], b: [1] },
    ],
    ['quoted unicode path', '+++ "b/caf\\303\\251 \\"x\\".ts"\n@@ -0,0 +1 @@\n+x\n', { 'café "x".ts': [1] }],
  ])('%s', (_name, diff, want) => {
    const parsed = parseUnifiedDiff(diff);
    expect(Object.fromEntries([...parsed.files].map(([f, s]) => [f, [...s].sort((a, b) => a - b)]))).toEqual(want);
  });

  it('records renames', () => {
    const diff =
      'diff --git a/old.ts b/new.ts\nsimilarity index 90%\nrename from old.ts\nrename to new.ts\n--- a/old.ts\n+++ b/new.ts\n@@ -2 +2 @@\n-a\n+b\n';
    const parsed = parseUnifiedDiff(diff);
    expect(parsed.renames.get('new.ts')).toBe('old.ts');
    expect([...(parsed.files.get('new.ts') ?? [])]).toEqual([2]);
  });
});

describe('changedLinesFromGit against a real repository', () => {
  let temp: TempRepo;
  let repo: string;
  let baseSha: string;
  const git = (...args: string[]) => temp.git(...args);
  const write = (path: string, content: string) => temp.write(path, content);
  const numbered = (n: number, prefix = 'line') =>
    Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n') + '\n';

  beforeAll(() => {
    temp = tempRepo({}, { git: true, prefix: 'cov-git-' });
    repo = temp.root;
    write('src/app.ts', numbered(10));
    write('src/old-name.ts', numbered(30, 'stable content that git can follow across a rename'));
    write('src/removed.ts', numbered(3));
    write('pkg/sub/lib.ts', numbered(5));
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    baseSha = git('rev-parse', 'HEAD');
    git('checkout', '-q', '-b', 'feature');
    // Change lines 3 and 4, add two lines at the end.
    write('src/app.ts', numbered(10).replace('line 3\nline 4\n', 'changed 3\nchanged 4\n') + 'new 11\nnew 12\n');
    // Rename with one changed line (line 30).
    unlinkSync(join(repo, 'src/old-name.ts'));
    write('src/new-name.ts', numbered(29, 'stable content that git can follow across a rename') + 'edited\n');
    unlinkSync(join(repo, 'src/removed.ts'));
    write('src/added.ts', 'a\nb\n');
    write('pkg/sub/lib.ts', numbered(5).replace('line 5', 'five'));
    git('add', '-A');
    git('commit', '-q', '-m', 'feature');
    // The base branch moves on after the fork point; its change must not count as the PR's.
    git('checkout', '-q', 'main');
    write('src/app.ts', 'main-only change\n' + numbered(10));
    git('commit', '-q', '-am', 'main moves');
    baseSha = git('rev-parse', 'HEAD');
    git('checkout', '-q', 'feature');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('diffs against the merge base, with renames and relative to the working directory', async () => {
    const changed = await changedLinesFromGit({ cwd: repo, baseSha });
    const asObject = Object.fromEntries([...changed.files].map(([f, s]) => [f, [...s].sort((a, b) => a - b)]));
    expect(asObject).toEqual({
      'src/app.ts': [3, 4, 11, 12],
      'src/new-name.ts': [30],
      'src/added.ts': [1, 2],
      'pkg/sub/lib.ts': [5],
    });
    expect(changed.renames.get('src/new-name.ts')).toBe('src/old-name.ts');
    expect(changed.mergeBase).toBe(git('merge-base', 'main', 'feature'));

    const sub = await changedLinesFromGit({ cwd: join(repo, 'pkg'), baseSha });
    expect([...sub.files.keys()]).toEqual(['sub/lib.ts']);
  });

  it('numbers lines as in the checked-out merge commit (actions/checkout default for pull_request)', async () => {
    // Like refs/pull/N/merge: the base tip with the PR merged in; main's extra first line shifts the PR's lines by one.
    git('checkout', '-q', '--detach', baseSha);
    git('merge', '-q', '--no-edit', '--no-ff', 'feature');
    try {
      const changed = await changedLinesFromGit({ cwd: repo, baseSha });
      expect([...(changed.files.get('src/app.ts') ?? [])].sort((a, b) => a - b)).toEqual([4, 5, 12, 13]);
      expect(changed.mergeBase).toBe(baseSha);
    } finally {
      git('checkout', '-q', 'feature');
    }
  });

  it.each([['0123456789abcdef0123456789abcdef01234567', 'base commit 0123456789ab: is not in the clone']])(
    'explains a base commit missing from a shallow clone',
    async (sha, message) => {
      const error = await changedLinesFromGit({ cwd: repo, baseSha: sha }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(String(error)).toContain(message);
      expect(String(error)).toContain('`fetch-depth: 0`');
    },
  );

  it('explains a folder that is not a git working tree', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'cov-nogit-'));
    try {
      await expect(changedLinesFromGit({ cwd: plain, baseSha })).rejects.toThrow('is not a git working tree');
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});

function fileCoverage(path: string, statuses: string): FileCoverage {
  // One character per line starting at line 1: '.' not executable, 'x' missed, '+' hit.
  const lines = new Uint8Array(statuses.length + 1);
  [...statuses].forEach((c, i) => (lines[i + 1] = c === '+' ? LINE_HIT : c === 'x' ? LINE_MISSED : LINE_NONE));
  return { path, lines, branches: null, functions: null, statements: null };
}

describe('computePatchCoverage', () => {
  const files = new Map([
    ['a.ts', fileCoverage('a.ts', '++xx.x+xx')],
    ['b.ts', fileCoverage('b.ts', '...')],
  ]);
  const changed = (entries: Record<string, number[]>): ChangedLines => ({
    files: new Map(Object.entries(entries).map(([f, l]) => [f, new Set(l)])),
    renames: new Map(),
  });

  it.each([
    [
      'mixed hits and misses, ranges bridge non-executable lines',
      { 'a.ts': [1, 3, 4, 5, 6, 8, 9] },
      1,
      6,
      16.66,
      [
        [3, 6],
        [8, 9],
      ],
    ],
    ['only hits', { 'a.ts': [1, 2, 7] }, 3, 3, 100, []],
    ['non-executable changes only', { 'a.ts': [5], 'b.ts': [1, 2] }, 0, 0, null, []],
    ['line beyond the file is ignored', { 'a.ts': [1, 50] }, 1, 1, 100, []],
  ])('%s', (_name, entries, hit, executable, pct, ranges) => {
    const result = computePatchCoverage(files, changed(entries));
    expect([result.hit, result.executable, result.percent]).toEqual([hit, executable, pct]);
    expect(result.files.flatMap((f) => f.uncovered.map((r) => [r.start, r.end]))).toEqual(ranges);
  });

  it('lists changed files that no report mentions', () => {
    const result = computePatchCoverage(files, changed({ 'new.ts': [1], 'README.md': [] }));
    expect(result.filesWithoutCoverage).toEqual(['new.ts']);
    expect(result.percent).toBeNull();
  });
});
