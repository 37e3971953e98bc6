import { describe, expect, it } from 'vitest';
import {
  hasDropCheck,
  inputSource,
  mergeSettings,
  packageDropLimits,
  parseConfigFile,
  parseList,
  parsePolicy,
  type Settings,
} from './policy.js';

/** The one line a user sees (`where: problem — fix`), or '' when nothing was thrown. */
function failure(fn: () => unknown): string {
  try {
    fn();
    return '';
  } catch (error) {
    return String(error);
  }
}

const fromInputs = (inputs: Record<string, string>): Settings =>
  Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, inputSource(k, v)]));

describe('parsePolicy thresholds', () => {
  it.each([
    ['85', { lines: 85, branches: 85, functions: 85, statements: 85 }],
    ['lines=85,branches=80', { lines: 85, branches: 80 }],
    ['lines=85, branches = 80', { lines: 85, branches: 80 }],
    ['lines=', null],
    ['lines:90 functions=70.5%', { lines: 90, functions: 70.5 }],
    ['80 branches=70', { lines: 80, branches: 70, functions: 80, statements: 80 }],
    ['branches=70,80', { lines: 80, branches: 70, functions: 80, statements: 80 }],
    ['line=1 branch=2 function=3 statement=4', { lines: 1, branches: 2, functions: 3, statements: 4 }],
    ['', {}],
  ])('%j', (text, want) => {
    if (want === null) {
      expect(failure(() => parsePolicy(fromInputs({ thresholds: text })))).toMatch(/input `thresholds`/);
      return;
    }
    expect(parsePolicy(fromInputs({ thresholds: text })).thresholds).toEqual(want);
  });

  it.each([
    ['lines=85,brnaches=80', 'input `thresholds`: unknown metric `brnaches`'],
    ['lines=185', 'input `thresholds`: threshold `185` is not a percentage from 0 to 100'],
    ['lines=-1', 'is not a percentage'],
    ['lines=abc', 'threshold `abc` is not a percentage'],
    ['eighty', 'threshold `eighty` is not a percentage'],
  ])('rejects %j with one clear message', (text, message) => {
    expect(failure(() => parsePolicy(fromInputs({ thresholds: text })))).toContain(message);
    try {
      parsePolicy(fromInputs({ thresholds: text }));
    } catch (error) {
      // Shaped like core's GateError so the action shows it as a user mistake, with the fix.
      expect((error as Error).name).toBe('GateError');
      expect((error as { fix: string }).fix).toMatch(/lines=85,branches=80/);
    }
  });

  it('reads max-drop, file-threshold, patch-threshold and the choices', () => {
    const policy = parsePolicy(
      fromInputs({
        'max-drop': '0.5',
        'file-threshold': 'lines=40',
        'patch-threshold': '80%',
        'missing-base': 'FAIL',
        'missing-package': 'skip',
      }),
    );
    expect(policy.maxDrop).toEqual({ lines: 0.5, branches: 0.5, functions: 0.5, statements: 0.5 });
    expect(policy.fileThreshold).toEqual({ lines: 40 });
    expect(policy.patchThreshold).toBe(80);
    expect(policy.missingBase).toBe('fail');
    expect(policy.missingPackage).toBe('skip');
  });

  it('has documented defaults', () => {
    expect(parsePolicy({})).toEqual({
      thresholds: {},
      packageThresholds: [],
      fileThreshold: {},
      patchThreshold: null,
      maxDrop: {},
      missingBase: 'skip',
      missingPackage: 'warn',
      packages: [],
    });
  });

  it.each([
    ['missing-base', 'sometimes', 'input `missing-base`: `sometimes` is not allowed — Use one of: skip, fail'],
    ['missing-package', 'ignore', 'Use one of: fail, warn, skip'],
    ['patch-threshold', 'lines=80', 'input `patch-threshold`: patch threshold `lines=80` is not a percentage'],
    ['max-drop', 'lines=200', 'maximum drop `200` is not a percentage'],
  ])('rejects %s=%j', (key, value, message) => {
    expect(failure(() => parsePolicy(fromInputs({ [key]: value })))).toContain(message);
  });
});

describe('package-thresholds and packages', () => {
  it('reads multiline package thresholds and names the bad line', () => {
    const policy = parsePolicy(
      fromInputs({ 'package-thresholds': '# per package\nbackend: lines=80,branches=75\n\npackages/*: 80\n' }),
    );
    expect(policy.packageThresholds.map((r) => [r.pattern, r.thresholds, r.where])).toEqual([
      ['backend', { lines: 80, branches: 75 }, 'input `package-thresholds` line 2'],
      ['packages/*', { lines: 80, branches: 80, functions: 80, statements: 80 }, 'input `package-thresholds` line 4'],
    ]);
    expect(
      failure(() => parsePolicy(fromInputs({ 'package-thresholds': 'backend: lines=80\nfrontend lines=70' }))),
    ).toContain('input `package-thresholds` line 2: cannot read `frontend lines=70`');
    expect(failure(() => parsePolicy(fromInputs({ 'package-thresholds': 'a: 80\nb: lines=900' })))).toContain(
      'input `package-thresholds` line 2: threshold `900`',
    );
  });

  it.each([
    ['backend: lines=80 max-drop=1', { lines: 80 }, { lines: 1, branches: 1, functions: 1, statements: 1 }],
    ['backend: lines=80, max-drop.branches=2.5', { lines: 80 }, { branches: 2.5 }],
    ['backend: max-drop = 1 max-drop.branches: 3', {}, { lines: 1, branches: 3, functions: 1, statements: 1 }],
    ['backend: max-drop.branch=2 80', { lines: 80, branches: 80, functions: 80, statements: 80 }, { branches: 2 }],
    ['backend: MAX-DROP=0', {}, { lines: 0, branches: 0, functions: 0, statements: 0 }],
    ['backend: lines=80', { lines: 80 }, undefined],
    [
      'backend: lines=80 max-drop=2   # backend may drop 2 points',
      { lines: 80 },
      { lines: 2, branches: 2, functions: 2, statements: 2 },
    ],
  ])('reads a package line with its own max-drop: %j', (line, thresholds, maxDrop) => {
    const [rule] = parsePolicy(fromInputs({ 'package-thresholds': line })).packageThresholds;
    expect(rule.thresholds).toEqual(thresholds);
    expect(rule.maxDrop).toEqual(maxDrop);
  });

  it.each([
    [
      'a: lines=80\nb: max-drop=101',
      'input `package-thresholds` line 2: maximum drop `101` is not a percentage from 0 to 100',
    ],
    ['a: max-drop.brnaches=1', 'input `package-thresholds` line 1: unknown metric `brnaches`'],
    [
      'a: max-drop=lines=1',
      'input `package-thresholds` line 1: cannot read `max-drop=lines=1` — Give the package its own drop limit',
    ],
    ['a: lines=80 max-drop', 'input `package-thresholds` line 1: `max-drop` has no value'],
    ['a: max-drop=-1', 'maximum drop `-1` is not a percentage'],
  ])('rejects the package line %j with one clear message', (text, message) => {
    expect(failure(() => parsePolicy(fromInputs({ 'package-thresholds': text })))).toContain(message);
  });

  it('reads max-drop in the package map of the config file, with file:line errors', () => {
    const file = `package-thresholds:
  backend:
    lines: 80
    max-drop: 1
  frontend:
    max-drop:
      branches: 2
  api: lines=70 max-drop.lines=0.5
  "packages/*": 60
`;
    const rules = parsePolicy(parseConfigFile('.github/coverage-gate.yml', file)).packageThresholds;
    expect(rules.map((r) => [r.pattern, r.thresholds, r.maxDrop])).toEqual([
      ['backend', { lines: 80 }, { lines: 1, branches: 1, functions: 1, statements: 1 }],
      ['frontend', {}, { branches: 2 }],
      ['api', { lines: 70 }, { lines: 0.5 }],
      ['packages/*', { lines: 60, branches: 60, functions: 60, statements: 60 }, undefined],
    ]);
    expect(
      failure(() =>
        parsePolicy(parseConfigFile('c.yml', 'package-thresholds:\n  backend:\n    lines: 80\n    max-drop: 150\n')),
      ),
    ).toContain('c.yml:4: maximum drop `150` is not a percentage');
    expect(
      failure(() =>
        parsePolicy(
          parseConfigFile(
            'c.yml',
            'package-thresholds:\n  backend:\n    max-drop:\n      lines: 1\n      brnaches: 2\n',
          ),
        ),
      ),
    ).toContain('c.yml:5: unknown metric `brnaches`');
  });

  it.each([
    [{}, false],
    [{ 'max-drop': '1' }, true],
    [{ 'package-thresholds': 'backend: lines=80' }, false],
    [{ 'package-thresholds': 'backend: max-drop.lines=1' }, true],
  ])('hasDropCheck(%j) is %s', (inputs, want) => {
    expect(hasDropCheck(parsePolicy(fromInputs(inputs as Record<string, string>)))).toBe(want);
  });

  it.each([
    ['backend: lines=80', '2', { lines: 2, branches: 2, functions: 2, statements: 2 }],
    ['backend: max-drop.lines=0.5', 'lines=2,branches=3', { lines: 0.5, branches: 3 }],
    ['backend: max-drop=5', 'lines=2', { lines: 5, branches: 5, functions: 5, statements: 5 }],
    ['backend: lines=80', '', {}],
  ])('packageDropLimits: %j with max-drop %j', (line, global, want) => {
    const policy = parsePolicy(fromInputs({ 'package-thresholds': line, 'max-drop': global }));
    expect(packageDropLimits(policy.packageThresholds[0], policy)).toEqual(want);
  });

  it('reads name=glob package lines', () => {
    const policy = parsePolicy(fromInputs({ packages: 'api=services/api/**\nweb=apps/web/**, libs/ui/**' }));
    expect(policy.packages).toEqual([
      { name: 'api', glob: 'services/api/**' },
      { name: 'web', glob: 'apps/web/**' },
      { name: 'web', glob: 'libs/ui/**' },
    ]);
    expect(failure(() => parsePolicy(fromInputs({ packages: 'api=services/**\njust-a-glob/**' })))).toContain(
      'input `packages` line 2: cannot read `just-a-glob/**`',
    );
  });

  it('parses lists of reports', () => {
    expect(parseList(inputSource('reports', 'a/lcov.info\n b/cobertura.xml, c.json\n\n'))).toEqual([
      'a/lcov.info',
      'b/cobertura.xml',
      'c.json',
    ]);
    expect(parseList({ value: ['x', 'y'], at: () => '' })).toEqual(['x', 'y']);
  });
});

describe('config file', () => {
  const file = `# coverage gate settings
thresholds:
  lines: 85
  branches: 80
package-thresholds:
  backend: lines=80,branches=75
  "packages/*": 70
packages: |
  api=services/api/**
  web=apps/web/**
max-drop: 0.5
missing-base: fail
reports:
  - coverage/lcov.info
`;

  it('reads every setting', () => {
    const settings = parseConfigFile('.github/coverage-gate.yml', file);
    const policy = parsePolicy(settings);
    expect(policy.thresholds).toEqual({ lines: 85, branches: 80 });
    expect(policy.packageThresholds.map((r) => [r.pattern, r.thresholds, r.where])).toEqual([
      ['backend', { lines: 80, branches: 75 }, '.github/coverage-gate.yml:6'],
      ['packages/*', { lines: 70, branches: 70, functions: 70, statements: 70 }, '.github/coverage-gate.yml:7'],
    ]);
    expect(policy.packages).toHaveLength(2);
    expect(policy.missingBase).toBe('fail');
    expect(parseList(settings.reports)).toEqual(['coverage/lcov.info']);
  });

  it.each([
    ['thresholds:\n  lines: 85\n  brnaches: 80\n', '.github/coverage-gate.yml:3: unknown metric `brnaches`'],
    [
      'thresholds: 85\nmax-drop: 0.5\nmising-base: fail\n',
      '.github/coverage-gate.yml:3: unknown setting `mising-base`',
    ],
    ['thresholds:\n  lines: [85\n', '.github/coverage-gate.yml:'],
    ['- a\n- b\n', 'is not a map of settings'],
    ['packages: |\n  api=services/**\n  nonsense\n', '.github/coverage-gate.yml:3: cannot read `nonsense`'],
    ['package-thresholds: |\n  a: 80\n  b: lines=101\n', '.github/coverage-gate.yml:3: threshold `101`'],
    ['missing-package: maybe\n', '.github/coverage-gate.yml:1: `maybe` is not allowed'],
  ])('names file:line for %j', (text, message) => {
    expect(failure(() => parsePolicy(parseConfigFile('.github/coverage-gate.yml', text)))).toContain(message);
  });

  it('carries file and line like core GateError', () => {
    try {
      parsePolicy(parseConfigFile('cfg.yml', 'thresholds:\n  lines: 850\n'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ name: 'GateError', file: 'cfg.yml', line: 2 });
      expect((error as Error).message).toBe('threshold `850` is not a percentage from 0 to 100');
    }
  });

  it('lets non-empty inputs override the file', () => {
    const merged = mergeSettings(
      fromInputs({ thresholds: 'lines=90', 'max-drop': '', 'missing-base': '  ' }),
      parseConfigFile('c.yml', 'thresholds: 80\nmax-drop: 1\nmissing-base: fail\n'),
    );
    const policy = parsePolicy(merged);
    expect(policy.thresholds).toEqual({ lines: 90 });
    expect(policy.maxDrop.lines).toBe(1);
    expect(policy.missingBase).toBe('fail');
  });

  it('accepts an empty file', () => {
    expect(parseConfigFile('c.yml', '# nothing yet\n')).toEqual({});
  });
});
