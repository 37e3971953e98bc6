import { afterAll, describe, expect, it } from 'vitest';
import { addTotals, fileTotals, mergeCoverage, totals } from './merge.js';
import { LINE_HIT, lineCounter, percent, type FileCoverage } from './model.js';
import { cleanupTempDirs, parseText, summarize } from './parse/test-support.js';

afterAll(cleanupTempDirs);

const ws = { workspace: '/ws' };

describe('mergeCoverage', () => {
  it('unions lines, branches and functions per identity across reports (unit + e2e)', async () => {
    const unit = await parseText(
      'SF:/ws/src/a.ts\nFN:1,f\nFN:5,g\nFNDA:1,f\nFNDA:0,g\nDA:1,1\nDA:2,0\nDA:3,0\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nend_of_record\n',
    );
    const e2e = await parseText(
      'SF:src/a.ts\nFN:1,f\nFN:5,g\nFNDA:0,f\nFNDA:3,g\nDA:1,0\nDA:2,4\nDA:3,0\nBRDA:2,0,0,0\nBRDA:2,0,1,1\nend_of_record\n',
    );
    const set = mergeCoverage([unit, e2e], ws);
    expect([...set.files.keys()]).toEqual(['src/a.ts']);
    expect(summarize(set.files.get('src/a.ts')!)).toEqual({
      path: 'src/a.ts',
      hitLines: [1, 2],
      missedLines: [3],
      lines: '2/3',
      branches: '2/2',
      functions: '2/2',
      statements: null,
    });
    expect(set.files.get('src/a.ts')!.branchLines).toEqual(new Map([[2, [2, 2]]]));
    expect(set.reports).toHaveLength(2);
  });

  it('degrades to max per line for branches without identity (Cobertura) and max for statements', async () => {
    const cob = (cond: string) =>
      `<coverage><packages><package><classes><class filename="a.py"><lines><line number="2" hits="1" branch="true" condition-coverage="${cond}"/></lines></class></classes></package></packages></coverage>`;
    const set = mergeCoverage([await parseText(cob('50% (1/2)')), await parseText(cob('50% (1/2)'))], ws);
    expect(set.files.get('a.py')!.branches).toEqual({ found: 2, hit: 1 });

    const go = await parseText('mode: set\nm/a.go:1.1,2.2 2 1\nm/a.go:4.1,4.2 1 0\n');
    const go2 = await parseText('mode: set\nm/a.go:1.1,2.2 2 0\nm/a.go:4.1,4.2 1 1\n');
    const merged = mergeCoverage([go, go2], ws).files.get('m/a.go')!;
    expect(lineCounter(merged)).toEqual({ found: 3, hit: 3 });
    expect(merged.statements).toEqual({ found: 3, hit: 2 });
  });

  it('drops virtual modules with a warning and does not modify the parsed reports', async () => {
    const report = await parseText(
      'SF:dist/<define:DATA>\nDA:1,1\nend_of_record\nSF:/ws/lib/run.js\nDA:1,1\nend_of_record\n',
    );
    const set = mergeCoverage([report], ws);
    expect([...set.files.keys()]).toEqual(['lib/run.js']);
    expect(set.warnings).toEqual([expect.stringContaining('<define:DATA>')]);
    expect(report.files.map((f) => f.path)).toEqual(['dist/<define:DATA>', '/ws/lib/run.js']);
  });

  it('prefers per-line data over summary-only counts for the same file', async () => {
    const summary = await parseText(
      JSON.stringify({ total: { lines: { total: 4, covered: 1 } }, '/ws/a.js': { lines: { total: 4, covered: 1 } } }),
    );
    const lcov = await parseText('SF:a.js\nDA:1,1\nDA:2,1\nend_of_record\n');
    const merged = mergeCoverage([summary, lcov], ws).files.get('a.js')!;
    expect(merged.lines[1]).toBe(LINE_HIT);
    expect(lineCounter(merged)).toEqual({ found: 2, hit: 2 });
  });
});

describe('totals', () => {
  const file = (over: Partial<FileCoverage>): FileCoverage => ({
    path: 'x',
    lines: new Uint8Array(0),
    branches: null,
    functions: null,
    statements: null,
    ...over,
  });

  it('sums raw counts; a metric no file has is null, never 0%', () => {
    const t = totals([
      file({ lines: Uint8Array.from([0, 2, 1, 0, 2]), branches: { found: 2, hit: 1 } }),
      file({ lines: Uint8Array.from([0, 1]) }),
      file({ lineCounts: { found: 3, hit: 3 } }),
    ]);
    expect(t).toEqual({
      lines: { found: 7, hit: 5 },
      branches: { found: 2, hit: 1 },
      functions: null,
      statements: null,
    });
    expect(percent(t.lines)).toBe(71.42);
  });

  it('a file with no executable lines is n/a, not 0%', () => {
    const t = totals([file({})]);
    expect(percent(t.lines)).toBeNull();
  });

  it('adds separately counted parts (per package) up to the totals, without touching the files', () => {
    const withLines = file({ lines: Uint8Array.from([0, 2, 1, 0, 2]), branches: { found: 2, hit: 1 } });
    const withSummary = file({ lineCounts: { found: 3, hit: 3 }, statements: { found: 5, hit: 4 } });
    const branchesOnly = file({ branches: { found: 4, hit: 4 } });
    const files = [withLines, withSummary, branchesOnly, file({})];
    const before = JSON.stringify(files.map((f) => [f.branches, f.functions, f.statements, f.lineCounts]));
    const sum = addTotals([totals([withLines, withSummary]), addTotals([branchesOnly, file({})].map(fileTotals))]);
    expect(sum).toEqual({
      lines: { found: 6, hit: 5 },
      branches: { found: 6, hit: 5 },
      functions: null,
      statements: { found: 5, hit: 4 },
    });
    expect(sum).toEqual(totals(files));
    expect(addTotals([])).toEqual({ lines: null, branches: null, functions: null, statements: null });
    // fileTotals hands out the files' own counters; summing must copy them, not add into them.
    expect(JSON.stringify(files.map((f) => [f.branches, f.functions, f.statements, f.lineCounts]))).toBe(before);
  });
});
