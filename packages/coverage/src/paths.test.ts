import { describe, expect, it } from 'vitest';
import { normalizePath, type NormalizePathOptions } from './paths.js';

const known = new Set([
  'src/index.ts',
  'packages/api/src/server.ts',
  'internal/config/config.go',
  'internal/log/log.go',
  'lib/run.js',
  'temp/AnalyzerTestClass.cs',
]);

describe('normalizePath', () => {
  const cases: { name: string; path: string; options?: Partial<NormalizePathOptions>; expected: string | null }[] = [
    { name: 'relative POSIX path', path: 'src/index.ts', expected: 'src/index.ts' },
    { name: './ prefix and duplicate slashes', path: './src//index.ts', expected: 'src/index.ts' },
    { name: 'absolute under the workspace', path: '/home/runner/work/app/app/src/index.ts', expected: 'src/index.ts' },
    {
      name: 'Windows workspace with backslashes',
      path: 'D:\\a\\app\\app\\src\\index.ts',
      options: { workspace: 'D:\\a\\app\\app' },
      expected: 'src/index.ts',
    },
    {
      name: 'Windows drive case differs',
      path: 'd:/a/app/app/src/index.ts',
      options: { workspace: 'D:\\a\\app\\app' },
      expected: 'src/index.ts',
    },
    { name: 'relative with backslashes', path: 'src\\index.ts', expected: 'src/index.ts' },
    { name: 'file:// URL', path: 'file:///home/runner/work/app/app/src/index.ts', expected: 'src/index.ts' },
    { name: 'container prefix /app/ without known files', path: '/app/src/index.ts', expected: 'src/index.ts' },
    { name: 'container prefix /github/workspace/', path: '/github/workspace/lib/run.js', expected: 'lib/run.js' },
    { name: 'GitLab /builds/<group>/<project>/', path: '/builds/acme/app/src/index.ts', expected: 'src/index.ts' },
    { name: '/usr/src/app/', path: '/usr/src/app/lib/run.js', expected: 'lib/run.js' },
    {
      name: 'another machine, resolved by the longest known suffix',
      path: '/Users/dev/projects/app/packages/api/src/server.ts',
      options: { knownFiles: known },
      expected: 'packages/api/src/server.ts',
    },
    {
      name: 'Windows path from another machine with known files',
      path: 'C:\\temp\\AnalyzerTestClass.cs',
      options: { knownFiles: known },
      expected: 'temp/AnalyzerTestClass.cs',
    },
    {
      name: 'Go import path via known files',
      path: 'github.com/evilmartians/lefthook/internal/config/config.go',
      options: { knownFiles: known },
      expected: 'internal/config/config.go',
    },
    {
      name: 'Go /v2 import path via known files',
      path: 'github.com/evilmartians/lefthook/v2/internal/log/log.go',
      options: { knownFiles: known },
      expected: 'internal/log/log.go',
    },
    {
      name: 'Go import path via go.mod module',
      path: 'github.com/acme/api/internal/x.go',
      options: { goModules: ['github.com/acme/api'] },
      expected: 'internal/x.go',
    },
    {
      name: 'Go major version suffix of the module',
      path: 'github.com/acme/api/v3/internal/x.go',
      options: { goModules: ['github.com/acme/api/v3'] },
      expected: 'internal/x.go',
    },
    {
      name: 'Cobertura <source> root (absolute, in the workspace)',
      path: 'pkg/mod.py',
      options: { sourceRoots: ['/home/runner/work/app/app/src'] },
      expected: 'src/pkg/mod.py',
    },
    {
      name: 'Cobertura <source> root (relative)',
      path: 'mod.py',
      options: { sourceRoots: ['src/pkg/'] },
      expected: 'src/pkg/mod.py',
    },
    {
      name: 'Cobertura root from another machine, file known',
      path: 'index.ts',
      options: { sourceRoots: ['--source', '/build/xyz/src'], knownFiles: known },
      expected: 'src/index.ts',
    },
    { name: 'webpack source path', path: 'webpack://my-app/./src/index.ts', expected: 'src/index.ts' },
    { name: 'esbuild virtual module', path: 'dist/<define:DATA>', expected: null },
    { name: 'Node builtin', path: 'node:internal/modules/cjs/loader', expected: null },
    { name: 'webpack runtime', path: 'webpack://my-app/webpack/bootstrap', expected: null },
    { name: 'empty path', path: '  ', expected: null },
    // clean() leaves paths without `.`/`..` segments or repeated slashes to themselves; the others are normalized.
    { name: 'dot segment inside', path: 'src/./lib/run.js', expected: 'src/lib/run.js' },
    { name: 'parent segment inside', path: 'src/../lib/run.js', expected: 'lib/run.js' },
    { name: 'trailing parent segment', path: 'lib/x/..', expected: 'lib' },
    { name: 'dotted names are not segments', path: '.config/.../a..b/.x.', expected: '.config/.../a..b/.x.' },
    { name: 'absolute with a dot segment', path: '/home/runner/work/app/app/./lib/run.js', expected: 'lib/run.js' },
    {
      name: 'Windows path with a parent segment',
      path: 'D:\\a\\app\\app\\src\\..\\lib\\run.js',
      options: { workspace: 'D:\\a\\app\\app' },
      expected: 'lib/run.js',
    },
  ];

  it.each(cases)('$name', ({ path, options, expected }) => {
    const warnings: string[] = [];
    const result = normalizePath(path, {
      workspace: '/home/runner/work/app/app',
      ...options,
      onWarning: (m) => warnings.push(m),
    });
    expect(result).toBe(expected);
    if (expected === null) expect(warnings).toEqual([expect.stringContaining('ignored')]);
  });

  it('keeps a path outside the workspace that matches nothing, with a warning (totals stay right)', () => {
    const warnings: string[] = [];
    const result = normalizePath('/Users/blaze/dev/x/src/a.ts', {
      workspace: '/ws',
      onWarning: (m) => warnings.push(m),
    });
    expect(result).toBe('/Users/blaze/dev/x/src/a.ts');
    expect(warnings).toEqual([expect.stringMatching(/outside the workspace and matches no file in it/)]);
  });

  it('does not let ../ escape the workspace', () => {
    expect(normalizePath('/ws/src/../../etc/passwd', { workspace: '/ws', onWarning: () => {} })).toBe('/etc/passwd');
  });
});
