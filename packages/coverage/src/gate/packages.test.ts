import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '@myco-gates/testkit/temp-repo';
import { ROOT_PACKAGE, createPackageMap, detectPackages, ruleFor } from './packages.js';

const repos: TempRepo[] = [];
const workspace = (files: Record<string, string>): string =>
  repos[repos.push(tempRepo(files, { prefix: 'cov-pkgs-' })) - 1].root;
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

const pkg = (name: string) => JSON.stringify({ name });

describe('detectPackages', () => {
  it.each([
    [
      'npm workspaces',
      {
        'package.json': JSON.stringify({ workspaces: ['packages/*', 'apps/web'] }),
        'packages/a/package.json': pkg('@x/a'),
        'packages/b/package.json': pkg('@x/b'),
        'packages/no-manifest/index.ts': '',
        'apps/web/package.json': pkg('web'),
        'apps/other/package.json': pkg('other'),
        'packages/a/node_modules/dep/package.json': pkg('dep'),
      },
      [
        ['web', 'apps/web', 'npm'],
        ['@x/a', 'packages/a', 'npm'],
        ['@x/b', 'packages/b', 'npm'],
      ],
    ],
    [
      'yarn workspaces object, negation in pnpm',
      {
        'package.json': JSON.stringify({ workspaces: { packages: ['libs/*'] } }),
        'libs/one/package.json': pkg('one'),
        'pnpm-workspace.yaml': "packages:\n  - 'tools/**'\n  - '!tools/skip'\n",
        'tools/gen/package.json': pkg('gen'),
        'tools/skip/package.json': pkg('skip'),
      },
      [
        ['one', 'libs/one', 'npm'],
        ['gen', 'tools/gen', 'pnpm'],
      ],
    ],
    [
      'lerna and python',
      {
        'lerna.json': JSON.stringify({ packages: ['modules/*'] }),
        'modules/m/package.json': JSON.stringify({}),
        'services/api/pyproject.toml': '[project]\nname = "api-service"\n',
        'services/worker/pyproject.toml': '[tool.poetry]\nname = "worker"\n',
        'services/bare/pyproject.toml': '[build-system]\nrequires = []\n',
        'pyproject.toml': '[project]\nname = "root-is-not-a-package"\n',
      },
      [
        ['m', 'modules/m', 'lerna'],
        ['api-service', 'services/api', 'python'],
        ['bare', 'services/bare', 'python'],
        ['worker', 'services/worker', 'python'],
      ],
    ],
    ['single package repository', { 'package.json': pkg('solo'), 'src/index.ts': '' }, []],
    [
      'duplicate names fall back to paths',
      {
        'package.json': JSON.stringify({ workspaces: ['a/*'] }),
        'a/x/package.json': pkg('same'),
        'a/y/package.json': pkg('same'),
      },
      [
        ['a/x', 'a/x', 'npm'],
        ['a/y', 'a/y', 'npm'],
      ],
    ],
  ])('%s', (_name, files, want) => {
    const found = detectPackages(workspace(files));
    expect(found.map((p) => [p.name, p.path, p.source])).toEqual(want);
  });

  it('names the workspace file it cannot read', () => {
    expect(() => detectPackages(workspace({ 'package.json': '{ "workspaces": [' }))).toThrow(
      /^package\.json: cannot read JSON/,
    );
    expect(() => detectPackages(workspace({ 'x/pyproject.toml': '[project\nname=' }))).toThrow(/x\/pyproject\.toml/);
  });
});

describe('createPackageMap', () => {
  const detected = [
    { name: 'api', path: 'services/api', source: 'python' as const },
    { name: 'api-plugins', path: 'services/api/plugins', source: 'npm' as const },
    { name: 'web', path: 'apps/web', source: 'npm' as const },
  ];
  it.each([
    ['services/api/app/main.py', 'api'],
    ['services/api/plugins/x.ts', 'api-plugins'],
    ['services/apiary/x.py', ROOT_PACKAGE],
    ['apps/web/src/App.tsx', 'web'],
    ['apps/web/index.ts', 'web'],
    ['services/api/plugins/deep/er/x.ts', 'api-plugins'],
    ['services/api', ROOT_PACKAGE],
    ['apps/webx/a.ts', ROOT_PACKAGE],
    ['/elsewhere/apps/web/a.ts', ROOT_PACKAGE],
    ['scripts/build.js', ROOT_PACKAGE],
  ])('detected: %s -> %s', (file, want) => {
    expect(createPackageMap(detected).packageOf(file)).toBe(want);
  });

  it.each([
    ['src/server/a.ts', 'backend'],
    ['src/client/b.tsx', 'frontend'],
    ['src/shared/c.ts', 'backend'],
    ['README.md', ROOT_PACKAGE],
  ])('explicit globs, first match wins: %s -> %s', (file, want) => {
    const map = createPackageMap(detected, [
      { name: 'backend', glob: 'src/server/**' },
      { name: 'frontend', glob: 'src/client/**' },
      { name: 'backend', glob: 'src/**' },
    ]);
    expect(map.packageOf(file)).toBe(want);
    expect(map.packages.map((p) => p.name)).toEqual(['backend', 'frontend']);
  });
});

describe('ruleFor', () => {
  const rules = [
    { pattern: 'web', thresholds: { lines: 1 }, where: 'a' },
    { pattern: 'services/*', thresholds: { lines: 2 }, where: 'b' },
    { pattern: '@scope/*', thresholds: { lines: 3 }, where: 'c' },
    { pattern: 'backend', thresholds: { lines: 4 }, where: 'd' },
  ];
  it.each([
    [{ name: '@x/web', path: 'apps/web' }, 'a'],
    [{ name: 'api', path: 'services/api' }, 'b'],
    [{ name: '@scope/lib', path: 'libs/lib' }, 'c'],
    [{ name: 'backend', path: 'sample-app/backend' }, 'd'],
    [{ name: 'other', path: 'libs/other' }, undefined],
  ])('%j -> rule %s', (p, want) => {
    expect(ruleFor({ ...p, source: 'npm' }, rules)?.where).toBe(want);
  });
});
