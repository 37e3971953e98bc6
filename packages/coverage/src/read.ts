import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { mergeCoverage, type CoverageSet } from './merge.js';
import { CoverageInputError } from './parse/errors.js';
import { parseCoverageFile } from './parse/index.js';
import type { ParsedReport, ParseOptions } from './parse/types.js';

/** Options for {@link readCoverage}. */
export interface ReadCoverageOptions extends ParseOptions {
  /** Absolute path of the repository checkout (GITHUB_WORKSPACE); globs and relative paths resolve against it. */
  workspace: string;
  /**
   * Repo-relative files of the workspace for suffix matching of foreign paths. When omitted it is listed from the
   * workspace on demand — only if some report path is absolute outside the workspace or a Go import path.
   */
  knownFiles?: ReadonlySet<string>;
}

/**
 * Where coverage tools write by default, in preference order. Discovery takes, per directory, only the first format
 * found, so `coverage/lcov.info` and `coverage/coverage-final.json` of the same run are not both parsed.
 */
export const DEFAULT_REPORT_PATTERNS = [
  '**/lcov.info',
  '**/coverage-final.json',
  '**/cobertura-coverage.xml',
  '**/cobertura.xml',
  '**/coverage.cobertura.xml',
  '**/coverage.xml',
  '**/jacocoTestReport.xml',
  '**/jacoco.xml',
  '**/clover.xml',
  '**/cover.out',
  '**/coverage.out',
  '**/coverprofile.out',
  '**/coverage.json',
  '**/coverage-summary.json',
] as const;

const IGNORED_DIRS = ['**/node_modules/**', '**/.git/**', '**/vendor/**', '**/.venv/**', '**/venv/**', '**/.tox/**'];

/**
 * Splits the `reports` input: newline or comma separated globs/paths, blank entries ignored, `!pattern` excludes.
 * @param input the raw input (or list).
 */
export function splitPatterns(input: string | readonly string[] | undefined): string[] {
  const raw = typeof input === 'string' ? input.split(/[\n,]/) : (input ?? []);
  return raw.map((p) => p.trim()).filter((p) => p !== '');
}

const isGlob = (pattern: string): boolean => /[*?[\]{}!]/.test(pattern);

/**
 * Finds, parses and merges the coverage reports of a run.
 * @param globsOrPaths newline/comma separated globs or paths relative to the workspace; empty -> default discovery
 *   ({@link DEFAULT_REPORT_PATTERNS}, skipping node_modules).
 * @param options workspace, known files, JSON size cap.
 * @returns merged coverage with normalized paths.
 * @throws CoverageInputError when a named file is missing, a pattern matches nothing, a report is unusable, or no
 *   report is found at all — the gate never reports a silent 0%.
 * @example const coverage = await readCoverage('coverage/lcov.info', { workspace: process.env.GITHUB_WORKSPACE! });
 */
export async function readCoverage(
  globsOrPaths: string | readonly string[] | undefined,
  options: ReadCoverageOptions,
): Promise<CoverageSet> {
  const workspace = resolve(options.workspace);
  const patterns = splitPatterns(globsOrPaths);
  const discovering = patterns.length === 0;
  const files = discovering ? await discover(workspace) : await expand(patterns, workspace);
  if (files.length === 0) {
    throw new CoverageInputError(
      discovering ? workspace : patterns.join(', '),
      discovering ? 'no coverage report found in the workspace' : 'no coverage report matched',
      discovering
        ? `Run the tests with coverage before this step, or set \`files\` to the report path (looked for: ${DEFAULT_REPORT_PATTERNS.map((p) => p.slice(3)).join(', ')})`
        : 'Check the `reports` input; paths are relative to the repository root',
    );
  }
  const reports: ParsedReport[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    try {
      const report = await parseCoverageFile(file, options);
      reports.push({ ...report, file: displayPath(file, workspace) });
    } catch (error) {
      // Discovery may pick up a `coverage.json` that is not coverage; an explicitly named file must be valid.
      if (discovering && error instanceof CoverageInputError) skipped.push(error.message);
      else throw error;
    }
  }
  if (reports.length === 0) {
    throw new CoverageInputError(
      workspace,
      `found ${files.length} candidate file(s) but none is a usable coverage report (${skipped.join('; ')})`,
      'Set `files` to the coverage report your test step writes',
    );
  }
  const goModules = readGoModules(workspace);
  let knownFiles = options.knownFiles;
  if (!knownFiles && reports.some((r) => r.files.some((f) => needsKnownFiles(f.path, workspace, goModules)))) {
    knownFiles = await listWorkspace(workspace);
  }
  const set = mergeCoverage(reports, {
    workspace,
    ...(knownFiles ? { knownFiles } : {}),
    goModules,
    adoptParsedFiles: true,
  });
  for (const message of skipped) set.warnings.push(`skipped during discovery: ${message}`);
  if (set.files.size === 0) {
    throw new CoverageInputError(
      reports.map((r) => r.file).join(', '),
      'the coverage reports contain no source files',
      'Check that the tests ran with coverage enabled (an empty report would otherwise read as 0%)',
    );
  }
  return set;
}

function displayPath(file: string, workspace: string): string {
  const rel = relative(workspace, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split('\\').join('/');
}

async function expand(patterns: string[], workspace: string): Promise<string[]> {
  const found = new Set<string>();
  const positives = patterns.filter((p) => !p.startsWith('!'));
  const negatives = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  for (const pattern of positives) {
    if (!isGlob(pattern)) {
      const path = resolve(workspace, pattern);
      if (!existsSync(path)) {
        throw new CoverageInputError(
          pattern,
          'file not found',
          'Check the `reports` input and that the test step wrote the report before this step',
        );
      }
      if (statSync(path).isDirectory()) {
        for (const file of await discover(path)) found.add(file);
      } else found.add(path);
      continue;
    }
    const matches = await glob(pattern, {
      cwd: workspace,
      absolute: true,
      dot: true,
      onlyFiles: true,
      ignore: [...IGNORED_DIRS, ...negatives],
    });
    if (matches.length === 0) {
      throw new CoverageInputError(
        pattern,
        'pattern matched no files',
        'Check the `reports` input; globs are relative to the repository root',
      );
    }
    for (const match of matches.sort()) found.add(resolve(match));
  }
  return [...found];
}

async function discover(root: string): Promise<string[]> {
  const matches = await glob([...DEFAULT_REPORT_PATTERNS], {
    cwd: root,
    absolute: true,
    dot: false,
    onlyFiles: true,
    deep: 8,
    ignore: IGNORED_DIRS,
  });
  const rank = (file: string): number =>
    DEFAULT_REPORT_PATTERNS.findIndex((p) => file.endsWith(`/${p.slice(3)}`) || file.endsWith(`\\${p.slice(3)}`));
  const bestPerDir = new Map<string, string>();
  for (const match of matches.map((m) => resolve(m)).sort()) {
    const dir = dirname(match);
    const best = bestPerDir.get(dir);
    if (best === undefined || rank(match) < rank(best)) bestPerDir.set(dir, match);
  }
  return [...bestPerDir.values()].sort();
}

/** Module paths of go.mod files at the workspace root (one module) — cheap, and it fixes Go import paths. */
function readGoModules(workspace: string): string[] {
  try {
    const text = readFileSync(join(workspace, 'go.mod'), 'utf8');
    const module = /^module\s+(\S+)/m.exec(text)?.[1];
    return module ? [module] : [];
  } catch {
    return [];
  }
}

function needsKnownFiles(path: string, workspace: string, goModules: string[]): boolean {
  const p = path.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(p)) return true;
  if (p.startsWith('/')) return !p.startsWith(`${workspace.replace(/\\/g, '/')}/`);
  // Go import paths (`github.com/org/repo/pkg/file.go`) not covered by go.mod.
  return /^[\w.-]+\.[a-z]{2,}\//.test(p) && !goModules.some((m) => p.startsWith(`${m}/`));
}

async function listWorkspace(workspace: string): Promise<Set<string>> {
  const files = await glob('**/*', { cwd: workspace, dot: false, onlyFiles: true, ignore: IGNORED_DIRS, deep: 25 });
  return new Set(files.map((f) => f.split('\\').join('/')));
}
