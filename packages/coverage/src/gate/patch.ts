import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LINE_HIT, LINE_MISSED, percent, type FileCoverage } from '../model.js';
import { CoverageGateError } from './errors.js';

const exec = promisify(execFile);

/** The lines a pull request added or changed, per file (new path, repo-relative POSIX). */
export interface ChangedLines {
  /** file -> 1-based line numbers in the new version of the file. */
  files: Map<string, Set<number>>;
  /** new path -> old path, for renamed files. */
  renames: Map<string, string>;
  /** The merge base the diff was taken from. */
  mergeBase?: string;
}

/** A run of consecutive uncovered changed lines. */
export interface LineRange {
  start: number;
  end: number;
}

/** Patch coverage of one file. */
export interface FilePatchCoverage {
  file: string;
  /** Changed lines that are executable. */
  executable: number;
  /** Changed executable lines that ran. */
  hit: number;
  /** Uncovered changed lines merged into ranges (non-executable lines between them are bridged). */
  uncovered: LineRange[];
}

/** Coverage of the changed lines of a pull request. */
export interface PatchCoverage {
  executable: number;
  hit: number;
  /** Rounded down like every other percentage; `null` when no changed line is executable. */
  percent: number | null;
  /** Files with at least one changed executable line. */
  files: FilePatchCoverage[];
  /** Changed files that do not appear in any coverage report (not instrumented, or never loaded by tests). */
  filesWithoutCoverage: string[];
}

/** Undoes git's C-style quoting of unusual paths (`"a/caf\303\251.ts"`). */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  const escapes: Record<string, number> = { n: 10, t: 9, '"': 34, '\\': 92, a: 7, b: 8, f: 12, r: 13, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Reads the changed lines from `git diff --unified=0` output: the `+c,d` side of every hunk header, with renames.
 * Deleted files and pure deletions add nothing (there is no new line to cover).
 * @param diff the diff text, produced with `--src-prefix=a/ --dst-prefix=b/`.
 * @returns changed lines per new path.
 * @example parseUnifiedDiff('+++ b/a.ts\n@@ -1,0 +2,2 @@\n') // files: a.ts -> {2, 3}
 */
export function parseUnifiedDiff(diff: string): ChangedLines {
  const files = new Map<string, Set<number>>();
  const renames = new Map<string, string>();
  let current: Set<number> | null = null;
  let renameFrom: string | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = null;
      renameFrom = null;
    } else if (line.startsWith('rename from ')) {
      renameFrom = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) {
      const to = unquote(line.slice('rename to '.length));
      if (renameFrom) renames.set(to, renameFrom);
    } else if (line.startsWith('+++ ')) {
      const target = unquote(line.slice(4).trimEnd());
      if (target === '/dev/null') {
        current = null;
        continue;
      }
      const path = target.replace(/^b\//, '');
      current = files.get(path) ?? new Set<number>();
      files.set(path, current);
    } else if (line.startsWith('@@') && current) {
      const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!match) continue;
      const start = Number(match[1]);
      const count = match[2] === undefined ? 1 : Number(match[2]);
      for (let l = start; l < start + count; l++) current.add(l);
    }
  }
  // A rename without content changes has no hunk; it stays listed with no lines so it still shows as changed.
  return { files, renames };
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await exec('git', ['-c', 'core.quotepath=off', ...args], {
    cwd,
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'utf8',
  });
  return stdout;
}

/** Options of {@link changedLinesFromGit}. */
export interface GitDiffOptions {
  /** The working tree (paths come out relative to it, like the coverage paths). */
  cwd: string;
  /** Base commit of the pull request (`pull_request.base.sha` of the event). */
  baseSha: string;
  /** Head commit; defaults to `HEAD`. */
  headSha?: string;
}

/**
 * The lines a pull request changed, from git: `git diff --unified=0 <merge-base> <head>`, where the merge base is that
 * of the base commit and the head (what GitHub shows as the PR's "Files changed"). No external service.
 * @param options working tree and commits.
 * @returns changed lines per file, relative to `cwd`.
 * @throws CoverageGateError when the base commit or the merge base is not in the clone (shallow checkout).
 */
export async function changedLinesFromGit(options: GitDiffOptions): Promise<ChangedLines> {
  const head = options.headSha ?? 'HEAD';
  const fix =
    'Check out the full history so the base commit and the merge base are present: `actions/checkout` with `fetch-depth: 0`';
  try {
    await git(options.cwd, ['rev-parse', '--is-inside-work-tree']);
  } catch {
    throw new CoverageGateError(options.cwd, 'is not a git working tree, so the changed lines are unknown', fix);
  }
  try {
    await git(options.cwd, ['cat-file', '-e', `${options.baseSha}^{commit}`]);
  } catch {
    throw new CoverageGateError(`base commit ${options.baseSha.slice(0, 12)}`, 'is not in the clone', fix);
  }
  let mergeBase: string;
  try {
    mergeBase = (await git(options.cwd, ['merge-base', options.baseSha, head])).trim();
  } catch {
    throw new CoverageGateError(
      `base commit ${options.baseSha.slice(0, 12)}`,
      `has no merge base with ${head} in the clone`,
      fix,
    );
  }
  const diff = await git(options.cwd, [
    'diff',
    '--unified=0',
    '--no-color',
    '--no-ext-diff',
    '--find-renames',
    '--relative',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    mergeBase,
    head,
  ]);
  return { ...parseUnifiedDiff(diff), mergeBase };
}

function toRanges(uncovered: number[], lines: Uint8Array): LineRange[] {
  const ranges: LineRange[] = [];
  for (const line of uncovered) {
    const last = ranges[ranges.length - 1];
    if (last) {
      // Bridge blank lines, comments and braces between two uncovered lines: one annotation reads better than five.
      let bridged = true;
      for (let l = last.end + 1; l < line; l++) if (lines[l] !== undefined && lines[l] !== 0) bridged = false;
      if (bridged) {
        last.end = line;
        continue;
      }
    }
    ranges.push({ start: line, end: line });
  }
  return ranges;
}

/**
 * Coverage of the changed lines: hit / executable among them.
 * @param files coverage per file (repo-relative paths, as in the coverage set).
 * @param changed the changed lines of the pull request.
 * @returns totals, per-file detail and uncovered ranges.
 */
export function computePatchCoverage(files: Map<string, FileCoverage>, changed: ChangedLines): PatchCoverage {
  const result: PatchCoverage = { executable: 0, hit: 0, percent: null, files: [], filesWithoutCoverage: [] };
  for (const [path, lineSet] of changed.files) {
    const coverage = files.get(path);
    if (!coverage) {
      if (lineSet.size > 0) result.filesWithoutCoverage.push(path);
      continue;
    }
    let executable = 0;
    let hit = 0;
    const uncovered: number[] = [];
    for (const line of [...lineSet].sort((a, b) => a - b)) {
      const status = coverage.lines[line];
      if (status === LINE_HIT) {
        executable++;
        hit++;
      } else if (status === LINE_MISSED) {
        executable++;
        uncovered.push(line);
      }
    }
    if (executable === 0) continue;
    result.executable += executable;
    result.hit += hit;
    result.files.push({ file: path, executable, hit, uncovered: toRanges(uncovered, coverage.lines) });
  }
  result.percent = percent({ found: result.executable, hit: result.hit });
  result.files.sort((a, b) => a.file.localeCompare(b.file));
  result.filesWithoutCoverage.sort();
  return result;
}
