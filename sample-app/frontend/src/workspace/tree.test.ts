import { describe, expect, it } from 'vitest';
import { buildTree, languageForPath, pathProblem, type TreeNode } from './tree.js';

const entry = (path: string, size = 1) => ({ path, size, updatedAt: '2026-01-01T00:00:00.000Z' });

/** A compact picture of a tree: dirs as "name/[...]", files by name. */
function shape(nodes: TreeNode[]): unknown[] {
  return nodes.map((n) => (n.kind === 'dir' ? { [`${n.name}/`]: shape(n.children) } : n.name));
}

describe('buildTree', () => {
  it.each([
    { name: 'empty list', paths: [], expected: [] },
    { name: 'flat files sorted', paths: ['b.ts', 'a.ts'], expected: ['a.ts', 'b.ts'] },
    {
      name: 'directories before files, nested',
      paths: ['README.md', 'src/index.ts', 'src/lib/util.ts', 'src/app.tsx', 'docs/a.md'],
      expected: [{ 'docs/': ['a.md'] }, { 'src/': [{ 'lib/': ['util.ts'] }, 'app.tsx', 'index.ts'] }, 'README.md'],
    },
    { name: 'shared directory merged', paths: ['x/1', 'x/2'], expected: [{ 'x/': ['1', '2'] }] },
  ])('$name', ({ paths, expected }) => {
    expect(shape(buildTree(paths.map((p) => entry(p))))).toEqual(expected);
  });

  it('keeps full paths and sizes on the nodes', () => {
    const [dir] = buildTree([entry('src/lib/util.ts', 42)]);
    expect(dir).toMatchObject({ kind: 'dir', path: 'src' });
    const lib = (dir as Extract<TreeNode, { kind: 'dir' }>).children[0] as Extract<TreeNode, { kind: 'dir' }>;
    expect(lib.path).toBe('src/lib');
    expect(lib.children[0]).toEqual({ kind: 'file', name: 'util.ts', path: 'src/lib/util.ts', size: 42 });
  });
});

describe('languageForPath', () => {
  it.each([
    ['src/index.ts', 'typescript'],
    ['App.TSX', 'typescript'],
    ['server.js', 'javascript'],
    ['lib.cjs', 'javascript'],
    ['main.py', 'python'],
    ['cmd/main.go', 'go'],
    ['src/lib.rs', 'rust'],
    ['README.md', 'typescript'],
    ['Makefile', 'typescript'],
    [undefined, 'typescript'],
  ] as const)('%s -> %s', (path, language) => {
    expect(languageForPath(path)).toBe(language);
  });
});

describe('pathProblem', () => {
  it.each([
    ['src/index.ts', undefined],
    ['a', undefined],
    ['', 'Enter a file path'],
    ['   ', 'Enter a file path'],
    ['/etc/passwd', 'without a leading slash'],
    ['src\\win.ts', 'not "\\"'],
    ['a\0b', 'NUL'],
    ['../escape.ts', '".." segments'],
    ['src/./x.ts', '".." segments'],
    ['src//x.ts', 'empty'],
    ['src/', 'empty'],
    ['a'.repeat(513), 'longer than 512'],
  ])('%j', (path, expected) => {
    const problem = pathProblem(path);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
  });
});
