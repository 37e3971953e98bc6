/**
 * Conformance over the shared corpus of real coverage reports (/work/shared/fixtures/coverage, see its MANIFEST).
 * Every file in the MANIFEST has exactly one row here: either it parses into these raw counts, or it is rejected with
 * one clear error naming the file. Where the corpus has an authoritative expectation (expected/ files, or the source
 * project's own spec quoted in the MANIFEST) the row checks against it, reading the expected file live where it is
 * machine-readable. `declared` totals written inside reports are not trusted; rows note where we differ and why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mergeCoverage, totals } from './merge.js';
import { percent, type Counter } from './model.js';
import { CoverageInputError } from './parse/errors.js';
import { parseCoverageFile } from './parse/index.js';
import type { ParsedReport } from './parse/types.js';
import { summarize } from './parse/test-support.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = join(repoRoot, '../shared/fixtures/coverage');
const available = existsSync(join(corpus, 'MANIFEST.txt'));
if (!available) {
  console.warn(
    `conformance: skipped — the shared coverage corpus is not at ${corpus} (it lives beside the repo in ../shared)`,
  );
}

type Totals4 = {
  lines?: string | null;
  branches?: string | null;
  functions?: string | null;
  statements?: string | null;
};
interface ParseRow {
  file: string;
  format: string;
  files: number;
  totals: Totals4;
  /** Where the expectation comes from, and any deliberate difference from `declared`. */
  source: string;
  check?: (report: ParsedReport) => void;
}
interface RejectRow {
  file: string;
  error: RegExp;
  source: string;
}
type Row = ParseRow | RejectRow;

const c = (counter: Counter | null): string | null => (counter ? `${counter.hit}/${counter.found}` : null);
const read = (file: string): string => readFileSync(join(corpus, file), 'utf8');
const fraction = (html: string, label: string): string => {
  const m = new RegExp(`${label}</span>\\s*<span class='fraction'>(\\d+)/(\\d+)`).exec(html);
  return m ? `${m[1]}/${m[2]}` : 'missing';
};
const fileOf = (report: ParsedReport, suffix: string) => report.files.find((f) => f.path.endsWith(suffix))!;
const notAReport = /not a recognized coverage report|unrecognized (JSON|XML) coverage format/;

const xrayExpected = (): Totals4 => {
  const html = read('expected/vitest-v8_xray_index.html');
  return {
    lines: fraction(html, 'Lines'),
    branches: fraction(html, 'Branches'),
    functions: fraction(html, 'Functions'),
    statements: fraction(html, 'Statements'),
  };
};
const gcovrExpected = (): { branches: string; functions: string; lines: string } => {
  const s = JSON.parse(read('expected/gcovr_virtual-classes-win_coverage_summary.json')) as Record<string, number>;
  return {
    branches: `${s.branch_covered}/${s.branch_total}`,
    functions: `${s.function_covered}/${s.function_total}`,
    lines: `${s.line_covered}/${s.line_total}`,
  };
};
/** istanbul's text report "All files" row: % Stmts | % Branch | % Funcs | % Lines. */
const istanbulTextTotals = (file: string): number[] => {
  const row = read(file)
    .split('\n')
    .find((l) => l.startsWith('All files'))!;
  return row
    .split('|')
    .slice(1, 5)
    .map((v) => Number(v.trim()));
};
const GCOVR_LINES_NOTE =
  'gcovr counts one line per function instance (C1/C2 constructor variants: 38/31); our model has one status per source line, so the same run reads 23/24 distinct lines';

const rows: Row[] = [
  // ---- lcov ----
  {
    file: 'lcov/coveralls-reporter_test.lcov',
    format: 'lcov',
    files: 3,
    totals: { lines: '16/17', branches: '7/8', functions: '5/6', statements: null },
    source:
      'Expected (coveralls spec): 2 reports after dropping dist/<define:DATA>; lib/run.js LF14 LH13 BRF8 BRH7 FNF6 FNH5 — uint64-max count is a hit',
    check: (report) => {
      const merged = mergeCoverage([report], { workspace: '/ws' });
      expect([...merged.files.keys()]).toEqual(['spec/fixtures/lcov/index.js', 'spec/fixtures/lcov/lib/run.js']);
      expect(summarize(merged.files.get('spec/fixtures/lcov/lib/run.js')!)).toMatchObject({
        lines: '13/14',
        branches: '7/8',
        functions: '5/6',
      });
    },
  },
  {
    file: 'lcov/ltp-lcov_empty-file-record.info',
    format: 'lcov',
    files: 1,
    totals: { lines: '10/16', branches: '2/6', functions: '1/1' },
    source:
      "declared LF/LH 16/10 BRF/BRH 6/2 FNF/FNH 1/1; 'SF: test.cpp' trimmed; the empty SF record is skipped with a warning",
    check: (report) =>
      expect(report.warnings).toEqual([expect.stringMatching(/:\d+: record with an empty SF: path skipped/)]),
  },
  {
    file: 'lcov/ltp-lcov_exception-branch.info',
    format: 'lcov',
    files: 1,
    totals: { lines: '10/16', branches: '2/6', functions: '1/1' },
    source: 'declared totals; 5-field BRDA (expression) and e0 exception blocks are distinct branches',
  },
  {
    file: 'lcov/ltp-lcov_number-formats.info',
    format: 'lcov',
    files: 1,
    totals: { lines: '4/6', branches: '2/6', functions: '2/6' },
    source:
      'computed 6/4 lines (declared 4/3 lies). Negative and -0 counts are 0 hits (Codecov); 1.0e+19 / 1.5e+20 / 1.67e+20 are hits; garbage (1.a0e+19, 1.5eb+20, 1.67+20) skips the record with a warning. Functions are identified by name (6 names, alias3 and noCommonAlias ran); duplicate BRDA 1,2,1 unions to taken. Declared BRF/FNF 7/4 count differently and are not trusted',
    check: (report) => expect(report.warnings.filter((w) => /non-numeric/.test(w))).toHaveLength(3),
  },
  {
    file: 'lcov/reportgenerator_csharp-windows.info',
    format: 'lcov',
    files: 15,
    totals: { lines: '118/184', branches: '5/8', functions: '27/54' },
    source:
      'computed distinct DA lines 184/118 (declared 199/124 counts duplicate DA lines twice). FN names with commas/generics are kept whole; two FN at line 46 with different names are two functions; 57 declared FNF includes 3 duplicate FN records of the same name',
    check: (report) => expect(report.files[0]!.path).toBe('C:\\temp\\AnalyzerTestClass.cs'),
  },
  {
    file: 'lcov/coveragepy_lcov-gold-1.info',
    format: 'lcov',
    files: 1,
    totals: { lines: '1/4', branches: '0/2', functions: '0/1' },
    source: 'declared = coverage.py test expectation; free-text BRDA branch names',
  },
  {
    file: 'lcov/coveragepy_lcov-gold-2.info',
    format: 'lcov',
    files: 2,
    totals: { lines: '5/10', branches: '0/2', functions: '0/2' },
    source: 'declared = coverage.py test expectation',
  },
  {
    file: 'lcov/codecov-worker_negative_count.info',
    format: 'lcov',
    files: 1,
    totals: { lines: '2/6', branches: null, functions: null },
    source:
      'Expected (expected/codecov-worker_test_lcov.py test_negative_execution_count): lines 1,2 hit; 3-6 (0, -1, -5, -20) are 0 hits',
    check: (report) =>
      expect(summarize(report.files[0]!)).toMatchObject({ hitLines: [1, 2], missedLines: [3, 4, 5, 6] }),
  },
  {
    file: 'lcov/gcovr_virtual-classes-win_coverage.lcov',
    format: 'lcov',
    files: 1,
    totals: { lines: '23/24', branches: '18/36', functions: '7/7' },
    source: `Expected expected/gcovr_virtual-classes-win_coverage_summary.json for branches and functions; ${GCOVR_LINES_NOTE}`,
    check: (report) => {
      const t = totals(report.files);
      expect({ branches: c(t.branches), functions: c(t.functions) }).toEqual({
        branches: gcovrExpected().branches,
        functions: gcovrExpected().functions,
      });
    },
  },
  {
    file: 'lcov/istanbul-spec_missing-decl.lcov',
    error: /every lcov record has an empty SF: path/,
    source: "istanbul wrote 'SF:' empty (FileCoverage without a path): nothing can be attributed to a source file",
  },
  // ---- the gcovr set in every format ----
  {
    file: 'cobertura/gcovr_virtual-classes-win_cobertura.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '23/24', branches: '18/36', functions: '4/7' },
    source: `branches = Expected; ${GCOVR_LINES_NOTE}. Functions 4/7 is the right reading of this file: gcovr's Cobertura lists each destructor's deleting variant, whose lines never ran (hits=0), while gcov's function data counts the variant that did`,
    check: (report) => expect(c(totals(report.files).branches)).toBe(gcovrExpected().branches),
  },
  {
    file: 'jacoco/gcovr_virtual-classes-win_jacoco.xml',
    format: 'jacoco',
    files: 1,
    totals: { lines: '31/38', branches: '18/36', functions: '7/7' },
    source:
      "Expected exactly: gcovr's JaCoCo lines lack mi/ci, so the sourcefile LINE counter (gcovr's own count) is used, with a warning",
    check: (report) => {
      const t = totals(report.files);
      expect({ lines: c(t.lines), branches: c(t.branches), functions: c(t.functions) }).toEqual(gcovrExpected());
      expect(report.warnings).toEqual([expect.stringMatching(/lack mi\/ci/)]);
    },
  },
  {
    file: 'clover/gcovr_virtual-classes-win_clover.xml',
    format: 'clover',
    files: 2,
    totals: { lines: '23/24', branches: null, functions: null },
    source: `${GCOVR_LINES_NOTE}; gcovr's Clover carries no branch or method data (conditionals=0, methods=0) and a second, empty 'dummy' file`,
  },
  {
    file: 'other/gcovr_virtual-classes-win_sonarqube.xml',
    format: 'sonarqube',
    files: 1,
    totals: { lines: '23/24', branches: '18/36' },
    source: `branches = Expected; ${GCOVR_LINES_NOTE}`,
  },
  {
    file: 'other/gcovr_virtual-classes-win_coveralls.json',
    format: 'coveralls',
    files: 1,
    totals: { lines: '23/24', branches: '18/36', functions: null },
    source: `branches = Expected; ${GCOVR_LINES_NOTE}`,
  },
  {
    file: 'other/gcovr_virtual-classes-win_coverage.json',
    format: 'gcovr',
    files: 1,
    totals: { lines: '23/24', branches: '18/36', functions: '7/7' },
    source: `branches and functions = Expected (excluded branches on lines 62-65 dropped); ${GCOVR_LINES_NOTE}`,
    check: (report) => {
      const t = totals(report.files);
      expect({ branches: c(t.branches), functions: c(t.functions) }).toEqual({
        branches: gcovrExpected().branches,
        functions: gcovrExpected().functions,
      });
    },
  },
  {
    file: 'expected/gcovr_virtual-classes-win_coverage_summary.json',
    error: notAReport,
    source: 'reference totals, not a coverage report (gcovr summary JSON has no per-file line data)',
  },
  // ---- Cobertura ----
  {
    file: 'cobertura/coveralls-reporter_cobertura.xml',
    format: 'cobertura',
    files: 16,
    totals: { lines: '77/106', branches: '25/41', functions: '26/32' },
    source:
      'Expected (expected/coveralls-reporter_cobertura_parser_spec.cr): 16 files; SimpleObject2.scala and InstrumentLoader.scala line and branch data below; branches 41/25 = declared. Declared lines-valid 246 counts scoverage statements; we count distinct lines',
    check: (report) => {
      expect(report.files[0]!.path).toMatch(/^org\/scoverage\//);
      expect(summarize(fileOf(report, 'SimpleObject2.scala'))).toMatchObject({
        hitLines: [12, 19, 21, 29, 32, 33],
        missedLines: [15, 17, 22, 23, 24, 30, 31],
        branches: '4/9',
      });
      expect(summarize(fileOf(report, 'InstrumentLoader.scala'))).toMatchObject({
        hitLines: [12, 15, 17],
        missedLines: [],
        branches: '1/2',
      });
      expect(report.sourceRoots).toEqual(['--source', '/home/ian/src/test/sbt-scoverage-samples/src/main/scala']);
    },
  },
  {
    file: 'cobertura/coveralls-reporter_cobertura-conditions.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '5/6', branches: '4/9' },
    source:
      'Expected (coveralls spec "with condition-coverage attributes"): lines 1,4,6,8,12 hit, 10 missed; branches 4: 1/2, 8: 2/2, 10: 0/2, 12: 1/3',
    check: (report) => {
      const file = report.files[0]!;
      expect(file.path).toBe('src/branchy.py');
      expect(summarize(file)).toMatchObject({ hitLines: [1, 4, 6, 8, 12], missedLines: [10] });
      expect(file.branchLines).toEqual(
        new Map([
          [4, [2, 1]],
          [8, [2, 2]],
          [10, [2, 0]],
          [12, [3, 1]],
        ]),
      );
    },
  },
  {
    file: 'cobertura/coveralls-reporter_cobertura-empty-lines.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: null, branches: null },
    source: 'Expected (coveralls spec): 1 report, no crash; a class without lines is n/a, not 0%',
  },
  {
    file: 'cobertura/coveralls-reporter_cobertura-coverage.xml',
    error: /: empty coverage report/,
    source: 'a single newline',
  },
  {
    file: 'expected/coveralls-reporter_cobertura_parser_spec.cr',
    error: notAReport,
    source: 'reference spec, not a report',
  },
  {
    file: 'cobertura/reportgenerator_Cobertura_Istanbul.xml',
    format: 'cobertura',
    files: 156,
    totals: { lines: '1452/11340', branches: null, functions: '346/2688' },
    source:
      'declared lines 11340/1452 exactly (method lines are declarations, not statements). The file has no condition-coverage at all, so declared branches-valid 2949 cannot be attributed to lines: branches n/a',
  },
  {
    file: 'cobertura/reportgenerator_Cobertura_Swift.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '1/2', branches: null, functions: '1/2' },
    source: 'declared lines 2/1; declared branches-valid "1.0" has no per-line data',
  },
  {
    file: 'cobertura/reportgenerator_Cobertura_CPPCoverage.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '0/2' },
    source: 'verified reading: two lines, hits=0 (the header line-rate 0.12 describes a larger run)',
  },
  {
    file: 'cobertura/cobertura-action_test-no-branch.xml',
    format: 'cobertura',
    files: 4,
    totals: { lines: '27/30', branches: null },
    source: 'cobertura-action expected total 90%',
    check: (r) => expect(percent(totals(r.files).lines)).toBe(90),
  },
  {
    file: 'cobertura/cobertura-action_test-istanbul.xml',
    format: 'cobertura',
    files: 2,
    totals: { lines: '51/51', branches: '16/16', functions: '10/10' },
    source:
      'declared lines 51/51, 100%; declared branches-valid 35 is not in the per-line condition-coverage (16 branches on 7 lines)',
  },
  {
    file: 'cobertura/cobertura-action_test-missing-lines.xml',
    format: 'cobertura',
    files: 8,
    totals: { lines: '41/61', functions: '4/6' },
    source: 'verified reading (line-rate 0.5125 is an average of classes; raw counts give 67.21%)',
  },
  {
    file: 'cobertura/cobertura-action_test-python.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '9/10', branches: null },
    source: 'cobertura-action expected total 90',
    check: (r) => expect(percent(totals(r.files).lines)).toBe(90),
  },
  {
    file: 'cobertura/codecoveragesummary_coverage.cobertura.xml',
    format: 'cobertura',
    files: 39,
    totals: { lines: '1212/1460', branches: '262/378', functions: '278/306' },
    source: 'declared lines 1460/1212 and branches 378/262 exactly (coverlet writes branch="True")',
  },
  { file: 'expected/codecov-worker_test_cobertura.py', error: notAReport, source: 'reference test, not a report' },
  // ---- istanbul JSON and its Cobertura/text renderings ----
  {
    file: 'istanbul-json/istanbul-spec_100-line-100-branch.coverage-final.json',
    format: 'istanbul',
    files: 1,
    totals: { lines: '46/46', branches: '39/39', functions: '8/8', statements: '50/50' },
    source: 'computed; expected text report: 100 | 100 | 100 | 100',
    check: (r) => expectIstanbulText(r, 'expected/istanbul-spec_100-line-100-branch.text-report.txt'),
  },
  {
    file: 'expected/istanbul-spec_100-line-100-branch.text-report.txt',
    error: notAReport,
    source: 'reference text report',
  },
  {
    file: 'cobertura/istanbul-spec_100-line-100-branch.cobertura.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '46/46', branches: '39/39', functions: '8/8' },
    source: 'declared = paired istanbul JSON',
  },
  {
    file: 'istanbul-json/istanbul-spec_100-line-missing-branch.coverage-final.json',
    format: 'istanbul',
    files: 1,
    totals: { lines: '46/46', branches: '41/43', functions: '8/8', statements: '50/50' },
    source: 'computed; expected text report percentages',
    check: (r) => expectIstanbulText(r, 'expected/istanbul-spec_100-line-missing-branch.text-report.txt'),
  },
  {
    file: 'expected/istanbul-spec_100-line-missing-branch.text-report.txt',
    error: notAReport,
    source: 'reference text report',
  },
  {
    file: 'cobertura/istanbul-spec_100-line-missing-branch.cobertura.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '46/46', branches: '41/43', functions: '8/8' },
    source: 'declared = paired istanbul JSON',
  },
  {
    file: 'istanbul-json/istanbul-spec_missing-line-missing-branch.coverage-final.json',
    format: 'istanbul',
    files: 1,
    totals: { lines: '46/47', branches: '41/43', functions: '8/9', statements: '50/51' },
    source: 'computed',
  },
  {
    file: 'cobertura/istanbul-spec_missing-line-missing-branch.cobertura.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '46/47', branches: '41/43', functions: '8/9' },
    source: 'declared = paired istanbul JSON',
  },
  {
    file: 'expected/istanbul-spec_empty-file.text-report.txt',
    error: notAReport,
    source: 'reference text report (istanbul shows an empty file as 0%; we show n/a: nothing to cover is not 0%)',
  },
  {
    file: 'istanbul-json/istanbul-spec_empty-file-skip-empty.coverage-final.json',
    format: 'istanbul',
    files: 1,
    totals: { lines: null, branches: null, functions: '0/0', statements: '0/0' },
    source: 'computed: nothing to cover -> percentages n/a',
  },
  {
    file: 'cobertura/istanbul-spec_empty-file-skip-empty.cobertura.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: null },
    source: 'declared lines-valid 0',
  },
  {
    file: 'istanbul-json/istanbul-spec_different-path-files.coverage-final.json',
    format: 'istanbul',
    files: 4,
    totals: { lines: null, statements: '0/0' },
    source: 'computed: 4 files, nothing instrumented (istanbul prints 0; we print n/a)',
  },
  {
    file: 'expected/istanbul-spec_different-path-files.text-report.txt',
    error: notAReport,
    source: 'reference text report',
  },
  {
    file: 'cobertura/istanbul-spec_different-path-files.cobertura.xml',
    format: 'cobertura',
    files: 4,
    totals: { lines: null },
    source: 'declared lines-valid 0',
  },
  { file: 'expected/istanbul-spec_coalescence.text-report.txt', error: notAReport, source: 'reference text report' },
  {
    file: 'cobertura/istanbul-spec_coalescence.cobertura.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '6/18', branches: null },
    source: 'declared 18/6; expected text report % Lines 33.33',
    check: (r) =>
      expect(percent(totals(r.files).lines)).toBe(
        istanbulTextTotals('expected/istanbul-spec_coalescence.text-report.txt')[3],
      ),
  },
  {
    file: 'cobertura/istanbul-spec_maxcols.cobertura.xml',
    format: 'cobertura',
    files: 1,
    totals: { lines: '8/20' },
    source: 'declared 20/8',
  },
  { file: 'expected/istanbul-spec_missing-decl.text-report.txt', error: notAReport, source: 'reference text report' },
  {
    file: 'istanbul-json/istanbul-reports_github-10.json',
    format: 'istanbul',
    files: 1,
    totals: { lines: '0/1', branches: '0/1', functions: '0/1', statements: '0/1' },
    source: 'computed; a single FileCoverage with a path at the top level',
  },
  {
    file: 'istanbul-json/istanbul-reports_github-322.json',
    error: /single istanbul file coverage object without a `path`/,
    source: 'a bare FileCoverage without path cannot be attributed (the MANIFEST\'s "files=6" counted its keys)',
  },
  {
    file: 'istanbul-json/istanbul-reports_github-80a.json',
    error: /single istanbul file coverage object without a `path`/,
    source: 'as github-322',
  },
  {
    file: 'istanbul-json/vitest-v8_xray_coverage-final.json',
    format: 'istanbul',
    files: 205,
    totals: { lines: '7466/13482', branches: '3695/8160', functions: '1499/2616', statements: '7674/13998' },
    source: 'Expected: expected/vitest-v8_xray_index.html totals (read live); 55.37% lines, floored like istanbul',
    check: (r) => {
      const t = totals(r.files);
      expect({
        lines: c(t.lines),
        branches: c(t.branches),
        functions: c(t.functions),
        statements: c(t.statements),
      }).toEqual(xrayExpected());
      expect(percent(t.lines)).toBe(55.37);
    },
  },
  {
    file: 'expected/vitest-v8_xray_index.html',
    error: /unrecognized XML coverage format \(root element <html>\)/,
    source: 'reference HTML report',
  },
  {
    file: 'clover/vitest-v8_xray_clover.xml',
    format: 'clover',
    files: 205,
    totals: { lines: '7466/13482', branches: '3695/8160', functions: '1499/2616', statements: null },
    source:
      "Expected (same run's HTML index, read live) for lines/branches/functions; branch totals from each file's <metrics> because istanbul's per-line cond data drops branches on non-statement lines",
    check: (r) => {
      const t = totals(r.files);
      const e = xrayExpected();
      expect({ lines: c(t.lines), branches: c(t.branches), functions: c(t.functions) }).toEqual({
        lines: e.lines,
        branches: e.branches,
        functions: e.functions,
      });
    },
  },
  {
    file: 'istanbul-json/vitest-action_coverage-final.json',
    format: 'istanbul',
    files: 7,
    totals: { lines: '56/282', branches: '3/8', functions: '0/5', statements: '56/282' },
    source: 'computed',
  },
  {
    file: 'istanbul-summary/vitest-action_coverage-summary-compare.json',
    error: /coverage-summary entry ".*constants\.js" has invalid lines counts \(total 1, covered 1\.15\)/,
    source: 'hand-edited fixture with fractional covered counts (and covered > total): rejected rather than rounded',
  },
  {
    file: 'jest-json/jest-action_jsonReport2.json',
    format: 'jest',
    files: 53,
    totals: { lines: '371/506', branches: '156/288', functions: '89/114', statements: '432/571' },
    source: 'computed over coverageMap',
  },
  {
    file: 'istanbul-json/codecov-worker_node1.json',
    format: 'istanbul',
    files: 20,
    totals: { lines: '2830/2924', branches: '1753/1876', functions: '322/323', statements: '2973/3086' },
    source:
      'verified reading (independent count over statementMap/s, fnMap/f, branchMap/b); expected/codecov-worker_node1-result.json is not in the corpus',
  },
  {
    file: 'istanbul-json/codecov-worker_ifbinary.json',
    error: /unrecognized JSON coverage format \(top-level: report, result\)/,
    source: "Codecov's test harness wraps the map as {report, result}; not a format any tool writes",
  },
  // ---- coverage.py JSON ----
  {
    file: 'coveragepy-json/pdf_toolbox_coverage.json',
    format: 'coveragepy',
    files: 32,
    totals: { lines: '2962/3027', branches: null, functions: '265/272' },
    source:
      "declared totals 3027/2962 exactly, from each file's summary (executed_lines also lists 77 non-statement lines such as docstrings)",
  },
  // ---- Clover ----
  {
    file: 'clover/coveralls-reporter_clover-phpcsutils.xml',
    format: 'clover',
    files: 2,
    totals: { lines: '79/79', branches: null, functions: '4/4' },
    source: 'Expected (coveralls): 2 files; declared statements 79/79; method lines are functions',
  },
  {
    file: 'clover/coveralls-reporter_clover-unleash.xml',
    format: 'clover',
    files: 2,
    totals: { lines: '109/138', branches: '66/99', functions: '19/25' },
    source:
      'Expected (coveralls): 2 files, 35 branch lines in create-config.ts; the project <metrics> describe a larger run than the 2 files included',
    check: (r) => expect(fileOf(r, 'create-config.ts').branchLines!.size).toBe(35),
  },
  { file: 'clover/coveralls-reporter_clover.xml', error: /: empty coverage report/, source: '0-byte file' },
  {
    file: 'clover/reportgenerator_Clover_Istanbul.xml',
    format: 'clover',
    files: 2,
    totals: { lines: '11/11', functions: '4/4' },
    source: 'verified reading: only 2 of the 15 declared files carry <line> data',
  },
  {
    file: 'clover/reportgenerator_Clover_Groovy.xml',
    format: 'clover',
    files: 3,
    totals: { lines: '3/3', functions: '3/3' },
    source: 'verified reading (project metrics declare 1 statement for a subset)',
  },
  // ---- JaCoCo ----
  {
    file: 'jacoco/coveralls-reporter_jacoco-report.xml',
    format: 'jacoco',
    files: 2,
    totals: { lines: '5/6', branches: '2/4', functions: '2/2' },
    source: 'Expected (coveralls): 2 files; MessageBuilder.java line 9 has 4 branches, 2 covered',
    check: (r) => expect(fileOf(r, 'MessageBuilder.java').branchLines!.get(9)).toEqual([4, 2]),
  },
  {
    file: 'jacoco/coveralls-reporter_jacoco-report-multiple-packages.xml',
    format: 'jacoco',
    files: 3,
    totals: { lines: '10/12', branches: '4/8', functions: '4/4' },
    source:
      'verified reading: 2 packages / 3 source files; the report-level counters were copied from the one-package fixture (declared 6/5 lies)',
  },
  {
    file: 'jacoco/reportgenerator_JaCoCo0.8.3.xml',
    format: 'jacoco',
    files: 7,
    totals: { lines: '26/38', branches: '1/4', functions: '9/18' },
    source: 'declared LINE 38/26, BRANCH 4/1, METHOD 18/9 exactly; the external DTD is not fetched',
  },
  {
    file: 'jacoco/reportgenerator_JaCoCo0.7.7.xml',
    format: 'jacoco',
    files: 7,
    totals: { lines: '26/38', branches: '1/4', functions: '9/18' },
    source: 'declared exactly; DTD not fetched',
  },
  // ---- Go ----
  {
    file: 'go/coveralls-reporter_coverage.out',
    format: 'go',
    files: 28,
    totals: { lines: '872/1924', statements: '579/1148' },
    source:
      'computed statements 1148/579 exactly; 28 import paths, 27 files once .../lefthook/ and .../lefthook/v2/ resolve to the same workspace file (Expected: 27)',
    check: (report) => {
      const knownFiles = new Set(
        report.files.map((f) => f.path.replace(/^github\.com\/evilmartians\/lefthook\/(v2\/)?/, '')),
      );
      expect(mergeCoverage([report], { workspace: '/ws', knownFiles }).files.size).toBe(27);
      expect(
        mergeCoverage([report], { workspace: '/ws', goModules: ['github.com/evilmartians/lefthook/v2'] }).files.size,
      ).toBe(27);
    },
  },
  {
    file: 'go/coveralls-reporter_coverage-dashes.out',
    format: 'go',
    files: 1,
    totals: { lines: '12/12', statements: '1/1' },
    source: 'computed',
  },
  {
    file: 'go/coveralls-reporter_coverage-two-slashes.out',
    format: 'go',
    files: 1,
    totals: { lines: '12/12', statements: '1/1' },
    source: 'computed',
  },
  {
    file: 'go/codecov-worker_huge_txt.out',
    format: 'go',
    files: 1,
    totals: { lines: '13/197', statements: '7/129' },
    source: 'computed statements 129/7 exactly',
  },
  {
    file: 'expected/codecov-worker_test_lcov.py',
    error: /not an lcov tracefile: 93 of 193 non-empty lines are not lcov records/,
    source:
      'reference test that quotes lcov inside Python strings: detected as lcov by content, then refused as mostly not lcov',
  },
];

function expectIstanbulText(report: ParsedReport, textReport: string): void {
  const [stmts, branch, funcs, lines] = istanbulTextTotals(textReport);
  const t = totals(report.files);
  expect([percent(t.statements), percent(t.branches), percent(t.functions), percent(t.lines)]).toEqual([
    stmts,
    branch,
    funcs,
    lines,
  ]);
}

describe.skipIf(!available)('conformance: the shared coverage corpus', () => {
  const manifest = available
    ? read('MANIFEST.txt')
        .split('\n')
        .filter((line) => line.includes(' | ') && !line.startsWith('#'))
        .map((line) => line.split(' | ')[0]!.trim())
    : [];

  it('has exactly one row per MANIFEST file', () => {
    expect(rows.map((r) => r.file).sort()).toEqual([...manifest].sort());
    expect(new Set(rows.map((r) => r.file)).size).toBe(rows.length);
  });

  it.each(rows.filter((r): r is ParseRow => 'format' in r))('$file parses: $source', async (row) => {
    const report = await parseCoverageFile(join(corpus, row.file));
    expect(report.format).toBe(row.format);
    expect(report.files).toHaveLength(row.files);
    const t = totals(report.files);
    const actual: Totals4 = {
      lines: c(t.lines),
      branches: c(t.branches),
      functions: c(t.functions),
      statements: c(t.statements),
    };
    expect(actual).toMatchObject(row.totals);
    for (const counter of Object.values(t)) {
      if (counter)
        expect(Number.isInteger(counter.found) && Number.isInteger(counter.hit) && counter.hit <= counter.found).toBe(
          true,
        );
    }
    row.check?.(report);
  });

  it.each(rows.filter((r): r is RejectRow => 'error' in r))('$file is rejected: $source', async (row) => {
    const path = join(corpus, row.file);
    const error = await parseCoverageFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoverageInputError);
    expect((error as Error).message).toMatch(row.error);
    expect((error as Error).message.startsWith(path)).toBe(true);
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });
});
