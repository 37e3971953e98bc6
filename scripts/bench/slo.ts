// The slo-validate benchmark (`npm run bench -- slo`), two parts, all against a real Prometheus:
// 1. Detection: the same generated deploys (bad and good, random traffic, scraped every 5 s) judged by ours and by
//    Flagger's default analysis (interval 1m, threshold 5 failed checks, a plain threshold on the 1m rate; "no values"
//    is a failed check) and Argo Rollouts' typical template (interval 1m, failureLimit 3, `result[0] >= 0.995` on a
//    5m rate; NaN fails, an empty result is an error, 5 consecutive errors abort). Time to a rollback decision after
//    the fault's onset, and false rollbacks of good releases.
// 2. Cost: one query round for the seed's four SLOs against a Prometheus holding 100k active series (scraped from a
//    synthetic exporter), time and number of queries, ours beside the peers' per-interval queries.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrometheus, type PrometheusServer } from '@myco-gates/testkit/prometheus';
import {
  createPrometheusClient,
  parseSloSpec,
  readSloSpec,
  validateSlos,
  type PrometheusClient,
  type SloDefinition,
} from '@myco-gates/slo';

type Table = (title: string, header: string[], rows: string[][]) => void;

/** A small seeded generator (mulberry32), so every run judges the same traffic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function poisson(mean: number, rnd: () => number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rnd)));
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = rnd();
  while (u > s) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}
function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
}
function binomial(n: number, p: number, rnd: () => number): number {
  if (n * p > 30) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(rnd))));
  let k = 0;
  for (let i = 0; i < n; i++) if (rnd() < p) k++;
  return k;
}

interface Deploy {
  name: string;
  kind: 'bad-errors' | 'bad-latency' | 'good' | 'good-low' | 'good-idle';
  rps: number;
  errorShare: number;
  slowShare: number;
}
const BUCKETS = ['0.1', '0.25', '0.5', '1', '2', '5', '10', '+Inf'];
const STEP = 5;
const WATCH = 600;

function deploys(): Deploy[] {
  const out: Deploy[] = [];
  const add = (kind: Deploy['kind'], n: number, d: Omit<Deploy, 'name' | 'kind'>) => {
    for (let i = 0; i < n; i++) out.push({ name: `${kind}-${i}`, kind, ...d });
  };
  add('bad-errors', 10, { rps: 20, errorShare: 0.05, slowShare: 0.01 });
  add('bad-latency', 10, { rps: 20, errorShare: 0.001, slowShare: 0.2 });
  // Good releases: within both objectives. Busy, modest (2 rps at 0.3 % errors — within 0.5 %, but a minute with one
  // error reads 0.8 %), and nearly idle (a request a minute: a third of the minutes have none).
  add('good', 10, { rps: 20, errorShare: 0.001, slowShare: 0.01 });
  add('good-low', 20, { rps: 2, errorShare: 0.003, slowShare: 0.01 });
  add('good-idle', 10, { rps: 1 / 60, errorShare: 0, slowShare: 0 });
  return out;
}

/** OpenMetrics for every deploy: healthy before D, the release's behaviour from D on. */
function series(all: Deploy[], D: number): string {
  const rnd = random(20261206);
  const requests: string[] = [];
  const buckets: string[] = [];
  for (const d of all) {
    let ok = 0;
    let errors = 0;
    const cum = BUCKETS.map(() => 0);
    for (let t = D - 1200; t <= D + WATCH + 60; t += STEP) {
      const after = t > D;
      const n = poisson((after ? d.rps : Math.max(d.rps, 2)) * STEP, rnd);
      const e = binomial(n, after ? d.errorShare : 0.001, rnd);
      const slow = binomial(n, after ? d.slowShare : 0.01, rnd);
      errors += e;
      ok += n - e;
      // Fast requests spread over the buckets up to 1 s; slow ones take 3 s (the +3 s fault) and land in le=5.
      for (let i = 0; i < n - slow; i++) {
        const b = Math.floor(rnd() * 4);
        for (let j = b; j < BUCKETS.length; j++) cum[j]++;
      }
      for (let j = 5; j < BUCKETS.length; j++) cum[j] += slow;
      const l = `deploy="${d.name}"`;
      requests.push(`http_requests_total{${l},code="500"} ${errors} ${t}`);
      requests.push(`http_requests_total{${l},code="200"} ${ok} ${t}`);
      BUCKETS.forEach((le, j) => buckets.push(`http_request_duration_seconds_bucket{${l},le="${le}"} ${cum[j]} ${t}`));
      buckets.push(`http_request_duration_seconds_count{${l}} ${cum[BUCKETS.length - 1]} ${t}`);
    }
  }
  return [
    '# TYPE http_requests counter',
    ...requests,
    '# TYPE http_request_duration_seconds histogram',
    ...buckets,
    '# EOF',
    '',
  ].join('\n');
}

function spec(d: Deploy): SloDefinition[] {
  const m = `deploy="${d.name}"`;
  return parseSloSpec(
    `version: prometheus/v1
service: ${d.name}
slos:
  - name: availability
    objective: 99.5
    labels: { rollback_trigger: critical }
    sli:
      events:
        error_query: sum(rate(http_requests_total{${m},code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{${m}}[{{.window}}]))
  - name: latency
    objective: 95
    labels: { rollback_trigger: critical }
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{${m}}[{{.window}}])) - sum(rate(http_request_duration_seconds_bucket{${m},le="2"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{${m}}[{{.window}}]))
`,
    `${d.name}.yaml`,
  );
}

/** Seconds after onset at which the engine decided to roll back, or undefined when it never did. */
type Engine = (d: Deploy, client: PrometheusClient, D: number) => Promise<number | undefined>;

const ours: Engine = async (d, client, D) => {
  let now = (D + 15) * 1000;
  const clock = { now: () => new Date(now), sleep: async (ms: number) => void (now += ms) };
  const result = await validateSlos(
    spec(d),
    client,
    {
      since: new Date(D * 1000),
      durationSeconds: WATCH,
      intervalSeconds: 15,
      initialDelaySeconds: 15,
      baseline: 'none',
    },
    { confidence: 0.95, onInconclusive: 'warn', onNoData: 'warn', minEvents: 0 },
    { clock },
  );
  return result.rollback ? result.samples.at(-1)!.windowSeconds : undefined;
};

/** The peers' per-interval checks: error ratio and P95 over `range`, evaluated at `t`. */
async function peerChecks(d: Deploy, client: PrometheusClient, t: number, range: string) {
  const m = `deploy="${d.name}"`;
  const at = new Date(t * 1000);
  const errorRatio = await client.instant(
    `sum(rate(http_requests_total{${m},code=~"5.."}[${range}])) / sum(rate(http_requests_total{${m}}[${range}]))`,
    at,
  );
  const p95 = await client.instant(
    `histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{${m}}[${range}])) by (le))`,
    at,
  );
  return [errorRatio, p95] as const;
}

const flagger: Engine = async (d, client, D) => {
  let failed = 0;
  for (let t = D + 60; t <= D + WATCH; t += 60) {
    const [errorRatio, p95] = await peerChecks(d, client, t, '1m');
    // Flagger: a metric without values, or out of its threshold range, is one failed check for this interval.
    const bad = (v: number | undefined, max: number) => v === undefined || Number.isNaN(v) || v > max;
    if (bad(errorRatio.value, 0.005) || bad(p95.value, 2)) failed++;
    if (failed >= 5) return t - D;
  }
  return undefined;
};

const argo: Engine = async (d, client, D) => {
  let failures = 0;
  let consecutiveErrors = 0;
  for (let t = D + 60; t <= D + WATCH; t += 60) {
    const [errorRatio, p95] = await peerChecks(d, client, t, '5m');
    // successCondition `result[0] >= 0.995` (and `result[0] <= 2` for latency): an empty vector cannot be indexed
    // (an Error measurement), NaN compares false (a Failed one).
    const availability = errorRatio.value === undefined ? undefined : 1 - errorRatio.value >= 0.995;
    const latencyOk = p95.value === undefined ? undefined : p95.value <= 2;
    if (availability === undefined || latencyOk === undefined) consecutiveErrors++;
    else consecutiveErrors = 0;
    if (availability === false || latencyOk === false) failures++;
    if (failures > 3 || consecutiveErrors > 4) return t - D;
  }
  return undefined;
};

function summary(kind: string, all: Deploy[], decided: Map<string, number | undefined>): string {
  const of = all.filter((d) => d.kind === kind);
  const times = of.map((d) => decided.get(d.name)).filter((t): t is number => t !== undefined);
  if (kind.startsWith('good')) return `${times.length} / ${of.length} rolled back`;
  if (!times.length) return `0 / ${of.length} caught`;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return `${times.length} / ${of.length} caught, median ${median} s, max ${times.at(-1)} s`;
}

async function detection(table: Table): Promise<void> {
  const D = Math.floor(Date.now() / 1000 / 3600) * 3600 - 2 * 3600;
  const all = deploys();
  const prom = await startPrometheus({ backfill: series(all, D) });
  try {
    let queries = 0;
    const base = createPrometheusClient({ url: prom.url });
    const client: PrometheusClient = {
      instant: (q, t) => (queries++, base.instant(q, t)),
      get requests() {
        return base.requests;
      },
    };
    const rows: string[][] = [];
    for (const [name, engine] of [
      ['Myco Gates slo-validate (exact test, 15 s samples)', ours],
      ['Flagger default analysis (1m, threshold 5)', flagger],
      ['Argo Rollouts typical template (1m, failureLimit 3)', argo],
    ] as const) {
      queries = 0;
      const decided = new Map<string, number | undefined>();
      for (const d of all) decided.set(d.name, await engine(d, client, D));
      rows.push([
        name,
        summary('bad-errors', all, decided),
        summary('bad-latency', all, decided),
        summary('good', all, decided),
        summary('good-low', all, decided),
        summary('good-idle', all, decided),
        String(Math.round(queries / all.length)),
      ]);
    }
    table(
      `slo-validate detection on ${all.length} generated deploys, 10 min each, scraped every 5 s (target: a bad release within 60 s, no false rollback)`,
      [
        'engine',
        '5% errors',
        '+3 s on 20%',
        'good, 20 rps',
        'good, 2 rps, 0.3% errors',
        'good, idle',
        'queries per deploy',
      ],
      rows,
    );
  } finally {
    await prom.stop();
  }
}

/** A synthetic exporter of ~100k series named like the sample app's, for Prometheus to scrape. */
function exporter(): { text: () => string } {
  const routes = Array.from({ length: 100 }, (_, i) => `/api/r${i}`);
  const pods = Array.from({ length: 80 }, (_, i) => `pod-${i}`);
  let tick = 0;
  return {
    text() {
      tick++;
      const out: string[] = [];
      for (const pod of pods)
        for (const route of routes) {
          const l = `service="backend",pod="${pod}",route="${route}"`;
          for (const code of ['200', '404', '500']) out.push(`http_requests_total{${l},status_code="${code}"} ${tick}`);
          for (const le of ['0.1', '0.5', '2', '10', '+Inf'])
            out.push(`http_request_duration_seconds_bucket{${l},le="${le}"} ${tick * 5}`);
          out.push(`http_request_duration_seconds_count{${l}} ${tick * 5}`);
          out.push(`http_request_duration_seconds_sum{${l}} ${tick}`);
        }
      for (let i = 0; i < 4000; i++) {
        const l = `service="ai-engine",pod="p${i % 20}",model="m${Math.floor(i / 20)}"`;
        for (const le of ['1', '5', '30', '+Inf'])
          out.push(`llm_request_duration_seconds_bucket{${l},le="${le}"} ${tick}`);
        out.push(`llm_request_duration_seconds_count{${l}} ${tick}`);
      }
      return out.join('\n') + '\n';
    },
  };
}

async function cost(table: Table, sampleSpec: string): Promise<void> {
  const source = exporter();
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(source.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let prom: PrometheusServer | undefined;
  try {
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    prom = await startPrometheus({ scrape: { synthetic: [target] }, interval: '5s' });
    const started = Date.now();
    await prom.waitFor('count(up == 1)', 30_000);
    // Two minutes of history so both our window and the peers' 1m/5m ranges have samples.
    await new Promise((resolve) => setTimeout(resolve, 75_000));
    const active = (await prom.query('count({job="synthetic"})'))[0]?.value ?? 0;
    const slos = readSloSpec(sampleSpec);
    const client = createPrometheusClient({ url: prom.url });
    const since = new Date(started + 10_000);
    const rounds = 7;
    const oursMs: number[] = [];
    let oursQueries = 0;
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const result = await validateSlos(
        slos,
        client,
        { since, until: new Date(), durationSeconds: 0, intervalSeconds: 15, initialDelaySeconds: 0, baseline: 'none' },
        { confidence: 0.95, onInconclusive: 'warn', onNoData: 'warn', minEvents: 0 },
      );
      oursMs.push(performance.now() - t0);
      oursQueries = result.queriesSent;
    }
    // The peers send one ratio query per metric per interval (Flagger's and Argo's templates alike).
    const peerQueries = slos.map(
      (s) => `(${s.errorQuery.replaceAll('{{.window}}', '1m')}) / (${s.totalQuery.replaceAll('{{.window}}', '1m')})`,
    );
    const peerMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      for (const q of peerQueries) await client.instant(q, new Date());
      peerMs.push(performance.now() - t0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    table(
      `One query round for the seed's ${slos.length} SLOs, Prometheus holding ${Math.round(active / 1000)}k active series, median of ${rounds}`,
      ['engine', 'queries', 'wall'],
      [
        ['Myco Gates slo-validate (bad + total per SLO)', String(oursQueries), `${median(oursMs).toFixed(0)} ms`],
        [
          'Flagger / Argo Rollouts (one ratio query per metric)',
          String(peerQueries.length),
          `${median(peerMs).toFixed(0)} ms`,
        ],
      ],
    );
  } finally {
    await prom?.stop();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Runs both parts and prints their tables.
 * @param table the bench's table printer.
 * @param sampleSpec the sample app's SLO spec (the seed's four SLOs).
 */
export async function benchSlo(table: Table, sampleSpec: string): Promise<void> {
  await detection(table);
  await cost(table, sampleSpec);
}
