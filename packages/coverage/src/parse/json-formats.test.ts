import { afterAll, describe, expect, it } from 'vitest';
import { parseCoverageFile } from './index.js';
import { cleanupTempDirs, parseText, summarize, tempFile } from './test-support.js';

afterAll(cleanupTempDirs);

const loc = (line: number) => ({ start: { line, column: 0 }, end: { line, column: 10 } });
const istanbulFile = (path: string) => ({
  path,
  statementMap: { '0': loc(1), '1': loc(2), '2': loc(2), '3': loc(5) },
  s: { '0': 1, '1': 0, '2': 3, '3': 0 },
  fnMap: {
    '0': { name: 'f', decl: loc(1), loc: loc(1), line: 1 },
    '1': { name: 'f', decl: loc(4), loc: loc(4), line: 4 },
  },
  f: { '0': 2, '1': 0 },
  branchMap: { '0': { loc: loc(2), type: 'if', locations: [loc(2), loc(2)], line: 2 } },
  b: { '0': [4, 0] },
});

describe('JSON coverage formats', () => {
  const cases: { name: string; doc: unknown; format: string; files: Partial<ReturnType<typeof summarize>>[] }[] = [
    {
      name: 'istanbul coverage-final.json: lines = first line of each statement, hit if any ran',
      doc: { '/ws/src/a.js': istanbulFile('/ws/src/a.js') },
      format: 'istanbul',
      files: [
        {
          path: '/ws/src/a.js',
          hitLines: [1, 2],
          missedLines: [5],
          statements: '2/4',
          functions: '1/2',
          branches: '1/2',
        },
      ],
    },
    {
      name: 'istanbul v8 provider `data` wrapper',
      doc: { 'src/a.js': { data: istanbulFile('src/a.js') } },
      format: 'istanbul',
      files: [{ path: 'src/a.js', statements: '2/4' }],
    },
    {
      name: 'a single FileCoverage object with a path',
      doc: istanbulFile('src/one.js'),
      format: 'istanbul',
      files: [{ path: 'src/one.js', lines: '2/3' }],
    },
    {
      name: 'istanbul: negative and garbage counts (0 hits / skipped), null end columns',
      doc: {
        'a.js': {
          path: 'a.js',
          statementMap: {
            '0': { start: { line: 1, column: 0 }, end: { line: 1, column: null } },
            '1': loc(2),
            '2': loc(3),
          },
          s: { '0': -1, '1': 'x', '2': 1 },
          fnMap: {},
          f: {},
          branchMap: {},
          b: {},
        },
      },
      format: 'istanbul',
      files: [{ hitLines: [3], missedLines: [1], statements: '1/2' }],
    },
    {
      name: 'jest --json: coverageMap entries are istanbul',
      doc: { numTotalTests: 1, testResults: [], coverageMap: { 'src/a.js': istanbulFile('src/a.js') } },
      format: 'jest',
      files: [{ path: 'src/a.js', functions: '1/2' }],
    },
    {
      name: 'coverage-summary.json: counts without lines',
      doc: {
        total: { lines: { total: 10, covered: 5, skipped: 0, pct: 50 } },
        'src/a.js': {
          lines: { total: 10, covered: 5, skipped: 0, pct: 50 },
          statements: { total: 12, covered: 6, skipped: 0, pct: 50 },
          functions: { total: 2, covered: 1, skipped: 0, pct: 50 },
          branches: { total: 4, covered: 3, skipped: 0, pct: 75 },
        },
        'src/empty.js': { lines: { total: 0, covered: 0, skipped: 0, pct: 100 } },
      },
      format: 'istanbul-summary',
      files: [
        { path: 'src/a.js', hitLines: [], lines: '5/10', statements: '6/12', functions: '1/2', branches: '3/4' },
        { path: 'src/empty.js', lines: '0/0' },
      ],
    },
    {
      name: 'coverage.py JSON: totals from each file summary, arcs as branches, function regions',
      doc: {
        meta: { format: 3, version: '7.6', branch_coverage: true },
        files: {
          'pkg/a.py': {
            executed_lines: [1, 2, 4],
            missing_lines: [5],
            excluded_lines: [9],
            executed_branches: [[2, 4]],
            missing_branches: [[2, -1]],
            summary: { covered_lines: 2, num_statements: 3 },
            functions: { '': { executed_lines: [1] }, f: { executed_lines: [4] }, g: { executed_lines: [] } },
          },
        },
        totals: {},
      },
      format: 'coveragepy',
      files: [
        { path: 'pkg/a.py', hitLines: [1, 2, 4], missedLines: [5], lines: '2/3', branches: '1/2', functions: '1/2' },
      ],
    },
    {
      name: 'gcovr JSON: per-function line entries union, excluded branches dropped',
      doc: {
        'gcovr/format_version': '0.15',
        files: [
          {
            file: 'main.cpp',
            lines: [
              { line_number: 8, count: 1, branches: [] },
              { line_number: 8, count: 0, branches: [] },
              { line_number: 10, count: 0, branches: [] },
              {
                line_number: 54,
                count: 1,
                branches: [
                  { count: 1, source_block_id: 3, destination_block_id: 4 },
                  { count: 0, source_block_id: 3, destination_block_id: 33 },
                ],
              },
              { line_number: 62, count: 0, branches: [{ count: 0, 'gcovr/excluded': true }] },
              { line_number: 70, count: 0, 'gcovr/excluded': true, branches: [] },
            ],
            functions: [{ name: '_Z1fv', demangled_name: 'f()', lineno: 8, execution_count: 1 }],
          },
        ],
      },
      format: 'gcovr',
      files: [{ path: 'main.cpp', hitLines: [8, 54], missedLines: [10, 62], branches: '1/2', functions: '1/1' }],
    },
    {
      name: 'Coveralls JSON: coverage array and branch quadruples',
      doc: { source_files: [{ name: 'a.c', coverage: [null, 1, 0, null, 2], branches: [2, 0, 0, 1, 2, 0, 1, 0] }] },
      format: 'coveralls',
      files: [{ path: 'a.c', hitLines: [2, 5], missedLines: [3], branches: '1/2' }],
    },
    {
      name: 'SimpleCov .resultset.json: commands unioned, branches by Ruby key',
      doc: {
        RSpec: {
          coverage: {
            '/app/lib/a.rb': {
              lines: [1, 0, null, 'ignored'],
              branches: { '[:if, 0, 2, 4, 2, 20]': { '[:then, 1, 2, 4, 2, 10]': 0, '[:else, 2, 2, 4, 2, 20]': 3 } },
            },
          },
          timestamp: 1,
        },
        Minitest: { coverage: { '/app/lib/a.rb': { lines: [0, 2, null, null] } }, timestamp: 2 },
      },
      format: 'simplecov',
      files: [{ path: '/app/lib/a.rb', hitLines: [1, 2], missedLines: [], branches: '1/2' }],
    },
  ];

  it.each(cases)('$name', async ({ doc, format, files }) => {
    const report = await parseText(JSON.stringify(doc));
    expect(report.format).toBe(format);
    expect(report.files.map(summarize)).toEqual(files.map((f) => expect.objectContaining(f)));
  });

  it('unions istanbul branch and function hits by map key when a file repeats (jest shards)', async () => {
    const a = istanbulFile('x.js');
    const report = await parseText(JSON.stringify({ 'x.js': a }));
    expect([...report.files[0]!.branchDetail!]).toEqual([-2, 0, 2, 1]); // line 2: arm 0 taken, arm 1 not
  });

  const errors: { name: string; content: string; message: RegExp }[] = [
    {
      name: 'truncated JSON, with its line',
      content: '{\n  "a.js": {\n    "statementMap": {',
      message: /:3: invalid JSON/,
    },
    {
      name: 'a FileCoverage without path',
      content: JSON.stringify({ statementMap: {}, s: {}, fnMap: {}, f: {}, branchMap: {}, b: {} }),
      message: /without a `path`/,
    },
    {
      name: 'a summary with fractional counts',
      content: JSON.stringify({
        total: { lines: { total: 1, covered: 1 } },
        'a.js': { lines: { total: 1, covered: 1.15 } },
      }),
      message: /invalid lines counts \(total 1, covered 1.15\)/,
    },
    {
      name: 'a summary with covered > total',
      content: JSON.stringify({
        total: { lines: { total: 1, covered: 1 } },
        'a.js': { lines: { total: 22, covered: 23 } },
      }),
      message: /covered <= total/,
    },
    {
      name: 'an unknown JSON document',
      content: '{"name":"my-app","version":"1.0.0"}',
      message: /unrecognized JSON coverage format \(top-level: name, version\)/,
    },
    { name: 'a JSON array', content: '[1,2,3]', message: /unrecognized JSON coverage format/ },
  ];

  it.each(errors)('rejects $name with one error naming the file', async ({ content, message }) => {
    const path = tempFile(content);
    await expect(parseCoverageFile(path)).rejects.toThrow(message);
    await expect(parseCoverageFile(path)).rejects.toThrow(path);
  });

  it('caps JSON size with advice to use lcov instead of running out of memory', async () => {
    const path = tempFile(JSON.stringify({ 'a.js': istanbulFile('a.js') }));
    await expect(parseCoverageFile(path, { maxJsonBytes: 100 })).rejects.toThrow(
      /over the 0 MB limit for JSON.*Produce lcov instead/,
    );
  });
});
