import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '@myco-gates/testkit/temp-repo';
import { buildCoverageConfig, runCoverageGate, type CoverageInputValues } from './run.js';

const repos: TempRepo[] = [];
const workspace = (files: Record<string, string>): string =>
  repos[repos.push(tempRepo(files, { prefix: 'cov-run-' })) - 1].root;
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

const values = (v: Partial<CoverageInputValues> = {}): CoverageInputValues => ({
  reports: [],
  baseArtifact: 'coverage-gate-report',
  workingDirectory: '.',
  ...v,
});

/** lcov with `hit` of `total` lines hit for each file. */
function lcov(files: Record<string, [number, number]>): string {
  return Object.entries(files)
    .map(([file, [hit, total]]) => {
      const da = Array.from({ length: total }, (_, i) => `DA:${i + 1},${i < hit ? 1 : 0}`).join('\n');
      return `SF:${file}\n${da}\nLF:${total}\nLH:${hit}\nend_of_record`;
    })
    .join('\n');
}

function failure(fn: () => unknown): string {
  try {
    fn();
    return '';
  } catch (error) {
    return String(error);
  }
}

describe('buildCoverageConfig', () => {
  it('reads the default config file, and inputs override it', () => {
    const root = workspace({
      '.github/coverage-gate.yml': 'reports: [coverage/lcov.info]\nthresholds: 80\nmissing-base: fail\n',
    });
    const config = buildCoverageConfig(values({ thresholds: 'lines=90' }), root);
    expect(config.configFile).toBe('.github/coverage-gate.yml');
    expect(config.reports).toEqual(['coverage/lcov.info']);
    expect(config.policy.thresholds).toEqual({ lines: 90 });
    expect(config.policy.missingBase).toBe('fail');
  });

  it('reads a named config file relative to working-directory', () => {
    const root = workspace({ 'app/ci/cov.yml': 'thresholds: lines=70\n' });
    const config = buildCoverageConfig(values({ config: 'ci/cov.yml', workingDirectory: 'app' }), root);
    expect(config.workspace).toBe(join(root, 'app'));
    expect(config.policy.thresholds).toEqual({ lines: 70 });
  });

  it.each([
    [{ config: 'nope.yml' }, {}, 'input `config`: file nope.yml does not exist'],
    [{ workingDirectory: 'missing' }, {}, 'input `working-directory`: folder missing does not exist'],
    [
      {},
      { '.github/coverage-gate.yml': 'thresholds: 80\nthreshold: 70\n' },
      '.github/coverage-gate.yml:2: unknown setting `threshold`',
    ],
  ])('explains %j', (v, files, message) => {
    const root = workspace(files);
    expect(failure(() => buildCoverageConfig(values(v), root))).toContain(message);
  });
});

describe('runCoverageGate with the real parsers', () => {
  it('discovers reports when none are given', async () => {
    const root = workspace({ 'coverage/lcov.info': lcov({ 'src/a.ts': [3, 4] }) });
    const report = await runCoverageGate(buildCoverageConfig(values({ thresholds: 'lines=70' }), root), {});
    expect(report.metrics.lines).toBe(75);
    expect(report.headline).toContain('Coverage 75.00% lines');
  });

  it.each([
    [
      'our JSON report',
      'base.json',
      JSON.stringify({ gate: 'coverage', metrics: { lines: 80 } }),
      'base report base.json',
    ],
    ['any coverage file', 'base.info', lcov({ 'src/a.ts': [4, 5] }), 'base coverage base.info'],
  ])('compares against base-report as %s', async (_name, file, content, source) => {
    const root = workspace({ 'coverage/lcov.info': lcov({ 'src/a.ts': [3, 4] }), [file]: content });
    const config = buildCoverageConfig(
      values({ reports: ['coverage/lcov.info'], baseReport: file, maxDrop: '1' }),
      root,
    );
    const report = await runCoverageGate(config, {});
    expect(report.metrics['delta:lines']).toBe(-5);
    expect(report.status).toBe('fail');
    expect(report.sections[0].note).toContain(source);
  });

  it('a missing base-report is "no base": skip notes it, fail fails', async () => {
    const root = workspace({ 'coverage/lcov.info': lcov({ 'src/a.ts': [3, 4] }) });
    const skip = await runCoverageGate(
      buildCoverageConfig(values({ baseReport: 'gone.json', maxDrop: '1' }), root),
      {},
    );
    expect(skip.status).toBe('pass');
    expect(skip.sections[0].note).toContain('base-report gone.json does not exist');
    const fail = await runCoverageGate(
      buildCoverageConfig(values({ baseReport: 'gone.json', maxDrop: '1', missingBase: 'fail' }), root),
      {},
    );
    expect(fail.status).toBe('fail');
  });

  it('a shallow clone fails only when a patch threshold needs the diff', async () => {
    const root = workspace({ 'coverage/lcov.info': lcov({ 'src/a.ts': [3, 4] }) });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const pullRequest = { number: 1, baseSha: 'f'.repeat(40) };
    const noted = await runCoverageGate(buildCoverageConfig(values(), root), { pullRequest });
    expect(noted.status).toBe('pass');
    await expect(
      runCoverageGate(buildCoverageConfig(values({ patchThreshold: '80' }), root), { pullRequest }),
    ).rejects.toThrow(/is not in the clone/);
  });

  it.each([
    [{ maxDrop: '1' }, true],
    [{ packageThresholds: 'api: max-drop=1' }, true],
    [{ packageThresholds: 'api: lines=1' }, false],
  ])('on a pull request without a base, %j notes how to provide one: %s', async (inputs, noted) => {
    const root = workspace({ 'coverage/lcov.info': lcov({ 'src/a.ts': [3, 4] }) });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const report = await runCoverageGate(buildCoverageConfig(values(inputs), root), {
      pullRequest: { number: 1, baseSha: 'f'.repeat(40) },
    });
    expect(report.sections[0].note?.includes('set base-report')).toBe(noted);
  });

  it('reports an artifact API without permission as a note, not a crash', async () => {
    const root = workspace({ 'coverage/lcov.info': lcov({ 'src/a.ts': [3, 4] }) });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const denied = Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
    const report = await runCoverageGate(buildCoverageConfig(values({ maxDrop: '1' }), root), {
      pullRequest: { number: 1, baseSha: 'f'.repeat(40) },
      artifacts: {
        listRunsForCommit: async () => {
          throw denied;
        },
        listRunArtifacts: async () => [],
        downloadArtifact: async () => new Uint8Array(),
      },
    });
    expect(report.sections[0].note).toContain('grant actions: read');
  });
});
