import { GateReportSchema, renderComment } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import { LINE_HIT, LINE_MISSED, LINE_NONE, type Counter, type FileCoverage } from '../model.js';
import type { Baseline } from './baseline.js';
import { evaluateCoverage, type CoverageData, type EvaluateOptions } from './evaluate.js';
import { createPackageMap } from './packages.js';
import type { ChangedLines } from './patch.js';
import { inputSource, parsePolicy } from './policy.js';

const pair = (found: number, hit: number): Counter => ({ found, hit });

/** A file from a line map: one character per line from line 1, '.' not executable, 'x' missed, '+' hit. */
function file(
  path: string,
  statuses: string,
  extra: Partial<Pick<FileCoverage, 'branches' | 'functions' | 'statements'>> = {},
): FileCoverage {
  const lines = new Uint8Array(statuses.length + 1);
  [...statuses].forEach((c, i) => (lines[i + 1] = c === '+' ? LINE_HIT : c === 'x' ? LINE_MISSED : LINE_NONE));
  return { path, lines, branches: null, functions: null, statements: null, ...extra };
}

/** A file known only by its counts (istanbul summary style): exact percentages without huge line maps. */
function counted(path: string, lines: Counter, extra: Partial<FileCoverage> = {}): FileCoverage {
  return {
    path,
    lines: new Uint8Array(1),
    lineCounts: lines,
    branches: null,
    functions: null,
    statements: null,
    ...extra,
  };
}

const data = (...files: FileCoverage[]): CoverageData => ({ files: new Map(files.map((f) => [f.path, f])) });
const policy = (inputs: Record<string, string>) =>
  parsePolicy(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, inputSource(k, v)])));
const changed = (entries: Record<string, number[]>): ChangedLines => ({
  files: new Map(Object.entries(entries).map(([f, l]) => [f, new Set(l)])),
  renames: new Map(),
});
const baseline = (totals: Baseline['totals'], packages: Baseline['packages'] = {}): Baseline => ({
  source: 'artifact `coverage-gate-report` of run 7 (abc1234)',
  totals,
  packages,
});
const NOW = new Date('2026-01-02T03:04:05Z');

const packages = createPackageMap([
  { name: 'backend', path: 'sample-app/backend', source: 'python' },
  { name: 'frontend', path: 'sample-app/frontend', source: 'npm' },
  { name: 'docs', path: 'docs-site', source: 'npm' },
]);

interface Scenario {
  name: string;
  data: CoverageData;
  inputs: Record<string, string>;
  options?: EvaluateOptions;
  status: string;
  headline: string;
  checks: Record<string, string>;
  /** A sentence the note under the overall table must contain. */
  note?: string;
}

const lcovLike = data(counted('src/a.ts', pair(10_000, 8_412), { branches: pair(100, 70), functions: pair(10, 9) }));

const appPackages = createPackageMap([
  { name: 'backend', path: 'sample-app/backend', source: 'python' },
  { name: 'frontend', path: 'sample-app/frontend', source: 'npm' },
]);

/** backend 75% lines (3 of 4) and 50% branches; frontend 100% lines and branches: 83.33% lines in total. */
const twoPackages = data(
  file('sample-app/backend/app/main.py', '+++x', { branches: pair(2, 1) }),
  file('sample-app/frontend/src/App.tsx', '++', { branches: pair(2, 2) }),
);

const scenarios: Scenario[] = [
  {
    name: 'passes every threshold',
    data: data(file('a.ts', '+++++++++x', { branches: pair(4, 4), functions: pair(2, 2), statements: pair(10, 9) })),
    inputs: { thresholds: '85' },
    status: 'pass',
    headline: 'Coverage 90.00% lines (4 of 4 checks passed)',
    checks: { lines: 'pass', branches: 'pass', functions: 'pass', statements: 'pass' },
  },
  {
    name: 'fails below the threshold; statements without data is a warning, not a pass or 0%',
    data: lcovLike,
    inputs: { thresholds: 'lines=85,branches=85,functions=85,statements=85' },
    status: 'fail',
    headline: 'Coverage 84.12% lines — below 85% (2 of 4 checks failed)',
    checks: { lines: 'fail', branches: 'fail', functions: 'pass', statements: 'warn' },
  },
  {
    name: 'only a metric without data is a warning',
    data: lcovLike,
    inputs: { thresholds: 'lines=80,statements=80' },
    status: 'warn',
    headline:
      'Coverage n/a statements — the reports carry no statement counts (lcov, Cobertura, Go and coverage.py have none) (1 of 2 checks need attention)',
    checks: { lines: 'pass', statements: 'warn' },
  },
  {
    name: 'no thresholds reports without judging',
    data: lcovLike,
    inputs: {},
    status: 'pass',
    headline: 'Coverage 84.12% lines (no thresholds set)',
    checks: {},
  },
  {
    name: 'per-package thresholds, a missing package report and a rule that matches nothing',
    data: data(
      file('sample-app/backend/app/main.py', '+++x'),
      file('sample-app/frontend/src/App.tsx', '++++'),
      file('scripts/tool.js', 'xx'),
    ),
    inputs: {
      'package-thresholds': 'backend: lines=80\nsample-app/*: branches=50\nbakend: 90',
      thresholds: 'lines=50',
    },
    options: { packages },
    status: 'fail',
    headline: 'Coverage 75.00% lines in backend — below 80% (1 of 5 checks failed)',
    checks: {
      lines: 'pass',
      'package:backend:lines': 'fail',
      'package:frontend:branches': 'warn',
      'package:docs:report': 'warn',
      'package-rule:bakend': 'warn',
      'package:(root):report': 'absent',
    },
  },
  {
    name: 'missing-package: fail',
    data: data(file('sample-app/backend/a.py', '+')),
    inputs: { 'missing-package': 'fail' },
    options: { packages },
    status: 'fail',
    headline: 'No coverage report for package frontend (2 of 2 checks failed)',
    checks: { 'package:frontend:report': 'fail', 'package:docs:report': 'fail' },
  },
  {
    name: 'missing-package: skip',
    data: data(file('sample-app/backend/a.py', '+')),
    inputs: { 'missing-package': 'skip' },
    options: { packages },
    status: 'pass',
    headline: 'Coverage 100.00% lines (no thresholds set)',
    checks: {},
  },
  {
    name: 'patch coverage below its threshold',
    data: data(file('a.ts', '++xx.x+xx'), file('b.ts', '++++')),
    inputs: { 'patch-threshold': '80', thresholds: 'lines=50' },
    options: { patch: changed({ 'a.ts': [1, 3, 4, 5, 6, 8, 9], 'b.ts': [] }) },
    status: 'fail',
    headline: 'Patch coverage 16.66% — below 80% (1 of 6 changed lines covered) (1 of 2 checks failed)',
    checks: { lines: 'pass', patch: 'fail' },
  },
  {
    name: 'patch without executable changed lines passes',
    data: data(file('a.ts', '+.')),
    inputs: { 'patch-threshold': '80' },
    options: { patch: changed({ 'a.ts': [2], 'README.md': [1] }) },
    status: 'pass',
    headline: 'Coverage 100.00% lines (1 of 1 checks passed)',
    checks: { patch: 'pass' },
  },
  {
    name: 'drop beyond max-drop fails, the other metric within it passes',
    data: data(file('a.ts', '++++++++xx', { branches: pair(10, 7) })),
    inputs: { 'max-drop': 'lines=1,branches=0.5' },
    options: { baseline: baseline({ lines: 81.5, branches: 70.2 }) },
    status: 'fail',
    headline: 'Coverage 80.00% lines — dropped 1.50 points, more than 1.00 allowed (1 of 2 checks failed)',
    checks: { 'drop:lines': 'fail', 'drop:branches': 'pass' },
  },
  {
    name: 'a package that dropped more than max-drop fails, named with its Δ and the limit; one without a rule is not checked',
    data: twoPackages,
    inputs: { 'package-thresholds': 'backend: lines=50', 'max-drop': 'lines=1' },
    options: {
      packages: appPackages,
      baseline: baseline({ lines: 60 }, { backend: { lines: 90 }, frontend: { lines: 99 } }),
    },
    status: 'fail',
    headline: 'Coverage 75.00% lines in backend — dropped 15.00 points, more than 1.00 allowed (1 of 3 checks failed)',
    checks: {
      'drop:lines': 'pass',
      'package:backend:lines': 'pass',
      'package:backend:drop:lines': 'fail',
      'package:frontend:drop:lines': 'absent',
    },
  },
  {
    name: "a package's own max-drop wins per metric; the global limit covers the metrics it does not name",
    data: twoPackages,
    inputs: { 'package-thresholds': 'backend: max-drop.branches=0.5', 'max-drop': 'lines=20,branches=5' },
    options: {
      packages: appPackages,
      baseline: baseline({ lines: 60, branches: 60 }, { backend: { lines: 90, branches: 51 } }),
    },
    status: 'fail',
    headline:
      'Coverage 50.00% branches in backend — dropped 1.00 points, more than 0.50 allowed (1 of 4 checks failed)',
    checks: {
      'drop:lines': 'pass',
      'drop:branches': 'pass',
      'package:backend:drop:lines': 'pass',
      'package:backend:drop:branches': 'fail',
    },
  },
  {
    name: 'a drop of exactly the limit passes; one hundredth more fails',
    data: twoPackages,
    inputs: { 'package-thresholds': 'backend: max-drop=15' },
    options: { packages: appPackages, baseline: baseline({}, { backend: { lines: 90, branches: 65.01 } }) },
    status: 'fail',
    headline:
      'Coverage 50.00% branches in backend — dropped 15.01 points, more than 15.00 allowed (1 of 2 checks failed)',
    checks: { 'package:backend:drop:lines': 'pass', 'package:backend:drop:branches': 'fail' },
  },
  {
    name: 'max-drop=100 on a package line exempts it from the global max-drop',
    data: twoPackages,
    inputs: { 'package-thresholds': 'backend: max-drop=100\nfrontend: lines=90', 'max-drop': '0' },
    options: {
      packages: appPackages,
      baseline: baseline(
        { lines: 83.33, branches: 75 },
        { backend: { lines: 90, branches: 80 }, frontend: { lines: 100 } },
      ),
    },
    status: 'pass',
    headline: 'Coverage 83.33% lines (6 of 6 checks passed)',
    checks: {
      'drop:lines': 'pass',
      'drop:branches': 'pass',
      'package:backend:drop:lines': 'pass',
      'package:backend:drop:branches': 'pass',
      'package:frontend:lines': 'pass',
      'package:frontend:drop:lines': 'pass',
    },
  },
  {
    name: 'a package absent from the base is new, not a drop',
    data: twoPackages,
    inputs: { 'package-thresholds': 'frontend: max-drop=0\nbackend: max-drop=0' },
    options: { packages: appPackages, baseline: baseline({ lines: 60 }, { backend: { lines: 75, branches: 50 } }) },
    status: 'pass',
    headline: 'Coverage 83.33% lines (2 of 2 checks passed)',
    checks: {
      'package:backend:drop:lines': 'pass',
      'package:backend:drop:branches': 'pass',
      'package:frontend:drop:lines': 'absent',
    },
    note: 'No drop check for frontend: not in the base (new packages).',
  },
  {
    name: 'a base without per-package numbers checks the totals only, and says so',
    data: twoPackages,
    inputs: { 'package-thresholds': 'backend: lines=10', 'max-drop': 'lines=1' },
    options: { packages: appPackages, baseline: baseline({ lines: 83.33 }) },
    status: 'pass',
    headline: 'Coverage 83.33% lines (2 of 2 checks passed)',
    checks: { 'drop:lines': 'pass', 'package:backend:lines': 'pass', 'package:backend:drop:lines': 'absent' },
    note: 'Per-package drop not checked: the base has no per-package numbers',
  },
  {
    name: 'only a package drop limit and no base: missing-base: fail applies',
    data: twoPackages,
    inputs: { 'package-thresholds': 'backend: max-drop=1', 'missing-base': 'fail' },
    options: { packages: appPackages, baselineNote: 'No base coverage: nothing found.' },
    status: 'fail',
    headline: 'No base coverage to compare against (missing-base: fail) (1 of 1 checks failed)',
    checks: { baseline: 'fail' },
  },
  {
    name: 'only a package drop limit and no base: missing-base: skip notes it',
    data: twoPackages,
    inputs: { 'package-thresholds': 'backend: max-drop=1' },
    options: { packages: appPackages },
    status: 'pass',
    headline: 'Coverage 83.33% lines (no thresholds set)',
    checks: {},
    note: 'Drop check skipped (missing-base: skip)',
  },
  {
    name: 'missing-base: fail',
    data: data(file('a.ts', '+')),
    inputs: { 'max-drop': '0', 'missing-base': 'fail' },
    options: { baselineNote: 'No base coverage: nothing found.' },
    status: 'fail',
    headline: 'No base coverage to compare against (missing-base: fail) (1 of 1 checks failed)',
    checks: { baseline: 'fail' },
  },
  {
    name: 'missing-base: skip writes a note and passes',
    data: data(file('a.ts', '+')),
    inputs: { 'max-drop': '0' },
    status: 'pass',
    headline: 'Coverage 100.00% lines (no thresholds set)',
    checks: { baseline: 'absent', 'drop:lines': 'absent' },
  },
  {
    name: 'per-file minimum',
    data: data(
      file('a.ts', '+x'),
      file('b.ts', 'xxx+'),
      file('c.ts', '++++'),
      file('d.ts', '...', { functions: pair(1, 0) }),
    ),
    inputs: { 'file-threshold': 'lines=50,functions=10' },
    status: 'fail',
    headline: '1 file below 50% lines (2 of 2 checks failed)',
    checks: { 'file:lines': 'fail', 'file:functions': 'fail' },
  },
];

describe('evaluateCoverage', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const report = evaluateCoverage(s.data, policy(s.inputs), { now: NOW, ...s.options });
    // The report is valid for every renderer.
    expect(() => GateReportSchema.parse(report)).not.toThrow();
    expect(report.status).toBe(s.status);
    expect(report.headline).toBe(s.headline);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    for (const [id, status] of Object.entries(s.checks)) expect(byId[id] ?? 'absent', id).toBe(status);
    expect(report.checks.length).toBe(Object.values(s.checks).filter((v) => v !== 'absent').length);
    if (s.note) expect(report.sections[0].note).toContain(s.note);
  });

  it.each([
    [pair(10_000, 8_500), 85, '85.00%', 'pass'],
    [pair(100_000, 84_999), 85, '84.99%', 'fail'],
    [pair(3, 2), 66.67, '66.66%', 'fail'],
    [pair(3, 2), 66.66, '66.66%', 'pass'],
    [pair(7, 7), 100, '100.00%', 'pass'],
    [pair(1_000_000, 999_999), 100, '99.99%', 'fail'],
  ])('rounds %j down: threshold %s shows %s and %s', (counts, min, shown, status) => {
    const report = evaluateCoverage(data(counted('a.ts', counts)), policy({ thresholds: `lines=${min}` }), {
      now: NOW,
    });
    expect(report.checks[0]).toMatchObject({ actual: shown, status });
    expect(report.sections[0].table?.rows[0][1]).toBe(shown);
  });

  it('sets numeric metrics for outputs and the next baseline', () => {
    const report = evaluateCoverage(
      data(file('sample-app/backend/a.py', '+x', { branches: pair(2, 1) }), file('x.ts', '++')),
      policy({}),
      { packages, baseline: baseline({ lines: 80 }), patch: changed({ 'x.ts': [1] }), now: NOW },
    );
    expect(report.metrics).toEqual({
      lines: 75,
      branches: 50,
      'delta:lines': -5,
      'package:backend:lines': 50,
      'package:backend:branches': 50,
      'package:(root):lines': 100,
      patch: 100,
    });
    const single = evaluateCoverage(data(file('x.ts', '+x')), policy({}), { now: NOW });
    expect(single.metrics).toEqual({ lines: 50 });
  });

  it('lists the 10 lowest-covered files, ties by path, whatever order the reports had them in', () => {
    // 3 files at 25 %, 17 at 50 %, 18 at 100 % and 2 without executable lines, in a scrambled order.
    const names = Array.from({ length: 40 }, (_, i) => `src/f${String(i).padStart(2, '0')}.ts`);
    const lineMap = (i: number) => (i >= 38 ? '..' : i % 13 === 0 ? '+xxx' : i % 2 === 0 ? '+x' : '++');
    const scrambled = names.map((_, i) => (i * 17) % 40).map((i) => file(names[i], lineMap(i)));
    const report = evaluateCoverage(data(...scrambled), policy({}), { now: NOW });
    const lowest = report.sections.find((s) => s.title === 'Files with the lowest coverage');
    expect(lowest?.table?.rows.map((row) => `${row[0]} ${row[1]}`)).toEqual([
      '`src/f00.ts` 25.00%',
      '`src/f13.ts` 25.00%',
      '`src/f26.ts` 25.00%',
      '`src/f02.ts` 50.00%',
      '`src/f04.ts` 50.00%',
      '`src/f06.ts` 50.00%',
      '`src/f08.ts` 50.00%',
      '`src/f10.ts` 50.00%',
      '`src/f12.ts` 50.00%',
      '`src/f14.ts` 50.00%',
    ]);
    // Files without executable lines have no line coverage to rank: 38 ranked, 28 not shown.
    expect(lowest?.note).toBe('28 more files not shown.');
  });

  it('ranks the lowest-covered files as a full sort would, on many ties', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    // 500 files of 1–4 executable lines: only a handful of distinct percentages, so most files tie.
    const files = Array.from({ length: 500 }, (_, i) => {
      const lineMap = Array.from({ length: 1 + random(4) }, () => (random(3) === 0 ? 'x' : '+')).join('');
      return file(`src/${random(1000)}-${i}.ts`, lineMap);
    });
    const percentOf = (f: FileCoverage) => {
      const executable = f.lines.filter((s) => s !== LINE_NONE).length;
      return Math.floor((f.lines.filter((s) => s === LINE_HIT).length * 10000) / executable) / 100;
    };
    const expected = [...files]
      .sort((a, b) => percentOf(a) - percentOf(b) || a.path.localeCompare(b.path))
      .slice(0, 10)
      .map((f) => `\`${f.path}\``);
    const report = evaluateCoverage(data(...files), policy({}), { now: NOW });
    const lowest = report.sections.find((s) => s.title === 'Files with the lowest coverage');
    expect(lowest?.table?.rows.map((row) => row[0])).toEqual(expected);
  });

  it('annotates uncovered changed lines as merged ranges, biggest first in priority', () => {
    const report = evaluateCoverage(data(file('a.ts', 'x.xx+xxxxx')), policy({}), {
      patch: changed({ 'a.ts': [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }),
      now: NOW,
    });
    expect(report.annotations).toEqual([
      {
        level: 'warning',
        file: 'a.ts',
        line: 1,
        endLine: 4,
        title: 'Uncovered changed lines',
        message: 'Lines 1–4 were changed in this pull request and are not covered by tests.',
        priority: 96,
      },
      {
        level: 'warning',
        file: 'a.ts',
        line: 6,
        endLine: 10,
        title: 'Uncovered changed lines',
        message: 'Lines 6–10 were changed in this pull request and are not covered by tests.',
        priority: 95,
      },
    ]);
  });
});

describe('rendered PR comment', () => {
  it('failing pull request with packages, patch and baseline', async () => {
    const report = evaluateCoverage(
      {
        files: new Map(
          [
            file('sample-app/backend/app/main.py', '++++x+xx..++', { branches: pair(6, 3) }),
            file('sample-app/backend/app/db.py', '+++++++', { branches: pair(2, 2) }),
            file('sample-app/frontend/src/App.tsx', '+++.+x+', { branches: pair(4, 3), functions: pair(3, 3) }),
            file('sample-app/frontend/src/api.ts', 'xxxx+', { functions: pair(2, 0) }),
            file('scripts/release.js', '++'),
          ].map((f) => [f.path, f]),
        ),
        warnings: ['coverage/lcov.info:12: skipped a BRDA record with a non-numeric line'],
      },
      policy({
        thresholds: 'lines=80,branches=80',
        'package-thresholds': 'backend: lines=80\nfrontend: lines=70,functions=60',
        'patch-threshold': '80',
        'max-drop': 'lines=0.5',
      }),
      {
        packages,
        patch: changed({
          'sample-app/backend/app/main.py': [5, 6, 7, 8, 9],
          'sample-app/frontend/src/api.ts': [1, 2, 5],
        }),
        baseline: baseline({ lines: 78.4, branches: 70 }, { backend: { lines: 80 } }),
        commit: '0123456789abcdef',
        pullRequest: 12,
        now: NOW,
      },
    );
    await expect(renderComment(report)).toMatchFileSnapshot('__snapshots__/comment-fail.md');
  });

  it('a package that dropped more than its max-drop, beside a new package', async () => {
    const report = evaluateCoverage(
      data(
        file('sample-app/backend/app/main.py', '++++x+xx++', { branches: pair(8, 5) }),
        file('sample-app/backend/app/db.py', '+++++', { branches: pair(2, 2) }),
        file('sample-app/frontend/src/App.tsx', '++++x', { branches: pair(4, 3) }),
        file('docs-site/build.js', '+++x'),
      ),
      policy({
        thresholds: 'lines=70',
        'package-thresholds': 'backend: lines=70 max-drop.branches=2\nfrontend: lines=60\ndocs: max-drop=100',
        'max-drop': 'lines=1,branches=1',
      }),
      {
        packages,
        baseline: baseline(
          { lines: 80, branches: 70 },
          { backend: { lines: 81.25, branches: 75 }, docs: { lines: 100 } },
        ),
        commit: '0123456789abcdef',
        pullRequest: 12,
        now: NOW,
      },
    );
    await expect(renderComment(report)).toMatchFileSnapshot('__snapshots__/comment-package-drop.md');
  });

  it('passing push run without patch', async () => {
    const report = evaluateCoverage(
      data(file('src/a.ts', '++++++++++', { branches: pair(2, 2), functions: pair(1, 1) }), file('src/b.ts', '+++x')),
      policy({ thresholds: 'lines=85' }),
      { patchNote: 'this run is not for a pull request', now: NOW },
    );
    await expect(renderComment(report)).toMatchFileSnapshot('__snapshots__/comment-pass.md');
  });
});
