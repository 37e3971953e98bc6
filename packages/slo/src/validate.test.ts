import { startPrometheus, type PrometheusServer } from '@myco-gates/testkit/prometheus';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '@myco-gates/testkit/victoria-metrics';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from './prometheus.js';
import { casesSpec, renderSeries, type SeriesCase } from './series.test-helpers.js';
import { parseSloSpec, type SloDefinition } from './spec.js';
import { buildSloReport, judgeSlo, validateSlos, type ValidatePolicy } from './validate.js';

// Deterministic history backfilled into a real Prometheus: every case is a deploy at D judged over [D, D + 10 min],
// with the 10 minutes before D as the baseline.
const base = Math.floor(Date.now() / 1000 / 3600) * 3600 - 4 * 3600;
const D = base + 3600;
const end = D + 3600;
const healthy = { rps: 20, errorShare: 0.001, slowShare: 0.01 };
const rolling = (name: string, before: object, after: object): SeriesCase => ({
  name,
  phases: [
    { pod: 'old', from: base, to: D, ...healthy, ...before },
    { pod: 'new', from: D + 5, to: end, ...healthy, ...after },
  ],
});
const CASES: SeriesCase[] = [
  rolling('healthy', {}, {}),
  rolling('burst', {}, { errorShare: 0.05 }),
  rolling('latency', {}, { slowShare: 0.2 }),
  rolling('idle', {}, { rps: 0 }),
  rolling('low', {}, { rps: 0.05, errorShare: 1 / 30 }),
  rolling('degraded', { errorShare: 0.02 }, { errorShare: 0.02 }),
  rolling('worse', { errorShare: 0.02 }, { errorShare: 0.06 }),
  // The same pod restarts at D: its counters reset to 0 in the same series.
  {
    name: 'restart',
    phases: [
      { pod: 'a', from: base, to: D, ...healthy },
      { pod: 'a', from: D + 10, to: end, ...healthy },
    ],
  },
  rolling('flapping', {}, { errorShare: 0.03, flapSeconds: 30 }),
];
const policy: ValidatePolicy = { confidence: 0.95, onInconclusive: 'warn', onNoData: 'warn', minEvents: 0 };
const slos = parseSloSpec(casesSpec(CASES.map((c) => c.name)), 'cases.yaml');
const byName = (name: string) => slos.find((s) => s.name === name)!;

let prom: PrometheusServer;
beforeAll(async () => {
  prom = await startPrometheus({ backfill: renderSeries(CASES) });
});
afterAll(async () => prom?.stop());

/** What each case must decide, on every engine. */
const DECISIONS: [string, string, string, boolean][] = [
  ['healthy-availability', 'pass', 'within', false],
  ['healthy-latency', 'pass', 'within', false],
  ['burst-availability', 'fail', 'breached', true],
  ['burst-latency', 'pass', 'within', false],
  ['latency-latency', 'fail', 'breached', true],
  ['latency-availability', 'pass', 'within', false],
  ['idle-availability', 'warn', 'no-data', false],
  ['low-availability', 'warn', 'inconclusive', false],
  ['restart-availability', 'pass', 'within', false],
  ['flapping-availability', 'fail', 'breached', true],
];

async function judge(names: string[], baseline: 'none' | 'previous-window' = 'none', url = prom.url) {
  const client = createPrometheusClient({ url });
  return validateSlos(
    names.map(byName),
    client,
    {
      since: new Date(D * 1000),
      until: new Date((D + 600) * 1000),
      durationSeconds: 0,
      intervalSeconds: 10,
      initialDelaySeconds: 0,
      baseline,
    },
    policy,
  );
}

describe('slo-validate on a real Prometheus', () => {
  it.each(DECISIONS)('%s → %s (%s)', async (name, status, decidedBy, rollback) => {
    const result = await judge([name]);
    expect(result.error).toBeUndefined();
    const [j] = result.final;
    expect({ status: j.status, decidedBy: j.decidedBy, rollback: j.rollback }).toEqual({ status, decidedBy, rollback });
    expect(result.rollback).toBe(rollback);
  });

  it('counts the window from rate × seconds, across a counter reset and a new pod', async () => {
    for (const name of ['restart-availability', 'healthy-availability']) {
      const { counts } = (await judge([name])).final[0];
      // 20 requests/s for 600 s, less the few seconds without a pod around the restart.
      expect(counts!.total).toBeGreaterThan(11_500);
      expect(counts!.total).toBeLessThan(12_300);
    }
  });

  it('low traffic states the events that would decide', async () => {
    const [j] = (await judge(['low-availability'])).final;
    expect(j.counts!.total).toBeGreaterThan(25);
    expect(j.counts!.total).toBeLessThan(35);
    // 1 bad in ~30 is 3.3 % against 0.5 % allowed: ~53 events at that share would prove the breach.
    expect(j.eventsNeeded).toBeGreaterThan(j.counts!.total);
    expect(j.eventsNeeded).toBeLessThan(80);
    expect(j.policy).toBe('on-inconclusive: warn');
  });

  it('a breach that was there before the deploy is pre-existing (warn), a worse one is a rollback', async () => {
    const before = await judge(['degraded-availability', 'worse-availability'], 'previous-window');
    expect(before.final.map((j) => [j.slo, j.status, j.decidedBy, j.rollback])).toEqual([
      ['degraded-availability', 'warn', 'pre-existing', false],
      ['worse-availability', 'fail', 'breached', true],
    ]);
    expect(before.status).toBe('fail');
    expect(before.breached).toEqual(['worse-availability']);
    const without = await judge(['degraded-availability']);
    expect(without.final[0].status).toBe('fail');
  });

  it('a 0/0 ratio (NaN) is no data, not a pass', async () => {
    const nan: SloDefinition = {
      ...byName('idle-availability'),
      name: 'nan',
      totalQuery:
        'sum(rate(http_requests_total{case="idle",pod="new"}[{{.window}}])) / sum(rate(http_requests_total{case="idle",pod="new"}[{{.window}}]))',
    };
    const client = createPrometheusClient({ url: prom.url });
    const result = await validateSlos(
      [nan],
      client,
      {
        since: new Date(D * 1000),
        until: new Date((D + 600) * 1000),
        durationSeconds: 0,
        intervalSeconds: 10,
        initialDelaySeconds: 0,
        baseline: 'none',
      },
      policy,
    );
    expect(result.final[0].decidedBy).toBe('no-data');
  });

  it('a query Prometheus rejects is one error naming the SLO, the query and the message', async () => {
    const bad: SloDefinition = {
      ...byName('healthy-availability'),
      errorQuery: 'sum(rat(http_requests_total[{{.window}}]))',
    };
    const client = createPrometheusClient({ url: prom.url });
    const result = await validateSlos(
      [bad],
      client,
      {
        since: new Date(D * 1000),
        until: new Date((D + 600) * 1000),
        durationSeconds: 0,
        intervalSeconds: 10,
        initialDelaySeconds: 0,
        baseline: 'none',
      },
      policy,
    );
    expect(result.status).toBe('error');
    expect(result.rollback).toBe(false);
    expect(result.error!.message).toMatch(
      /SLO `healthy-availability`: Prometheus rejected the query `sum\(rat\(.*600s.*\)\)`: bad_data: .*rat/,
    );
    const report = buildSloReport([bad], result, policy, prom.url);
    expect(report.status).toBe('error');
    expect(report.headline).toContain('could not be checked');
  });

  it('watching stops early on a critical breach and reports each sample', async () => {
    // A clock that starts at D + 60 s and moves 30 s per sleep: the breach is evidenced at the first look.
    let now = (D + 60) * 1000;
    const clock = { now: () => new Date(now), sleep: async (ms: number) => void (now += ms) };
    const client = createPrometheusClient({ url: prom.url });
    const plan = {
      since: new Date(D * 1000),
      durationSeconds: 600,
      intervalSeconds: 30,
      initialDelaySeconds: 30,
      baseline: 'none' as const,
    };
    const bad = await validateSlos([byName('burst-availability'), byName('burst-latency')], client, plan, policy, {
      clock,
    });
    expect(bad.stoppedEarly).toBe(true);
    expect(bad.samples).toHaveLength(1);
    expect(bad.samples[0].windowSeconds).toBe(90);
    expect(bad.rollback).toBe(true);
    now = (D + 60) * 1000;
    const good = await validateSlos([byName('healthy-availability')], client, plan, policy, { clock });
    expect(good.stoppedEarly).toBe(false);
    expect(good.samples.length).toBe(20);
    expect(good.status).toBe('pass');
  });

  it('Prometheus killed mid-run is error with no rollback, even while a breach is building', async () => {
    const doomed = await startPrometheus({ backfill: renderSeries(CASES) });
    try {
      let now = (D + 60) * 1000;
      let sleeps = 0;
      const clock = {
        now: () => new Date(now),
        sleep: async (ms: number) => {
          now += ms;
          if (++sleeps === 2) await doomed.stop();
        },
      };
      const client = createPrometheusClient({ url: doomed.url, retryBudgetMs: 1500 });
      // Neither SLO is decided breached early, so it keeps sampling until the engine is gone.
      const result = await validateSlos(
        [byName('healthy-availability'), byName('low-availability')],
        client,
        {
          since: new Date(D * 1000),
          durationSeconds: 600,
          intervalSeconds: 30,
          initialDelaySeconds: 0,
          baseline: 'none',
        },
        policy,
        { clock },
      );
      expect(result.status).toBe('error');
      expect(result.rollback).toBe(false);
      expect(result.breached).toEqual([]);
      expect(result.error?.kind).toBe('unreachable');
      expect(result.error?.message).toMatch(/127\.0\.0\.1/);
      expect(result.samples.length).toBeGreaterThanOrEqual(1);
    } finally {
      await doomed.stop();
    }
  });

  it('a flaky endpoint (every other request 503) still gets the right decisions', async () => {
    let n = 0;
    const flaky = createServer((req, res) => {
      if (n++ % 2 === 0) {
        res.writeHead(503, { 'retry-after': '0' }).end('overloaded');
        return;
      }
      const upstream = request(`${prom.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const retries: string[] = [];
      const client = createPrometheusClient({
        url: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`,
        onRetry: (reason) => retries.push(reason),
      });
      const result = await validateSlos(
        ['healthy-availability', 'burst-availability', 'low-availability'].map(byName),
        client,
        {
          since: new Date(D * 1000),
          until: new Date((D + 600) * 1000),
          durationSeconds: 0,
          intervalSeconds: 10,
          initialDelaySeconds: 0,
          baseline: 'none',
        },
        policy,
      );
      expect(result.final.map((j) => [j.slo, j.decidedBy])).toEqual([
        ['healthy-availability', 'within'],
        ['burst-availability', 'breached'],
        ['low-availability', 'inconclusive'],
      ]);
      expect(result.status).toBe('fail');
      expect(retries.length).toBeGreaterThanOrEqual(6);
      expect(retries[0]).toMatch(/503/);
    } finally {
      await new Promise((resolve) => flaky.close(resolve));
    }
  });
});

// VictoriaMetrics answers the same Prometheus query API, but its rate/increase do not extrapolate to the window's
// edges: the counts differ by a few samples' worth, the decisions must not. Queried through its `/prometheus` path
// prefix, as a user of VictoriaMetrics cluster (`/select/0/prometheus`) would.
describe('slo-validate on a real VictoriaMetrics: the same decisions', () => {
  let vm: VictoriaMetricsServer;
  beforeAll(async () => {
    vm = await startVictoriaMetrics({ import: renderSeries(CASES, 5, 'prometheus') });
  });
  afterAll(async () => vm?.stop());
  const url = () => `${vm.url}/prometheus`;

  it.each(DECISIONS)('%s → %s (%s)', async (name, status, decidedBy, rollback) => {
    const result = await judge([name], 'none', url());
    expect(result.error).toBeUndefined();
    const [j] = result.final;
    expect({ status: j.status, decidedBy: j.decidedBy, rollback: j.rollback }).toEqual({ status, decidedBy, rollback });
  });

  it('counts the same traffic within a few samples of Prometheus, across a reset', async () => {
    for (const name of ['restart-availability', 'healthy-availability']) {
      const ours = (await judge([name], 'none', url())).final[0].counts!;
      const theirs = (await judge([name])).final[0].counts!;
      expect(ours.total).toBeGreaterThan(11_500);
      expect(Math.abs(ours.total - theirs.total)).toBeLessThan(20 * 15);
    }
  });

  it('pre-existing vs worse with the previous-window baseline', async () => {
    const result = await judge(['degraded-availability', 'worse-availability'], 'previous-window', url());
    expect(result.final.map((j) => [j.slo, j.status, j.decidedBy, j.rollback])).toEqual([
      ['degraded-availability', 'warn', 'pre-existing', false],
      ['worse-availability', 'fail', 'breached', true],
    ]);
  });
});

describe('the decision, without an engine', () => {
  const slo = byName('healthy-availability');
  it.each([
    [{ bad: 1, total: 30 }, 'inconclusive'],
    [{ bad: 0, total: 30 }, 'inconclusive'],
    [{ bad: 0, total: 600 }, 'within'],
    [{ bad: 6, total: 300 }, 'breached'],
    [{ bad: 3, total: 300 }, 'inconclusive'],
    [{ bad: 0, total: 0 }, 'no-data'],
    [{ bad: Number.NaN, total: 100 }, 'no-data'],
    [{ bad: 1, total: Number.POSITIVE_INFINITY }, 'no-data'],
  ])('%o is %s', (counts, decidedBy) => {
    expect(judgeSlo(slo, counts, policy).decidedBy).toBe(decidedBy);
  });

  it('policies and the minimum traffic floor decide undecided SLOs; only critical fails roll back', () => {
    const strict = { ...policy, onInconclusive: 'fail' as const, perSlo: { [slo.name]: { minEvents: 1000 } } };
    const j = judgeSlo(slo, { bad: 0, total: 600 }, strict);
    expect([j.status, j.decidedBy, j.policy, j.rollback]).toEqual(
      ['fail', 'min-events', 'on-inconclusive', true].map((v, i) => (i === 2 ? 'min-events 1000: fail' : v)),
    );
    expect(judgeSlo({ ...slo, critical: false }, { bad: 60, total: 300 }, policy).rollback).toBe(false);
  });
});
