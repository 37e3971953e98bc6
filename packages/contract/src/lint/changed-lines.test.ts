import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changedLinesFromDiff, gitChangedLines, isChangedLine } from './changed-lines.js';
import type { LintFinding } from './spectral.js';
import { summarizeLint } from './summary.js';

describe('changedLinesFromDiff', () => {
  it.each([
    { name: 'added lines', diff: '+++ b/api.yaml\n@@ -3,0 +4,2 @@\n+a\n+b\n', expected: { 'api.yaml': [[4, 5]] } },
    {
      name: 'one changed line (count omitted)',
      diff: '+++ b/api.yaml\n@@ -7 +7 @@\n-a\n+b\n',
      expected: { 'api.yaml': [[7, 7]] },
    },
    { name: 'pure deletion', diff: '+++ b/api.yaml\n@@ -7,2 +6,0 @@\n-a\n-b\n', expected: { 'api.yaml': [] } },
    { name: 'deleted file', diff: '--- a/old.yaml\n+++ /dev/null\n@@ -1,2 +0,0 @@\n', expected: {} },
    {
      name: 'two files',
      diff: '+++ b/a.yaml\n@@ -1 +1 @@\n@@ -10,0 +11,3 @@\n+++ b/dir/b.yaml\n@@ -5,2 +5,2 @@\n',
      expected: {
        'a.yaml': [
          [1, 1],
          [11, 13],
        ],
        'dir/b.yaml': [[5, 6]],
      },
    },
    {
      name: 'quoted unicode path',
      diff: '+++ "b/caf\\303\\251.yaml"\n@@ -1 +1 @@\n',
      expected: { 'café.yaml': [[1, 1]] },
    },
  ])('$name', ({ diff, expected }) => {
    expect(Object.fromEntries(changedLinesFromDiff(diff))).toEqual(expected);
  });

  it('finds lines inside ranges only', () => {
    const changed = changedLinesFromDiff('+++ b/a.yaml\n@@ -1 +2,3 @@\n@@ -9 +10,1 @@\n');
    expect([1, 2, 4, 5, 10, 11].map((l) => isChangedLine(changed, 'a.yaml', l))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(isChangedLine(changed, 'b.yaml', 2)).toBe(false);
  });
});

describe('gitChangedLines', () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'changed-lines-'));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@e.st', '-c', 'user.name=t', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();

  it('diffs the merge base against HEAD, only for the given files', async () => {
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'api.yaml'), 'a\nb\nc\n');
    writeFileSync(path.join(repo, 'other.txt'), 'x\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    git('checkout', '-qb', 'pr');
    writeFileSync(path.join(repo, 'api.yaml'), 'a\nB\nc\nd\n');
    writeFileSync(path.join(repo, 'other.txt'), 'y\n');
    git('commit', '-qam', 'pr');
    const changed = await gitChangedLines(repo, base, ['api.yaml']);
    expect(Object.fromEntries(changed)).toEqual({
      'api.yaml': [
        [2, 2],
        [4, 4],
      ],
    });
  });

  it('explains a missing base commit (shallow clone)', async () => {
    await expect(gitChangedLines(repo, 'f'.repeat(40), ['api.yaml'])).rejects.toThrow(/fetch-depth: 0/);
  });
});

describe('summarizeLint', () => {
  const finding = (rule: string, severity: LintFinding['severity'], line: number, endLine = line): LintFinding => ({
    rule,
    severity,
    message: rule,
    jsonPath: '',
    file: 'api.yaml',
    line,
    column: 1,
    endLine,
  });
  const findings = [
    finding('a', 'warn', 10),
    finding('b', 'error', 20),
    finding('c', 'info', 10),
    finding('a', 'warn', 30),
    finding('d', 'warn', 40, 400),
    finding('a', 'error', 50),
  ];

  it('splits findings on changed lines from pre-existing ones', () => {
    const changed = changedLinesFromDiff('+++ b/api.yaml\n@@ -1 +10 @@\n@@ -1 +42 @@\n@@ -1 +300 @@\n');
    const s = summarizeLint(findings, changed);
    expect(s.introduced.map((f) => [f.rule, f.line])).toEqual([
      ['a', 10],
      ['d', 40],
    ]);
    expect(s.introducedNotes.map((f) => f.rule)).toEqual(['c']);
    expect(s.preExisting.map((f) => [f.rule, f.line])).toEqual([
      ['b', 20],
      ['a', 50],
      ['a', 30],
    ]);
    expect(s.preExistingBySeverity).toEqual({ error: 2, warn: 1, info: 0, hint: 0 });
    expect(s.topRules).toEqual([
      { rule: 'a', count: 2 },
      { rule: 'b', count: 1 },
    ]);
    expect(s.comparedToBase).toBe(true);
  });

  it('treats everything as pre-existing without a pull request', () => {
    const s = summarizeLint(findings, undefined, 1);
    expect(s.introduced).toEqual([]);
    expect(s.preExisting).toHaveLength(6);
    expect(s.topRules).toEqual([{ rule: 'a', count: 3 }]);
    expect(s.comparedToBase).toBe(false);
  });
});
