import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, type PrometheusServer } from '@myco-gates/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesSpec, renderSeries, type SeriesCase } from '../../slo/src/series.test-helpers.js';
import { main } from './main.js';

// A real Prometheus with one good and one bad deploy backfilled at D; the CLI judges [D, D + 10 min].
const base = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600;
const D = base + 3600;
const healthy = { rps: 20, errorShare: 0.001, slowShare: 0.01 };
const rolling = (name: string, after: object): SeriesCase => ({
  name,
  phases: [
    { pod: 'old', from: base, to: D, ...healthy },
    { pod: 'new', from: D + 5, to: D + 3600, ...healthy, ...after },
  ],
});
const CASES = [rolling('good', {}), rolling('bad', { errorShare: 0.05 })];

let prom: PrometheusServer;
let cwd: string;
beforeAll(async () => {
  prom = await startPrometheus({ backfill: renderSeries(CASES) });
  cwd = mkdtempSync(join(tmpdir(), 'cli-slo-'));
  writeFileSync(join(cwd, 'slos.yaml'), casesSpec(CASES.map((c) => c.name)));
});
afterAll(async () => prom?.stop());

async function cli(flags: string[], env: NodeJS.ProcessEnv = {}, url = prom.url) {
  let stdout = '';
  let stderr = '';
  const argv = ['slo', 'validate', '--prometheus-url', url, '--slo-spec', 'slos.yaml', '--since', String(D)];
  const code = await main([...argv, '--until', String(D + 600), ...flags], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    cwd,
  });
  return { code, stdout, stderr };
}

describe('myco-gates slo validate', () => {
  it('passes a good deploy and prints the report', async () => {
    const run = await cli(['--slos', 'good-availability,good-latency']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✅ \*\*SLOs hold/);
    expect(run.stdout).toMatch(/good-availability/);
  });

  it('exits 1 on a breach, and the JSON report says rollback', async () => {
    const run = await cli(['--slos', 'bad-availability', '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      gate: 'slo',
      status: 'fail',
      facts: { rollback: 'true', breached: 'bad-availability' },
    });
    expect(report.metrics['sli-bad-availability']).toBeLessThan(96);
  });

  it('exits 2 when the engine is unreachable, and reads credentials from the environment only', async () => {
    const run = await cli(['--retry-timeout', '1s'], { INPUT_BEARER_TOKEN: 'cli-secret-token' }, 'http://127.0.0.1:9');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/could not be checked/);
    expect(run.stdout + run.stderr).not.toContain('cli-secret-token');
    const flag = await cli(['--bearer-token', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/flag --bearer-token is not accepted — set INPUT_BEARER_TOKEN instead/);
  });

  it('names the bad flag', async () => {
    const run = await cli(['--slo', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/flag --slo is not an input of slo validate/);
  });
});
