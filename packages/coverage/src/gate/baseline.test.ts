import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINE_HIT, LINE_MISSED, type FileCoverage } from '../model.js';
import {
  baselineFromCoverage,
  baselineFromGateReport,
  findBaselineArtifact,
  readZip,
  type ArtifactApi,
} from './baseline.js';
import { createPackageMap } from './packages.js';

const tmp = mkdtempSync(join(tmpdir(), 'cov-base-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const report = {
  schemaVersion: 1,
  gate: 'coverage',
  status: 'pass',
  headline: 'x',
  checks: [],
  commit: 'abc',
  metrics: { lines: 80.5, branches: 70, files: 3, 'package:@x/api:lines': 90.25, 'package:web:branches': 12 },
  generatedAt: '2026-01-01T00:00:00.000Z',
};

/** Zips files with the real `zip` tool (deflated, or stored with -0), as GitHub serves artifacts. */
function zip(files: Record<string, string>, store = false): Buffer {
  const dir = mkdtempSync(join(tmp, 'z-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  execFileSync('zip', ['-q', ...(store ? ['-0'] : []), 'out.zip', ...Object.keys(files)], { cwd: dir });
  return readFileSync(join(dir, 'out.zip'));
}

describe('baselineFromGateReport', () => {
  it('reads totals and packages of our own report', () => {
    expect(baselineFromGateReport(report, 'file r.json')).toEqual({
      source: 'file r.json',
      commit: 'abc',
      totals: { lines: 80.5, branches: 70 },
      packages: { '@x/api': { lines: 90.25 }, web: { branches: 12 } },
    });
  });
  it.each([[null], [[]], [{ gate: 'contract', metrics: {} }], [{ gate: 'coverage' }], ['text']])(
    'is null for %j (then the file is read as a coverage report)',
    (json) => {
      expect(baselineFromGateReport(json, 'x')).toBeNull();
    },
  );
});

describe('baselineFromCoverage', () => {
  const file = (path: string, hits: number, misses: number): FileCoverage => {
    const lines = new Uint8Array(hits + misses + 1);
    for (let i = 1; i <= hits + misses; i++) lines[i] = i <= hits ? LINE_HIT : LINE_MISSED;
    return { path, lines, branches: null, functions: { found: 2, hit: 1 }, statements: null };
  };
  it('sums counts, then rounds down, per package', () => {
    const map = createPackageMap([{ name: 'api', path: 'api', source: 'npm' }]);
    const baseline = baselineFromCoverage(
      [file('api/a.ts', 2, 1), file('api/b.ts', 1, 2), file('x.ts', 1, 0)],
      map,
      'lcov',
    );
    expect(baseline.totals).toEqual({ lines: 57.14, functions: 50 });
    expect(baseline.packages).toEqual({ api: { lines: 50, functions: 50 }, '(root)': { lines: 100, functions: 50 } });
  });
});

describe('readZip', () => {
  it.each([[false], [true]])('reads a zip made by the zip tool (stored: %s)', (store) => {
    const big = JSON.stringify(report).repeat(50);
    const entries = readZip(zip({ 'report.json': big, 'notes.txt': 'hi' }, store), 'artifact');
    expect(entries.get('report.json')?.toString()).toBe(big);
    expect(entries.get('notes.txt')?.toString()).toBe('hi');
  });
  it.each([[Buffer.from('not a zip at all, just some bytes that are long enough')], [Buffer.alloc(0)]])(
    'rejects what is not a zip with the fix',
    (bytes) => {
      expect(() => readZip(bytes, 'artifact coverage')).toThrow(/artifact coverage: is not a zip archive/);
    },
  );
});

describe('findBaselineArtifact', () => {
  /** An in-memory Actions API: the interface is the injection boundary the action fills with octokit. */
  function api(
    runs: Record<string, { id: number; artifacts: { id: number; name: string; expired?: boolean; zip: Buffer }[] }[]>,
  ) {
    const calls: string[] = [];
    const impl: ArtifactApi = {
      listRunsForCommit: async (sha) => {
        calls.push(`runs ${sha}`);
        return (runs[sha] ?? []).map((r) => ({ id: r.id }));
      },
      listRunArtifacts: async (runId) => {
        calls.push(`artifacts ${runId}`);
        const run = Object.values(runs)
          .flat()
          .find((r) => r.id === runId);
        return (run?.artifacts ?? []).map((a) => ({ id: a.id, name: a.name, expired: a.expired ?? false }));
      },
      downloadArtifact: async (id) => {
        calls.push(`download ${id}`);
        const artifact = Object.values(runs)
          .flat()
          .flatMap((r) => r.artifacts)
          .find((a) => a.id === id);
        return new Uint8Array(artifact!.zip);
      },
    };
    return { impl, calls };
  }
  const good = zip({ 'coverage-gate-report.json': JSON.stringify(report) });

  it('takes the merge base first, skipping expired and foreign artifacts', async () => {
    const { impl, calls } = api({
      mergebase1: [
        { id: 1, artifacts: [{ id: 10, name: 'coverage-gate-report', expired: true, zip: good }] },
        {
          id: 2,
          artifacts: [
            { id: 20, name: 'other', zip: good },
            { id: 21, name: 'coverage-gate-report', zip: good },
          ],
        },
      ],
      basehead2: [{ id: 3, artifacts: [{ id: 30, name: 'coverage-gate-report', zip: good }] }],
    });
    const found = await findBaselineArtifact(impl, {
      commits: ['mergebase1', 'basehead2'],
      artifactName: 'coverage-gate-report',
    });
    expect(found.baseline?.totals).toEqual({ lines: 80.5, branches: 70 });
    expect(found.baseline?.source).toBe('artifact `coverage-gate-report` of run 2 (mergeba)');
    expect(calls).toEqual(['runs mergebase1', 'artifacts 1', 'artifacts 2', 'download 21']);
  });

  it('falls back to the base head, and says what it searched when nothing is there', async () => {
    const { impl } = api({ basehead2: [{ id: 3, artifacts: [{ id: 30, name: 'coverage-gate-report', zip: good }] }] });
    const found = await findBaselineArtifact(impl, {
      commits: ['mergebase1', 'basehead2'],
      artifactName: 'coverage-gate-report',
    });
    expect(found.baseline?.commit).toBe('abc');
    const none = await findBaselineArtifact(api({}).impl, { commits: ['1234567890', ''], artifactName: 'cov' });
    expect(none.baseline).toBeNull();
    expect(none.note).toContain('no successful run of 1234567 has an artifact `cov`');
  });

  it('ignores zips without a coverage report', async () => {
    const { impl } = api({
      c: [
        {
          id: 1,
          artifacts: [{ id: 2, name: 'cov', zip: zip({ 'a.json': '{"gate":"slo","metrics":{}}', 'b.json': '{' }) }],
        },
      ],
    });
    expect((await findBaselineArtifact(impl, { commits: ['c'], artifactName: 'cov' })).baseline).toBeNull();
  });
});
