import { afterAll, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '@myco-gates/testkit/temp-repo';
import { CoverageInputError } from './parse/errors.js';
import { readCoverage, splitPatterns } from './read.js';

const repos: TempRepo[] = [];
const workspace = (files: Record<string, string>): string =>
  repos[repos.push(tempRepo(files, { prefix: 'myco-ws-' })) - 1].root;
afterAll(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

const lcov = (path: string, hits: number[]) =>
  `SF:${path}\n${hits.map((h, i) => `DA:${i + 1},${h}`).join('\n')}\nend_of_record\n`;

describe('readCoverage', () => {
  it.each([
    ['a, b', ['a', 'b']],
    ['a\n  b\n\n', ['a', 'b']],
    [['x', ' '], ['x']],
    [undefined, []],
  ] as const)('splits %j', (input, expected) => {
    expect(splitPatterns(input)).toEqual(expected);
  });

  it('resolves per-package relative paths against the package, so src/main.ts of two packages do not collide', async () => {
    const ws = workspace({
      'packages/a/src/main.ts': 'a',
      'packages/b/src/main.ts': 'b',
      'packages/a/coverage/lcov.info': lcov('src/main.ts', [1, 0]),
      'packages/b/coverage/lcov.info': lcov('src/main.ts', [1, 1, 1]),
      'root.lcov': lcov('packages/a/src/main.ts', [0, 0]),
    });
    const set = await readCoverage(['packages/*/coverage/lcov.info', 'root.lcov'], { workspace: ws });
    expect([...set.files.keys()].sort()).toEqual(['packages/a/src/main.ts', 'packages/b/src/main.ts']);
    expect(set.files.get('packages/b/src/main.ts')!.lines.slice(1)).toEqual(new Uint8Array([2, 2, 2]));
    expect(set.files.get('packages/a/src/main.ts')!.lines.slice(1)).toEqual(new Uint8Array([2, 1]));
  });

  it('expands globs relative to the workspace and merges every report', async () => {
    const ws = workspace({
      'packages/a/coverage/lcov.info': lcov('src/a.ts', [1, 0]),
      'packages/b/coverage/lcov.info': lcov('src/b.ts', [1, 1]),
      'node_modules/x/coverage/lcov.info': lcov('junk.ts', [0]),
    });
    const set = await readCoverage('packages/*/coverage/lcov.info', { workspace: ws });
    expect([...set.files.keys()].sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect(set.reports.map((r) => r.file)).toEqual(['packages/a/coverage/lcov.info', 'packages/b/coverage/lcov.info']);
  });

  it('discovers the usual report locations, one format per directory, skipping node_modules', async () => {
    const ws = workspace({
      'coverage/lcov.info': lcov(`src/a.ts`, [1]),
      'coverage/coverage-final.json': '{"not": "parsed because lcov.info wins in this directory"}',
      'backend/coverage.xml':
        '<coverage><packages><package><classes><class filename="app/x.py"><lines><line number="1" hits="0"/></lines></class></classes></package></packages></coverage>',
      'node_modules/pkg/coverage/lcov.info': lcov('junk.ts', [0]),
      'src/a.ts': '',
    });
    const set = await readCoverage('', { workspace: ws });
    expect([...set.files.keys()].sort()).toEqual(['app/x.py', 'src/a.ts']);
  });

  it('resolves foreign absolute paths against the workspace files on demand', async () => {
    const ws = workspace({
      'coverage/lcov.info': lcov('/Users/someone/dev/repo/src/deep/a.ts', [1, 0]),
      'src/deep/a.ts': '',
    });
    const set = await readCoverage(undefined, { workspace: ws });
    expect([...set.files.keys()]).toEqual(['src/deep/a.ts']);
  });

  it('strips the go.mod module from coverprofile paths', async () => {
    const ws = workspace({
      'go.mod': 'module github.com/acme/svc\n\ngo 1.22\n',
      'cover.out': 'mode: set\ngithub.com/acme/svc/internal/x.go:1.1,3.2 2 1\n',
    });
    const set = await readCoverage('cover.out', { workspace: ws });
    expect([...set.files.keys()]).toEqual(['internal/x.go']);
  });

  const failures: { name: string; files: Record<string, string>; input: string | undefined; message: RegExp }[] = [
    {
      name: 'nothing to discover',
      files: { 'README.md': '# hi' },
      input: undefined,
      message: /no coverage report found in the workspace.*Run the tests with coverage/,
    },
    {
      name: 'a named file that does not exist',
      files: {},
      input: 'coverage/lcov.info',
      message: /^coverage\/lcov\.info: file not found/,
    },
    {
      name: 'a glob that matches nothing',
      files: {},
      input: 'reports/**/*.xml',
      message: /^reports\/\*\*\/\*\.xml: pattern matched no files/,
    },
    {
      name: 'a named report that is empty',
      files: { 'lcov.info': '' },
      input: 'lcov.info',
      message: /lcov\.info: empty coverage report/,
    },
    {
      name: 'reports with no source files',
      files: { 'cover.out': 'mode: set\n' },
      input: 'cover.out',
      message: /contain no source files/,
    },
    {
      name: 'discovery finding only non-coverage JSON',
      files: { 'coverage.json': '{"name":"x"}' },
      input: undefined,
      message: /none is a usable coverage report.*unrecognized JSON/,
    },
  ];

  it.each(failures)('fails clearly on $name (never a silent 0%)', async ({ files, input, message }) => {
    const ws = workspace(files);
    const error = await readCoverage(input, { workspace: ws }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoverageInputError);
    expect((error as Error).message).toMatch(message);
  });
});
