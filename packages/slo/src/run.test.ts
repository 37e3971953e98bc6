import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildValidateConfig,
  parseDurationSeconds,
  parseTime,
  SloInputError,
  type SloValidateInputValues,
} from './run.js';

const SAMPLE_SPEC = new URL('../../../sample-app/monitoring/slos.yaml', import.meta.url).pathname;
const NOW = new Date('2026-12-06T10:00:00Z');

const values = (over: Partial<SloValidateInputValues> = {}): SloValidateInputValues => ({
  prometheusUrl: 'http://127.0.0.1:9090',
  sloSpec: SAMPLE_SPEC,
  slos: [],
  since: '10m',
  duration: '0',
  interval: '15s',
  initialDelay: '0',
  baseline: 'none',
  confidence: 0.95,
  onInconclusive: [],
  onNoData: [],
  minEvents: [],
  requestTimeout: '10s',
  retryTimeout: '30s',
  workingDirectory: '.',
  ...over,
});

function error(over: Partial<SloValidateInputValues>): SloInputError {
  try {
    buildValidateConfig(values(over), NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(SloInputError);
    return e as SloInputError;
  }
  throw new Error('expected an error');
}

describe('times and durations', () => {
  it.each([
    ['2026-12-06T09:30:00Z', '2026-12-06T09:30:00.000Z'],
    ['2026-12-06T11:30:00+02:00', '2026-12-06T09:30:00.000Z'],
    ['2026-12-06T09:30:00.250Z', '2026-12-06T09:30:00.250Z'],
    ['1796549400', '2026-12-06T09:30:00.000Z'],
    ['30m', '2026-12-06T09:30:00.000Z'],
    ['1h', '2026-12-06T09:00:00.000Z'],
    ['1h30m', '2026-12-06T08:30:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseTime(text, 'since', NOW).toISOString()).toBe(iso);
  });

  it.each([
    ['0', 0],
    ['300', 300],
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['500ms', 0.5],
  ])('duration %s', (text, seconds) => {
    expect(parseDurationSeconds(text, 'duration')).toBe(seconds);
  });

  it.each(['yesterday', '2026-12-06', '2026-12-06T09:30:00', '5 minutes', '-5m'])(
    'rejects %s with the accepted forms',
    (text) => {
      expect(() => parseTime(text, 'since', NOW)).toThrow(/input `since`: .* is not a time/);
      expect(() => parseTime(text, 'since', NOW)).toThrow(
        expect.objectContaining({ fix: expect.stringMatching(/RFC 3339/) }),
      );
    },
  );
});

describe('buildValidateConfig', () => {
  it('reads the sample spec with every default', () => {
    const config = buildValidateConfig(values(), NOW);
    expect(config.slos.map((s) => s.name)).toContain('backend-availability');
    expect(config.plan).toMatchObject({ durationSeconds: 0, baseline: 'none' });
    expect(config.plan.since.toISOString()).toBe('2026-12-06T09:50:00.000Z');
    expect(config.plan.until?.toISOString()).toBe(NOW.toISOString());
    expect(config.policy).toEqual({
      confidence: 0.95,
      onInconclusive: 'warn',
      onNoData: 'warn',
      minEvents: 0,
      perSlo: {},
    });
    expect(config.requestTimeoutMs).toBe(10_000);
  });

  it('selects SLOs and reads per-SLO policies', () => {
    const config = buildValidateConfig(
      values({
        slos: ['backend-availability', 'backend-latency'],
        onInconclusive: ['pass', 'backend-availability=fail'],
        onNoData: ['backend-latency=fail'],
        minEvents: ['100', 'backend-latency=500'],
        headers: 'X-Scope-OrgID: team-a\nX-Other: b',
        basicAuth: 'u:p:w',
      }),
      NOW,
    );
    expect(config.slos.map((s) => s.name)).toEqual(['backend-availability', 'backend-latency']);
    expect(config.policy).toMatchObject({
      onInconclusive: 'pass',
      minEvents: 100,
      perSlo: {
        'backend-availability': { onInconclusive: 'fail' },
        'backend-latency': { onNoData: 'fail', minEvents: 500 },
      },
    });
    expect(config.headers).toEqual({ 'X-Scope-OrgID': 'team-a', 'X-Other': 'b' });
    expect(config.basicAuth).toBe('u:p:w');
  });

  it.each<[string, Partial<SloValidateInputValues>, RegExp, RegExp]>([
    ['a URL without scheme', { prometheusUrl: 'prometheus:9090' }, /prometheus-url/, /scheme/],
    ['an unknown SLO id', { slos: ['backend-availabilty'] }, /`backend-availabilty` is not in/, /backend-availability/],
    ['since after until', { since: '2026-12-06T09:00:00Z', until: '2026-12-06T08:00:00Z' }, /not before/, /since/],
    ['since in the future', { since: '2026-12-07T09:00:00Z', duration: '5m' }, /future/, /deploy started/],
    ['a bad policy', { onInconclusive: ['maybe'] }, /on-inconclusive.*maybe/, /pass.*warn.*fail/],
    ['a policy for an unknown SLO', { onNoData: ['nope=fail'] }, /unknown SLO `nope`/, /backend-availability/],
    ['a bad duration', { duration: '5 minutes' }, /duration/, /90s/],
    ['a warm-up longer than the watch', { duration: '1m', initialDelay: '2m' }, /initial-delay/, /duration/],
    ['a header without colon', { headers: 'Authorization Bearer secret-token' }, /line 1/, /X-Scope-OrgID/],
    ['basic auth without colon', { basicAuth: 'justapassword' }, /basic-auth/, /user:password/],
  ])('%s is one clear error with the fix', (_name, over, message, fix) => {
    const e = error(over);
    expect(e.message).toMatch(message);
    expect(e.fix).toMatch(fix);
    expect(`${e.message} ${e.fix}`).not.toMatch(/secret-token|justapassword/);
  });

  it('names the spec file and line for a bad spec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slo-spec-'));
    const cases: Array<[string, RegExp]> = [
      ['apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: [unclosed\n', /YAML|yaml|flow/i],
      ['apiVersion: openslo/v1\nkind: Budget\nmetadata: {name: a}\nspec: {}\n', /kind/],
      [
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  service: s\n  indicator:\n    spec:\n      ratioMetric:\n        counter: true\n        bad: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(e[{{.window}}]))'}}}\n        total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(t[{{.window}}]))'}}}\n",
        /objective|target/i,
      ],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const file = join(dir, `bad-${i}.yaml`);
      writeFileSync(file, text);
      const e = error({ sloSpec: file });
      expect(e.file).toBe(file);
      expect(e.message).toMatch(message);
      expect(e.fix.length).toBeGreaterThan(5);
    }
    const missing = error({ sloSpec: 'nope/slos.yaml' });
    expect(missing.file).toBe('nope/slos.yaml');
  });
});
