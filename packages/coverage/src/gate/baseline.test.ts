import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LINE_HIT, LINE_MISSED, type FileCoverage } from '../model.js';
import {
  baselineFromCoverage,
  baselineFromGateReport,
  findBaselineArtifact,
  readZip,
  type ArtifactApi,
} from './baseline.js';
import { CoverageGateError } from './errors.js';
import { createPackageMap } from './packages.js';

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

/** How {@link buildZip} writes zip64 structures (GitHub serves zip64 for large artifacts). */
interface Zip64Options {
  /** Entry sizes and local offsets as 0xffffffff sentinels with the real values in a zip64 extra field (0x0001). */
  entries?: boolean;
  /** A zip64 end-of-central-directory record and locator, with sentinels in the classic end record. */
  end?: boolean;
}

/**
 * Writes a zip archive byte by byte after PKWARE's APPNOTE (sections 4.3.7, 4.3.12, 4.3.14–16, 4.5.3), so the tests
 * need no `zip` binary. The fixtures in __fixtures__ were written by Info-ZIP and pin this builder to a real writer.
 */
function buildZip(files: Record<string, string>, options: { deflate?: boolean; zip64?: Zip64Options } = {}): Buffer {
  const { deflate = true, zip64 = {} } = options;
  const u16 = (v: number) => Buffer.from([v & 0xff, (v >>> 8) & 0xff]);
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return b;
  };
  const u64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return b;
  };
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const content = Buffer.from(text);
    const data = deflate ? deflateRawSync(content) : content;
    const nameBytes = Buffer.from(name);
    const big = zip64.entries === true;
    const localExtra = big ? Buffer.concat([u16(1), u16(16), u64(content.length), u64(data.length)]) : Buffer.alloc(0);
    // Version needed … extra field length: the same fields, in the same order, in both headers (APPNOTE 4.3.7, 4.3.12).
    const common = (extraLength: number) =>
      Buffer.concat([
        u16(big ? 45 : 20),
        u16(0),
        u16(deflate ? 8 : 0),
        u32(0),
        u32(crc32(content)),
        u32(big ? 0xffffffff : data.length),
        u32(big ? 0xffffffff : content.length),
        u16(nameBytes.length),
        u16(extraLength),
      ]);
    const header = Buffer.concat([u32(0x04034b50), common(localExtra.length), nameBytes, localExtra]);
    // A foreign extra field first: the reader must walk the fields, not assume zip64 comes first.
    const centralExtra = big
      ? Buffer.concat([
          u16(0x5455),
          u16(1),
          Buffer.from([0]),
          u16(1),
          u16(24),
          u64(content.length),
          u64(data.length),
          u64(offset),
        ])
      : Buffer.alloc(0);
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(big ? 0x032d : 0x0314),
        common(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(big ? 0xffffffff : offset),
        nameBytes,
        centralExtra,
      ]),
    );
    local.push(header, data);
    offset += header.length + data.length;
  }
  const directory = Buffer.concat(central);
  const count = central.length;
  const tail: Buffer[] = [];
  if (zip64.end) {
    const end64At = offset + directory.length;
    tail.push(
      Buffer.concat([
        u32(0x06064b50),
        u64(44),
        u16(45),
        u16(45),
        u32(0),
        u32(0),
        u64(count),
        u64(count),
        u64(directory.length),
        u64(offset),
      ]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(end64At), u32(1)]),
    );
  }
  tail.push(
    Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(zip64.end ? 0xffff : count),
      u16(zip64.end ? 0xffff : count),
      u32(zip64.end ? 0xffffffff : directory.length),
      u32(zip64.end ? 0xffffffff : offset),
      u16(0),
    ]),
  );
  return Buffer.concat([...local, directory, ...tail]);
}

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', name));

/** The one line a user sees for a broken archive; anything but a CoverageGateError is a crash and fails the test. */
function zipFailure(bytes: Uint8Array): string {
  try {
    readZip(bytes, 'artifact coverage-gate-report');
  } catch (error) {
    if (!(error instanceof CoverageGateError)) throw error;
    return String(error);
  }
  return '';
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
  const reportJson = JSON.stringify(report);
  const notes = 'base branch coverage, base branch coverage, base branch coverage\n';
  const fixtureReport =
    '{"schemaVersion":1,"gate":"coverage","status":"pass","headline":"x","checks":[],"commit":"abc","metrics":{"lines":80.5,"branches":70,"package:web:lines":90.25},"generatedAt":"2026-01-01T00:00:00.000Z"}';

  // Written by Info-ZIP 3.0: `zip -X -r plain.zip report.json sub`, `zip -r -fz zip64.zip report.json sub`
  // (zip64 extra fields after UT/ux fields, zip64 end record, sentinel offset), `zip -X -fz -0` (stored) and
  // `cat report.json | zip -X -fz zip64-streamed.zip -` (streamed: data descriptor, entry named "-").
  it.each([
    ['plain.zip', { 'report.json': fixtureReport, 'sub/notes.txt': notes }],
    ['zip64.zip', { 'report.json': fixtureReport, 'sub/notes.txt': notes }],
    ['zip64-stored.zip', { 'report.json': fixtureReport }],
    ['zip64-streamed.zip', { '-': fixtureReport }],
  ])('reads %s written by Info-ZIP, folders skipped', (name, want) => {
    expect(Object.fromEntries([...readZip(fixture(name), name)].map(([k, v]) => [k, v.toString()]))).toEqual(want);
  });

  it.each([
    ['deflated, classic', { deflate: true, zip64: {} }],
    ['stored, classic', { deflate: false, zip64: {} }],
    ['deflated, zip64 entries', { deflate: true, zip64: { entries: true } }],
    ['deflated, zip64 end record', { deflate: true, zip64: { end: true } }],
    ['stored, zip64 entries and end record', { deflate: false, zip64: { entries: true, end: true } }],
  ])('reads a built archive: %s', (_name, options) => {
    const big = reportJson.repeat(50);
    const entries = readZip(buildZip({ 'report.json': big, 'notes.txt': 'hi', 'empty.txt': '' }, options), 'artifact');
    expect([...entries.keys()]).toEqual(['report.json', 'notes.txt', 'empty.txt']);
    expect(entries.get('report.json')?.toString()).toBe(big);
    expect(entries.get('notes.txt')?.toString()).toBe('hi');
    expect(entries.get('empty.txt')?.length).toBe(0);
  });

  it.each([[Buffer.from('not a zip at all, just some bytes that are long enough')], [Buffer.alloc(0)]])(
    'rejects what is not a zip with the fix',
    (bytes) => {
      expect(() => readZip(bytes, 'artifact coverage')).toThrow(/artifact coverage: is not a zip archive/);
    },
  );

  /** Copies the archive and applies a change at the offset of a structure found by its signature. */
  const patched = (bytes: Buffer, signature: number, change: (b: Buffer, at: number) => void, nth = 0) => {
    const copy = Buffer.from(bytes);
    const sig = Buffer.alloc(4);
    sig.writeUInt32LE(signature);
    let at = -1;
    for (let i = 0; i <= nth; i++) at = copy.indexOf(sig, at + 1);
    expect(at, 'signature in the archive').toBeGreaterThanOrEqual(0);
    change(copy, at);
    return copy;
  };
  const zip64 = fixture('zip64.zip');
  const built64 = buildZip(
    { 'report.json': JSON.stringify(report).repeat(20) },
    { zip64: { entries: true, end: true } },
  );

  it.each([
    [
      'the zip64 end record has a wrong signature',
      patched(zip64, 0x06064b50, (b, at) => b.writeUInt32LE(0x12345678, at)),
      'has a broken zip64 end record',
    ],
    [
      'the locator points past the end',
      patched(zip64, 0x07064b50, (b, at) => b.writeBigUInt64LE(10_000n, at + 8)),
      'is truncated or corrupt: the zip64 end record lies outside its 815 bytes',
    ],
    [
      'the locator is gone but the end record has sentinels',
      patched(built64, 0x07064b50, (b, at) => b.writeUInt32LE(0, at)),
      'is a zip64 archive whose zip64 end record is missing',
    ],
    [
      'the zip64 entry count is absurd',
      patched(zip64, 0x06064b50, (b, at) => b.writeBigUInt64LE(2n ** 60n, at + 32)),
      'the zip64 entry count is 1152921504606846976',
    ],
    [
      'the zip64 directory offset points past the end',
      patched(zip64, 0x06064b50, (b, at) => b.writeBigUInt64LE(5_000n, at + 48)),
      'is truncated or corrupt: the central directory lies outside',
    ],
    [
      'an entry lost its zip64 field',
      patched(built64, 0x02014b50, (b, at) => b.writeUInt16LE(0x9999, at + 46 + 11 + 5)),
      'has an entry report.json with a zip64 size or offset but no zip64 field',
    ],
    [
      'a zip64 field is too short',
      patched(built64, 0x02014b50, (b, at) => b.writeUInt16LE(8, at + 46 + 11 + 5 + 2)),
      'has a zip64 field of report.json that is too short',
    ],
    [
      'a zip64 compressed size runs past the end',
      patched(built64, 0x02014b50, (b, at) => b.writeBigUInt64LE(1n << 40n, at + 46 + 11 + 5 + 4 + 8)),
      'is truncated or corrupt: the data of report.json lies outside',
    ],
    [
      'a zip64 local offset points at no entry',
      patched(built64, 0x02014b50, (b, at) => b.writeBigUInt64LE(3n, at + 46 + 11 + 5 + 4 + 16)),
      'has a broken entry report.json',
    ],
    [
      'the deflated data is damaged',
      patched(zip64, 0x04034b50, (b, at) => {
        const data = at + 30 + b.readUInt16LE(at + 26) + b.readUInt16LE(at + 28);
        b.fill(0xff, data + 5, data + 25);
      }),
      'report.json',
    ],
  ])('one clear error when %s', (_name, bytes, message) => {
    const line = zipFailure(bytes);
    expect(line).toContain(message);
    expect(line).toMatch(
      /^artifact coverage-gate-report: .+ — Re-run the base branch workflow so it uploads the report again$/,
    );
  });

  it.each([
    ['Info-ZIP zip64', zip64],
    ['built zip64', built64],
  ])('%s cut at any length is one clear error, never a crash or a partial read', (_name, bytes) => {
    for (let length = 0; length < bytes.length; length++) {
      expect(zipFailure(bytes.subarray(0, length)), `cut at ${length}`).toMatch(/^artifact coverage-gate-report: /);
    }
  });

  it('a flipped byte anywhere gives the right content or one clear error, never a crash or wrong content', () => {
    // '' is the content of the folder entry `sub/`, which a flipped name byte turns into an empty file.
    const originals = new Set(['', ...[...readZip(zip64, 'zip64').values()].map((b) => b.toString('latin1'))]);
    for (let at = 0; at < zip64.length; at++) {
      const copy = Buffer.from(zip64);
      copy[at] ^= 0x5a;
      let entries: Map<string, Buffer>;
      try {
        entries = readZip(copy, 'artifact coverage-gate-report');
      } catch (error) {
        expect(error, `byte ${at}`).toBeInstanceOf(CoverageGateError);
        continue;
      }
      // Names, timestamps and attributes may change harmlessly; the bytes of a file never silently do.
      for (const content of entries.values())
        expect(originals.has(content.toString('latin1')), `byte ${at}`).toBe(true);
    }
  });
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
  const good = buildZip({ 'coverage-gate-report.json': JSON.stringify(report) });

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
          artifacts: [
            { id: 2, name: 'cov', zip: buildZip({ 'a.json': '{"gate":"slo","metrics":{}}', 'b.json': '{' }) },
          ],
        },
      ],
    });
    expect((await findBaselineArtifact(impl, { commits: ['c'], artifactName: 'cov' })).baseline).toBeNull();
  });
});
