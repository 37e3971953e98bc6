import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { lineCounter, newFileCoverageFrom, type Counter, type FileCoverage, type Totals } from './model.js';
import { FileBuilder } from './parse/builder.js';
import type { ParsedReport } from './parse/types.js';
import { PathNormalizer, type NormalizePathOptions } from './paths.js';

/** Coverage of a whole run: every report merged per normalized source path. */
export interface CoverageSet {
  /** Repo-relative POSIX path -> merged coverage. */
  files: Map<string, FileCoverage>;
  /** Everything the user should know about that did not stop the gate (parse and path warnings). */
  warnings: string[];
  /** Which reports went in, for the gate's report ("coverage/lcov.info (lcov, 120 files)"). */
  reports: { file: string; format: string; files: number }[];
}

/** Options for {@link mergeCoverage}: how report paths map into the workspace. */
export type MergeOptions = Omit<NormalizePathOptions, 'sourceRoots' | 'onWarning'> & {
  /**
   * Let the result reuse the parsed file objects (renaming their `path`) instead of copying them. Only for callers
   * that own the reports and drop them afterwards, like {@link readCoverage}: it saves 20,000 objects on a monorepo.
   */
  adoptParsedFiles?: boolean;
};

/** Path warnings past this many are summarized; a report of 20,000 files outside the workspace is one problem. */
const MAX_PATH_WARNINGS = 10;

/**
 * Merges parsed reports per source file after normalizing their paths.
 *
 * When the same file appears in several reports (unit + e2e, per-package reports, sharded runs):
 * - lines: union — a line hit in any report is hit, executable in any report is executable;
 * - branches and functions: union per identity (lcov block/branch, istanbul map keys, function names) — a branch is
 *   taken if any report took it. Formats without identities (Cobertura condition-coverage, JaCoCo mb/cb, counters)
 *   degrade to max(found), max(hit) per line, which never over-reports;
 * - statements (no identity): max(found), max(hit), for the same reason;
 * - format-declared line counts (coverage-summary.json, coverage.py summaries) are kept only when both sides have
 *   them (max); when one side has per-line data, the union of lines wins.
 * @param reports parsed reports (their `files` are not modified unless `adoptParsedFiles`).
 * @param options workspace and path-resolution hints.
 * @returns merged files keyed by normalized path, plus warnings.
 */
export function mergeCoverage(reports: ParsedReport[], options: MergeOptions): CoverageSet {
  const warnings: string[] = [];
  let pathWarnings = 0;
  const onWarning = (message: string): void => {
    if (pathWarnings++ < MAX_PATH_WARNINGS) warnings.push(message);
  };
  const normalizer = new PathNormalizer({ ...options, onWarning });
  const files = new Map<string, FileCoverage>();
  for (const report of reports) {
    warnings.push(...report.warnings);
    const base = report.sourceRoots.length ? '' : relativeBase(report, options.workspace);
    for (const file of report.files) {
      const path = normalizer.normalize(
        base && isRelativePath(file.path) ? `${base}/${file.path}` : file.path,
        report.sourceRoots,
      );
      if (path === null) continue;
      const existing = files.get(path);
      if (existing) files.set(path, unionFiles(path, existing, file));
      else if (options.adoptParsedFiles) {
        file.path = path;
        files.set(path, file);
      } else files.set(path, newFileCoverageFrom(path, file));
    }
  }
  if (pathWarnings > MAX_PATH_WARNINGS) {
    warnings.push(`${pathWarnings - MAX_PATH_WARNINGS} more coverage path warning(s) not shown`);
  }
  return { files, warnings, reports: reports.map((r) => ({ file: r.file, format: r.format, files: r.files.length })) };
}

function isRelativePath(path: string): boolean {
  return !isAbsolute(path) && !/^[A-Za-z]:[\\/]/.test(path) && !/^[a-z]+:/i.test(path);
}

/**
 * The folder a report's relative paths are relative to, when it is not the workspace root. Vitest and Jest run per
 * package in a monorepo and write `SF:src/app.ts` into `packages/web/coverage/lcov.info`: those paths are relative to
 * the package, so `src/main.ts` of two packages must not collide. A few paths are probed against the report's
 * folder and its parents (a handful of stat calls per report, never one per file), the workspace root first.
 * @returns the workspace-relative prefix, or '' to keep paths as they are.
 */
function relativeBase(report: ParsedReport, workspace: string): string {
  // report.file is absolute, or workspace-relative as readCoverage displays it.
  const reportDir = relative(workspace, dirname(resolve(workspace, report.file)));
  if (!reportDir || reportDir.startsWith('..') || isAbsolute(reportDir)) return '';
  const probes = report.files
    .map((f) => f.path)
    .filter(isRelativePath)
    .slice(0, 5);
  if (!probes.length || probes.some((p) => existsSync(join(workspace, p)))) return '';
  const parts = reportDir.split(sep);
  for (let depth = parts.length; depth > 0; depth--) {
    const candidate = parts.slice(0, depth).join('/');
    if (probes.some((p) => existsSync(join(workspace, candidate, p)))) return candidate;
  }
  return '';
}

function maxCounter(a: Counter | null | undefined, b: Counter | null | undefined): Counter | undefined {
  if (!a) return b ?? undefined;
  if (!b) return a;
  return { found: Math.max(a.found, b.found), hit: Math.max(a.hit, b.hit) };
}

/**
 * Union of two coverages of the same source file (see {@link mergeCoverage} for the rules).
 * @param path the normalized path of the result.
 */
export function unionFiles(path: string, a: FileCoverage, b: FileCoverage): FileCoverage {
  const builder = new FileBuilder(path);
  builder.absorb({ ...stripCounts(a) });
  builder.absorb({ ...stripCounts(b) });
  const result = builder.finish();
  result.statements = maxCounter(a.statements, b.statements) ?? null;
  // Authoritative counts survive only when both sides have them; otherwise the per-line union is the better data.
  if (a.lineCounts && b.lineCounts) result.lineCounts = maxCounter(a.lineCounts, b.lineCounts)!;
  // Summary-only branch counts have no detail to union; keep the larger.
  if (!result.branchDetail) result.branches = maxCounter(a.branches, b.branches) ?? null;
  if (!result.functionDetail && (a.functions || b.functions)) {
    result.functions = maxCounter(a.functions, b.functions) ?? null;
  }
  return result;
}

/** The fields {@link FileBuilder.absorb} unions by identity, without the ones we merge by max. */
function stripCounts(file: FileCoverage): FileCoverage {
  return {
    path: file.path,
    lines: file.lines,
    branches: null,
    functions: file.functions,
    statements: null,
    ...(file.branchDetail ? { branchDetail: file.branchDetail } : {}),
    ...(file.functionDetail ? { functionDetail: file.functionDetail } : {}),
  };
}

/**
 * The counts of one file, as {@link totals} counts it. The counters are the file's own objects (only the line
 * counter is new): read them, do not add to them — {@link addTotals} copies before it sums.
 * @param file a parsed or merged file.
 * @returns per metric found/hit, or null when the file has no data for that metric.
 */
export function fileTotals(file: FileCoverage): Totals {
  const lines = lineCounter(file);
  return {
    lines: lines.found > 0 || file.lines.length > 0 || file.lineCounts ? lines : null,
    branches: file.branches,
    functions: file.functions,
    statements: file.statements,
  };
}

/**
 * Sums totals counted separately: a metric stays null unless some part has data for it (`totals(files)` is
 * `addTotals` of the files' {@link fileTotals}). Lets a caller that needs several sums over the same files (overall,
 * per package) count each file's lines once, as counting walks the file's whole line array.
 * @param parts totals to add (not modified).
 * @returns new totals.
 */
export function addTotals(parts: Iterable<Totals>): Totals {
  // The result exists before the loop: creating it after a long loop made V8 deoptimize this function on every call
  // (once per package), seen with --trace-deopt.
  const sum: Totals = { lines: null, branches: null, functions: null, statements: null };
  for (const part of parts) {
    sum.lines = addCounter(sum.lines, part.lines);
    sum.branches = addCounter(sum.branches, part.branches);
    sum.functions = addCounter(sum.functions, part.functions);
    sum.statements = addCounter(sum.statements, part.statements);
  }
  return sum;
}

/** Adds `c` into `sum` (a counter of our own, created from a copy of the first `c`); null means no data yet. */
function addCounter(sum: Counter | null, c: Counter | null): Counter | null {
  if (!c) return sum;
  if (!sum) return { found: c.found, hit: c.hit };
  sum.found += c.found;
  sum.hit += c.hit;
  return sum;
}

/**
 * Sums raw counts over files. Percentages come from these sums (model `percent`), never from averaging files.
 * @param files merged files.
 * @returns per metric found/hit, or null when no file had data for that metric (so the gate says "n/a", not 0%).
 */
export function totals(files: Iterable<FileCoverage>): Totals {
  return addTotals(Array.from(files, fileTotals));
}
