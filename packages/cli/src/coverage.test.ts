import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '@myco-gates/testkit/temp-repo';
import { main } from './main.js';

let repo: TempRepo;
let root: string;
const write = (path: string, content: string) => repo.write(path, content);
const git = (...args: string[]) => repo.git(...args);

beforeAll(() => {
  repo = tempRepo({}, { git: true, prefix: 'cli-cov-' });
  root = repo.root;
  write('src/a.ts', 'a\nb\nc\nd\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  write('src/a.ts', 'a\nb\nC\nD\ne\n');
  git('commit', '-q', '-am', 'change');
  // Lines 1-3 hit, 4-5 missed: 60% overall, changed lines 3-5 -> 1 of 3.
  write('coverage/lcov.info', 'SF:src/a.ts\nDA:1,1\nDA:2,1\nDA:3,1\nDA:4,0\nDA:5,0\nLF:5\nLH:3\nend_of_record\n');
});
afterAll(() => repo.remove());

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd: root });
  return { code, stdout, stderr };
}

describe('myco-gates coverage', () => {
  it.each([
    [['--thresholds', 'lines=50'], 0, '✅ **Coverage 60.00% lines (1 of 1 checks passed)**'],
    [['--thresholds=lines=80'], 1, '❌ **Coverage 60.00% lines — below 80% (1 of 1 checks failed)**'],
    [
      ['--base', 'main', '--patch-threshold', '50'],
      1,
      'Patch coverage 33.33% — below 50% (1 of 3 changed lines covered)',
    ],
    [
      ['--package-thresholds', '(root): lines=50', '--package-thresholds', 'other: 10'],
      0,
      'Package threshold other matches no package',
    ],
  ])('%j exits %i', async (flags, code, text) => {
    const result = await cli(['coverage', '--reports', 'coverage/lcov.info', ...flags]);
    expect(result.code).toBe(code);
    expect(result.stdout).toContain(text);
    // stdout is the comment markdown only: no workflow commands, no progress lines.
    expect(result.stdout).not.toContain('::');
    expect(result.stdout.trimEnd().endsWith('<!-- myco-gates:coverage -->')).toBe(true);
  });

  it('takes INPUT_* variables like the runner passes them, flags win', async () => {
    const env = { INPUT_REPORTS: 'coverage/lcov.info', INPUT_THRESHOLDS: 'lines=99', 'INPUT_MAX-DROP': '' };
    expect((await cli(['coverage'], env)).code).toBe(1);
    expect((await cli(['coverage', '--thresholds', 'lines=10'], env)).code).toBe(0);
  });

  it('prints the JSON report with --format json', async () => {
    const result = await cli(['coverage', '--reports', 'coverage/lcov.info', '--format', 'json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ gate: 'coverage', status: 'pass', metrics: { lines: 60 } });
  });

  it.each([
    [['--thresholds', 'lines=1O0'], 'input `thresholds`: threshold `1O0` is not a percentage from 0 to 100'],
    [['--treshold', '80'], 'flag --treshold: is not an input of the coverage gate'],
    [['--base', 'no-such-branch'], 'flag --base: `no-such-branch` is not a commit of this repository'],
    [['--reports', 'nope/lcov.info'], 'nope/lcov.info: file not found'],
    [['--format', 'xml'], 'flag --format: `xml` is not a format'],
  ])('%j exits 2 with one clear line', async (flags, message) => {
    const result = await cli([
      'coverage',
      ...(flags[0] === '--reports' ? flags : ['--reports', 'coverage/lcov.info', ...flags]),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('shows help', async () => {
    expect((await cli(['coverage', '--help'])).stdout).toContain('Usage: myco-gates coverage');
    expect((await cli(['help'])).stdout).toContain('Commands:');
    expect((await cli(['frobnicate'])).code).toBe(2);
  });
});
