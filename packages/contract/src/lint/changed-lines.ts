import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ContractInputError } from '../load/errors.js';

const exec = promisify(execFile);

/** Lines a pull request added or changed, by repo-relative file path (1-based, sorted `[start, end]` ranges). */
export type ChangedLines = Map<string, [number, number][]>;

/**
 * Parse `git diff --unified=0` output into the new-side line ranges of each file.
 * @param diff unified diff text (any context size works; only hunk headers and `+++` lines are read).
 * @returns changed line ranges per file; deleted files are left out.
 * @example changedLinesFromDiff('+++ b/api.yaml\n@@ -3,0 +4,2 @@\n') // Map { 'api.yaml' => [[4, 5]] }
 */
export function changedLinesFromDiff(diff: string): ChangedLines {
  const result: ChangedLines = new Map();
  let current: [number, number][] | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const target = line.slice(4).replace(/\t.*$/, '');
      if (target === '/dev/null') current = undefined;
      else {
        const file = unquote(target).replace(/^b\//, '');
        current = result.get(file) ?? [];
        result.set(file, current);
      }
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk && current) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (count > 0) current.push([start, start + count - 1]);
    }
  }
  return result;
}

/** Git quotes paths with unusual characters (`"b/caf\303\251.yaml"`); undo that. */
function unquote(p: string): string {
  if (!p.startsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') {
      const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
      if (octal) {
        bytes.push(parseInt(octal[0], 8));
        i += 3;
        continue;
      }
      const esc: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };
      bytes.push(...Buffer.from(esc[body[i + 1]] ?? body[i + 1]));
      i++;
    } else bytes.push(...Buffer.from(body[i]));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Whether a line is inside the changed ranges of a file.
 * @param changed ranges from {@link changedLinesFromDiff}.
 * @param file repo-relative path.
 * @param line 1-based line.
 * @returns true when the pull request touched that line.
 */
export function isChangedLine(changed: ChangedLines, file: string, line: number): boolean {
  const ranges = changed.get(file);
  if (!ranges) return false;
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid][1] < line) lo = mid + 1;
    else if (ranges[mid][0] > line) hi = mid - 1;
    else return true;
  }
  return false;
}

/**
 * The lines a pull request changed in some files: `git diff --unified=0 <mergeBase>...HEAD -- <files>`.
 * @param root repository root (git top level).
 * @param mergeBase commit the pull request branched from (or its base commit; `...` finds the merge base).
 * @param files repo-relative paths to restrict the diff to; all files when empty.
 * @returns changed line ranges per file.
 * @throws ContractInputError when the base commit is not in the clone (shallow checkout).
 */
export async function gitChangedLines(
  root: string,
  mergeBase: string,
  files: readonly string[],
): Promise<ChangedLines> {
  const args = [
    'diff',
    '--unified=0',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    `${mergeBase}...HEAD`,
    '--',
    ...files,
  ];
  try {
    const { stdout } = await exec('git', args, { cwd: root, maxBuffer: 512 * 1024 * 1024 });
    return changedLinesFromDiff(stdout);
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    throw new ContractInputError(
      `cannot diff the pull request against ${mergeBase}: ${stderr.split('\n')[0]}`,
      { file: files[0] ?? '.' },
      'check out the full history (actions/checkout with `fetch-depth: 0`) so the merge base is available',
    );
  }
}
