import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARTIFACT_MAX_REPORTS,
  parseReportFile,
  readReportArtifact,
  reportFileStem,
  writeReportArtifact,
} from './artifact.js';
import { GateReportSchema } from './report.js';
import { gateErrorOf } from './test-helpers.js';

const report = GateReportSchema.parse({
  schemaVersion: 1,
  gate: 'coverage',
  commentId: 'backend/../x',
  status: 'pass',
  headline: 'ok',
  checks: [],
  metrics: { lines: 90 },
  generatedAt: '2026-01-01T00:00:00Z',
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'artifact-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('report artifacts', () => {
  it('round-trips a report through write and read, with a path-safe file name', async () => {
    const file = await writeReportArtifact(report, dir);
    expect(file).toBe(join(dir, 'coverage-backend-..-x.report.json'));
    expect(reportFileStem({ gate: '..', commentId: undefined })).toBe('_');
    const read = await readReportArtifact(dir);
    expect(read).toEqual([{ file, report }]);
  });

  it('finds reports in subdirectories (download-artifact with several artifacts)', async () => {
    await writeReportArtifact(report, join(dir, 'a'));
    await writeReportArtifact({ ...report, gate: 'slo' }, join(dir, 'b'));
    expect((await readReportArtifact(dir)).map((r) => r.report.gate)).toEqual(['coverage', 'slo']);
  });

  it.each([
    [
      'invalid JSON',
      '{\n  "schemaVersion": 1,\n  "gate": ,\n}',
      /x\.report\.json:3: not valid JSON: unexpected "," at column 11 — The file must be the unmodified report/,
    ],
    [
      'a schema violation',
      JSON.stringify({ ...report, status: 'great', checks: 'none' }),
      /x\.report\.json: not a valid gate report: status: .*; checks: .* — Produce the artifact/,
    ],
    [
      'a wrong schema version',
      JSON.stringify({ ...report, schemaVersion: 2 }),
      /not a valid gate report: schemaVersion/,
    ],
    ['a JSON array', '[]', /not a valid gate report: \(root\)/],
  ])('rejects %s naming the file', async (_name, text, expected) => {
    writeFileSync(join(dir, 'x.report.json'), text);
    expect(await gateErrorOf(readReportArtifact(dir))).toMatch(expected);
  });

  it('rejects an empty directory with the fix', async () => {
    expect(await gateErrorOf(readReportArtifact(dir))).toMatch(
      /no \*\.report\.json file found .* — Download the artifact/,
    );
  });

  it('rejects a missing directory', async () => {
    expect(await gateErrorOf(readReportArtifact(join(dir, 'nope')))).toMatch(
      /nope: cannot read the report artifact directory/,
    );
  });

  it('refuses symbolic links (a fork could point one at runner files)', async () => {
    writeFileSync(join(dir, 'real.json'), '{}');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.report.json'));
    expect(await gateErrorOf(readReportArtifact(dir))).toMatch(
      /link\.report\.json: the report artifact contains a symbolic link/,
    );
  });

  it('caps the total size at 5 MB before parsing', async () => {
    mkdirSync(join(dir, 'big'));
    writeFileSync(join(dir, 'big', 'a.report.json'), ' '.repeat(3 * 1024 * 1024));
    writeFileSync(join(dir, 'big', 'b.report.json'), ' '.repeat(3 * 1024 * 1024));
    expect(await gateErrorOf(readReportArtifact(dir))).toMatch(
      /b\.report\.json: the report artifact is larger than 5 MB/,
    );
  });

  it('caps the number of reports', async () => {
    for (let i = 0; i <= ARTIFACT_MAX_REPORTS; i++) await writeReportArtifact({ ...report, commentId: `m${i}` }, dir);
    expect(await gateErrorOf(readReportArtifact(dir))).toMatch(/holds more than 20 reports/);
  });

  it('parseReportFile fills schema defaults', () => {
    const parsed = parseReportFile(
      JSON.stringify({ ...report, sections: [{ title: 't' }], annotations: undefined }),
      'r.json',
    );
    expect(parsed.sections[0]).toEqual({ title: 't', collapsed: false, priority: 50 });
    expect(parsed.annotations).toEqual([]);
  });
});
