import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVictoriaMetrics, type VictoriaMetricsServer } from './victoria-metrics.js';

const STEP = 5_000;
const STEPS = 120; // 10 minutes
const WINDOW = 300_000; // [5m]
/** Last sample time, a whole second in the past, so queries at T are deterministic. */
const T = Math.floor(Date.now() / 1000) * 1000;
const OLD = T - 45 * 86_400_000;

/** Counter series, index i at T - 10m + i * 5s (undefined: no sample). */
const series: Record<string, (i: number) => number | undefined> = {
  // steady: +2 per step
  a: (i) => 2 * i,
  // +3 per step, resets to 0 at i = 100 (inside the window)
  b: (i) => (i < 100 ? 3 * i : 3 * (i - 100)),
  // born 2 minutes ago (inside the window) at 5, +1 per step
  c: (i) => (i < 96 ? undefined : 5 + (i - 96)),
};

const text = [
  '# TYPE x counter',
  ...Array.from({ length: STEPS + 1 }, (_, i) =>
    Object.entries(series)
      .filter(([, value]) => value(i) !== undefined)
      .map(([job, value]) => `x{job="${job}"} ${value(i)} ${T - STEPS * STEP + i * STEP}`),
  ).flat(),
  `old{job="a"} 7 ${OLD}`,
  '',
].join('\n');

/**
 * VictoriaMetrics' increase/rate over (T - 5m, T], computed from the samples: no extrapolation. The base is the last
 * sample before the window; a series born inside the window (small first value) counts from 0 for increase, while
 * rate is (last - first) / (their time distance) for it. Counter resets add the value after the reset.
 */
function expected(job: string): { increase: number; rate: number } {
  const points = Array.from({ length: STEPS + 1 }, (_, i) => ({ t: T - STEPS * STEP + i * STEP, v: series[job](i) }))
    .filter((p): p is { t: number; v: number } => p.v !== undefined)
    .filter((p) => p.t >= T - WINDOW); // the window plus the sample at its (exclusive) start
  const born = points[0].t > T - WINDOW;
  const deltas = points.slice(1).map((p, k) => (p.v >= points[k].v ? p.v - points[k].v : p.v));
  const delta = deltas.reduce((sum, d) => sum + d, 0);
  const last = points[points.length - 1];
  return { increase: born ? points[0].v + delta : delta, rate: delta / ((last.t - points[0].t) / 1000) };
}

describe('startVictoriaMetrics', () => {
  let vm: VictoriaMetricsServer;
  const at = new Date(T);

  beforeAll(async () => {
    vm = await startVictoriaMetrics({ import: text });
  }, 20_000);

  afterAll(() => vm?.stop());

  it('serves the imported samples right away, the newest and a 45-day-old one', async () => {
    expect(vm.url).toBe(`http://127.0.0.1:${vm.port}`);
    expect(vm.promUrl).toBe(vm.url);
    expect(existsSync(vm.storage)).toBe(true);
    const latest = await vm.query('x', at);
    expect(Object.fromEntries(latest.map((s) => [s.metric.job, s.value]))).toEqual({ a: 240, b: 60, c: 29 });
    expect(await vm.query('old', new Date(OLD))).toEqual([{ metric: { __name__: 'old', job: 'a' }, value: 7 }]);
  });

  it('computes increase without extrapolation, from the sample before the window', async () => {
    expect(expected('a').increase).toBe(120);
    expect(expected('b').increase).toBe(177); // 59 steps of 3, the reset step adds 0
    expect(expected('c').increase).toBe(29); // 24 steps + its first value 5; Prometheus says ~24.5
    const perJob = await vm.query('increase(x[5m])', at);
    expect(Object.fromEntries(perJob.map((s) => [s.metric.job, s.value]))).toEqual({ a: 120, b: 177, c: 29 });
    const [sum] = await vm.query('sum(increase(x[5m]))', at);
    expect(sum.value).toBeCloseTo(120 + 177 + 29, 6);
  });

  it('computes rate as delta over the covered time, not increase / 5m', async () => {
    expect(expected('a').rate).toBeCloseTo(0.4, 9);
    expect(expected('b').rate).toBeCloseTo(0.59, 9);
    expect(expected('c').rate).toBeCloseTo(0.2, 9); // 24 / 120 s; increase/300 would be 0.0967
    const [sum] = await vm.query('sum(rate(x[5m]))', at);
    expect(sum.value).toBeCloseTo(0.4 + 0.59 + 0.2, 6);
    expect(sum.value * 300).not.toBeCloseTo(326, 0); // unlike Prometheus, rate * range != increase here
  });

  it('answers the Prometheus query API with a form-encoded POST', async () => {
    const response = await fetch(`${vm.promUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('sum(increase(x[5m]))')}&time=${T / 1000}`,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [T / 1000, '326'] }] },
    });
  });

  it('rejects a bad query with a Prometheus-style error body and 422', async () => {
    const response = await fetch(`${vm.promUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('sum(rate(x[5m]')}`,
    });
    // Prometheus says 400 with errorType "bad_data"; VictoriaMetrics 1.79 puts the status code in errorType
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      status: 'error',
      errorType: '422',
      error: expect.stringContaining('unparsed data'),
    });
    await expect(vm.query('nosuchfunc(x)')).rejects.toThrow(/unknown func "nosuchfunc"/);
  });

  it('fails an import with unparsable lines (VictoriaMetrics answers 204 and skips them)', async () => {
    await expect(vm.importText(`good{job="a"} 1 ${T}\nbad line {\n`)).rejects.toThrow(/dropped 1 imported rows/);
  });

  it('fails an import outside the retention (VictoriaMetrics answers 204 and drops the rows)', async () => {
    await expect(
      startVictoriaMetrics({ retention: '1d', import: `x{job="a"} 1 ${T}\nx{job="a"} 0 ${OLD}\n` }),
    ).rejects.toThrow(/dropped 1 imported rows[^]*outside the retention/);
  });

  it('stop() kills the process and removes the storage', async () => {
    await vm.stop();
    await expect(fetch(`${vm.url}/health`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    expect(existsSync(vm.storage)).toBe(false);
    await vm.stop(); // idempotent
  });
});
