import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffSpecs, type DiffOptions } from './diff/index.js';
import { loadSpec } from './load/index.js';

/**
 * Conformance against the shared oasdiff pairs (oasdiff's own test data with the verdicts its tests assert) and
 * five real-world large pairs. Fixtures live outside the repo (`../shared` from the repo root) and are never copied
 * in; without them the suite is skipped with a message.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures/openapi');
const pairsDir = path.join(fixtures, 'pairs');
const largeDir = path.join(fixtures, 'large');
const haveFixtures = existsSync(path.join(pairsDir, 'INDEX.tsv'));

/**
 * Ratchet: the floors the engine has reached. Raise them when the engine improves; a drop fails the build.
 */
const FLOOR = {
  loaded: 168,
  breakingFound: 97,
  falseAlarms: 0,
  idMatchesBreaking: 97,
  idMatchesAll: 146,
  levelMismatches: 0,
  forbiddenReported: 0,
  countsMatched: 39,
  linesMatched: 4,
  // Assertions run under a non-default configuration (a deprecation policy) that we can reproduce.
  policyMatched: 7,
};

interface Expected {
  name: string;
  breaking: boolean | null;
  base_file: string;
  revision_file: string;
  expected_ids_default_config: Array<{ id: string; default_level: string }>;
  expected_source_lines?: SourceLine[];
  assertions?: Array<{
    expected_ids?: Array<{ id: string; default_level: string }>;
    absent_ids?: Array<{ id: string } | string>;
    check_scope?: string;
    expected_count?: number | null;
    level_threshold?: 'ERR' | 'WARN' | 'INFO';
    non_default_config?: string[];
    expected_source_lines?: SourceLine[];
  }>;
}

/** Where oasdiff's test says a finding points: by rule id, or by index for single-rule assertions. */
interface SourceLine {
  id?: string;
  change_index?: number;
  side: 'base' | 'revision';
  file?: string;
  line: number;
}

interface PairResult {
  name: string;
  breaking: boolean | null;
  loaded: boolean;
  error?: string;
  reported: boolean;
  expectedIds: string[];
  missingIds: string[];
  ids: string[];
  /** Expected ids we report at a different level than oasdiff's default. */
  levelMismatches: string[];
  /** Ids an oasdiff test asserts must NOT be reported, that we report. */
  forbiddenReported: string[];
  /** All-checks assertions that pin the exact number of findings at a threshold: [matched, total]. */
  counts: [number, number];
  countNotes?: string;
  /** oasdiff source-line assertions: [matched, total]. */
  lines: [number, number];
  lineNotes?: string;
}

function runPairs(): PairResult[] {
  const results: PairResult[] = [];
  for (const name of readdirSync(pairsDir).sort()) {
    const dir = path.join(pairsDir, name);
    const expectedFile = path.join(dir, 'expected.json');
    if (!existsSync(expectedFile)) continue;
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
    const expectedIds = [...new Set(expected.expected_ids_default_config.map((e) => e.id))];
    const absent = (expected.assertions ?? []).flatMap((a) =>
      (a.absent_ids ?? []).map((x) => (typeof x === 'string' ? x : x.id)),
    );
    const result: PairResult = {
      name,
      breaking: expected.breaking,
      loaded: false,
      reported: false,
      expectedIds,
      missingIds: expectedIds,
      ids: [],
      levelMismatches: [],
      forbiddenReported: [],
      counts: [0, 0],
      lines: [0, 0],
    };
    try {
      const base = loadSpec(path.join(dir, expected.base_file), { root: dir });
      const head = loadSpec(path.join(dir, expected.revision_file), { root: dir });
      result.loaded = true;
      const changes = diffSpecs(base, head);
      result.ids = [...new Set(changes.map((c) => c.id))];
      result.reported = changes.some((c) => c.level !== 'INFO');
      result.missingIds = expectedIds.filter((id) => !result.ids.includes(id));
      for (const e of expected.expected_ids_default_config) {
        const got = changes.find((c) => c.id === e.id);
        if (got && got.level !== e.default_level)
          result.levelMismatches.push(`${e.id} ${got.level}≠${e.default_level}`);
      }
      result.forbiddenReported = absent.filter((id) => result.ids.includes(id));
      const sourceLines = [
        ...(expected.expected_source_lines ?? []),
        ...(expected.assertions ?? []).flatMap((a) => a.expected_source_lines ?? []),
      ];
      for (const want of sourceLines) {
        const id = want.id ?? expectedIds[0];
        const side = want.side === 'revision' ? 'head' : 'base';
        const got = changes.find((c) => c.id === id && c.side === side);
        const ok = got?.location?.line === want.line && (!want.file || got.location.file === want.file);
        result.lines[1]++;
        if (ok) result.lines[0]++;
        else
          result.lineNotes = `${id}: oasdiff ${want.file ?? side}:${want.line}, ours ${got?.location?.file}:${got?.location?.line}`;
      }
      const rank = { ERR: 0, WARN: 1, INFO: 2 } as const;
      for (const a of expected.assertions ?? []) {
        if (
          a.check_scope !== 'all-checks' ||
          typeof a.expected_count !== 'number' ||
          a.non_default_config?.length ||
          !a.level_threshold
        )
          continue;
        const threshold = rank[a.level_threshold];
        const n = changes.filter((c) => rank[c.level] <= threshold).length;
        result.counts[1]++;
        if (n === a.expected_count) result.counts[0]++;
        else result.countNotes = `${n} findings at ${a.level_threshold}+, oasdiff ${a.expected_count}`;
      }
    } catch (e) {
      result.error = e instanceof Error ? e.message : String(e);
    }
    results.push(result);
  }
  return results;
}

describe.skipIf(!haveFixtures)('oasdiff conformance pairs', () => {
  it('loads every pair, finds the known breaks and raises no false alarm', () => {
    const results = runPairs();
    const breaking = results.filter((r) => r.breaking === true);
    const nonBreaking = results.filter((r) => r.breaking === false);
    const found = breaking.filter((r) => r.reported);
    const falseAlarms = nonBreaking.filter((r) => r.reported);
    const idMatch = (r: PairResult) => r.loaded && r.expectedIds.length > 0 && r.missingIds.length === 0;
    const withIds = results.filter((r) => r.expectedIds.length > 0);
    const score = {
      pairs: results.length,
      loaded: results.filter((r) => r.loaded).length,
      breakingFound: found.length,
      breakingTotal: breaking.length,
      falseAlarms: falseAlarms.length,
      nonBreakingTotal: nonBreaking.length,
      idMatchesBreaking: breaking.filter(idMatch).length,
      idMatchesAll: withIds.filter(idMatch).length,
      pairsWithIds: withIds.length,
      levelMismatches: results.reduce((n, r) => n + r.levelMismatches.length, 0),
      forbiddenReported: results.reduce((n, r) => n + r.forbiddenReported.length, 0),
      countsMatched: results.reduce((n, r) => n + r.counts[0], 0),
      countsTotal: results.reduce((n, r) => n + r.counts[1], 0),
      linesMatched: results.reduce((n, r) => n + r.lines[0], 0),
      linesTotal: results.reduce((n, r) => n + r.lines[1], 0),
    };
    const lines = [
      `oasdiff pairs: ${score.loaded}/${score.pairs} loaded`,
      `known breaks reported (ERR/WARN): ${score.breakingFound}/${score.breakingTotal} (${((100 * score.breakingFound) / Math.max(1, score.breakingTotal)).toFixed(1)}%)`,
      `false alarms on non-breaking pairs: ${score.falseAlarms}/${score.nonBreakingTotal}`,
      `same rule ids as oasdiff: ${score.idMatchesBreaking}/${score.breakingTotal} breaking pairs, ${score.idMatchesAll}/${score.pairsWithIds} pairs with expected ids`,
      `levels differing from oasdiff defaults: ${score.levelMismatches}; ids oasdiff asserts absent but reported: ${score.forbiddenReported}`,
      `exact finding counts on all-checks assertions: ${score.countsMatched}/${score.countsTotal}`,
      `source lines equal to oasdiff's: ${score.linesMatched}/${score.linesTotal}`,
      ...results.filter((r) => r.lineNotes).map((r) => `  line ${r.name}: ${r.lineNotes}`),
      ...results.filter((r) => r.countNotes).map((r) => `  count ${r.name}: ${r.countNotes}`),
      ...results
        .filter((r) => r.levelMismatches.length)
        .map((r) => `  level ${r.name}: ${r.levelMismatches.join(', ')}`),
      ...results
        .filter((r) => r.forbiddenReported.length)
        .map((r) => `  forbidden ${r.name}: ${r.forbiddenReported.join(', ')}`),
      ...results.filter((r) => r.error).map((r) => `  load error ${r.name}: ${r.error}`),
      ...breaking
        .filter((r) => !r.reported)
        .map((r) => `  missed ${r.name}: expected ${r.expectedIds.join(',')} got ${r.ids.join(',') || '-'}`),
      ...falseAlarms.map((r) => `  false alarm ${r.name}: ${r.ids.join(',')}`),
      ...withIds
        .filter((r) => r.loaded && !idMatch(r))
        .map((r) => `  id mismatch ${r.name}: missing ${r.missingIds.join(',')} got ${r.ids.join(',') || '-'}`),
    ];
    console.log(lines.join('\n'));
    expect(score.loaded).toBeGreaterThanOrEqual(FLOOR.loaded);
    expect(score.breakingFound).toBeGreaterThanOrEqual(FLOOR.breakingFound);
    expect(score.falseAlarms).toBeLessThanOrEqual(FLOOR.falseAlarms);
    expect(score.idMatchesBreaking).toBeGreaterThanOrEqual(FLOOR.idMatchesBreaking);
    expect(score.idMatchesAll).toBeGreaterThanOrEqual(FLOOR.idMatchesAll);
    expect(score.levelMismatches).toBeLessThanOrEqual(FLOOR.levelMismatches);
    expect(score.forbiddenReported).toBeLessThanOrEqual(FLOOR.forbiddenReported);
    expect(score.countsMatched).toBeGreaterThanOrEqual(FLOOR.countsMatched);
    expect(score.linesMatched).toBeGreaterThanOrEqual(FLOOR.linesMatched);
  });
});

/**
 * oasdiff's options we can reproduce: `checker.WithDeprecation(beta, stable)` is our deprecation policy, and a bare
 * `&diff.Config{}` is the default comparison. Anything else is not reproducible here.
 */
function policyOptions(config: string[]): DiffOptions | undefined {
  const opts: DiffOptions = {};
  for (const c of config) {
    const m = /checker\.WithDeprecation\((\d+), (\d+)\)/.exec(c);
    if (m) {
      opts.deprecationDaysBeta = Number(m[1]);
      opts.deprecationDaysStable = Number(m[2]);
    } else if (c !== 'diff config: &diff.Config{}') return undefined;
  }
  return opts;
}

describe.skipIf(!haveFixtures)('oasdiff assertions under a non-default configuration', () => {
  it('reports the ids oasdiff asserts, as many times as it asserts', () => {
    const notes: string[] = [];
    let total = 0;
    let matched = 0;
    for (const name of readdirSync(pairsDir).sort()) {
      const dir = path.join(pairsDir, name);
      const expectedFile = path.join(dir, 'expected.json');
      if (!existsSync(expectedFile)) continue;
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
      for (const a of expected.assertions ?? []) {
        const opts = a.non_default_config?.length ? policyOptions(a.non_default_config) : undefined;
        // An assertion that only says "nothing" names no check we can single out: not scored.
        if (!opts || !a.expected_ids?.length) continue;
        total++;
        const base = loadSpec(path.join(dir, expected.base_file), { root: dir });
        const head = loadSpec(path.join(dir, expected.revision_file), { root: dir });
        const changes = diffSpecs(base, head, opts);
        const want = new Set(a.expected_ids.map((e) => e.id));
        const got = changes.filter((c) => want.has(c.id));
        const countOk = typeof a.expected_count !== 'number' || got.length === a.expected_count;
        if ([...want].every((id) => got.some((c) => c.id === id)) && countOk) matched++;
        else
          notes.push(
            `  ${name} ${a.non_default_config!.join(' ')}: want ${[...want].join(',')} x${a.expected_count}, got ${got.map((c) => c.id).join(',') || '-'}`,
          );
      }
    }
    console.log([`policy assertions matched: ${matched}/${total}`, ...notes].join('\n'));
    expect(matched).toBeGreaterThanOrEqual(FLOOR.policyMatched);
  });
});

describe.skipIf(!haveFixtures)('identity and reversal on every pair', () => {
  it('a spec diffed against a fresh load of itself reports nothing; reversed pairs diff without errors', () => {
    const noisy: string[] = [];
    for (const name of readdirSync(pairsDir).sort()) {
      const dir = path.join(pairsDir, name);
      const expectedFile = path.join(dir, 'expected.json');
      if (!existsSync(expectedFile)) continue;
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
      for (const file of [expected.base_file, expected.revision_file]) {
        const self = diffSpecs(
          loadSpec(path.join(dir, file), { root: dir }),
          loadSpec(path.join(dir, file), { root: dir }),
          // An invalid x-stability-level is reported on every run, as oasdiff does: it is a property of the spec.
        ).filter((c) => c.id !== 'api-invalid-stability-level');
        if (self.length) noisy.push(`${name}/${file}: ${self.map((c) => c.id).join(', ')}`);
      }
      const head = loadSpec(path.join(dir, expected.revision_file), { root: dir });
      const base = loadSpec(path.join(dir, expected.base_file), { root: dir });
      expect(() => diffSpecs(head, base)).not.toThrow();
    }
    expect(noisy).toEqual([]);
  });
});

interface LargeSummary {
  base: string;
  revision: string;
  operations_removed: string[];
  operations_added: number;
}

const REMOVAL_IDS = new Set([
  'api-path-removed-without-deprecation',
  'api-removed-without-deprecation',
  'api-path-removed-before-sunset',
  'api-removed-before-sunset',
  'api-path-removed-with-deprecation',
  'api-removed-with-deprecation',
  'api-path-sunset-parse',
]);

const haveLarge = existsSync(path.join(largeDir, 'SUMMARY.json'));
const largePairs: Array<[string, LargeSummary]> = haveLarge
  ? Object.entries(JSON.parse(readFileSync(path.join(largeDir, 'SUMMARY.json'), 'utf8')))
  : [];

describe.skipIf(!haveLarge)('large real-world pairs', () => {
  it.each(largePairs)('%s: reports every removed and added operation within budget', (name, summary) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const base = loadSpec(path.join(largeDir, summary.base), { root: largeDir });
    const head = loadSpec(path.join(largeDir, summary.revision), { root: largeDir });
    const changes = diffSpecs(base, head);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const removed = new Set(changes.filter((c) => REMOVAL_IDS.has(c.id)).map((c) => c.operation));
    const added = changes.filter((c) => c.id === 'endpoint-added').length;
    const breaking = changes.filter((c) => c.level !== 'INFO').length;
    console.log(
      `${name}: ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU, peak RSS ${peakMb.toFixed(0)} MB, ${changes.length} changes (${breaking} ERR/WARN), removed ops ${removed.size}/${summary.operations_removed.length}, added ops ${added}/${summary.operations_added}`,
    );
    for (const op of summary.operations_removed) expect(removed, `removed operation ${op}`).toContain(op);
    expect(removed.size).toBe(summary.operations_removed.length);
    expect(added).toBe(summary.operations_added);
    // Budget from the brief is 2 s on an idle machine; CI runners are shared, so the test allows headroom.
    expect(seconds).toBeLessThan(10);
    // CPU time is what the 2 s budget means on an idle runner; allow for GC threads and a busy machine.
    expect(cpuSeconds).toBeLessThan(4);
    expect(peakMb).toBeLessThan(1024);
  });
});
