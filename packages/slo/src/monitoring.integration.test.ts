import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPrometheus, type PrometheusServer } from '@myco-gates/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries } from './dashboards.js';
import { GENERATED_FILES, renderMonitoring } from './generate.js';
import { readSloSpec } from './spec.js';

// The real thing: the sample backend and AI engine run as processes, real Prometheus scrapes them and evaluates the
// generated rules, load is driven through the public API, and every recording rule and every dashboard panel query
// must return data.
const root = join(import.meta.dirname, '..', '..', '..');
const specFile = join(root, 'sample-app', 'monitoring', 'slos.yaml');
const services: ChildProcess[] = [];
let prometheus: PrometheusServer | undefined;
let backendUrl = '';

async function startService(name: 'backend' | 'ai-engine', env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'sample-app', name, 'src', 'server.ts')], {
    cwd: join(root, 'sample-app', name),
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-5000)));
  services.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return url;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer /healthz within 60 s: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function api(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${backendUrl}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** One user's session: register, log in (once wrongly), create a project, edit a file, ask the AI twice. */
async function driveLoad(round: number): Promise<void> {
  const email = `user${round}@example.com`;
  await api('POST', '/api/auth/register', { email, password: 'correct horse battery', name: `User ${round}` });
  await api('POST', '/api/auth/login', { email, password: 'wrong password!' });
  const login = await api('POST', '/api/auth/login', { email, password: 'correct horse battery' });
  const token = login.json?.tokens?.accessToken as string;
  expect(login.status, JSON.stringify(login.json)).toBe(200);
  const project = await api('POST', '/api/projects', { name: `Project ${round}`, template: 'react-typescript' }, token);
  const id = project.json?.id as string;
  await api('GET', '/api/projects', undefined, token);
  await api('GET', `/api/projects/${id}/files`, undefined, token);
  await api(
    'PUT',
    `/api/projects/${id}/files/content?path=src/extra.ts`,
    { content: `export const round = ${round};\n` },
    token,
  );
  await api('GET', `/api/projects/${id}/files/content?path=src/extra.ts`, undefined, token);
  await api('GET', `/api/projects/${id}/files/content?path=../../etc/passwd`, undefined, token);
  // A new prompt twice: an LLM call (cache miss), then a cache hit.
  const prompt = `a function that adds ${round} to a number`;
  await api('POST', '/api/ai/generate', { prompt, language: 'typescript' }, token);
  await api('POST', '/api/ai/generate', { prompt, language: 'typescript' }, token);
  await api('GET', '/api/does-not-exist', undefined, token);
  for (let i = 0; i < 10; i++) await api('GET', '/api/templates', undefined, token);
}

beforeAll(async () => {
  const aiEngineUrl = await startService('ai-engine', {});
  // A "bad release" on one backend route, so error panels and error ratios have real 5xx series to show while the
  // rest of the session (register, login, projects) works.
  backendUrl = await startService('backend', {
    AI_ENGINE_URL: aiEngineUrl,
    FAULT_ERROR_RATE: '0.3',
    FAULT_ROUTES: '/api/templates',
  });
  const rulesDir = mkdtempSync(join(tmpdir(), 'myco-monitoring-'));
  const ruleFiles: string[] = [];
  for (const [file, content] of renderMonitoring(specFile)) {
    if (!file.endsWith('.yaml')) continue;
    ruleFiles.push(join(rulesDir, file.replace('/', '-')));
    writeFileSync(ruleFiles.at(-1)!, content);
  }
  prometheus = await startPrometheus({
    scrape: { backend: [backendUrl.replace('http://', '')], 'ai-engine': [aiEngineUrl.replace('http://', '')] },
    ruleFiles,
    interval: '1s',
  });
  await prometheus.waitFor('up{job="backend"} == 1');
  await prometheus.waitFor('up{job="ai-engine"} == 1');
  // Load in two bursts a few scrapes apart, so every rate() window holds at least two different samples.
  for (let round = 0; round < 6; round++) await driveLoad(round);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (let round = 6; round < 12; round++) await driveLoad(round);
  await prometheus.waitFor('slo:sli_error:ratio_rate5m{slo="llm-latency"}', 60_000);
  await new Promise((resolve) => setTimeout(resolve, 3000));
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const child of services) child.kill('SIGTERM');
});

describe('monitoring on real Prometheus scraping the running sample app', () => {
  const slos = readSloSpec(specFile);
  const records = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`);
  const recordCases = slos.flatMap((slo) =>
    [
      ...records,
      'slo:objective:ratio',
      'slo:error_budget:ratio',
      'slo:current_burn_rate:ratio',
      'slo:period_burn_rate:ratio',
      'slo:period_error_budget_remaining:ratio',
    ].map((record) => ({ slo: slo.name, record })),
  );

  it.each(recordCases)('recording rule $record has data for $slo', async ({ slo, record }) => {
    const samples = await prometheus!.waitFor(`${record}{slo="${slo}"}`, 20_000);
    expect(samples).toHaveLength(1);
    expect(Number.isFinite(samples[0].value), `${record}{slo="${slo}"} = ${samples[0].value}`).toBe(true);
  });

  const files = renderMonitoring(specFile);
  const panels = [GENERATED_FILES.productionDashboard, GENERATED_FILES.sloDashboard].flatMap((file) =>
    dashboardQueries(JSON.parse(files.get(file)!)).map((q) => ({ ...q, file: file.split('/').pop() })),
  );

  it.each(panels)('$file panel "$panel" returns data', async ({ expr }) => {
    const samples = await prometheus!.waitFor(expr, 20_000);
    expect(samples.length).toBeGreaterThan(0);
  });

  it('sees the injected 5xx in the availability SLI', async () => {
    const [ratio] = await prometheus!.query('slo:sli_error:ratio_rate5m{slo="backend-availability"}');
    expect(ratio.value).toBeGreaterThan(0);
    expect(ratio.value).toBeLessThan(0.5);
  });
});
